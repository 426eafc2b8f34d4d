"""Identifiers as Python reads them: NFKC-normalized, so `ﬁ` (a ligature) and `fi` are one
name, and so are `ｘ` (fullwidth) and `x`; non-ASCII names of functions and locals."""


def dé(x):
    return x * 2


#export normalized(int)
def normalized(n):
    ﬁ = n * 2
    ｘ = fi + 1
    return x + dé(n)


#export ﬁxed(int)
def ﬁxed(n):
    # The export comment's name is normalized as the `def`'s is.
    return n - 1


#export été(float)
def été(température):
    return température + 0.5


#run: normalized(3)
#run: été(1.0)
#run: fixed(5)
