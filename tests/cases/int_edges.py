"""int64 edges that stay in range, and argument conversion of numpy-free int-likes."""

#export edges(int)
def edges(n):
    return n // -1, n % -1, abs(n), -n


#export big(int, int)
def big(a, b):
    return a // b, a % b

#run: edges(9223372036854775807)
#run: edges(-9223372036854775807)
#run: edges(0)
#run: big(9223372036854775807, 2)
#run: big(-9223372036854775807, 10)
#run: big(-9223372036854775807, -10)
#run: edges(True)
