"""In-place position and velocity updates (a leapfrog step for a harmonic force)."""


#pythran export leapfrog(float64[:], float64[:], float, int)
def leapfrog(x, v, dt, steps):
    for _ in range(steps):
        v -= 0.5 * dt * x
        x += dt * v
        v -= 0.5 * dt * x
    return x, v
