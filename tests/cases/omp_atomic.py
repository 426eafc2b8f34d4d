"""`#omp atomic` and `#omp critical` inside parallel loops, as Pythran's users write them: an
element update becomes an atomic read-modify-write (a histogram filled by all threads at once
loses no count), an update of a shared variable a reduction of the loop."""
import numpy as np


#pythran export histogram(int64[], int)
def histogram(keys, nbins):
    counts = np.zeros(nbins, dtype=np.int64)
    #omp parallel for
    for i in range(len(keys)):
        #omp atomic
        counts[keys[i]] += 1
    return counts


#pythran export weighted(int64[], float64[], int)
def weighted(keys, w, nbins):
    acc = np.zeros(nbins)
    #omp parallel for
    for i in range(len(keys)):
        #omp atomic update
        acc[keys[i]] += w[i]
    return acc


#pythran export narrow(int64[], int)
def narrow(keys, nbins):
    counts = np.zeros(nbins, dtype=np.int32)
    #omp parallel for schedule(dynamic, 64)
    for i in range(len(keys)):
        #pragma omp atomic
        counts[keys[i] % nbins] -= 2
    return counts


#pythran export shared_sum(float64[])
def shared_sum(a):
    total = 0.0
    #omp parallel for
    for i in range(len(a)):
        #omp critical
        total += a[i]
    return total


#pythran export shared_count(float64[], float)
def shared_count(a, t):
    n = 0
    #omp parallel for
    for i in range(len(a)):
        if a[i] > t:
            #omp atomic
            n += 1
    return n


#pythran export serial_atomic(int64[])
def serial_atomic(a):
    # Outside a parallel loop the pragma changes nothing.
    out = np.zeros(3, dtype=np.int64)
    for v in a:
        #omp atomic
        out[v % 3] += v
    return out


#pythran export out_of_range(int64[])
def out_of_range(keys):
    counts = np.zeros(4, dtype=np.int64)
    #omp parallel for
    for i in range(len(keys)):
        #omp atomic
        counts[keys[i]] += 1
    return counts

#run: histogram(np.arange(200000) % 7, 7)
#run: histogram(np.array([], dtype=np.int64), 3)
#run: weighted(np.arange(100000) % 5, np.full(100000, 0.25), 5)
#run: narrow(np.arange(100000), 3)
#run~: shared_sum(np.linspace(0.0, 1.0, 100001))
#run: shared_sum(np.array([]))
#run: shared_count(np.linspace(0.0, 1.0, 100001), 0.25)
#run: serial_atomic(np.arange(10))
#run: out_of_range(np.array([0, 1, 9]))
