"""Exceptions in a parallel loop's iterations reach Python after the region, with their type."""
import numpy as np


#export gather(float64[:], int)
def gather(a, shift):
    s = 0.0
    #omp parallel for reduction(+:s)
    for i in range(len(a)):
        s += a[i + shift]
    return s


#export divide(int64[:], int)
def divide(a, d):
    out = np.zeros(len(a), dtype=np.int64)
    #omp parallel for
    for i in range(len(a)):
        out[i] = int(a[i]) // (d - i)
    return out


def check(x):
    if x > 500:
        raise ValueError("too large")
    return x


#export checked(int)
def checked(n):
    s = 0
    #omp parallel for reduction(+:s)
    for i in range(n):
        s += check(i)
    return s

#run: gather(np.arange(100.0), 0)
#run: gather(np.arange(100.0), 1)
#run: gather(np.arange(100.0), -150)
#run: divide(np.arange(10), 100)
#run: divide(np.arange(10), 5)
#run: checked(400)
#run: checked(1000)


def inner_sum(a, k):
    s = 0.0
    #omp parallel for reduction(+:s)
    for j in range(len(a)):
        s += float(a[j]) / (k - 3)
    return s


#export nested_failure(float64[:], int)
def nested_failure(a, n):
    s = 0.0
    #omp parallel for reduction(+:s)
    for k in range(n):
        s += inner_sum(a, k)
    return s

#run~: nested_failure(np.arange(10.0), 3)
#run: nested_failure(np.arange(10.0), 6)
