"""complex128 and complex64 arrays: reading, writing, creating, returning."""
import numpy as np


#export total(complex128[:])
def total(a):
    s = 0j
    for z in a:
        s += z
    return s


#export rotate(complex128[:], complex)
def rotate(a, w):
    for i in range(len(a)):
        a[i] = a[i] * w


#export magnitudes(complex64[:])
def magnitudes(a):
    out = np.empty(len(a))
    for i in range(len(a)):
        out[i] = abs(complex(a[i]))
    return out


#export phasors(int)
def phasors(n):
    out = np.zeros(n, dtype=np.complex128)
    w = 1 + 0j
    for k in range(n):
        out[k] = w
        w = w * 1j
    return out


#export fill_real(complex128[:])
def fill_real(a):
    for i in range(len(a)):
        a[i] = i

#run: total(np.array([1 + 2j, 3 - 1j, 0.5j]))
#run: total(np.arange(6, dtype=np.complex128)[::-2])
#run: rotate(np.array([1 + 0j, 1j, -1 + 1j]), 1j)
#run: magnitudes(np.array([3 + 4j, 1j], dtype=np.complex64))
#run: phasors(5)
#run: fill_real(np.zeros(3, dtype=np.complex128))
