"""Leak hunt over the object differential cases: every `#run:` line of tests/cases/objects_*.py
is called many times against the compiled module (its failing ones too); memory traced by
tracemalloc must not grow. A reference leaked on any path shows up here as growth."""
import gc
import tracemalloc

import pytest

from conftest import ROOT, build, load_module
from test_differential import run_lines

CASES = sorted((ROOT / "tests" / "cases").glob("objects_*.py"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.stem)
def test_no_growth_over_many_runs(case, tmp_path):
    plain = load_module(f"leakplain_{case.stem}", case)
    compiled = load_module(case.stem, build(case, tmp_path))
    namespace = {**vars(plain), **vars(compiled)}
    calls = [compile(expr, "<run>", "eval") for expr, _ in run_lines(case)]

    def run_all():
        for code in calls:
            try:
                eval(code, namespace)
            except Exception:
                pass

    for _ in range(30):
        run_all()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for _ in range(300):
        run_all()
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    assert grown < 32 * 1024, f"{case.stem}: memory grew by {grown} bytes over 300 rounds"
