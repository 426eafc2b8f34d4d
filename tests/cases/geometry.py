"""A small realistic module: helpers, tuples and math together."""
import math

EPS = 1e-12


def dist(p, q):
    dx = p[0] - q[0]
    dy = p[1] - q[1]
    return math.sqrt(dx * dx + dy * dy)


#export triangle_area((float, float), (float, float), (float, float))
def triangle_area(a, b, c):
    x, y, z = dist(a, b), dist(b, c), dist(c, a)
    s = (x + y + z) / 2
    area2 = s * (s - x) * (s - y) * (s - z)
    if area2 < EPS:
        return 0.0
    return math.sqrt(area2)


#export polar(float, float)
def polar(x, y):
    return math.hypot(x, y), math.atan2(y, x)

#run: triangle_area((0.0, 0.0), (3.0, 0.0), (0.0, 4.0))
#run: triangle_area((0.0, 0.0), (1.0, 1.0), (2.0, 2.0))
#run: polar(3.0, 4.0)
#run: polar(-1.0, 0.0)
