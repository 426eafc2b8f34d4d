"""A local given an int and a float is a float; a bool and an int is an int."""

#export mean(int)
def mean(n):
    total = 0
    for i in range(n):
        total += i * 0.5
    return total / n


#export mixed(int)
def mixed(n):
    x = 1
    if n > 0:
        x = 2.5
    return x * 2


#export flags(int)
def flags(n):
    c = False
    for i in range(n):
        c = c + (i % 2 == 0)
    return c

#run: mean(10)
#run: mean(0)
#run: mixed(1)
#run: flags(7)
