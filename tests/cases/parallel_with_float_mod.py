"""A module with a parallel loop and float `%`, `//`, divmod, math.fmod by a run-time divisor
imports: LLVM turns float remainders into calls to fmod, which must come from the C library, not
from the parallel runtime's archive (its copy needs Rust's unwinder: `undefined symbol:
rust_eh_personality` on import)."""
import math
import numpy as np


#export zero(float64[:])
def zero(a):
    #omp parallel for
    for i in range(len(a)):
        a[i] = 0.0
    return a


#export rem(float, float)
def rem(x, y):
    return x % y, x // y, divmod(x, y), math.fmod(x, y)


#run: zero(np.ones(100))
#run: rem(7.5, 2.0)
#run: rem(-7.5, 2.0)
#run: rem(7.5, -0.0)
#run: rem(1e300, 3.0)
