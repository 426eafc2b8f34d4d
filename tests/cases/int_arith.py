"""Integer + - * and true division (which gives a float)."""

#export arith(int, int)
def arith(a, b):
    return a + b, a - b, a * b, -a, +b


#export true_div(int, int)
def true_div(a, b):
    return a / b

#run: arith(7, 3)
#run: arith(-7, 3)
#run: arith(0, -5)
#run: arith(2**40, 2**20)
#run: true_div(7, 2)
#run: true_div(-7, 2)
#run: true_div(1, 3)
#run: true_div(0, -3)
#run: true_div(5, 0)


#export exact_div(int, int)
def exact_div(a, b):
    return a / b


# int / int beyond 2**53: divided exactly and rounded once, as CPython (not both operands
# rounded to floats first).
#run: exact_div(-2**63 + 1, 2**53 + 1)
#run: exact_div(2**63 - 1, 3)
#run: exact_div(9007199254740993, 1)
#run: exact_div(1, 9007199254740993)
#run: exact_div(-9223372036854775808, -1)
#run: exact_div(-9223372036854775808, 9223372036854775807)
#run: exact_div(0, -2**60)
#run: exact_div(123456789012345678, 1000)
#run: exact_div(2**62 + 1, 2**62 - 1)
#run: exact_div(5, 0)
#run: exact_div(2**60, 0)
