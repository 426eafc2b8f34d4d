"""The quick-start example: plain Python that pyaot compiles and CPython still runs."""

#export root_sum(int)
def root_sum(n):
    total = 0.0
    for i in range(n):
        total += i ** 0.5
    return total


#export halve(float)
def halve(x):
    return x * 0.5
