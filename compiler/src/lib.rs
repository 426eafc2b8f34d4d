//! pyaot: compiles annotated Python into CPython extension modules.
//!
//! [`compile`] is the pipeline, the one place that lists the passes in order:
//! syntax → hir → types → plan → codegen → units → backend → link (and annotate, for the
//! report).
//! Each pass is a module with one entry point; the front end ([`check`]) reports every
//! diagnostic of a file in one run.

pub mod annotate;
pub mod backend;
pub mod codegen;
pub mod diagnostics;
pub mod export_spec;
pub mod hir;
pub mod known_modules;
pub mod link;
pub mod omp;
pub mod plan;
pub mod syntax;
pub mod types;
pub mod units;

use diagnostics::{Code, Diagnostic};
use std::path::Path;
use std::time::{Duration, Instant};

/// What `pyaot build` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emit {
    /// The importable extension module (the default).
    Module,
    LlvmIr,
    Asm,
    Obj,
    /// The plan: how each statement is lowered when not as written (`--emit plan`).
    Plan,
    /// Only the annotated report (`pyaot annotate`).
    Nothing,
}

pub struct Options {
    pub opt_level: u8,
    pub target_cpu: String,
    pub emit: Emit,
    /// Array index checks for the whole build; `# pyaot:` directives override them.
    pub checks: hir::Checks,
    /// Where to write the annotated HTML report, if wanted.
    pub annotate: Option<std::path::PathBuf>,
    /// Transforms switched off (`--disable-transform`): what they would change runs as written.
    pub disabled: Vec<plan::Transform>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            opt_level: 3,
            target_cpu: "native".into(),
            emit: Emit::Module,
            checks: hir::Checks::default(),
            annotate: None,
            disabled: Vec::new(),
        }
    }
}

/// The front end's result: the resolved module and its inferred types.
pub struct Checked {
    pub hir: hir::Module,
    pub program: types::Program,
    /// Warnings (errors make [`check`] fail).
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug)]
pub enum Failure {
    /// Problems in the user's source, to render with [`diagnostics::render`].
    Diagnostics(Vec<Diagnostic>),
    /// Something outside the source went wrong (LLVM, the linker, the file system).
    Backend(String),
}

/// Runs `f` on a thread with a 1 GiB stack (reserved, touched only as deep as it goes).
/// Parsing, cloning, dropping and walking a syntax tree recurse once per level of nesting, and
/// the syntax pass admits up to `syntax::MAX_NESTING` levels; with the main thread's 8 MB a
/// deeply nested file overflowed the stack (an abort, not a diagnostic).
/// The stack the compiler runs on (it recurses on deeply nested source).
pub const LARGE_STACK: usize = 1 << 30;

pub fn on_large_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match std::thread::Builder::new().name("pyaot".into()).stack_size(LARGE_STACK).spawn(f) {
        Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        Err(e) => panic!("cannot start the compiler's thread: {e}"),
    }
}

/// Per-phase wall times, for `-v`.
#[derive(Default)]
pub struct Timings(pub Vec<(&'static str, Duration)>);

impl Timings {
    fn time<T>(&mut self, phase: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.0.push((phase, start.elapsed()));
        out
    }
}

/// Pythran's side file: exports may sit in `name.pythran` beside `name.py`, one per line
/// (`export f(int)`, or as in a comment, `#pythran export f(int)`). Its lines join the source as
/// export comments after a marker line, so they are checked, reported and reported on like the
/// comments of the file itself (a diagnostic shows them below the file's last line).
pub fn with_side_exports(src: &Path, source: String) -> String {
    let side = src.with_extension("pythran");
    let Ok(text) = std::fs::read_to_string(&side) else { return source };
    let mut out = source;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    let shown = side.file_name().map_or("the .pythran file".into(), |n| n.to_string_lossy());
    out.push_str(&format!("# exports from {shown}:\n"));
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("export ") {
            out.push_str(&format!("#pythran {trimmed}\n"));
        } else if trimmed.is_empty() || trimmed.starts_with('#') {
            out.push_str(&format!("{trimmed}\n"));
        } else {
            // Not an export: kept visible, as a comment the export reader ignores.
            out.push_str(&format!("# {trimmed}\n"));
        }
    }
    out
}

/// The module name Python will import: the file stem, which must be an identifier.
pub fn module_name_for(path: &Path) -> Result<String, String> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let stem = stem.split('.').next().unwrap_or_default();
    // Python identifiers, non-ASCII ones included (`mödule.py`).
    let ok = !stem.is_empty()
        && stem.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && stem.chars().all(|c| c.is_alphanumeric() || c == '_');
    if ok {
        Ok(stem.to_string())
    } else {
        Err(format!(
            "`{stem}` is not a valid Python module name: name the file like `my_module.py`"
        ))
    }
}

