"""The command line: build outputs, check, --emit, -v, and error exits."""
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, pyaot_binary

GOOD = "#export f(int)\ndef f(n):\n    return n * 2\n"
BROKEN = textwrap.dedent("""\
    #export f(int)
    def f(n):
        return n + missing
""")


def run(*args, cwd=None):
    return subprocess.run([str(pyaot_binary()), *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_build_writes_abi3_module_next_to_source(tmp_path):
    src = tmp_path / "good.py"
    src.write_text(GOOD)
    proc = run("build", src)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "good.abi3.so").exists()
    check = subprocess.run(["python3", "-c", "import good; print(good.f(21))"], cwd=tmp_path, capture_output=True, text=True)
    assert check.stdout.strip() == "42"


def test_check_reports_rustc_style_errors_and_fails(tmp_path):
    src = tmp_path / "broken.py"
    src.write_text(BROKEN)
    proc = run("check", src)
    assert proc.returncode != 0
    assert "error[E005]: unknown name `missing`" in proc.stderr
    assert "broken.py:3:16" in proc.stderr
    assert "hint:" in proc.stderr
    assert not (tmp_path / "broken.abi3.so").exists()


def test_build_fails_without_output_on_error(tmp_path):
    src = tmp_path / "broken.py"
    src.write_text(BROKEN)
    proc = run("build", src)
    assert proc.returncode != 0
    assert not (tmp_path / "broken.abi3.so").exists()


def test_unclosed_bracket_in_a_non_ascii_file_is_a_syntax_error(tmp_path):
    # Normalizing identifiers lexes the file first; an unclosed bracket at its end made the
    # lexer repeat its error forever (found by test_mutants).
    src = tmp_path / "bad.py"
    src.write_text("#export f(int)\ndef f(n):\n    é = n\n    return é\nnp.zeros(\n")
    proc = subprocess.run([str(pyaot_binary()), "build", str(src)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "E001" in proc.stderr


def test_functions_returning_arrays_keep_their_contiguous_version(tmp_path):
    # The wrapper calls the version compiled for C-contiguous arrays when every array is; a
    # result that is an array (contiguous in one version, strided in the other) must not
    # make it fall back to the strided version (it did, and kernels ran 1.5-2x slower).
    src = tmp_path / "ret.py"
    src.write_text("#export f(float64[:], float64[:])\ndef f(x, v):\n    x += 0.5 * v\n    return x, v\n")
    out = tmp_path / "ret.ll"
    proc = run("build", src, "--emit", "llvm-ir", "-O0", "-o", out)
    assert proc.returncode == 0, proc.stderr
    wrapper = out.read_text().split("@pyaot.wrap.f(")[1].split("\n}\n")[0]
    assert "contiguous:" in wrapper and "strided:" in wrapper


def test_builds_are_reproducible(tmp_path):
    # The same source gives the same IR every time (whole-array code once walked a hash map).
    src = ROOT / "tests" / "cases" / "array_reductions.py"
    texts = []
    for i in range(3):
        out = tmp_path / f"r{i}.ll"
        proc = run("build", src, "-O0", "--emit", "llvm-ir", "-o", out)
        assert proc.returncode == 0, proc.stderr
        texts.append(out.read_text())
    assert texts[0] == texts[1] == texts[2]


def test_emit_llvm_ir_has_debug_locations(tmp_path):
    src = tmp_path / "good.py"
    src.write_text(GOOD)
    out = tmp_path / "good.ll"
    proc = run("build", src, "--emit", "llvm-ir", "-o", out, "-O1")
    assert proc.returncode == 0, proc.stderr
    ir = out.read_text()
    assert "define ptr @PyInit_good()" in ir
    assert "!DILocation(line: 3" in ir


def test_emit_asm_and_obj(tmp_path):
    src = tmp_path / "good.py"
    src.write_text(GOOD)
    assert run("build", src, "--emit", "asm", "-o", tmp_path / "g.s").returncode == 0
    assert "PyInit_good" in (tmp_path / "g.s").read_text()
    assert run("build", src, "--emit", "obj", "--target-cpu", "generic", "-O0").returncode == 0
    assert (tmp_path / "good.o").read_bytes()[:4] == b"\x7fELF"


def test_verbose_prints_phase_times(tmp_path):
    src = tmp_path / "good.py"
    src.write_text(GOOD)
    proc = run("build", src, "-v")
    for phase in ("parse", "infer types", "codegen", "optimize", "link", "total"):
        assert phase in proc.stderr


def test_build_several_files_and_folders(tmp_path):
    # Two files at once, each next to its source, with a one-line success message per module.
    (tmp_path / "a.py").write_text(GOOD)
    (tmp_path / "b.py").write_text(GOOD.replace("n * 2", "n * 3"))
    proc = run("build", tmp_path / "a.py", tmp_path / "b.py")
    assert proc.returncode == 0, proc.stderr
    assert f"built {tmp_path / 'a.abi3.so'} in " in proc.stderr
    assert f"built {tmp_path / 'b.abi3.so'} in " in proc.stderr
    # A folder: every .py under it with an export comment (not the others, not hidden folders).
    pkg = tmp_path / "src"
    (pkg / "sub").mkdir(parents=True)
    (pkg / ".hidden").mkdir()
    (pkg / "one.py").write_text(GOOD)
    (pkg / "sub" / "two.py").write_text("#pythran export g(float)\ndef g(x):\n    return x / 2\n")
    (pkg / "plain.py").write_text("def helper():\n    return 1\n")
    (pkg / ".hidden" / "three.py").write_text(GOOD)
    proc = run("build", pkg, "--target-cpu", "portable")
    assert proc.returncode == 0, proc.stderr
    built = sorted(p.relative_to(pkg).as_posix() for p in pkg.rglob("*.abi3.so"))
    assert built == ["one.abi3.so", "sub/two.abi3.so"]
    check = subprocess.run([sys.executable, "-c", "import one, two; print(one.f(4), two.g(3.0))"],
                           cwd=tmp_path, capture_output=True, text=True,
                           env={"PYTHONPATH": f"{pkg}:{pkg / 'sub'}"})
    assert check.stdout.split() == ["8", "1.5"], check.stderr
    # One that fails: the others still build, the exit status says so.
    (pkg / "sub" / "broken.py").write_text(BROKEN)
    proc = run("build", pkg)
    assert proc.returncode == 1
    assert "error[E005]: unknown name `missing`" in proc.stderr
    assert "error: 1 of 3 modules did not build" in proc.stderr
    # -o names one output.
    proc = run("build", tmp_path / "a.py", tmp_path / "b.py", "-o", tmp_path / "x.abi3.so")
    assert proc.returncode != 0 and "-o names one output" in proc.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run("build", empty)
    assert proc.returncode != 0 and "has an export comment" in proc.stderr


def test_bad_module_name_and_missing_file(tmp_path):
    src = tmp_path / "not-valid.py"
    src.write_text(GOOD)
    proc = run("build", src)
    assert proc.returncode != 0 and "not a valid Python module name" in proc.stderr
    proc = run("build", tmp_path / "absent.py")
    assert proc.returncode != 0 and "cannot read" in proc.stderr


def test_help_explains_flags():
    proc = run("build", "--help")
    for flag in ("--output", "-O", "--target-cpu", "--emit", "--verbose"):
        assert flag in proc.stdout


def test_kernels_build_in_two_units_that_agree(tmp_path):
    """A module with big kernels is optimized in two units at once (units.rs); either version of
    the kernel (any strides, or C-contiguous) may be the one moved, so both must still agree."""
    import os
    import numpy as np
    from conftest import ROOT, load_module
    src = ROOT / "examples" / "kernels" / "nbody.py"
    out = tmp_path / "nbody.abi3.so"
    proc = run("build", src, "-o", out, "-v")
    assert proc.returncode == 0, proc.stderr
    if (os.cpu_count() or 1) > 1:
        assert "unit 2 (alongside)" in proc.stderr
    compiled = load_module("nbody", out).nbody
    plain = load_module("nbody_plain", src).nbody
    rng = np.random.default_rng(5)
    pos, vel = rng.random((10, 6)), rng.random((10, 6))
    for view in (lambda a: a[:, :3].copy(), lambda a: a[:, ::2]):  # contiguous, then strided
        p1, v1, p2, v2 = view(pos.copy()), view(vel.copy()), view(pos.copy()), view(vel.copy())
        assert compiled(p1, v1, np.full(10, 0.1), 2, 0.01) == plain(p2, v2, np.full(10, 0.1), 2, 0.01)
        assert np.array_equal(p1, p2) and np.array_equal(v1, v2)


def speculated_functions(case: str, tmp_path) -> set:
    """The functions of tests/cases/<case>.py with a loop run speculatively first (the
    `spec.rerun` block of codegen/speculate.rs in their unoptimized IR)."""
    import re
    from conftest import ROOT
    out = tmp_path / f"{case}.ll"
    proc = run("build", ROOT / "tests" / "cases" / f"{case}.py", "--emit", "llvm-ir", "-O0", "-o", out)
    assert proc.returncode == 0, proc.stderr
    speculated, function = set(), None
    for line in out.read_text().splitlines():
        m = re.match(r"define .*@\"?([a-z_]+)\.\d+\"?\(", line)
        if m:
            function = m.group(1)
        elif line.startswith("spec.rerun"):
            speculated.add(function)
    return speculated


def test_speculative_loops_case_exercises_speculation(tmp_path):
    """tests/cases/speculative_loops.py means to test loops run speculatively first
    (codegen/speculate.rs): each function must have the rerun path (strided_ratio's column reads
    too, gathered), or its differential cases would pass without testing it."""
    expected = {"ratio_sum", "sqrt_ratio", "root_of_each", "past_the_end", "neighbours", "gathered",
                "signed_zero_sums", "last_seen", "caught", "floor_parts", "int_counts", "far_offset", "each_root", "divide_into", "divide_catching", "inverse_into", "clipped_roots",
                "accumulate_ratio", "scaled_rows", "counts_by_bucket", "shifted_into", "next_row_half", "divide_in_place", "scaled_copy",
                "strided_ratio"}
    assert speculated_functions("speculative_loops", tmp_path) == expected


def test_gathered_reads_case_exercises_speculation(tmp_path):
    """tests/cases/gathered_reads.py: loops reading down a column speculate (their reads
    gathered), or its differential cases would test the plain loops only."""
    assert speculated_functions("gathered_reads", tmp_path) == {"forces", "column_ratio", "column_max_gap"}


def test_fresh_arrays_case_tells_new_arrays_apart(tmp_path):
    """tests/cases/fresh_arrays.py: the arrays its functions make are tagged as not overlapping
    anything else (codegen/fresh.rs) exactly where nothing else can see them; the other
    functions give their arrays a second name, a view, a loop or a call, and must not be tagged,
    or their differential cases would not test that."""
    import re
    from conftest import ROOT
    out = tmp_path / "fresh.ll"
    proc = run("build", ROOT / "tests" / "cases" / "fresh_arrays.py", "--emit", "llvm-ir", "-O0", "-o", out)
    assert proc.returncode == 0, proc.stderr
    tagged = {m.group(1) for m in re.finditer(r'"pyaot\.fresh\.([a-z_]+)\.\d+\.([a-z_]+)#\d+"', out.read_text())}
    assert tagged == {"matmul", "two_new", "shifted_sum", "new_each_round", "copied_then_scaled", "out_of_range"}
    scopes = set(re.findall(r'"pyaot\.fresh\.two_new\.\d+\.([a-z_]+)#\d+"', out.read_text()))
    assert scopes == {"s", "d"}


def test_lockstep_loops_case_runs_lanes(tmp_path):
    """tests/cases/lockstep_loops.py means to test loops run four iterations side by side
    (codegen/lockstep.rs): each of its functions must take that path, or its differential cases
    would pass without testing it."""
    import re
    from conftest import ROOT
    out = tmp_path / "lockstep.ll"
    proc = run("build", ROOT / "tests" / "cases" / "lockstep_loops.py", "--emit", "llvm-ir", "-O0", "-o", out)
    assert proc.returncode == 0, proc.stderr
    in_lanes, as_vectors, function = set(), set(), None
    for line in out.read_text().splitlines():
        m = re.match(r"define .*@\"?([a-z_]+)\.\d+\"?\(", line)
        if m:
            function = m.group(1)
        elif line.startswith("lanes.while"):
            in_lanes.add(function)
        elif "%lanes.vector" in line:
            as_vectors.add(function)
    assert in_lanes == {"escape_counts", "last_values", "stores_then_fails", "divided_by", "some_never_start", "wrapping", "reads_the_index", "caught", "near_the_top", "mixed_compare", "many_operations", "escape_rows"}
    # All but one run their while loops as vector code; the int-float comparison keeps the
    # scalar lanes, so both paths are tested.
    assert as_vectors == in_lanes - {"mixed_compare"}


def test_speculative_store_keeps_the_check_of_its_own_division(tmp_path):
    """`out[i] /= b[i]` in a loop whose indexes are all checked before it: the division's
    ZeroDivisionError still comes, after the elements before it were divided (CPython divides
    numpy scalars here and gives inf, so this is not a differential case; language.md)."""
    import numpy as np
    from conftest import ROOT, load_module
    out_path = tmp_path / "speculative_loops.abi3.so"
    proc = run("build", ROOT / "tests" / "cases" / "speculative_loops.py", "-o", out_path)
    assert proc.returncode == 0, proc.stderr
    mod = load_module("speculative_loops", out_path)
    out = np.arange(1.0, 5.0)
    with pytest.raises(ZeroDivisionError):
        mod.divide_in_place(out, np.array([2.0, 0.0, 8.0, 16.0]))
    assert list(out) == [0.5, 2.0, 3.0, 4.0]


DEEP = {
    "long_sum": "#export f(int)\ndef f(n):\n    return n" + " + 1" * 30000 + "\n",
    "elif_chain": "#export f(int)\ndef f(n):\n    if n == 0:\n        return 0\n"
                  + "".join(f"    elif n == {i}:\n        return {i}\n" for i in range(1, 5000)) + "    return -1\n",
    "unary_minus": "#export f(int)\ndef f(n):\n    return " + "-" * 100000 + "n\n",
}


@pytest.mark.parametrize("name", DEEP)
def test_deeply_nested_code_is_a_diagnostic_not_a_crash(tmp_path, name):
    """CPython refuses these too (RecursionError while compiling); pyaot aborted with a stack
    overflow."""
    src = tmp_path / f"{name}.py"
    src.write_text(DEEP[name])
    proc = run("check", src)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "error[E001]: code nested more than 3000 levels deep" in proc.stderr


def test_nesting_cpython_accepts_compiles(tmp_path):
    """2,900 levels: CPython compiles it, and so does pyaot."""
    src = tmp_path / "nested.py"
    src.write_text("#export f(int)\ndef f(n):\n    return n" + " + 1" * 2900 + "\n")
    proc = run("build", src)
    assert proc.returncode == 0, proc.stderr[-2000:]
    check = subprocess.run(["python3", "-c", "import nested; print(nested.f(1))"], cwd=tmp_path, capture_output=True, text=True)
    assert check.stdout.strip() == "2901", check.stderr


def test_output_never_replaces_the_source_a_folder_or_a_special_file(tmp_path):
    import os
    src = tmp_path / "good.py"
    src.write_text(GOOD)
    os.link(src, tmp_path / "alias.py")
    folder = tmp_path / "folder"
    folder.mkdir()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for out, says in [(src, "is the source file itself"), (tmp_path / "alias.py", "is the source file itself"),
                      (folder, "is a folder"), (fifo, "is not a regular file")]:
        proc = run("build", src, "-o", out)
        assert proc.returncode == 1 and says in proc.stderr, (out, proc.stderr)
    assert src.read_text() == GOOD
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert fifo.is_fifo()
    # Nothing half-written left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alias.py", "fifo", "folder", "good.py"]
    # A regular file is replaced.
    target = tmp_path / "old.abi3.so"
    target.write_text("old")
    assert run("build", src, "-o", target).returncode == 0
    assert target.read_bytes()[:4] == b"\x7fELF"


def test_non_ascii_module_and_function_names(tmp_path):
    """`mödule.py` with `def fé`: CPython looks for PyInitU_<punycode> (PEP 489)."""
    for stem in ("mödule", "ωμέγα_名前"):
        src = tmp_path / f"{stem}.py"
        src.write_text("#export fé(int)\ndef fé(n):\n    return n + 1\n")
        proc = run("build", src)
        assert proc.returncode == 0, proc.stderr
        check = subprocess.run(["python3", "-c", f"import {stem}; print({stem}.fé(41), {stem}.fé.__name__)"],
                               cwd=tmp_path, capture_output=True, text=True)
        assert check.stdout.split() == ["42", "fé"], check.stderr


def test_native_flag_fails_the_build_where_python_is_touched(tmp_path):
    src = tmp_path / "mixed.py"
    src.write_text("#export f(float64[:])\ndef f(x):\n    seen = []\n    for v in x:\n        seen.append(v)\n    return len(seen)\n")
    plain = subprocess.run([str(pyaot_binary()), "build", str(src)], capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr
    strict = subprocess.run([str(pyaot_binary()), "build", "--native", str(src)], capture_output=True, text=True)
    assert strict.returncode == 1
    assert "error[E010]: `f` must run without Python" in strict.stderr and "seen = []" in strict.stderr


def test_output_renamed_module_imports_under_its_new_name(tmp_path):
    # Python imports `renamed.abi3.so` as `renamed`: the module is named after its file.
    src = tmp_path / "original.py"
    src.write_text('#export twice(float)\ndef twice(x):\n    """Doubles x."""\n    return 2 * x\n')
    out = tmp_path / "renamed.abi3.so"
    proc = subprocess.run([str(pyaot_binary()), "build", str(src), "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    code = ("import renamed; assert renamed.twice(2.0) == 4.0; "
            "doc = renamed.twice.__doc__; assert doc.startswith('Doubles x.'), doc; "
            "assert 'Compiled by pyaot' in doc; print('ok')")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert run.stdout.strip() == "ok", run.stderr
    bad = subprocess.run([str(pyaot_binary()), "build", str(src), "-o", str(tmp_path / "not-a-name.abi3.so")],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "is not a valid Python module name" in bad.stderr
