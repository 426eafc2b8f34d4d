"""Ordinary Python over strings, dicts, lists, Fractions and callbacks: what the object
fallback compiles. CPython runs this file unchanged; `pyaot build` compiles it whole (the
export comments give the argument types); Cython compiles it as is for the comparison in
examples/bench_objects.py."""
import fractions


#export word_counts(str)
def word_counts(text):
    counts = {}
    for w in text.split():
        counts[w] = counts.get(w, 0) + 1
    return counts


#export join_upper(str list, str)
def join_upper(words, sep):
    out = []
    for w in words:
        if len(w) > 2:
            out.append(w.upper())
    return sep.join(out)


#export group_by_length(str list)
def group_by_length(words):
    groups = {}
    for w in words:
        n = len(w)
        if n in groups:
            groups[n].append(w)
        else:
            groups[n] = [w]
    return groups


#export harmonic(int)
def harmonic(n):
    total = fractions.Fraction(0)
    for k in range(1, n + 1):
        total += fractions.Fraction(1, k)
    return total


#export apply_sum(object, float64[:])
def apply_sum(f, a):
    """A Python callback called from a native loop over an array."""
    s = 0.0
    for i in range(a.shape[0]):
        s += f(a[i])
    return s


#export label_all(int list)
def label_all(xs):
    out = []
    for i, x in enumerate(xs):
        if x % 3 == 0:
            out.append(f"{i}:fizz")
        elif x % 5 == 0:
            out.append(f"{i}:buzz")
        else:
            out.append(str(x))
    return out
