"""Recursion, mutual recursion included."""

#export fib(int)
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


#export ackermann(int, int)
def ackermann(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n - 1))


#export is_even(int)
def is_even(n):
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    return False if n == 0 else is_even(n - 1)


#export power(float, int)
def power(x, n):
    if n == 0:
        return 1.0
    half = power(x, n // 2)
    return half * half * (x if n % 2 else 1.0)

#run: fib(20)
#run: fib(0)
#run: ackermann(2, 3)
#run: is_even(10)
#run: is_even(7)
#run: power(1.5, 10)
#run: power(2.0, 0)


#export depth(int)
def depth(n):
    if n == 0:
        return 0
    return 1 + depth(n - 1)

#run: depth(500)
#run: depth(100000)
#run: depth(100000)
#run: depth(900)
