"""Floyd–Warshall all-pairs shortest paths, in place on a distance matrix."""


#pythran export floyd(float64[:, :])
def floyd(d):
    n = d.shape[0]
    for k in range(n):
        for i in range(n):
            dik = d[i, k]
            for j in range(n):
                if dik + d[k, j] < d[i, j]:
                    d[i, j] = dik + d[k, j]
