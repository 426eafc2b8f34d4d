"""dtypes as values, as numpy code passes them: `dtype=x.dtype` (the dtype of another array,
known from its type), `np.empty(shape=...)` and `np.full(shape, fill_value=...)` by keyword,
`dtype=bool`, and `x.dtype == np.float32` decided by the types (only the branch taken is
compiled)."""
import numpy as np


#pythran export doubled(float64[])
#pythran export doubled(int32[])
#pythran export doubled(float32[:, :])
def doubled(x):
    out = np.empty(x.shape, dtype=x.dtype)
    n = x.size
    if x.ndim == 1:
        for i in range(n):
            out[i] = x[i] * 2
    else:
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                out[i, j] = x[i, j] * 2
    return out


#pythran export like_zeros(float32[], int)
def like_zeros(x, n):
    return np.zeros(n, x.dtype)


#pythran export by_keyword(int)
def by_keyword(n):
    a = np.empty(shape=(n, 2))
    for i in range(n):
        a[i, 0] = i
        a[i, 1] = -i
    b = np.full((n,), fill_value=1.5)
    c = np.zeros(shape=n, dtype=bool)
    return a, b, c


#pythran export kind_of(float64[])
#pythran export kind_of(float32[])
#pythran export kind_of(int64[])
def kind_of(x):
    if x.dtype == np.float32:
        return 32
    elif x.dtype == np.float64:
        return 64
    return 0


#pythran export not_float(int64[])
#pythran export not_float(float64[])
def not_float(x):
    # A branch for the other dtype would not compile for this one: it is dead, never typed.
    if x.dtype != np.float64:
        return int(x[0]) * 2
    return int(x[0])

#pythran export made_of(int, str)
#pythran export made_of(int, object)
def made_of(n, dt):
    # A dtype known only when the code runs: numpy's own function, through Python.
    a = np.zeros(n, dtype=dt)
    a[0] = 1
    return a

#run: doubled(np.array([1.0, 2.5]))
#run: doubled(np.array([1, -3], dtype=np.int32))
#run: doubled(np.arange(6, dtype=np.float32).reshape(2, 3))
#run: like_zeros(np.ones(3, dtype=np.float32), 4)
#run: by_keyword(3)
#run: kind_of(np.ones(2))
#run: kind_of(np.ones(2, dtype=np.float32))
#run: kind_of(np.ones(2, dtype=np.int64))
#run: not_float(np.array([3, 4]))
#run: not_float(np.array([3.5]))
#run: made_of(3, "float32")
#run: made_of(2, "int8")
#run: made_of(2, np.uint16)
#run: made_of(2, "no such dtype")
