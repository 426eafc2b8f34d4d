"""Recursive functions on strided views (x[::2]): the exported function has a version for
C-contiguous arrays that is not itself recursive and a strided one that is (it takes a depth).
The wrapper called the first with the second's arguments: a crash on any call."""
import numpy as np
import cmath


#pythran export s1(float [])
def s1(x):
    N = x.shape[0]
    if N == 1:
        return x[3]
    return s1(x[::2]) + 1.0


#pythran export halves(float [])
def halves(x):
    n = x.shape[0]
    if n <= 1:
        return x[0] if n == 1 else 0.0
    return halves(x[::2]) + 2.0 * halves(x[1::2])


#pythran export fft(complex128[])
def fft(x):
    n = x.shape[0]
    out = np.zeros(n, dtype=np.complex128)
    if n == 1:
        out[0] = x[0]
        return out
    even = fft(x[::2])
    odd = fft(x[1::2])
    for k in range(n // 2):
        t = cmath.exp(-2j * cmath.pi * k / n) * odd[k]
        out[k] = even[k] + t
        out[k + n // 2] = even[k] - t
    return out


#run: s1(np.arange(8.0))
#run: s1(np.arange(1.0))
#run: s1(np.arange(16.0)[::2])
#run: halves(np.arange(8.0))
#run: halves(np.arange(13.0))
#run: halves(np.arange(26.0)[::2])
#run: halves(np.zeros(0))
#run~: fft(np.arange(8.0) + 1j)
#run~: fft(np.ones(16, dtype=np.complex128)[::1])
#run~: fft((np.arange(32.0) * 1j)[::2])
