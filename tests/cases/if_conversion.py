"""`if`/`else` whose branches only update locals and one array element (`a[i] += v`): compiled
without branches (both sides evaluated, selects, the element stored back old or new). Errors
must stay those of the branch taken: an index out of range or a read-only array in the branch
not taken raises nothing."""
import numpy as np


#export run_lengths(uint8[:], int)
def run_lengths(seq, longest):
    counts = np.zeros(longest + 1, dtype=np.int64)
    run = 1
    for i in range(1, len(seq)):
        if seq[i] == seq[i - 1]:
            run += 1
        else:
            counts[min(run, longest)] += 1
            run = 1
    return counts, run


#export count_into(int64[:], int[:], int)
def count_into(counts, keys, limit):
    # The update is in the `then` branch; `skipped` and `last` change in both.
    skipped = 0
    last = -1
    for k in keys:
        if k < limit:
            counts[k] += 1
            last = k
        else:
            skipped += 1
            last = -2
    return skipped, last


#export signed_sums(float64[:], float64[:, :], int)
def signed_sums(x, grid, col):
    pos = 0
    big = False
    for i in range(len(x)):
        v = x[i]
        r = i % grid.shape[0]
        if v > 0.0:
            pos = pos + 1
            big = v > 10.0
        else:
            grid[r, col] -= v * 2.0
            big = False
    return pos, big


#export chained(int[:], int64[:])
def chained(keys, counts):
    # The else branch reads `t` after assigning it: not converted, same results.
    t = 0
    for k in keys:
        if k % 2 == 0:
            t += k
        else:
            t = k * 3
            counts[t % len(counts)] += 1
    return t


#run: run_lengths(np.array([1, 1, 2, 2, 2, 3, 1, 1, 1, 1], dtype=np.uint8), 3)
#run: run_lengths(np.random.default_rng(1).integers(0, 4, 5000).astype(np.uint8), 6)
#run: run_lengths(np.array([5, 5, 5], dtype=np.uint8), -1)
#run: run_lengths(np.array([5, 6], dtype=np.uint8), -1)
#run: run_lengths(np.zeros(0, dtype=np.uint8), 2)
#run: count_into(np.zeros(5, dtype=np.int64), np.array([0, 4, 9, -1, 2, 7]), 5)
#run: count_into(np.zeros(5, dtype=np.int64), np.array([0, 4, 2, -7]), 5)
#run: count_into(np.zeros(5, dtype=np.int64), np.array([0, 4, 2, 5, -6]), 5)
#run: count_into(np.zeros(3, dtype=np.int64)[::-1], np.array([0, 1, 1, 2]), 3)
#run: signed_sums(np.array([1.0, -2.0, 30.0, -0.5, 0.0]), np.zeros((2, 3)), 1)
#run: signed_sums(np.array([1.0, -2.0]), np.zeros((2, 3)), 3)
#run: signed_sums(np.array([1.0, 2.0]), np.zeros((2, 3)), 3)
#run: signed_sums(np.array([-1.0, 2.0]), np.zeros((2, 3)), -3)
#run: chained(np.array([2, 3, 4, 5, 6, 7]), np.zeros(4, dtype=np.int64))
#run: count_into(np.frombuffer(bytes(40), dtype=np.int64), np.array([7, 8]), 5)
#run: count_into(np.frombuffer(bytes(40), dtype=np.int64), np.array([7, 1]), 5)
