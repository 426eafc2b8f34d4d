"""Nested loops with break out of the inner one only."""

#export count_primes(int)
def count_primes(n):
    count = 0
    for i in range(2, n):
        prime = True
        for d in range(2, i):
            if d * d > i:
                break
            if i % d == 0:
                prime = False
                break
        if prime:
            count += 1
    return count


#export triangle(int)
def triangle(n):
    s = 0
    for i in range(n):
        for j in range(i):
            for k in range(j):
                s += i * j - k
    return s

#run: count_primes(1000)
#run: count_primes(2)
#run: triangle(20)
