"""A hundred lines of scalar numeric code: the build-time benchmark compiles this module."""
import math

TOL = 1e-12


#export collatz_max(int)
def collatz_max(limit):
    best, best_n = 0, 1
    for n in range(1, limit):
        steps, m = 0, n
        while m != 1:
            m = m // 2 if m % 2 == 0 else 3 * m + 1
            steps += 1
        if steps > best:
            best, best_n = steps, n
    return best_n, best


#export count_primes(int)
def count_primes(n):
    count = 0
    for i in range(2, n):
        for d in range(2, i):
            if d * d > i:
                count += 1
                break
            if i % d == 0:
                break
        else:
            count += 1
    return count


#export gcd_sum(int)
def gcd_sum(n):
    s = 0
    for a in range(1, n):
        b = n
        x, y = a, b
        while y:
            x, y = y, x % y
        s += x
    return s


def newton_sqrt(x):
    if x < 0:
        raise ValueError("negative input")
    guess = x if x > 1 else 1.0
    for _ in range(100):
        nxt = 0.5 * (guess + x / guess)
        if abs(nxt - guess) < TOL:
            return nxt
        guess = nxt
    return guess


#export sqrt_error(int)
def sqrt_error(n):
    worst = 0.0
    for i in range(1, n):
        err = abs(newton_sqrt(i * 1.0) - math.sqrt(i))
        worst = max(worst, err)
    return worst


#export escape(float, float, int)
def escape(cr, ci, limit):
    zr, zi = 0.0, 0.0
    for k in range(limit):
        zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
        if zr * zr + zi * zi > 4.0:
            return k
    return limit


#export mandel_area(int, int)
def mandel_area(size, limit):
    inside = 0
    for y in range(size):
        for x in range(size):
            if escape(-2.0 + 2.5 * x / size, -1.25 + 2.5 * y / size, limit) == limit:
                inside += 1
    return inside * (2.5 * 2.5) / (size * size)


#export simpson(float, float, int)
def simpson(a, b, n):
    if n % 2:
        n += 1
    h = (b - a) / n
    s = math.exp(-a * a) + math.exp(-b * b)
    for i in range(1, n):
        w = 4.0 if i % 2 else 2.0
        s += w * math.exp(-(a + i * h) ** 2)
    return s * h / 3.0


#export fib(int)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
