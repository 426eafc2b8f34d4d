"""Recursive Fibonacci: call overhead inside compiled code."""


#pythran export fib(int)
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
