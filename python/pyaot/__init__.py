"""pyaot from Python: compile annotated Python files into extension modules, and run the same
files unchanged under CPython.

    from pyaot import prange          # `range` under CPython; a parallel loop once compiled
    import pyaot
    path = pyaot.build("kernels.py")  # kernels.abi3.so next to kernels.py
    kernels = pyaot.load("kernels.py")  # built (when stale) and imported
    pyaot.install()                   # `import kernels` compiles kernels.py when needed

In IPython or Jupyter, `%load_ext pyaot` adds the `%%pyaot` cell magic.
"""

from ._build import BuildError, annotate, build, compiler, load
from ._hook import install, uninstall

__all__ = [
    "BuildError",
    "annotate",
    "build",
    "compiler",
    "install",
    "load",
    "prange",
    "uninstall",
]


def prange(*args):
    """`range` under CPython; in a compiled module, the iterations of a `for i in prange(n)`
    loop run in parallel (see docs/language.md, "Parallel loops")."""
    return range(*args)


def load_ipython_extension(ipython):
    """`%load_ext pyaot`: registers the `%%pyaot` cell magic."""
    from ._jupyter import register

    register(ipython)
