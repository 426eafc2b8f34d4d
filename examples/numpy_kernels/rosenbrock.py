"""The Rosenbrock function of an n-vector, with shifted slices (scipy.optimize.rosen)."""
import numpy as np


#pythran export rosenbrock(float64[:])
def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1.0 - x[:-1]) ** 2.0)
