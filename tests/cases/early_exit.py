"""return from inside nested loops and ifs."""

#export find_pair(int)
def find_pair(target):
    for i in range(1, 100):
        for j in range(i, 100):
            if i * j == target:
                return i, j
    return -1, -1


#export first_neg(float, float, float)
def first_neg(a, b, c):
    if a < 0:
        return 0
    elif b < 0:
        return 1
    elif c < 0:
        return 2
    return -1

#run: find_pair(391)
#run: find_pair(9973)
#run: first_neg(1.0, -1.0, -2.0)
#run: first_neg(1.0, 1.0, 1.0)
