"""A function returning an object on one path and None by reaching its end."""

#export f(object)
def f(x):
    if x:
        return [x]
#run: f(1)
#run: f(0)
