"""for ... else, break and continue."""

#export is_prime(int)
def is_prime(n):
    if n < 2:
        return False
    for d in range(2, n):
        if d * d > n:
            break
        if n % d == 0:
            return False
    else:
        return True
    return True


#export first_multiple(int, int)
def first_multiple(n, k):
    for i in range(1, n):
        if i % k == 0:
            break
    else:
        i = -1
    return i


#export skip_threes(int)
def skip_threes(n):
    total = 0
    for i in range(n):
        if i % 3 == 0:
            continue
        total += i
    return total

#run: is_prime(2)
#run: is_prime(97)
#run: is_prime(91)
#run: is_prime(1)
#run: first_multiple(10, 4)
#run: first_multiple(3, 7)
#run: skip_threes(20)
