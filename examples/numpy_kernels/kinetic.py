"""Kinetic energy of particles with velocity components in three arrays."""
import numpy as np


#pythran export kinetic(float64[:], float64[:], float64[:], float64[:])
def kinetic(vx, vy, vz, m):
    return 0.5 * np.sum(m * (vx * vx + vy * vy + vz * vz))
