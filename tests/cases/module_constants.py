"""Module-level numeric constants are folded into the compiled code."""
import math

N = 10
SCALE = 2.5
HALF = SCALE / 2
ORIGIN = (0, 0.0)
BIG = 2 ** 40
TWO_PI = 2 * math.pi
FLAG = True


#export use(int)
def use(k):
    return N * k, SCALE * k, HALF, ORIGIN, BIG + k, TWO_PI, FLAG and k > 0

#run: use(3)
#run: use(-1)
