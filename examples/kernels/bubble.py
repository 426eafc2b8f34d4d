"""Bubble sort in place: data-dependent branches and swaps."""


#pythran export bubble(float64[:])
def bubble(a):
    n = len(a)
    for i in range(n):
        for j in range(n - 1 - i):
            if a[j] > a[j + 1]:
                a[j], a[j + 1] = a[j + 1], a[j]