/// The symbol CPython looks for in an extension module named `module_name`: `PyInit_<name>`,
/// or for a non-ASCII name `PyInitU_` and the name in punycode with `-` as `_` (PEP 489).
pub fn init_symbol(module_name: &str) -> String {
    if module_name.is_ascii() {
        format!("PyInit_{module_name}")
    } else {
        format!("PyInitU_{}", punycode(module_name).replace('-', "_"))
    }
}

/// RFC 3492 punycode (Python's `str.encode("punycode")`): the ASCII characters, a `-` if
/// there were any, then the others as generalized variable-length integers.
fn punycode(input: &str) -> String {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    fn digit(d: u32) -> char {
        (if d < 26 { b'a' + d as u8 } else { b'0' + (d - 26) as u8 }) as char
    }
    fn adapt(delta: u32, points: u32, first: bool) -> u32 {
        let mut delta = if first { delta / 700 } else { delta / 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - T_MIN) * T_MAX) / 2 {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        k + (BASE - T_MIN + 1) * delta / (delta + 38)
    }
    let code_points: Vec<u32> = input.chars().map(u32::from).collect();
    let mut out: String = input.chars().filter(char::is_ascii).collect();
    let basic = out.len() as u32;
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias, mut handled) = (128u32, 0u32, 72u32, basic);
    while (handled as usize) < code_points.len() {
        let Some(&m) = code_points.iter().filter(|&&c| c >= n).min() else { break };
        delta += (m - n) * (handled + 1);
        n = m;
        for &c in &code_points {
            if c < n {
                delta += 1;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta += 1;
        n += 1;
    }
    out
}

/// Front end: parse, read the export comments, resolve, infer types. All diagnostics in one go.
pub fn check(
    source: &str,
    file_name: &str,
    module_name: &str,
    checks: hir::Checks,
    timings: &mut Timings,
) -> Result<Checked, Vec<Diagnostic>> {
    let mut parsed = timings.time("parse", || syntax::parse(source, file_name))?;
    // A module without export comments builds as Cython builds one: every top-level function,
    // with Python objects for arguments.
    let untyped = parsed.exports.is_empty();
    if untyped {
        parsed.exports = export_spec::untyped_exports(&parsed.body);
    }
    let (hir, mut diags) = timings.time("resolve", || {
        hir::lower(
            module_name,
            &parsed.body,
            &parsed.exports,
            &parsed.directives,
            &parsed.pragmas,
            checks,
        )
    });
    diags.extend(parsed.warnings.iter().cloned());
    if parsed.exports.is_empty() {
        diags.push(Diagnostic::error(Code::ExportTarget, 0..0, "this module exports nothing")
            .label("no `#export` comment and no top-level function in this file")
            .hint("add a function, with a comment like `#export my_function(float64, int)` above it"));
    } else if untyped {
        diags.push(Diagnostic::error(Code::Untyped, 0..0, "no `#export` comment: every top-level function is compiled with Python objects for its arguments")
            .label("no `#export` comment in this file")
            .hint("add `#export my_function(float64, int)` above a function for a typed, native entry point"));
    }
    if diags.iter().any(|d| d.is_error()) {
        return Err(diags);
    }
    let (program, type_diags) = timings.time("infer types", || types::infer(&hir));
    diags.extend(type_diags);
    if diags.iter().any(|d| d.is_error()) {
        return Err(diags);
    }
    Ok(Checked { hir, program, warnings: diags })
}

/// The whole pipeline: source file in, `out` written (a module, or what `--emit` asks for).
pub fn compile(
    source: &str,
    file_name: &str,
    module_name: &str,
    out: &Path,
    opts: &Options,
    timings: &mut Timings,
) -> Result<Vec<Diagnostic>, Failure> {
    let checked = check(source, file_name, module_name, opts.checks, timings)
        .map_err(Failure::Diagnostics)?;
    let plan = timings.time("plan", || plan::plan(&checked.hir, &checked.program, &opts.disabled));
    if opts.emit == Emit::Plan {
        let text = plan.render(&checked.hir, &checked.program, source);
        if out == Path::new("-") {
            print!("{text}");
            return Ok(checked.warnings);
        }
        return std::fs::write(out, text)
            .map(|()| checked.warnings)
            .map_err(|e| Failure::Backend(format!("cannot write {}: {e}", out.display())));
    }
    let context = inkwell::context::Context::create();
    let module = timings
        .time("codegen", || {
            codegen::generate(&context, &checked.hir, &checked.program, &plan, source, file_name)
        })
        .map_err(|e| Failure::Backend(format!("internal compiler error in codegen: {}", e.0)))?;
    let backend_opts =
        backend::BackendOptions { opt_level: opts.opt_level, target_cpu: opts.target_cpu.clone() };
    let machine = backend::target_machine(&backend_opts).map_err(Failure::Backend)?;
    let remarks = backend::Remarks::capture(&context);
    // The runtime archive: parallel loops, and `round(x, n)` beyond what is rounded inline.
    let with_runtime = ["pyaot_rt_parallel_for", "pyaot_rt_round_digits"]
        .iter()
        .any(|f| module.get_function(f).is_some());
    // A module (not a report, nor one file of LLVM's output) is built in two units at once
    // when there are two cores and enough to move (units.rs).
    let parallel = opts.emit == Emit::Module
        && opts.annotate.is_none()
        && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    let second_unit = parallel
        .then(|| timings.time("split", || units::split(&module, &machine)))
        .flatten()
        .map(|bitcode| {
            let backend_opts = backend_opts.clone();
            std::thread::spawn(move || units::compile_unit(&bitcode, &backend_opts))
        });
    timings
        .time("optimize", || backend::optimize(&module, &machine, opts.opt_level))
        .map_err(Failure::Backend)?;
    if let Some(path) = &opts.annotate {
        let ir = module.print_to_string().to_string();
        let remarks = remarks.take();
        if std::env::var_os("PYAOT_DEBUG_REMARKS").is_some() {
            remarks.iter().for_each(|r| eprintln!("remark: {r}"));
        }
        let html = timings.time("annotate", || {
            annotate::report(
                source,
                file_name,
                &checked,
                &ir,
                &remarks,
                &plan.transforms(&checked.hir, &checked.program),
            )
        });
        std::fs::write(path, html)
            .map_err(|e| Failure::Backend(format!("cannot write {}: {e}", path.display())))?;
    }
    let write = |bytes: &[u8]| {
        std::fs::write(out, bytes)
            .map_err(|e| Failure::Backend(format!("cannot write {}: {e}", out.display())))
    };
    match opts.emit {
        Emit::Nothing | Emit::Plan => {}
        Emit::LlvmIr => write(module.print_to_string().to_string().as_bytes())?,
        Emit::Asm => {
            write(backend::assembly(&module, &machine).map_err(Failure::Backend)?.as_bytes())?
        }
        Emit::Obj => write(
            &timings
                .time("machine code", || backend::object_code(&module, &machine))
                .map_err(Failure::Backend)?,
        )?,
        Emit::Module => {
            let object = timings
                .time("machine code", || backend::object_code(&module, &machine))
                .map_err(Failure::Backend)?;
            let mut objects = vec![object];
            if let Some(thread) = second_unit {
                let joined = timings.time("wait for unit 2", || thread.join());
                let (object, took) = joined
                    .map_err(|_| {
                        Failure::Backend(
                            "internal compiler error: the second codegen unit panicked".into(),
                        )
                    })?
                    .map_err(Failure::Backend)?;
                timings.0.push(("unit 2 (alongside)", took));
                objects.push(object);
            }
            timings
                .time("link", || link::link_shared_object(&objects, module_name, out, with_runtime))
                .map_err(Failure::Backend)?;
        }
    }
    Ok(checked.warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_symbols_as_cpython_looks_them_up() {
        // Python: "mödule".encode("punycode") == b"mdule-jua", "é".encode("punycode") == b"9ca".
        assert_eq!(init_symbol("fast"), "PyInit_fast");
        assert_eq!(init_symbol("mödule"), "PyInitU_mdule_jua");
        assert_eq!(init_symbol("é"), "PyInitU_9ca");
        assert_eq!(punycode("bücher"), "bcher-kva");
        assert_eq!(init_symbol("ωμέγα_名前"), "PyInitU___qlbmh7b9d3815en6c");
    }
}
