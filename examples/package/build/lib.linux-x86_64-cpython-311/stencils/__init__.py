"""A package with a compiled kernel: `stencils.smooth(a, steps)`."""

from ._kernels import smooth

__all__ = ["smooth"]
