"""Mandelbrot escape counts written into an int array."""
import numpy as np


#pythran export mandelbrot(int, int, int)
def mandelbrot(width, height, limit):
    out = np.zeros((height, width), dtype=np.int64)
    for y in range(height):
        ci = -1.5 + 3.0 * y / height
        for x in range(width):
            cr = -2.0 + 3.0 * x / width
            zr = 0.0
            zi = 0.0
            k = 0
            while k < limit and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                k += 1
            out[y, x] = k
    return out
