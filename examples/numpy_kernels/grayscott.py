"""Gray-Scott reaction-diffusion, a few steps on a periodic-free grid (interior only)."""


#pythran export grayscott(float64[:, :], float64[:, :], float, float, float, float, int)
def grayscott(U, V, Du, Dv, F, k, steps):
    for _ in range(steps):
        u = U[1:-1, 1:-1]
        v = V[1:-1, 1:-1]
        Lu = U[:-2, 1:-1] + U[2:, 1:-1] + U[1:-1, :-2] + U[1:-1, 2:] - 4.0 * u
        Lv = V[:-2, 1:-1] + V[2:, 1:-1] + V[1:-1, :-2] + V[1:-1, 2:] - 4.0 * v
        uvv = u * v * v
        U[1:-1, 1:-1] = u + Du * Lu - uvv + F * (1.0 - u)
        V[1:-1, 1:-1] = v + Dv * Lv + uvv - (F + k) * v
    return U, V
