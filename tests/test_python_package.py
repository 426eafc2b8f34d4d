"""The `pyaot` Python package (python/pyaot) as a user meets it: `pyaot.build`/`load`, `prange`
under plain CPython, the import hook (compile on import, recompile when the source changes, a
stale module next to an edited source), and the `%%pyaot` cell magic in a real IPython shell.
Each scenario runs in a fresh interpreter with only python/ on the path (not the test shim)."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import ROOT, pyaot_binary

KERNEL = """\
import numpy as np
from pyaot import prange

#export scale(float64[:], float64)
def scale(a, k):
    for i in prange(a.shape[0]):
        a[i] *= k
    return a.sum()
"""


def run(script: str, cwd: Path, cache: Path) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "python")
    env["PYAOT"] = str(pyaot_binary())
    env["PYAOT_CACHE"] = str(cache)
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout + proc.stderr


def test_source_runs_under_cpython_and_builds(tmp_path):
    (tmp_path / "kern.py").write_text(KERNEL)
    out = run(
        """
        import numpy as np, pyaot
        import kern                      # plain CPython: prange is range
        a = np.arange(4.0)
        print("plain", kern.scale(a, 2.0), type(kern.scale).__name__)
        so = pyaot.build("kern.py")
        print("built", so.name)
        m = pyaot.load("kern.py")
        print("compiled", m.scale(np.arange(4.0), 2.0), type(m.scale).__name__)
        """,
        tmp_path,
        tmp_path / "cache",
    )
    assert "plain 12.0 function" in out
    assert "built kern.abi3.so" in out
    assert "compiled 12.0 builtin_function_or_method" in out


def test_build_error_carries_the_diagnostics(tmp_path):
    (tmp_path / "bad.py").write_text("#export f(int)\ndef f(n):\n    return undefined_name + n\n")
    out = run(
        """
        import pyaot
        try:
            pyaot.build("bad.py")
        except pyaot.BuildError as e:
            print("refused:", e)
        """,
        tmp_path,
        tmp_path / "cache",
    )
    assert "refused:" in out and "undefined_name" in out


def test_import_hook_compiles_and_follows_edits(tmp_path):
    (tmp_path / "kern.py").write_text(KERNEL)
    cache = tmp_path / "cache"
    script = """
        import numpy as np, pyaot
        pyaot.install()
        import kern
        print(type(kern.scale).__name__, kern.__file__.endswith(".abi3.so"), kern.scale(np.ones(3), 3.0))
        """
    out = run(script, tmp_path, cache)
    assert "builtin_function_or_method True 9.0" in out
    assert list((cache / "modules").glob("*/kern.abi3.so"))
    # An edit compiles again: the new code runs, not the cached module.
    (tmp_path / "kern.py").write_text(KERNEL.replace("a.sum()", "a.sum() + 100.0"))
    out = run(script, tmp_path, cache)
    assert "builtin_function_or_method True 109.0" in out
    assert len(list((cache / "modules").glob("*/kern.abi3.so"))) == 2


def test_stale_module_next_to_source_is_not_loaded(tmp_path):
    src = tmp_path / "kern.py"
    src.write_text(KERNEL)
    subprocess.run([str(pyaot_binary()), "build", str(src)], check=True)
    # Edited after the build: the module next to it is stale.
    src.write_text(KERNEL.replace("a.sum()", "a.sum() + 100.0"))
    os.utime(src, (src.stat().st_mtime + 10, src.stat().st_mtime + 10))
    out = run(
        """
        import numpy as np, pyaot
        pyaot.install()
        import kern
        print("result", kern.scale(np.ones(3), 3.0))
        """,
        tmp_path,
        tmp_path / "cache",
    )
    assert "result 109.0" in out
    assert "kern.abi3.so is older than kern.py" in out


def test_import_hook_reports_what_does_not_compile(tmp_path):
    (tmp_path / "bad.py").write_text("#export f(int)\ndef f(n):\n    return undefined_name + n\n")
    out = run(
        """
        import pyaot
        pyaot.install()
        try:
            import bad
        except ImportError as e:
            print("ImportError:", e)
        """,
        tmp_path,
        tmp_path / "cache",
    )
    assert "ImportError: pyaot could not compile" in out and "undefined_name" in out


def test_cell_magic_in_ipython(tmp_path):
    out = run(
        '''
        from IPython.core.interactiveshell import InteractiveShell
        ip = InteractiveShell.instance()
        ip.run_line_magic("load_ext", "pyaot")
        cell = """
        #export twice(float64)
        def twice(x):
            return 2.0 * x
        """
        ip.run_cell_magic("pyaot", "", cell)
        r = ip.run_cell("print('first', twice(21.0), type(twice).__name__)")
        assert r.success
        # Running the edited cell loads the new code.
        ip.run_cell_magic("pyaot", "", cell.replace("2.0 * x", "3.0 * x"))
        ip.run_cell("print('second', twice(21.0))")
        report = ip.run_cell_magic("pyaot", "--annotate", cell)
        print("report", "iframe" in report.data and "twice" in report.data)
        ip.run_cell_magic("pyaot", "", "#export bad(int)\\ndef bad(n):\\n    return nope\\n")
        ''',
        tmp_path,
        tmp_path / "cache",
    )
    assert "first 42.0 builtin_function_or_method" in out
    assert "second 63.0" in out
    assert "report True" in out
    assert "nope" in out  # the diagnostic of the cell that does not compile


def test_setuptools_package_installs_compiled(tmp_path):
    # examples/package, installed with pip from the checkout's pyaot (the wheel does the same
    # with build isolation in scripts/wheel.sh).
    import shutil

    pkg = tmp_path / "package"
    shutil.copytree(ROOT / "examples" / "package", pkg)
    site = tmp_path / "site"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "python")
    env["PYAOT"] = str(pyaot_binary())
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "--no-build-isolation", "--no-deps", "--target", str(site), str(pkg)],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    modules = list((site / "stencils").glob("_kernels*.so"))
    assert [m.name for m in modules] == ["_kernels.abi3.so"]
    out = run(
        """
        import sys
        sys.path.insert(0, "site")
        import numpy as np, stencils
        from stencils import _kernels
        print(_kernels.__file__.endswith(".abi3.so"), stencils.smooth(np.array([0.0, 6.0, 0.0, 3.0]), 1).tolist())
        """,
        tmp_path,
        tmp_path / "cache",
    )
    assert "True [0.0, 2.0, 3.0, 3.0]" in out
