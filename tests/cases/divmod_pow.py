"""divmod() and pow() with two and three arguments."""

#export dm(int, int)
def dm(a, b):
    return divmod(a, b)


#export fdm(float, float)
def fdm(a, b):
    return divmod(a, b)


#export p(int, int)
def p(a, b):
    return pow(a, b)


#export pm(int, int, int)
def pm(a, b, m):
    return pow(a, b, m)

#run: dm(7, 2)
#run: dm(-7, 2)
#run: dm(7, -2)
#run: dm(7, 0)
#run: fdm(7.5, 2.0)
#run: fdm(-7.5, 2.0)
#run: fdm(1.0, 0.0)
#run: p(2, 20)
#run: pm(2, 100, 1000000007)
#run: pm(3, 200, -7)
#run: pm(-3, 5, 7)
#run: pm(5, 0, 3)
#run: pm(5, 3, 0)
#run: pm(123456789, 987654321, 999999937)
#run: pm(3, -1, 7)
#run: pm(3, -2, 7)
#run: pm(-3, -5, 7)
#run: pm(3, -1, -7)
#run: pm(4, -1, 8)
#run: pm(0, -1, 7)
#run: pm(5, -1, 1)
#run: pm(5, -1, -1)
#run: pm(123456789, -3, 1000000007)
#run: pm(2, -2**63, 9223372036854775783)
#run: pm(-9223372036854775808, -1, 9223372036854775807)
#run: pm(3, -1, 0)
