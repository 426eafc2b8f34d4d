"""Sum of square roots: a scalar loop; the float sum stays in Python's order (same result as
CPython) while LLVM vectorizes the square roots."""


#pythran export root_sum(int)
def root_sum(n):
    total = 0.0
    for i in range(n):
        total += i ** 0.5
    return total
