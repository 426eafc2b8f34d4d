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
