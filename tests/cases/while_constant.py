"""`while 1:` is an endless loop like `while True:`: a function that only returns from inside
it does not reach its end (it was refused as "returns None by reaching its end")."""
import numpy as np


#pythran export first_above(float64[:], float)
def first_above(a, t):
    i = 0
    while 1:
        if a[i] > t:
            return i
        i += 1


#pythran export collatz_steps(int)
def collatz_steps(n):
    steps = 0
    while 1:
        if n == 1:
            return steps
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1


#pythran export countdown(int)
def countdown(n):
    while 1:
        n -= 1
        if n < 0:
            break
    return n


#run: first_above(np.arange(10.0), 4.5)
#run: first_above(np.arange(3.0), 10.0)
#run: collatz_steps(27)
#run: collatz_steps(1)
#run: countdown(5)
