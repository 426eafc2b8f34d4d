"""bool arguments and results."""

#export implies(bool, bool)
def implies(p, q):
    return (not p) or q


#export count_true(bool, bool, bool)
def count_true(a, b, c):
    return a + b + c


#export xor(bool, bool)
def xor(a, b):
    return a != b

#run: implies(True, False)
#run: implies(False, False)
#run: count_true(True, False, True)
#run: xor(True, True)
#run: xor(True, False)
