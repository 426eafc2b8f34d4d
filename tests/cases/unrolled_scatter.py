"""Loops that store into an array at an index they compute (a histogram's `counts[k] += 1`) run
four iterations per loop test (codegen/unroll.rs). Counts that are not a multiple of four,
errors in any of the four copies, `break` and `continue` in them, read-only arrays and the
locals' values after the loop must all be Python's."""
import numpy as np


def frozen(a):
    a.flags.writeable = False
    return a


#export histogram(float64[:], int)
def histogram(values, bins):
    counts = np.zeros(bins, dtype=np.int64)
    for v in values:
        k = int(v * bins)
        if 0 <= k < bins:
            counts[k] += 1
    return counts

#run: histogram(np.linspace(0.0, 0.999, 37), 10)
#run: histogram(np.array([0.5, 0.25, -1.0, 2.0, 0.75]), 4)
#run: histogram(np.zeros(0), 3)
#run: histogram(np.array([0.1, 0.2, 0.3]), 5)
#run: histogram(np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, float("nan"), 0.1]), 5)
#run: histogram(np.array([0.1, 0.2, 0.3, float("inf"), 0.5]), 5)
#run: histogram(np.array([0.1, 0.2, 1.0, -0.1, -0.4, 0.9999]), 5)
#run: histogram(np.linspace(0.0, 1.0, 40)[::3], 7)


#export into(float64[:], int64[:])
def into(values, counts):
    # Counts given by the caller: the increments before an error stay; a read-only array
    # raises at the first store, after the iterations that stored nothing.
    n = len(counts)
    last = -1
    for i in range(len(values)):
        k = int(values[i] * n)
        last = k
        counts[k] += 1
    return last

#run: into(np.array([0.1, 0.9, 0.5, 0.3, 0.7, 0.2, 0.4, 0.6, 0.8]), np.zeros(10, dtype=np.int64))
#run: into(np.array([0.1, 0.9, 0.5, 0.3, 0.7, 1.5, 0.4, 0.6, 0.8]), np.zeros(10, dtype=np.int64))
#run: into(np.array([0.1, 0.9, 0.5, 0.3, 0.7, 0.2, -0.95, 0.6, 0.8]), np.zeros(10, dtype=np.int64))
#run: into(np.array([0.1, 0.9, 0.5, 0.3, 0.7, 0.2, 0.4, float("nan")]), np.zeros(10, dtype=np.int64))
#run: into(np.array([0.1, 0.9, 0.5]), frozen(np.zeros(10, dtype=np.int64)))
#run: into(np.zeros(0), frozen(np.zeros(10, dtype=np.int64)))


#export skips_and_stops(int64[:], int64[:], int)
def skips_and_stops(keys, out, stop_at):
    # `continue` in one copy goes on with the next; `break` leaves all of them.
    seen = 0
    j = -1
    for j in range(len(keys)):
        k = keys[j]
        if k < 0:
            continue
        if k == stop_at:
            break
        out[k] += j
        seen += 1
    else:
        seen += 1000
    return seen, j

#run: skips_and_stops(np.array([1, -1, 2, 3, -4, 0, 2, 1, 3], dtype=np.int64), np.zeros(4, dtype=np.int64), 99)
#run: skips_and_stops(np.array([1, -1, 2, 3, -4, 0, 2, 1, 3], dtype=np.int64), np.zeros(4, dtype=np.int64), 0)
#run: skips_and_stops(np.array([1, 2, 3, 7, 0], dtype=np.int64), np.zeros(4, dtype=np.int64), 99)
#run: skips_and_stops(np.array([], dtype=np.int64), np.zeros(4, dtype=np.int64), 99)


#export ranges(int, int, int64[:])
def ranges(start, stop, out):
    # Other starts and stops, up to the largest int64: no overflow counting the rounds.
    m = len(out)
    x = 0
    for x in range(start, stop):
        k = x % m
        out[k] += 1
    return x

#run: ranges(3, 14, np.zeros(5, dtype=np.int64))
#run: ranges(-6, 1, np.zeros(5, dtype=np.int64))
#run: ranges(5, 2, np.zeros(5, dtype=np.int64))
#run: ranges(9223372036854775800, 9223372036854775807, np.zeros(5, dtype=np.int64))
#run: ranges(9223372036854775803, 9223372036854775807, np.zeros(5, dtype=np.int64))
#run: ranges(-9223372036854775808, -9223372036854775801, np.zeros(5, dtype=np.int64))
#run: ranges(0, 9, frozen(np.zeros(5, dtype=np.int64)))


#export caught(float64[:], int64[:])
def caught(values, counts):
    # A handler around the loop sees the failing iteration's locals.
    i = -1
    k = -1
    try:
        for i in range(len(values)):
            k = int(values[i])
            counts[k] = i
    except IndexError:
        return i, k, -1
    return i, k, 0

#run: caught(np.array([0.0, 1.0, 2.0, 3.0, 1.0, 2.0, 9.0, 0.0]), np.zeros(4, dtype=np.int64))
#run: caught(np.array([0.0, 1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 0.0]), np.zeros(4, dtype=np.int64))
#run: caught(np.array([0.0, 1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 0.0, 5.0]), np.zeros(4, dtype=np.int64))
