"""Module-level code runs when the module is imported, in order, compiled: tuple unpacking,
item and attribute assignment, loops, `if`, `try`, annotated assignments; the names it binds
are the module's values, read by compiled functions."""
import math

A, B = 2, 3
LEVELS = [0] * 5
LEVELS[2] = 7
SQUARES = []
for i in range(5):
    SQUARES.append(i * i)
TOTAL: int = 0
for s in SQUARES:
    TOTAL += s
if TOTAL > 10:
    MODE = "big"
else:
    MODE = "small"
try:
    BAD = 1 // 0
except ZeroDivisionError:
    BAD = -1
assert TOTAL == 30, "squares"


class Vector:
    def __init__(self, x, y):
        self.x = x
        self.y = y


Vector.ZERO = Vector(0, 0)
RATE: float = 1.5
WORDS = {w: len(w) for w in ("a", "bb")}
COUNTER = 0


def bump():
    global COUNTER
    COUNTER += 1
    return COUNTER


#export state()
def state():
    return A, B, LEVELS, SQUARES, TOTAL, MODE, BAD, Vector.ZERO.x, RATE * 2, i, s, WORDS

#run: state()


#export counting(int)
def counting(n):
    for _ in range(n):
        bump()
    return COUNTER, math.floor(RATE * n)

#run: counting(3)
#run: counting(2)
