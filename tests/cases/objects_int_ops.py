"""Arithmetic between Python objects and native ints: exact ints take a native fast path,
everything else (big ints, overflow, bools, floats, Fractions, strings, zero divisors) the
generic one, with the same results and errors."""


#export ops(object, int)
def ops(x, n):
    return x + n, n + x, x - n, n - x, x * n, n * x, x // n, n // x, x % n, n % x


#export step(object)
def step(x):
    return x + 1, x - 1, x * 3, x // 7, x % 7, -7 // x, 100 % x


#export accumulate(object, int)
def accumulate(xs, k):
    total = 0
    for x in xs:
        total += x * k
    return total


#run: ops(7, 3)
#run: ops(-7, 3)
#run: ops(7, -3)
#run: ops(2 ** 62, 4)
#run: ops(-(2 ** 63), -1)
#run: ops(2 ** 100, 3)
#run: ops(True, 2)
#run: ops(2.5, 2)
#run: ops(7, 0)
#run: ops(0, 5)
#run: ops("ab", 2)
#run: step(10)
#run: step(-10)
#run: step(2 ** 63 - 1)
#run: step(-(2 ** 63))
#run: step(0)
#run: step(1.5)
#run: accumulate([1, 2, 3], 10)
#run: accumulate([1, 2 ** 62, 2 ** 62], 4)
#run: accumulate([1, 2.5], 2)


#export compare(object, int)
def compare(x, n):
    return x < n, x <= n, x == n, x != n, x > n, x >= n, n < x, n == x


#run: compare(3, 3)
#run: compare(-5, 3)
#run: compare(2 ** 70, 3)
#run: compare(-(2 ** 70), 3)
#run: compare(2.5, 2)
#run: compare(True, 1)
#run: compare("a", 1)
