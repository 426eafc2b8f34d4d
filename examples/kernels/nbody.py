"""N-body gravity: a few explicit time steps over positions and velocities, then the energy."""
import math


#pythran export nbody(float64[:, :], float64[:, :], float64[:], int, float)
def nbody(pos, vel, mass, steps, dt):
    n = pos.shape[0]
    for _ in range(steps):
        for i in range(n):
            ax = 0.0
            ay = 0.0
            az = 0.0
            for j in range(n):
                if i != j:
                    dx = pos[j, 0] - pos[i, 0]
                    dy = pos[j, 1] - pos[i, 1]
                    dz = pos[j, 2] - pos[i, 2]
                    d2 = dx * dx + dy * dy + dz * dz + 1e-3
                    inv = mass[j] / (d2 * math.sqrt(d2))
                    ax += dx * inv
                    ay += dy * inv
                    az += dz * inv
            vel[i, 0] += dt * ax
            vel[i, 1] += dt * ay
            vel[i, 2] += dt * az
        for i in range(n):
            pos[i, 0] += dt * vel[i, 0]
            pos[i, 1] += dt * vel[i, 1]
            pos[i, 2] += dt * vel[i, 2]
    energy = 0.0
    for i in range(n):
        energy += 0.5 * mass[i] * (vel[i, 0] ** 2 + vel[i, 1] ** 2 + vel[i, 2] ** 2)
    return energy
