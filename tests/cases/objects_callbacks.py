"""Python callables called from compiled loops; builtins with keywords; exceptions crossing."""
import numpy as np


#export apply_sum(object, float64[:])
def apply_sum(f, a):
    s = 0.0
    for i in range(a.shape[0]):
        s += f(a[i])
    return s


#export apply_inplace(object, float64[:])
def apply_inplace(f, a):
    for i in range(len(a)):
        a[i] = f(a[i], scale=2.0)


#export map_list(object, object)
def map_list(f, xs):
    return list(map(f, xs))


#export best(str list)
def best(words):
    return max(words, key=len), sorted(words, key=len, reverse=True), min(words)


#export call_n(object, int)
def call_n(f, n):
    out = 0
    for i in range(n):
        out = f(out, i)
    return out


def square(x):
    return x * x


def scaled(x, scale=1.0):
    return x * scale


def fails_at_three(acc, i):
    if i == 3:
        raise KeyError(i)
    return acc + i


#run: apply_sum(square, np.arange(5.0))
#run: apply_sum(abs, np.array([-1.5, 2.0]))
#run: apply_sum(str, np.arange(3.0))
#run: apply_inplace(scaled, np.arange(4.0))
#run: best(["bb", "a", "ccc"])
#run: best([])
#run: map_list(square, [1, 2, 3])
#run: map_list(square, 5)
#run: call_n(max, 5)
#run: call_n(fails_at_three, 3)
#run: call_n(fails_at_three, 10)
#run: call_n(1, 2)
