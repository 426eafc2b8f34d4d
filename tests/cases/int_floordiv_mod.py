"""Floor division and modulo follow Python's signs: the result of % has the divisor's sign."""

#export fdiv(int, int)
def fdiv(a, b):
    return a // b


#export fmod(int, int)
def fmod(a, b):
    return a % b

#run: fdiv(7, 2)
#run: fdiv(-7, 2)
#run: fdiv(7, -2)
#run: fdiv(-7, -2)
#run: fdiv(6, 3)
#run: fdiv(-6, 3)
#run: fdiv(0, 5)
#run: fdiv(7, 0)
#run: fdiv(-9223372036854775807, 1)
#run: fmod(7, 3)
#run: fmod(-7, 3)
#run: fmod(7, -3)
#run: fmod(-7, -3)
#run: fmod(9, 3)
#run: fmod(-9, 3)
#run: fmod(5, 0)
#run: fmod(123456789, -1)
