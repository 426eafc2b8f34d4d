"""Mutated test cases through the whole pipeline: lines of tests/cases files dropped,
duplicated, swapped, cut short or spliced with tokens, then built with the pyaot CLI. The build
must end with a module or diagnostics (never a crash, a hang or an internal error), and every
module that builds must import in a fresh process without dying (a signal) or missing a symbol.
(compiler/tests/no_panic.rs mangles many more through the front end and codegen, unlinked.)
PYAOT_MUTANTS sets how many (a fixed, seeded number in CI)."""
import os
import random
import subprocess
import sys

from conftest import ROOT, pyaot_binary

MUTANTS = int(os.environ.get("PYAOT_MUTANTS", "40"))
SEED = int(os.environ.get("PYAOT_FUZZ_SEED", "20261203"))
TOKENS = ["(", ")", ":", " + ", " ** ", " // ", " % ", "-", "not ", " and ", "0", "-1", "1e308", "True", "None", "x",
          "(1, 2)", "math.sqrt(", "range(", "return ", "    ", "#omp parallel for\n", "[::-1]", ".T", "np.zeros(",
          "# pyaot: boundscheck=False\n", " is None", "2**63", "abs(", "round(", "<< 70", "1j", "lambda: 0"]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    for _ in range(rng.randrange(1, 4)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        k = rng.randrange(5)
        if k == 0:
            del lines[i]
        elif k == 1:
            lines.insert(rng.randrange(len(lines)), lines[i])
        elif k == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif k == 3:
            lines[i] = lines[i][:rng.randrange(len(lines[i]) + 1)]
        else:
            at = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:at] + rng.choice(TOKENS) + lines[i][at:]
    return "\n".join(lines) + "\n"


def test_mutated_cases_build_or_explain_and_what_builds_imports(tmp_path):
    rng = random.Random(SEED)
    cases = sorted((ROOT / "tests" / "cases").glob("*.py"))
    built = 0
    for n in range(MUTANTS):
        case = rng.choice(cases)
        name = f"mutant{n}"
        src = tmp_path / f"{name}.py"
        src.write_text(mutate(case.read_text(), rng))
        proc = subprocess.run([str(pyaot_binary()), "build", str(src)], capture_output=True, text=True, timeout=120)
        assert proc.returncode in (0, 1), f"pyaot died ({proc.returncode}) on a mutant of {case.name}:\n{src.read_text()}\n{proc.stderr[-2000:]}"
        assert "internal compiler error" not in proc.stderr and "panicked" not in proc.stderr, \
            f"a mutant of {case.name}:\n{src.read_text()}\n{proc.stderr[-2000:]}"
        if proc.returncode == 0:
            built += 1
            # Importing runs module-level code, which may raise as Python would: only a death
            # or a missing symbol is a failure.
            imp = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
            assert imp.returncode >= 0, f"importing a mutant of {case.name} died ({imp.returncode}):\n{src.read_text()}"
            assert "undefined symbol" not in imp.stderr, f"a mutant of {case.name}:\n{src.read_text()}\n{imp.stderr[-2000:]}"
    assert built > 0, "no mutant built: the test would check nothing"
