"""Module-level imports resolved when the extension is imported: fractions, collections, numpy
and math members pyaot has no native version of."""
import math
import fractions
from collections import Counter, defaultdict
import numpy as np


#export harmonic(int)
def harmonic(n):
    total = fractions.Fraction(0)
    for k in range(1, n + 1):
        total += fractions.Fraction(1, k)
    return total, float(total), total.denominator


#export most_common(str, int)
def most_common(text, k):
    return Counter(text).most_common(k)


#export group_by_length(str list)
def group_by_length(words):
    groups = defaultdict(list)
    for w in words:
        groups[len(w)].append(w)
    return dict(groups)


#export gcd_all(int64[:])
def gcd_all(a):
    g = 0
    for x in a:
        g = math.gcd(g, x)
    return g


#export numpy_sum(float64[:])
def numpy_sum(a):
    return np.sum(a), a.sum(), np.pi


#export frac_mean(int list)
def frac_mean(xs):
    return fractions.Fraction(sum(xs), len(xs))


#run: harmonic(10)
#run: harmonic(0)
#run: most_common("abracadabra", 2)
#run: group_by_length(["a", "bb", "cc", "d", "eee"])
#run: gcd_all(np.array([12, 18, 30]))
#run: gcd_all(np.array([], dtype=np.int64))
#run: numpy_sum(np.arange(4.0))
#run: frac_mean([1, 2, 4])
#run: frac_mean([])
