"""Module-level values that are not constants (sets, dicts, lists, calls, numpy arrays, values
computed from earlier ones and by compiled functions): computed once when the extension is
imported, read by compiled functions, visible as module attributes."""
import re
import numpy as np

STOPWORDS = {"a", "an", "the"}
TABLE = {"x": 1, "y": 2}
ORDER = sorted(TABLE, reverse=True)
PATTERN = re.compile(r"[a-z]+")


def square_all(n):
    return [i * i for i in range(n)]


SQUARES = square_all(5)
WEIGHTS = np.linspace(0.0, 1.0, 5)
COUNT = len(SQUARES) + 1


#export content_words(str)
def content_words(text):
    return [w for w in PATTERN.findall(text.lower()) if w not in STOPWORDS]


#export lookup(str)
def lookup(k):
    return TABLE.get(k, 0), ORDER, SQUARES[-1], COUNT


#export weighted(float64[:])
def weighted(a):
    s = 0.0
    for i in range(len(a)):
        s += a[i] * WEIGHTS[i % 5]
    return s


#export remember(str)
def remember(k):
    TABLE[k] = len(TABLE)
    return len(TABLE)


#run: content_words("The cat and a hat")
#run: lookup("x")
#run: lookup("q")
#run: weighted(np.arange(10.0))
#run: STOPWORDS
#run: COUNT
