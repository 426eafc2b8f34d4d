"""Compiled kernels under Dask: blocks of a dask array on the threaded scheduler (the kernels
release the GIL), and a dask.distributed LocalCluster of worker processes, which receive the
compiled functions pickled by reference and import the module themselves."""
import importlib.util
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from conftest import ROOT, build

dask = pytest.importorskip("dask")
pytest.importorskip("distributed")

KERNELS = ROOT / "examples" / "dask" / "kernels.py"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    out = tmp_path_factory.mktemp("dask")
    so = build(KERNELS, out)
    return out, so


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_map_blocks_on_threads(compiled):
    import dask.array as da

    _, so = compiled
    kernels = load("kernels", so)
    plain = load("plain_kernels", KERNELS)
    x = np.linspace(-2.0, 2.0, 20_000)
    expected = plain.settle(x, 5)
    y = da.from_array(x, chunks=2_500).map_blocks(kernels.settle, 5, dtype=np.float64)
    with dask.config.set(scheduler="threads", num_workers=4):
        got = y.compute()
    assert np.array_equal(got, expected)


def test_local_cluster_of_processes(compiled, tmp_path):
    folder, _ = compiled
    script = textwrap.dedent(
        """
        import numpy as np
        import dask.array as da
        from distributed import Client, LocalCluster
        import kernels

        if __name__ == "__main__":
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                x = np.linspace(-2.0, 2.0, 4_000)
                futures = client.map(kernels.settle, np.array_split(x, 4), iterations=5)
                parts = client.gather(futures)
                y = da.from_array(x, chunks=1_000).map_blocks(kernels.settle, 5, dtype=np.float64)
                whole = y.compute()
                assert np.array_equal(np.concatenate(parts), kernels.settle(x, 5))
                assert np.array_equal(whole, kernels.settle(x, 5))
                pids = client.run(lambda: __import__("os").getpid())
                print("ok", len(set(pids.values())))
        """
    )
    (tmp_path / "run_cluster.py").write_text(script)
    env = dict(os.environ)
    # Workers are processes of their own: the compiled module must be importable there.
    env["PYTHONPATH"] = str(folder)
    proc = subprocess.run([sys.executable, str(tmp_path / "run_cluster.py")], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ok 2" in proc.stdout
