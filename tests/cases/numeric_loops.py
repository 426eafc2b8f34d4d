"""Float-heavy loops: sums, integration, series; results must match CPython bit for bit."""
import math


#export root_sum(int)
def root_sum(n):
    total = 0.0
    for i in range(n):
        total += i ** 0.5
    return total


#export integrate(float, float, int)
def integrate(a, b, n):
    h = (b - a) / n
    s = 0.5 * (math.sin(a) + math.sin(b))
    for i in range(1, n):
        s += math.sin(a + i * h)
    return s * h


#export leibniz(int)
def leibniz(n):
    s = 0.0
    sign = 1.0
    for k in range(n):
        s += sign / (2 * k + 1)
        sign = -sign
    return 4 * s

#run: root_sum(1000)
#run: root_sum(0)
#run: integrate(0.0, 3.141592653589793, 1000)
#run: leibniz(10000)
