"""Decorated functions: a decorator is applied when the module is imported, as Python does, to
the compiled function, and the name is its result (`functools.lru_cache`, a decorator of the
module returning a closure); Numba's `@njit`/`@jit` only ask for compilation, which pyaot does
anyway, so the function stays native."""
import functools


def twice(f):
    def g(x):
        return f(f(x))
    return g


def njit(f):
    """A stand-in for numba.njit under CPython (pyaot reads `@njit` as a request to compile)."""
    return f


@twice
def inc(x):
    return x + 1


@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@njit
def square(x):
    return x * x


#export run(int)
def run(n):
    return inc(n), fib(60), square(n), fib.cache_info().currsize > 0, inc.__name__

#run: run(3)
#run: run(-1)
