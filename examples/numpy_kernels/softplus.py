"""The softplus activation, with a clamp against overflow."""
import numpy as np


#pythran export softplus(float64[:])
def softplus(x):
    return np.log1p(np.exp(np.minimum(x, 30.0))) + np.maximum(x - 30.0, 0.0)
