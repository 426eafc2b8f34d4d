"""assert raises AssertionError with its message."""

#export positive(float)
def positive(x):
    assert x > 0, "x must be positive"
    return x * 2.0


#export plain(int)
def plain(n):
    assert n % 2 == 0
    return n // 2

#run: positive(2.0)
#run: positive(-1.0)
#run: plain(4)
#run: plain(3)
