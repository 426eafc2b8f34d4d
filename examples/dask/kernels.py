"""A kernel for dask: compiled code releases the GIL, so dask's threads run blocks in parallel."""
import math

import numpy as np


#export settle(float64[:], int)
def settle(block, iterations):
    """A per-element iteration with no numpy inside: CPU-bound work, one block at a time."""
    out = np.empty_like(block)
    for i in range(block.shape[0]):
        x = block[i]
        for _ in range(iterations):
            x = math.cos(x) + 0.1 * math.sin(3.0 * x)
        out[i] = x
    return out
