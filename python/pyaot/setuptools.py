"""setuptools integration: compile annotated modules when a package is built or installed.

    # setup.py
    from setuptools import setup
    from pyaot.setuptools import PyaotExtension, build_ext

    setup(
        ext_modules=[PyaotExtension("mypkg.kernels", "mypkg/kernels.py")],
        cmdclass={"build_ext": build_ext},
    )

`pip install .` and `python -m build` then compile `mypkg/kernels.py` into
`mypkg/kernels.abi3.so` (one file for Python 3.11 and later). Distribution builds default to
portable x86-64 code (`target_cpu="portable"`): a wheel may run on any x86-64 machine; pass
`target_cpu="native"` for code tuned to the building machine.
"""

from pathlib import Path

from setuptools import Extension
from setuptools.command.build_ext import build_ext as _build_ext

from ._build import build

#: The CPU a distributed module is compiled for unless told otherwise.
PORTABLE_CPU = "portable"


class PyaotExtension(Extension):
    """One annotated Python file compiled by pyaot into the extension module `name`."""

    def __init__(
        self,
        name,
        source,
        *,
        target_cpu=PORTABLE_CPU,
        native=False,
        boundscheck=True,
        wraparound=True,
    ):
        super().__init__(name, sources=[str(source)], py_limited_api=True)
        self.pyaot_options = {
            "target_cpu": target_cpu,
            "native": native,
            "boundscheck": boundscheck,
            "wraparound": wraparound,
        }


class build_ext(_build_ext):
    """setuptools' `build_ext`, building PyaotExtension modules with pyaot (others as usual)."""

    def build_extension(self, ext):
        if not isinstance(ext, PyaotExtension):
            return super().build_extension(ext)
        out = Path(self.get_ext_fullpath(ext.name))
        out.parent.mkdir(parents=True, exist_ok=True)
        build(ext.sources[0], out, **ext.pyaot_options)
        return None
