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


# Constant powers of two compile to a shift and a mask: every sign, and the int64 edges.
#export by_powers(int)
def by_powers(a):
    return a // 2, a % 2, a // 8, a % 8, a // 1, a % 1, a // 4096, a % 4096, (a % 2 == 0)


#export by_negative_power(int)
def by_negative_power(a):
    return a // -2, a % -2, a // -8, a % -8


#export halve_until_odd(int)
def halve_until_odd(m):
    steps = 0
    while m != 0 and m % 2 == 0:
        m = m // 2
        steps += 1
    return m, steps

#run: by_powers(7)
#run: by_powers(-7)
#run: by_powers(-8)
#run: by_powers(0)
#run: by_powers(-1)
#run: by_powers(9223372036854775807)
#run: by_powers(-9223372036854775807 - 1)
#run: by_powers(-4097)
#run: by_negative_power(7)
#run: by_negative_power(-7)
#run: by_negative_power(-9223372036854775807 - 1)
#run: halve_until_odd(96)
#run: halve_until_odd(-96)
#run: halve_until_odd(0)
