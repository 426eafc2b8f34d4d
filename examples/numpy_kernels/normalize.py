"""Standardize the columns of a matrix with precomputed means and scales (broadcasting rows)."""


#pythran export normalize(float64[:, :], float64[:], float64[:])
def normalize(m, mu, sigma):
    return (m - mu) / sigma
