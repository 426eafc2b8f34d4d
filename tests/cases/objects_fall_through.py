"""Object return types reached by falling off the end, and locals that are numbers on one path and objects on another."""

#export f(object)
def f(x):
    if x:
        return [x]
#run: f(1)
#run: f(0)


#export loop_var_becomes_object(int)
def loop_var_becomes_object(n):
    for i in range(n):
        if i == 2:
            break
    else:
        i = "none"
    return i

#run: loop_var_becomes_object(5)
#run: loop_var_becomes_object(1)
