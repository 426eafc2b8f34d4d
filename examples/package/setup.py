from setuptools import setup

from pyaot.setuptools import PyaotExtension, build_ext

# Each PyaotExtension is one annotated .py file compiled into the package (portable x86-64 code
# by default, as a distributed wheel needs; `target_cpu="native"` for a local build).
setup(
    ext_modules=[PyaotExtension("stencils._kernels", "stencils/_kernels.py")],
    cmdclass={"build_ext": build_ext},
)
