"""Explicit 1-D heat equation: whole-slice updates, repeated."""


#pythran export diffusion(float64[:], float, int)
def diffusion(u, k, steps):
    for _ in range(steps):
        u[1:-1] = u[1:-1] + k * (u[2:] - 2.0 * u[1:-1] + u[:-2])
    return u
