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
        /// The Python file; functions named in `#export name(types)` comments are compiled.
        src: PathBuf,
        /// Where to write the output (default: next to SRC, named after it).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Optimization level, 0 to 3 (like -O3).
        #[arg(short = 'O', value_name = "LEVEL", default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=3))]
        opt_level: u8,
        /// CPU to generate code for: `native` (this machine), `generic` (any x86-64), or an LLVM CPU name.
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
            src,
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
            let Some((source, name)) = read_source(&src) else { return ExitCode::FAILURE };
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
                    Err(e) => {
                        eprintln!("error: the output {}: {e}", out.display());
                        return ExitCode::FAILURE;
                    }
                }
            } else {
                name
            };
            let checks = pyaot::hir::Checks {
                boundscheck: !no_boundscheck,
                wraparound: !no_wraparound,
                overflowcheck: !no_overflowcheck,
                native,
            };
            let annotate = annotate.then(|| src.with_file_name(format!("{name}.html")));
            let disabled = disable_transform.into_iter().flatten().collect();
            let opts = Options { opt_level, target_cpu, emit, checks, annotate, disabled };
            compile_and_report(&src, &source, &name, &out, &opts, verbose, color, verbose)
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
            compile_and_report(&src, &source, &name, &out, &opts, verbose, color, true)
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
                print_timings(&timings, start);
            }
            match result {
                Ok(checked) => {
                    eprint!("{}", render(&file_name, &source, &checked.warnings, color));
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    eprint!("{}", render(&file_name, &source, &d, color));
                    summary(&d);
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Runs the pipeline, prints phase times (`verbose`), diagnostics and (`say_wrote`) the output.
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
) -> ExitCode {
    if let Err(e) = pyaot::link::check_output(src, out, opts.emit == Emit::Module) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let mut timings = Timings::default();
    let start = Instant::now();
    let file_name = src.display().to_string();
    let result = pyaot::compile(source, &file_name, name, out, opts, &mut timings);
    if verbose {
        print_timings(&timings, start);
    }
    finish(result, &file_name, source, color, say_wrote.then_some(out))
}

/// Prints warnings or errors of a compilation and gives the exit status; `wrote` names the output.
fn finish(
    result: Result<Vec<pyaot::diagnostics::Diagnostic>, Failure>,
    file_name: &str,
    source: &str,
    color: bool,
    wrote: Option<&PathBuf>,
) -> ExitCode {
    match result {
        Ok(warnings) => {
            if !warnings.is_empty() {
                eprint!("{}", render(file_name, source, &warnings, color));
            }
            if let Some(out) = wrote {
                eprintln!("wrote {}", out.display());
            }
            ExitCode::SUCCESS
        }
        Err(Failure::Diagnostics(d)) => {
            eprint!("{}", render(file_name, source, &d, color));
            summary(&d);
            ExitCode::FAILURE
        }
        Err(Failure::Backend(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
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

fn summary(d: &[pyaot::diagnostics::Diagnostic]) {
    let errors = d.iter().filter(|x| x.is_error()).count();
    eprintln!(
        "error: could not compile: {errors} error{} found",
        if errors == 1 { "" } else { "s" }
    );
}

fn print_timings(t: &Timings, start: Instant) {
    for (phase, d) in &t.0 {
        eprintln!("{:>18}: {:8.2} ms", phase, d.as_secs_f64() * 1e3);
    }
    eprintln!("{:>18}: {:8.2} ms", "total", start.elapsed().as_secs_f64() * 1e3);
}
