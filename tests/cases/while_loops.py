"""while loops with break, continue and else."""

#export collatz(int)
def collatz(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n //= 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


#export find_divisor(int)
def find_divisor(n):
    d = 2
    while d * d <= n:
        if n % d == 0:
            break
        d += 1
    else:
        return -1
    return d


#export odd_sum(int)
def odd_sum(n):
    i = 0
    s = 0
    while i < n:
        i += 1
        if i % 2 == 0:
            continue
        s += i
    return s


#export forever(int)
def forever(n):
    while True:
        n += 1
        if n > 10:
            return n

#run: collatz(27)
#run: collatz(1)
#run: find_divisor(91)
#run: find_divisor(97)
#run: odd_sum(10)
#run: odd_sum(0)
#run: forever(3)
#run: forever(50)
