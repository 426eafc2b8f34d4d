//! The `pyaot` command line: `pyaot build` and `pyaot check`.

use clap::{Parser, Subcommand, ValueEnum};
use pyaot::diagnostics::render;
use pyaot::plan::Transform;
use pyaot::{Emit, Failure, Options, Timings};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "pyaot",
    version,
    about = "Compile annotated Python into CPython extension modules"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile SRC into an extension module next to it (SRC.abi3.so), importable from Python 3.11+.
    Build {
        /// Python files (functions named in `#export name(types)` comments are compiled), or
        /// folders: every `.py` file under them with an export comment, built in parallel.
        #[arg(required = true, value_name = "SRC")]
        srcs: Vec<PathBuf>,
        /// Where to write the output (default: next to SRC, named after it; one SRC only).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Optimization level, 0 to 3 (like -O3).
        #[arg(short = 'O', value_name = "LEVEL", default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=3))]
        opt_level: u8,
        /// CPU to generate code for: `native` (this machine), `portable` (any x86-64: for modules
        /// you ship), or an LLVM CPU name.
        #[arg(long, default_value = "native")]
        target_cpu: String,
        /// Write this instead of the extension module: optimized LLVM IR, assembly, an object
        /// file, or the plan (how each loop and statement is lowered; printed unless -o is given).
        #[arg(long, value_enum)]
        emit: Option<EmitKind>,
        /// Switch off one transform of the plan (repeat for several): speculate, lanes, jam,
        /// unroll, if-select, select-branches, border-only, fresh, escape, or all.
        #[arg(long = "disable-transform", value_name = "NAME", value_parser = parse_transforms)]
        disable_transform: Vec<Vec<Transform>>,
        /// Also write the annotated HTML report (SRC.html next to the module).
        #[arg(long)]
        annotate: bool,
        /// Turn off array bounds checks for the whole build (out-of-range indexes are then undefined).
        #[arg(long)]
        no_boundscheck: bool,
        /// Turn off negative-index wraparound for the whole build (a[-1] is then out of range).
        #[arg(long)]
        no_wraparound: bool,
        /// Let int arithmetic wrap around at int64 instead of raising OverflowError.
        #[arg(long)]
        no_overflowcheck: bool,
        /// Fail the build where a compiled function touches a Python object in its body (as
        /// `# pyaot: native` does for one function), naming the cause.
        #[arg(long)]
        native: bool,
        /// Print the time each compiler phase takes.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Write an HTML report of SRC: which lines run as machine code, which talk to Python, and why.
    Annotate {
        src: PathBuf,
        /// Where to write the report (default: SRC.html next to SRC).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// CPU to optimize for, as for `build` (the report shows the code for this CPU).
        #[arg(long, default_value = "native")]
        target_cpu: String,
        /// Print the time each compiler phase takes.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Check SRC and print its diagnostics without generating code; non-zero exit on errors.
    Check {
        src: PathBuf,
        /// Print the time each compiler phase takes.
        #[arg(short, long)]
        verbose: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum EmitKind {
    /// Optimized LLVM IR (.ll)
    LlvmIr,
    /// Assembly (.s)
    Asm,
    /// Object file (.o)
    Obj,
    /// The plan: each statement lowered in a form of its own, and why (text)
    Plan,
}

/// A `--disable-transform` value: one transform's name, or `all`.
fn parse_transforms(name: &str) -> Result<Vec<Transform>, String> {
    if name == "all" {
        return Ok(Transform::ALL.iter().map(|(t, _, _)| *t).collect());
    }
    Transform::from_name(name).map(|t| vec![t]).ok_or_else(|| {
        let names: Vec<&str> = Transform::ALL.iter().map(|(_, n, _)| *n).collect();
        format!("no transform `{name}`; the transforms are {}, or all", names.join(", "))
    })
}

fn main() -> ExitCode {
    pyaot::on_large_stack(run)
}

fn run() -> ExitCode {
    let cli = Cli::parse();
    let color = std::io::stderr().is_terminal();
    match cli.command {
        Command::Build {
            srcs,
            output,
            opt_level,
            target_cpu,
            emit,
            annotate,
            no_boundscheck,
            no_wraparound,
            no_overflowcheck,
            native,
            disable_transform,
            verbose,
        } => {
            let emit = match emit {
                None => Emit::Module,
                Some(EmitKind::LlvmIr) => Emit::LlvmIr,
                Some(EmitKind::Asm) => Emit::Asm,
                Some(EmitKind::Obj) => Emit::Obj,
                Some(EmitKind::Plan) => Emit::Plan,
            };
            let checks = pyaot::hir::Checks {
                boundscheck: !no_boundscheck,
                wraparound: !no_wraparound,
                overflowcheck: !no_overflowcheck,
                native,
            };
            let disabled: Vec<Transform> = disable_transform.into_iter().flatten().collect();
            let build = Build { opt_level, target_cpu, emit, checks, annotate, disabled, verbose };
            let Some(srcs) = sources(&srcs) else { return ExitCode::FAILURE };
            if srcs.len() == 1 {
                let (ok, said) = build.one(&srcs[0], output, color);
                eprint!("{said}");
                return if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE };
            }
            if output.is_some() {
                eprintln!("error: -o names one output, and {} sources were given: build them one by one, or drop -o to write each next to its source", srcs.len());
                return ExitCode::FAILURE;
            }
            build.many(&srcs, color)
        }
        Command::Annotate { src, output, target_cpu, verbose } => {
            let Some((source, name)) = read_source(&src) else { return ExitCode::FAILURE };
            let out = output.unwrap_or_else(|| src.with_file_name(format!("{name}.html")));
            let opts = Options {
                target_cpu,
                emit: Emit::Nothing,
                annotate: Some(out.clone()),
                ..Options::default()
            };
            let (ok, said) =
                compile_and_report(&src, &source, &name, &out, &opts, verbose, color, true);
            eprint!("{said}");
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Check { src, verbose } => {
            let Some((source, name)) = read_source(&src) else { return ExitCode::FAILURE };
            let file_name = src.display().to_string();
            let mut timings = Timings::default();
            let start = Instant::now();
            let result = pyaot::check(
                &source,
                &file_name,
                &name,
                pyaot::hir::Checks::default(),
                &mut timings,
            );
            if verbose {
                eprint!("{}", timings_text(&timings, start));
            }
            match result {
                Ok(checked) => {
                    eprint!("{}", render(&file_name, &source, &checked.warnings, color));
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    eprint!("{}", render(&file_name, &source, &d, color));
                    eprint!("{}", summary(&d));
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// The settings of `pyaot build`, for each of its sources.
struct Build {
    opt_level: u8,
    target_cpu: String,
    emit: Emit,
    checks: pyaot::hir::Checks,
    annotate: bool,
    disabled: Vec<Transform>,
    verbose: bool,
}

impl Build {
    /// Builds one source: whether it succeeded, and what to tell the user.
    fn one(&self, src: &Path, output: Option<PathBuf>, color: bool) -> (bool, String) {
        let Some((source, name)) = read_source(src) else {
            return (false, String::new());
        };
        let emit = self.emit;
        let renamed = output.is_some() && emit == Emit::Module;
        let out = output.unwrap_or_else(|| {
            let ext = match emit {
                Emit::Module => "abi3.so",
                Emit::LlvmIr => "ll",
                Emit::Asm => "s",
                Emit::Obj => "o",
                Emit::Nothing => "html",
                // The plan is for reading: printed.
                Emit::Plan => return PathBuf::from("-"),
            };
            src.with_file_name(format!("{name}.{ext}"))
        });
        // Python imports `renamed.abi3.so` as `renamed`: the module is named after its file.
        let name = if renamed {
            match pyaot::module_name_for(&out) {
                Ok(n) => n,
                Err(e) => return (false, format!("error: the output {}: {e}\n", out.display())),
            }
        } else {
            name
        };
        let annotate = self.annotate.then(|| src.with_file_name(format!("{name}.html")));
        let opts = Options {
            opt_level: self.opt_level,
            target_cpu: self.target_cpu.clone(),
            emit,
            checks: self.checks,
            annotate,
            disabled: self.disabled.clone(),
        };
        let start = Instant::now();
        let (ok, mut said) =
            compile_and_report(src, &source, &name, &out, &opts, self.verbose, color, false);
        if ok && emit == Emit::Module {
            said.push_str(&format!(
                "built {} in {:.2} s\n",
                out.display(),
                start.elapsed().as_secs_f64()
            ));
        }
        (ok, said)
    }

    /// Builds several sources, as many at a time as there are cores; each one's messages
    /// together, in the order given.
    fn many(&self, srcs: &[PathBuf], color: bool) -> ExitCode {
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(srcs.len());
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results: Vec<std::sync::Mutex<Option<(bool, String)>>> =
            srcs.iter().map(|_| std::sync::Mutex::new(None)).collect();
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let work = || loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(src) = srcs.get(k) else { break };
                    let r = self.one(src, None, color);
                    *results[k].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                };
                // The compiler recurses on deep code: the large stack `main` runs on.
                std::thread::Builder::new()
                    .stack_size(pyaot::LARGE_STACK)
                    .spawn_scoped(scope, work)
                    .expect("cannot start a build thread");
            }
        });
        let mut failed = 0;
        for r in results {
            let (ok, said) = r.into_inner().unwrap_or_else(|e| e.into_inner()).unwrap_or_default();
            eprint!("{said}");
            failed += usize::from(!ok);
        }
        if failed > 0 {
            eprintln!("error: {failed} of {} modules did not build", srcs.len());
            return ExitCode::FAILURE;
        }
        ExitCode::SUCCESS
    }
}

/// The sources named on the command line: files as given, and for a folder every `.py` file
/// under it (not in hidden folders or `__pycache__`) that has an export comment, sorted.
fn sources(given: &[PathBuf]) -> Option<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
        entries.sort();
        for path in entries {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if !name.starts_with('.') && name != "__pycache__" {
                    walk(&path, out)?;
                }
            } else if name.ends_with(".py") && has_exports(&path) {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for g in given {
        if g.is_dir() {
            let before = out.len();
            if let Err(e) = walk(g, &mut out) {
                eprintln!("error: cannot read the folder {}: {e}", g.display());
                return None;
            }
            if out.len() == before {
                eprintln!(
                    "error: no .py file under {} has an export comment (`#export f(int)`)",
                    g.display()
                );
                return None;
            }
        } else {
            out.push(g.clone());
        }
    }
    Some(out)
}

/// Whether a file has an `#export` or `#pythran export` line, or a side `.pythran` file.
fn has_exports(path: &Path) -> bool {
    if path.with_extension("pythran").is_file() {
        return true;
    }
    let Ok(text) = std::fs::read_to_string(path) else { return false };
    text.lines().any(|l| {
        let Some(rest) = l.trim_start().strip_prefix('#') else { return false };
        let rest = rest.trim_start();
        let rest = rest.strip_prefix("pythran").map_or(rest, |r| r.trim_start());
        rest.starts_with("export ") || rest.starts_with("export\t")
    })
}

/// Runs the pipeline; gives whether it succeeded, and what to tell the user: phase times
/// (`verbose`), diagnostics and (`say_wrote`) the output written.
#[allow(clippy::too_many_arguments)]
fn compile_and_report(
    src: &Path,
    source: &str,
    name: &str,
    out: &PathBuf,
    opts: &Options,
    verbose: bool,
    color: bool,
    say_wrote: bool,
) -> (bool, String) {
    if let Err(e) = pyaot::link::check_output(src, out, opts.emit == Emit::Module) {
        return (false, format!("error: {e}\n"));
    }
    let mut timings = Timings::default();
    let start = Instant::now();
    let file_name = src.display().to_string();
    let result = pyaot::compile(source, &file_name, name, out, opts, &mut timings);
    let mut said = String::new();
    if verbose {
        said.push_str(&timings_text(&timings, start));
    }
    let ok = finish(result, &file_name, source, color, say_wrote.then_some(out), &mut said);
    (ok, said)
}

/// Warnings or errors of a compilation into `said`; whether it succeeded. `wrote` names the
/// output.
fn finish(
    result: Result<Vec<pyaot::diagnostics::Diagnostic>, Failure>,
    file_name: &str,
    source: &str,
    color: bool,
    wrote: Option<&PathBuf>,
    said: &mut String,
) -> bool {
    match result {
        Ok(warnings) => {
            if !warnings.is_empty() {
                said.push_str(&render(file_name, source, &warnings, color));
            }
            if let Some(out) = wrote {
                said.push_str(&format!("wrote {}\n", out.display()));
            }
            true
        }
        Err(Failure::Diagnostics(d)) => {
            said.push_str(&render(file_name, source, &d, color));
            said.push_str(&summary(&d));
            false
        }
        Err(Failure::Backend(msg)) => {
            said.push_str(&format!("error: {msg}\n"));
            false
        }
    }
}

fn read_source(src: &Path) -> Option<(String, String)> {
    let name = match pyaot::module_name_for(src) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: {e}");
            return None;
        }
    };
    match std::fs::read_to_string(src) {
        // Identifiers as Python reads them (NFKC): everything after sees the normalized text.
        Ok(s) => {
            let s = pyaot::with_side_exports(src, s);
            Some((pyaot::syntax::nfkc_identifiers(&s).into_owned(), name))
        }
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", src.display());
            None
        }
    }
}

fn summary(d: &[pyaot::diagnostics::Diagnostic]) -> String {
    let errors = d.iter().filter(|x| x.is_error()).count();
    format!(
        "error: could not compile: {errors} error{} found\n",
        if errors == 1 { "" } else { "s" }
    )
}

fn timings_text(t: &Timings, start: Instant) -> String {
    let mut s = String::new();
    for (phase, d) in &t.0 {
        s.push_str(&format!("{:>18}: {:8.2} ms\n", phase, d.as_secs_f64() * 1e3));
    }
    s.push_str(&format!("{:>18}: {:8.2} ms\n", "total", start.elapsed().as_secs_f64() * 1e3));
    s
}
