"""y = a*x + y as one whole-array expression: numpy makes a temporary for a*x."""


#pythran export axpy(float64[:], float64[:], float)
def axpy(x, y, a):
    return a * x + y
