"""Each transform of the plan switched off in turn (`--disable-transform NAME`): every case whose
plan uses it is built without it and must still agree with CPython on every `#run:` line, and
its plan must no longer name it. So each transform is optional, and the code it replaces (the
loop as written) is tested on exactly the programs the transform would otherwise take."""
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, build, load_module, pyaot_binary
from test_differential import CASES, outcome, run_lines, same

# The transforms and how the plan printout names where they apply.
TRANSFORMS = {
    "speculate": "speculate",
    "lanes": "lanes",
    "jam": "jam",
    "unroll": "unroll",
    "if-select": "if-select",
    "select-branches": "select-branches",
    "border-only": "border-only",
    "fresh": "fresh arrays:",
    "escape": "fails by escape",
}


def plan(case: Path, *extra: str) -> str:
    proc = subprocess.run([str(pyaot_binary()), "build", str(case), "--emit", "plan", *extra],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def uses(text: str, marker: str) -> bool:
    return any(line.split()[2:3] == [marker] or line.strip().startswith(marker)
               for line in text.splitlines() if line.startswith("  "))


@pytest.fixture(scope="module")
def plans():
    return {case: plan(case) for case in CASES}


@pytest.mark.parametrize("name", TRANSFORMS)
def test_cases_agree_without(name, plans, tmp_path):
    marker = TRANSFORMS[name]
    taken = [case for case, text in plans.items() if uses(text, marker)]
    assert taken, f"no case uses {name}: the test would check nothing"
    for case in taken:
        assert not uses(plan(case, "--disable-transform", name), marker), f"{case.name}: {name} still planned"
        so = build(case, tmp_path, "--disable-transform", name)
        compiled = load_module(case.stem, so)
        plain = load_module(f"plain_{case.stem}_without_{name.replace('-', '_')}", case)
        for expr, approx in run_lines(case):
            expected = outcome(vars(plain), expr)
            got = outcome({**vars(plain), **vars(compiled)}, expr)
            where = f"{case.name} without {name}: {expr}"
            assert got[0] == expected[0], f"{where}: CPython {expected}, pyaot {got}"
            if expected[0] == "raised":
                assert got[1][0] == expected[1][0], f"{where}: CPython raised {expected[1][0]}, pyaot {got[1][0]}"
            else:
                assert same(expected[1][0], got[1][0], approx), f"{where}: CPython {expected[1][0]!r}, pyaot {got[1][0]!r}"
            assert same(expected[1][1], got[1][1], approx), f"{where}: arguments differ"
        (tmp_path / so.name).unlink()


def test_disable_all_builds_plain_code(plans):
    """`--disable-transform all` leaves a plan with nothing in it."""
    for case in CASES:
        text = plan(case, "--disable-transform", "all")
        assert not any(line.startswith("  ") for line in text.splitlines()), f"{case.name}:\n{text}"


def test_unknown_transform_is_a_usage_error():
    proc = subprocess.run([str(pyaot_binary()), "build", str(CASES[0]), "--emit", "plan",
                           "--disable-transform", "speculation"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "no transform `speculation`" in proc.stderr and "speculate" in proc.stderr
