"""Homopolymer run lengths in a DNA sequence (bytes as uint8): counts of runs of each length,
the kind of loop bioinformatics scripts write by hand."""
import numpy as np


#pythran export homopolymer(uint8[:], int)
def homopolymer(seq, longest):
    counts = np.zeros(longest + 1, dtype=np.int64)
    n = len(seq)
    if n == 0:
        return counts
    run = 1
    for i in range(1, n):
        if seq[i] == seq[i - 1]:
            run += 1
        else:
            counts[min(run, longest)] += 1
            run = 1
    counts[min(run, longest)] += 1
    return counts
