"""`**` on ints: an int for non-negative exponents, a float for a negative constant one."""

#export ipow(int, int)
def ipow(a, b):
    return a ** b


#export inverse(int)
def inverse(a):
    return a ** -1, a ** -2


#export squares(int)
def squares(n):
    s = 0
    for i in range(n):
        s += i ** 2 + 2 ** 3
    return s

#run: ipow(2, 10)
#run: ipow(3, 0)
#run: ipow(0, 0)
#run: ipow(-3, 3)
#run: ipow(-2, 4)
#run: ipow(10, 18)
#run: ipow(7, 1)
#run: inverse(4)
#run: inverse(-2)
#run: inverse(0)
#run: squares(10)
