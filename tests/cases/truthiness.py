"""Python truthiness of ints, floats, bools and tuples in conditions."""

#export truth(int, float)
def truth(i, x):
    r = 0
    if i:
        r += 1
    if x:
        r += 10
    if (i, x):
        r += 100
    if not i:
        r += 1000
    return r, bool(i), bool(x), bool(())

#run: truth(0, 0.0)
#run: truth(2, 0.5)
#run: truth(-1, float('nan'))
#run: truth(0, -0.0)
