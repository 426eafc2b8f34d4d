"""A float stored into an integer array: truncated toward zero when the dtype holds it; NaN
raises ValueError, infinity and out-of-range values OverflowError, as numpy does for a Python
float (never a wrapped or saturated number). Stores before the failing one stay."""
import numpy as np


#export put_u8(uint8[:], float)
def put_u8(a, v):
    a[0] = v
    return a


#export put_i8(int8[:], float)
def put_i8(a, v):
    a[1] = v
    return a


#export put_i32(int32[:], float)
def put_i32(a, v):
    a[0] = v
    return a


#export put_i64(int64[:], float)
def put_i64(a, v):
    a[0] = v
    return a


#export put_u64(uint64[:], float)
def put_u64(a, v):
    a[0] = v
    return a


#export scaled(int16[:], float64[:], float)
def scaled(out, x, k):
    for i in range(len(x)):
        out[i] = float(x[i]) * k
    return out


#export bumped(int32[:], float)
def bumped(a, d):
    for i in range(len(a)):
        a[i] += d
    return a


#export parallel_round(int64[:], float64[:])
def parallel_round(out, x):
    #omp parallel for
    for i in range(len(x)):
        out[i] = x[i] + 0.5
    return out


#export parallel_round_new(float64[:])
def parallel_round_new(x):
    # Which elements other threads stored before an error stopped them depends on timing (as
    # in OpenMP): a failing parallel loop here writes to an array nobody else sees.
    out = np.zeros(len(x), np.int64)
    #omp parallel for
    for i in range(len(x)):
        out[i] = x[i] + 0.5
    return out


#run: put_u8(np.zeros(2, np.uint8), 255.9)
#run: put_u8(np.zeros(2, np.uint8), -0.9)
#run: put_u8(np.zeros(2, np.uint8), 256.0)
#run: put_u8(np.zeros(2, np.uint8), 300.7)
#run: put_u8(np.zeros(2, np.uint8), -1.0)
#run: put_u8(np.zeros(2, np.uint8), float("nan"))
#run: put_u8(np.zeros(2, np.uint8), float("inf"))
#run: put_i8(np.zeros(2, np.int8), -128.5)
#run: put_i8(np.zeros(2, np.int8), 127.99)
#run: put_i8(np.zeros(2, np.int8), 128.0)
#run: put_i8(np.zeros(2, np.int8), -129.0)
#run: put_i32(np.zeros(2, np.int32), float("inf"))
#run: put_i32(np.zeros(2, np.int32), float("-inf"))
#run: put_i32(np.zeros(2, np.int32), 2147483647.5)
#run: put_i32(np.zeros(2, np.int32), 2147483648.0)
#run: put_i32(np.zeros(2, np.int32), -2147483648.9)
#run: put_i64(np.zeros(2, np.int64), -9223372036854775808.0)
#run: put_i64(np.zeros(2, np.int64), 9223372036854775808.0)
#run: put_i64(np.zeros(2, np.int64), 1e300)
#run: put_i64(np.zeros(2, np.int64), float("nan"))
#run: put_i64(np.zeros(2, np.int64), -1234.99)
#run: put_u64(np.zeros(2, np.uint64), 18446744073709549568.0)
#run: put_u64(np.zeros(2, np.uint64), 18446744073709551616.0)
#run: put_u64(np.zeros(2, np.uint64), -1.0)
#run: scaled(np.zeros(4, np.int16), np.array([1.0, 2.0, 3.0, 4.0]), 1000.5)
#run: scaled(np.zeros(4, np.int16), np.array([1.0, 2.0, 40.0, 4.0]), 1000.5)
#run: scaled(np.zeros(4, np.int16), np.array([1.0, float("nan"), 3.0, 4.0]), 1.0)
#run: bumped(np.arange(4, dtype=np.int32), 0.75)
#run: bumped(np.arange(4, dtype=np.int32), float("nan"))
#run: parallel_round(np.zeros(1000, np.int64), np.arange(1000.0))
#run: parallel_round_new(np.array([1.0, float("nan"), 2.0]))
#run: parallel_round_new(np.array([1.0, 2.0, 1e19]))
