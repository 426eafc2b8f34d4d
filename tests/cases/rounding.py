"""round() rounds half to even; round(x) is an int, round(x, n) a float."""

#export r0(float)
def r0(x):
    return round(x)


#export rn(float, int)
def rn(x, n):
    return round(x, n)


#export ri(int, int)
def ri(x, n):
    return round(x), round(x, n)

#run: r0(0.5)
#run: r0(1.5)
#run: r0(2.5)
#run: r0(-0.5)
#run: r0(-1.5)
#run: r0(2.675)
#run: r0(float('nan'))
#run: r0(float('inf'))
#run: rn(2.675, 2)
#run: rn(3.14159, 3)
#run: rn(1234.5678, 0)
#run: rn(0.125, 2)
#run: rn(-2.675, 2)
#run: rn(1.0005, 3)
#run: rn(-0.001, 2)
#run: rn(123456.5, -1)
#run: rn(125.0, -1)
#run: rn(135.0, -1)
#run: rn(1e300, 5)
#run: rn(2.5, 0)
#run: ri(1234, -2)
#run: ri(1250, -2)
#run: ri(1350, -2)
#run: ri(-1250, -2)
#run: ri(17, 3)
