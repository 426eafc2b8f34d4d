//! Annotate: the HTML report of which source lines run as machine code and which talk to Python.
//!
//! Takes the source, the checked program, the optimized LLVM IR (as text) and LLVM's loop
//! vectorizer remarks; gives one self-contained HTML file. Every optimized instruction is traced
//! to the source line it came from through its debug location (following `inlinedAt` out of
//! pyaot's own helpers); the C-API calls among them are scored by cost class, with error paths
//! (raising, explaining a bad argument) counted apart from the shade. Loops get LLVM's verdict
//! and the bounds checks left after optimization. The output depends only on its inputs: no
//! timestamps, no absolute paths.

use crate::hir::{self, Stmt, StmtKind, Target};
use crate::plan::Transform;
use crate::Checked;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

/// What a call costs the line it sits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Unboxing,
    Binding,
    Boxing,
    Refcount,
    Gil,
    Numpy,
    Arena,
    /// The object fallback: calls of Python functions and methods.
    PyCall,
    /// The object fallback: operators, items, attributes, iteration on Python objects.
    PyObjectOp,
    CApi,
}

impl Class {
    fn cost(self) -> u32 {
        match self {
            Class::Unboxing | Class::Boxing => 3,
            Class::Binding | Class::Gil | Class::Arena => 2,
            Class::Refcount => 1,
            Class::Numpy => 20,
            Class::CApi | Class::PyCall | Class::PyObjectOp => 5,
        }
    }

    fn words(self) -> &'static str {
        match self {
            Class::Unboxing => "unboxes arguments",
            Class::Binding => "binds arguments passed by keyword",
            Class::Boxing => "boxes values into Python objects",
            Class::Refcount => "reference counting",
            Class::Gil => "releases or takes the GIL",
            Class::Numpy => "calls numpy",
            Class::Arena => "keeps the new array alive in the call's arena",
            Class::PyCall => "calls Python functions or methods",
            Class::PyObjectOp => {
                "works on Python objects (operators, items, attributes, iteration)"
            }
            Class::CApi => "calls the Python C API",
        }
    }
}

#[derive(Default)]
struct LineFacts {
    /// Optimized IR from this line, grouped by the function it ended up in.
    ir: BTreeMap<String, Vec<String>>,
    /// Hot-path Python interactions: class → count.
    hot: BTreeMap<Class, u32>,
    /// Error-path work: what can be raised here (counted apart).
    errors: BTreeMap<String, u32>,
    numpy_calls: BTreeSet<String>,
    /// Some of the line's code runs once per process (importing numpy): shown, not scored.
    once: bool,
    notes: Vec<String>,
    types: BTreeMap<String, BTreeSet<String>>,
    /// How many loops enclose the line (its own `for`/`while` included): the score counts
    /// each interaction as often as the line is estimated to run, 10× per loop level.
    depth: u32,
}

impl LineFacts {
    /// Each interaction's cost times the line's estimated run count; converting arguments and
    /// results outside any loop happens once per call, shown apart like the error paths.
    fn score(&self) -> u32 {
        let runs = 10u32.pow(self.depth.min(4));
        self.hot.iter().filter(|(c, _)| !self.per_call(**c)).map(|(c, n)| c.cost() * n * runs).sum()
    }
    fn per_call(&self, c: Class) -> bool {
        self.depth == 0 && matches!(c, Class::Unboxing | Class::Binding | Class::Boxing)
    }
    fn error_count(&self) -> u32 {
        self.errors.values().sum()
    }
}

struct Location {
    line: u32,
    scope: u32,
    inlined_at: Option<u32>,
}

/// Blocks that run once per process (importing numpy, caching its types): not in the score.
const ONCE_BLOCKS: &[&str] = &["init", "import"];

/// Blocks that only run when something failed: their calls count as error-path work.
const ERROR_BLOCKS: &[&str] = &[
    "fail",
    "explain",
    "tname",
    "all_named",
    "cleanup",
    "missing",
    "reword",
    "error",
    "out_of_range",
    "not_a_buffer",
    "no_buffer",
    "buffer_wrong",
    "retry",
    "unwind",
    "to_int.error",
    "oom",
    "too_many",
    "unknown",
    "twice",
    "maybe_error",
    "other_error",
];

fn classify(callee: &str) -> Option<(Class, bool)> {
    let hot = |c| Some((c, false));
    match callee {
        c if c.starts_with("pyaot.raise.") => Some((Class::CApi, true)),
        "pyaot.index_error"
        | "pyaot.arg_type_error"
        | "PyErr_Format"
        | "PyErr_SetString"
        | "PyErr_SetNone"
        | "PyErr_Clear"
        | "PyErr_Occurred"
        | "PyErr_ExceptionMatches"
        | "PyType_GetName" => Some((Class::CApi, true)),
        "pyaot.bind" | "PyUnicode_CompareWithASCIIString" => hot(Class::Binding),
        "PyLong_AsLongLong" | "PyFloat_AsDouble" | "PyIndex_Check" | "PyType_GetSlot"
        | "PyType_GetFlags" | "PyObject_GetBuffer" | "PyBuffer_Release" | "pyaot.numpy_types"
        | "PyTuple_Size" | "PyTuple_GetItem" => hot(Class::Unboxing),
        "PyLong_FromLongLong"
        | "PyFloat_FromDouble"
        | "PyBool_FromLong"
        | "PyTuple_New"
        | "PyTuple_SetItem" => hot(Class::Boxing),
        "Py_IncRef" | "Py_DecRef" | "_Py_Dealloc" => hot(Class::Refcount),
        "PyEval_SaveThread"
        | "PyEval_RestoreThread"
        | "PyGILState_Ensure"
        | "PyGILState_Release" => hot(Class::Gil),
        "pyaot.np_call"
        | "PyObject_Call"
        | "PyImport_ImportModule"
        | "PyObject_GetAttrString"
        | "PyUnicode_FromString" => hot(Class::Numpy),
        "pyaot.arena_add" | "PyList_New" | "PyList_Append" => hot(Class::Arena),
        c if c.starts_with("pyaot.read_array") => hot(Class::Numpy),
        c if c.starts_with("pyaot.unbox.") || c.starts_with("pyaot.check.") => hot(Class::Unboxing),
        c if c.starts_with("pyaot.box.") => hot(Class::Boxing),
        "PyObject_CallFunctionObjArgs"
        | "PyObject_CallMethodObjArgs"
        | "PyObject_Vectorcall"
        | "PyObject_VectorcallMethod" => hot(Class::PyCall),
        "PyNumber_Long" | "PyNumber_Float" | "PyObject_IsTrue" | "PyUnicode_FromStringAndSize" => {
            hot(Class::Unboxing)
        }
        "PyComplex_FromDoubles"
        | "PyList_SetItem"
        | "PyDict_New"
        | "PySet_New"
        | "PySet_Add"
        | "PyDict_SetItem" => hot(Class::Boxing),
        c if c.starts_with("PyNumber_")
            || c.starts_with("PyObject_")
            || c.starts_with("PyIter_")
            || c.starts_with("PySequence_")
            || c.starts_with("PyDict_")
            || c.starts_with("PyUnicode_")
            || c == "PySlice_New" =>
        {
            hot(Class::PyObjectOp)
        }
        c if c.starts_with("Py") || c.starts_with("_Py") => hot(Class::CApi),
        _ => None,
    }
}

fn callee_of(instr: &str) -> Option<&str> {
    let at = instr.find("call ")?;
    let rest = &instr[at..];
    let start = rest.find('@')? + 1;
    let rest = &rest[start..];
    if let Some(quoted) = rest.strip_prefix('"') {
        return quoted.split('"').next();
    }
    let end = rest.find('(')?;
    Some(&rest[..end])
}

fn number_after(text: &str, key: &str) -> Option<u32> {
    let at = text.find(key)? + key.len();
    let digits: String = text[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// Reads the optimized IR text: instructions by source line, string constants, subprogram names.
fn parse_ir(ir: &str, lines: &mut BTreeMap<u32, LineFacts>) {
    let mut locations: HashMap<u32, Location> = HashMap::new();
    let mut subprograms: HashMap<u32, String> = HashMap::new();
    let mut strings: HashMap<String, String> = HashMap::new();
    for line in ir.lines() {
        if let Some(rest) = line.strip_prefix('!') {
            let Some(id) = rest.split(' ').next().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            if line.contains("!DILocation(") {
                if let (Some(l), Some(scope)) =
                    (number_after(line, "line: "), number_after(line, "scope: !"))
                {
                    locations.insert(
                        id,
                        Location { line: l, scope, inlined_at: number_after(line, "inlinedAt: !") },
                    );
                }
            } else if line.contains("DISubprogram(") {
                if let Some(at) = line.find("name: \"") {
                    let name: String = line[at + 7..].chars().take_while(|c| *c != '"').collect();
                    subprograms.insert(id, name);
                }
            }
        } else if let Some(rest) = line.strip_prefix("@str.") {
            // @str.3 = private unnamed_addr constant [6 x i8] c"zeros\00", align 1
            if let (Some(name_end), Some(c)) = (rest.find(' '), line.find("c\"")) {
                let body: String = line[c + 2..].chars().take_while(|ch| *ch != '"').collect();
                strings.insert(
                    format!("@str.{}", &rest[..name_end]),
                    body.trim_end_matches("\\00").to_string(),
                );
            }
        }
    }
    let resolve = |mut id: u32| -> Option<u32> {
        // Leave pyaot's helpers (line 0, names starting with `pyaot.`) through inlinedAt.
        for _ in 0..64 {
            let loc = locations.get(&id)?;
            let in_glue = subprograms.get(&loc.scope).is_none_or(|n| n.starts_with("pyaot."));
            if !in_glue && loc.line > 0 {
                return Some(loc.line);
            }
            id = loc.inlined_at?;
        }
        None
    };
    let mut function = String::new();
    let mut block = String::new();
    for line in ir.lines() {
        if line.starts_with("define ") {
            function = line
                .split('@')
                .nth(1)
                .and_then(|r| r.split('(').next())
                .unwrap_or("")
                .trim_matches('"')
                .to_string();
            block = "entry".into();
            continue;
        }
        if !line.starts_with(' ') {
            if let Some(label) = line.split(':').next().filter(|l| {
                !l.is_empty() && !l.starts_with(';') && line.contains(':') && !line.starts_with('}')
            }) {
                block = label.to_string();
            }
            continue;
        }
        let Some(dbg) = number_after(line, "!dbg !") else { continue };
        let Some(src_line) = resolve(dbg) else { continue };
        let facts = lines.entry(src_line).or_default();
        let text = line.trim().split(", !dbg").next().unwrap_or("").to_string();
        let ir_lines = facts.ir.entry(function.clone()).or_default();
        if ir_lines.len() < 400 {
            ir_lines.push(text.clone());
        }
        let Some(callee) = callee_of(line) else { continue };
        let Some((mut class, error)) = classify(callee) else { continue };
        // `PyList_Append` is the arena's inside pyaot.arena_add, and a user's `xs.append(v)` elsewhere.
        let scope = locations.get(&dbg).and_then(|l| subprograms.get(&l.scope));
        if callee == "PyList_Append" && scope.is_some_and(|s| s != "pyaot.arena_add") {
            class = Class::PyCall;
        }
        // `PyList_New` likewise: the arena's list, or a list the user's code makes.
        if callee == "PyList_New" && scope.is_some_and(|s| s != "pyaot.arena_add") {
            class = Class::Boxing;
        }
        if ONCE_BLOCKS.iter().any(|p| block.starts_with(p)) {
            facts.once = true;
            continue;
        }
        let error_block = ERROR_BLOCKS.iter().any(|p| block.starts_with(p));
        if error || error_block {
            let what = match callee {
                "pyaot.index_error" => {
                    "IndexError (a bounds check left after optimization)".to_string()
                }
                c if c.starts_with("pyaot.raise.") => {
                    format!("can raise {}", &c["pyaot.raise.".len()..])
                }
                _ => "error reporting (a bad argument, or an error from Python)".to_string(),
            };
            *facts.errors.entry(what).or_default() += 1;
        } else {
            *facts.hot.entry(class).or_default() += 1;
            // numpy's function named by its attribute read from the numpy module (a module
            // imported by the source, `json.loads`, reads its attributes the same way).
            let from_numpy = text
                .split("@PyObject_GetAttrString(")
                .nth(1)
                .map(|args| args.trim_start_matches("ptr ").trim_start_matches("nonnull "))
                .is_some_and(|first| first.starts_with("%numpy"));
            if callee == "pyaot.np_call" || (callee == "PyObject_GetAttrString" && from_numpy) {
                if let Some(name) = text.split("@str.").nth(1).map(|r| {
                    format!(
                        "@str.{}",
                        r.chars().take_while(|c| c.is_ascii_digit()).collect::<String>()
                    )
                }) {
                    if let Some(s) = strings.get(&name) {
                        facts.numpy_calls.insert(format!("numpy.{s}"));
                    }
                }
            }
        }
    }
}

/// An LLVM reason for not vectorizing, in the report's words: advice meant for C programmers
/// (a Clang `#pragma`) goes, a scatter's memory dependence says what it means in Python, and the
/// message stays on one line.
fn plain_reason(reason: &str) -> String {
    let mut parts = Vec::new();
    for line in reason.lines() {
        let line = match line.find(". Use #pragma") {
            Some(at) => &line[..at],
            None => line,
        };
        let line = match line.strip_prefix("Unsafe indirect dependence. Memory location is the same as accessed at ") {
            Some(place) => format!("an element stored at an index the loop computes may be the one another iteration reads or stores (at {place})"),
            None => line.trim().to_string(),
        };
        if !line.is_empty() {
            parts.push(line);
        }
    }
    parts.join("; ")
}

/// A loop of the source: its first and last line.
struct LoopSpan {
    first: u32,
    last: u32,
    /// "parallel: dynamic schedule (chunk), reduction(+:s)" for parallel loops.
    parallel: Option<String>,
    /// How codegen ran it, when not as a plain loop.
    forms: Vec<Transform>,
}

fn line_of(line_starts: &[usize], offset: usize) -> u32 {
    line_starts.partition_point(|&s| s <= offset).max(1) as u32
}

/// How the report describes a parallel loop.
fn describe_parallel(p: &hir::Parallel, f: &hir::Function) -> String {
    use crate::omp::{ReductionOp, Schedule};
    let schedule = match p.schedule {
        Schedule::Static => "static",
        Schedule::Dynamic => "dynamic",
        Schedule::Guided => "guided",
        Schedule::Auto => "auto",
    };
    let mut parts = vec![match p.schedule {
        Schedule::Auto => "auto schedule (up to 256 chunks, each taken by the next free thread; reductions folded in chunk order, so the result does not depend on the threads)".to_string(),
        _ => format!("{schedule} schedule{}", if p.chunk.is_some() { " (with a chunk size)" } else { "" }),
    }];
    for (op, l) in &p.reductions {
        let op = match op {
            ReductionOp::Add => "+",
            ReductionOp::Mul => "*",
            ReductionOp::Min => "min",
            ReductionOp::Max => "max",
            ReductionOp::And => "&",
            ReductionOp::Or => "|",
            ReductionOp::Xor => "^",
        };
        parts.push(format!("reduction({op}:{})", f.locals[*l].name));
    }
    if !p.lastprivate.is_empty() {
        parts.push(format!(
            "lastprivate({})",
            p.lastprivate.iter().map(|l| f.locals[*l].name.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    if p.num_threads.is_some() {
        parts.push("num_threads set".into());
    }
    if p.condition.is_some() {
        parts.push("runs serially when its `if` is false".into());
    }
    format!("parallel: {} (the GIL is released; iterations never call Python)", parts.join(", "))
}

/// The loops of `f`, with the forms codegen ran them in (`transforms`, by statement start).
fn collect_loops(
    f: &hir::Function,
    transforms: &[(usize, Transform)],
    stmts: &[Stmt],
    starts: &[usize],
    out: &mut Vec<LoopSpan>,
) {
    for s in stmts {
        match &s.kind {
            StmtKind::While { body, orelse, .. } | StmtKind::ForRange { body, orelse, .. } => {
                let parallel = match &s.kind {
                    StmtKind::ForRange { parallel: Some(p), .. } => Some(describe_parallel(p, f)),
                    _ => None,
                };
                // Each instance (argument types, contiguous or strided arrays) reports its own.
                let mut forms: Vec<Transform> = transforms
                    .iter()
                    .filter(|(at, _)| *at == s.span.start)
                    .map(|(_, form)| *form)
                    .collect();
                forms.sort();
                forms.dedup();
                out.push(LoopSpan {
                    first: line_of(starts, s.span.start),
                    last: line_of(starts, s.span.end.saturating_sub(1)),
                    parallel,
                    forms,
                });
                collect_loops(f, transforms, body, starts, out);
                collect_loops(f, transforms, orelse, starts, out);
            }
            StmtKind::If { .. } | StmtKind::Try { .. } => s
                .kind
                .blocks()
                .into_iter()
                .for_each(|b| collect_loops(f, transforms, b, starts, out)),
            _ => {}
        }
    }
}

fn bound_names(stmts: &[Stmt], out: &mut Vec<(hir::LocalId, usize)>) {
    fn target(t: &Target, out: &mut Vec<(hir::LocalId, usize)>) {
        match t {
            Target::Local(l, span) => out.push((*l, span.start)),
            Target::Tuple(items, _) => items.iter().for_each(|i| target(i, out)),
            Target::Item(..) | Target::Attr(..) | Target::Global(..) => {}
        }
    }
    for s in stmts {
        match &s.kind {
            StmtKind::Assign { target: t, .. } => target(t, out),
            StmtKind::AugAssign { target: l, target_span, .. } => out.push((*l, target_span.start)),
            StmtKind::ForRange { target: l, target_span, body, orelse, .. } => {
                out.push((*l, target_span.start));
                bound_names(body, out);
                bound_names(orelse, out);
            }
            StmtKind::Try { handlers, .. } => {
                for h in handlers {
                    if let Some(l) = h.name {
                        out.push((l, h.span.start));
                    }
                }
                s.kind.blocks().into_iter().for_each(|b| bound_names(b, out));
            }
            StmtKind::If { .. } | StmtKind::While { .. } => {
                s.kind.blocks().into_iter().for_each(|b| bound_names(b, out))
            }
            _ => {}
        }
    }
}

fn returns(stmts: &[Stmt], starts: &[usize], out: &mut Vec<u32>) {
    for s in stmts {
        match &s.kind {
            StmtKind::Return(_) => out.push(line_of(starts, s.span.start)),
            other => other.blocks().into_iter().for_each(|b| returns(b, starts, out)),
        }
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The shade of a score: white at 0, deepening yellow to orange, never white again however
/// large the score (Cython's report turns white above 254).
fn shade(score: u32) -> String {
    if score == 0 {
        return "#ffffff".into();
    }
    let t = ((score as f64).ln_1p() / 64f64.ln_1p()).min(1.0);
    let lightness = 92.0 - 40.0 * t;
    let hue = 55.0 - 25.0 * t;
    format!("hsl({hue:.0}, 100%, {lightness:.0}%)")
}

fn signature_text(name: &str, args: &[crate::export_spec::SpecType]) -> String {
    format!("{name}({})", args.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", "))
}

/// Builds the report.
pub fn report(
    source: &str,
    file_name: &str,
    checked: &Checked,
    ir: &str,
    remarks: &[String],
    transforms: &[(usize, Transform)],
) -> String {
    let hir = &checked.hir;
    let program = &checked.program;
    let mut starts = vec![0];
    starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
    let mut lines: BTreeMap<u32, LineFacts> = BTreeMap::new();
    parse_ir(ir, &mut lines);

    // Types of the names each line binds, over every instance of its function.
    for inst in &program.instances {
        let f = &hir.functions[inst.func];
        let mut bound = Vec::new();
        bound_names(&f.body, &mut bound);
        for (local, offset) in bound {
            let name = &f.locals[local].name;
            if name.starts_with('$') {
                continue;
            }
            lines
                .entry(line_of(&starts, offset))
                .or_default()
                .types
                .entry(name.clone())
                .or_default()
                .insert(inst.locals[local].to_string());
        }
        for (i, p) in f.params.iter().enumerate() {
            lines
                .entry(line_of(&starts, p.span.start))
                .or_default()
                .types
                .entry(p.name.clone())
                .or_default()
                .insert(inst.params[i].to_string());
        }
    }

    // Exported functions: argument unboxing on the def line, boxing on the return lines.
    for export in &program.exports {
        let f = &hir.functions[export.func];
        let def_line = line_of(&starts, f.span.start);
        let facts = lines.entry(def_line).or_default();
        for (k, p) in f.params.iter().enumerate() {
            let kinds: BTreeSet<String> = export.signatures.iter().map(|s| match &s.args[k] {
                crate::export_spec::SpecType::Array { .. } => format!("`{}` ({}) from numpy's array fields, or the buffer protocol for other objects", p.name, s.args[k]),
                other => format!("`{}` ({other})", p.name),
            }).collect();
            facts
                .notes
                .push(format!("unboxes {}", kinds.into_iter().collect::<Vec<_>>().join(" or ")));
        }
        if export.signatures.len() > 1 {
            facts.notes.push(format!(
                "dispatches between {} signatures at each call",
                export.signatures.len()
            ));
        }
        if export.signatures.iter().any(|s| s.contiguous_instance.is_some()) {
            facts.notes.push("picks the version compiled for C-contiguous arrays when every array argument is contiguous".into());
        }
        let ret: BTreeSet<String> = export
            .signatures
            .iter()
            .map(|s| program.instances[s.instance].ret.to_string())
            .collect();
        let mut ret_lines = Vec::new();
        returns(&f.body, &starts, &mut ret_lines);
        for l in ret_lines {
            let facts = lines.entry(l).or_default();
            facts.notes.push(format!(
                "returns to Python: boxes {}",
                ret.iter().cloned().collect::<Vec<_>>().join(" or ")
            ));
            *facts.hot.entry(Class::Boxing).or_default() += 1;
        }
    }

    // Arithmetic and comparisons on whole arrays: fused loop nests (types/elementwise.rs), or
    // numpy's own through Python where they are not native.
    for inst in &program.instances {
        hir::for_each_expr(&hir.functions[inst.func].body, &mut |e| {
            let operands: Vec<&hir::Expr> = match &e.kind {
                hir::ExprKind::Binary(_, a, b) => vec![a, b],
                hir::ExprKind::Unary(
                    hir::UnaryOp::Neg | hir::UnaryOp::Pos | hir::UnaryOp::Invert,
                    x,
                ) => vec![x],
                hir::ExprKind::Compare(first, rest)
                    if inst.exprs[e.id] == crate::types::Type::Object =>
                {
                    std::iter::once(&**first).chain(rest.iter().map(|(_, x)| x)).collect()
                }
                _ => vec![],
            };
            let ty = |x: &hir::Expr| inst.exprs[x.id].clone();
            let fused = crate::types::elementwise::fused_operands(e, &ty).is_some();
            if fused
                || operands.iter().any(|x| matches!(inst.exprs[x.id], crate::types::Type::Array(_)))
            {
                let note = if fused {
                    "whole-array arithmetic, compiled: one loop nest over the result per expression, no temporary arrays"
                } else {
                    "whole-array arithmetic: numpy computes it, called through Python (a loop over the elements compiles to machine code)"
                };
                let facts = lines.entry(line_of(&starts, e.span.start)).or_default();
                if !facts.notes.iter().any(|n| n == note) {
                    facts.notes.push(note.into());
                }
            }
        });
    }

    // Loops: LLVM's vectorizer verdicts and the bounds checks left inside.
    let mut loops = Vec::new();
    let reachable: BTreeSet<usize> = program.instances.iter().map(|i| i.func).collect();
    for func in &reachable {
        let f = &hir.functions[*func];
        collect_loops(f, transforms, &f.body, &starts, &mut loops);
    }
    // Each line's loop depth, for the score's run-count estimate.
    for (line, facts) in lines.iter_mut() {
        facts.depth = loops.iter().filter(|l| l.first <= *line && *line <= l.last).count() as u32;
    }
    let mut verdicts: BTreeMap<u32, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for r in remarks {
        // "file.py:LINE:COL: message"
        let mut parts = r.splitn(4, ':');
        let (_, line, _, message) =
            (parts.next(), parts.next(), parts.next(), parts.next().unwrap_or("").trim());
        let Some(line) = line.and_then(|l| l.parse::<u32>().ok()) else { continue };
        let Some(lp) = loops
            .iter()
            .filter(|l| l.first <= line && line <= l.last)
            .min_by_key(|l| l.last - l.first)
        else {
            continue;
        };
        let entry = verdicts.entry(lp.first).or_default();
        if let Some(rest) = message.strip_prefix("vectorized loop (") {
            let what = rest
                .trim_end_matches(')')
                .replace("vectorization width: ", "width ")
                .replace("interleaved count: ", "interleave ");
            entry.0.insert(format!("vectorized ({what})"));
        } else if let Some(reason) = message.strip_prefix("loop not vectorized: ") {
            entry.1.insert(plain_reason(reason));
        } else if message.contains("vectorization is not beneficial")
            && !message.starts_with("List")
        {
            entry.1.insert("the cost model found it not beneficial".to_string());
        }
    }
    for lp in &loops {
        let checks: u32 = (lp.first..=lp.last)
            .filter_map(|l| lines.get(&l))
            .map(|f| {
                f.errors
                    .iter()
                    .filter(|(k, _)| k.starts_with("IndexError"))
                    .map(|(_, n)| n)
                    .sum::<u32>()
            })
            .sum();
        // A loop working on Python objects runs as a plain loop: LLVM's reasons would be noise.
        let on_objects = (lp.first..=lp.last)
            .filter_map(|l| lines.get(&l))
            .any(|f| f.hot.contains_key(&Class::PyCall) || f.hot.contains_key(&Class::PyObjectOp));
        let facts = lines.entry(lp.first).or_default();
        let (done, missed) = verdicts.remove(&lp.first).unwrap_or_default();
        let missed: Vec<String> = missed.into_iter().collect();
        let verdict = match (done.is_empty(), missed.is_empty()) {
            (true, _) if on_objects => "not vectorized: it works on Python objects".to_string(),
            (false, true) => done.into_iter().collect::<Vec<_>>().join("; "),
            // Several versions of the loop (argument types, contiguous arrays) may differ.
            (false, false) => format!(
                "{}; another version not vectorized: {}",
                done.into_iter().collect::<Vec<_>>().join("; "),
                missed.join("; ")
            ),
            (true, false) => format!("not vectorized: {}", missed.join("; ")),
            (true, true) => {
                "not vectorized (LLVM gave no reason: an outer loop, or nothing it could vectorize)"
                    .to_string()
            }
        };
        if let Some(p) = &lp.parallel {
            facts.notes.push(format!("loop: {p}"));
        }
        for form in &lp.forms {
            facts.notes.push(match form {
                Transform::Lanes => format!(
                    "loop: lanes: runs {} iterations side by side (their `while` loops go round together, as vector instructions where they can, each lane stopping when its own condition fails; what follows the `while` runs for each iteration in order)",
                    crate::plan::lockstep::LANES
                ),
                Transform::Unroll => format!(
                    "loop: unrolled: runs {} iterations per loop test (it stores at indexes it computes, which no vectorizer runs; each iteration keeps its checks, in order)",
                    crate::plan::unroll::TIMES
                ),
                Transform::Jam => format!(
                    "loop: jammed: runs {} iterations per round with their inner loops fused, so the elements they update are loaded and stored once per round (each element gets the same operations in the same order; a round whose checks do not all pass runs as written)",
                    crate::plan::jam::COPIES
                ),
                Transform::Speculate => "loop: speculative: runs first with every check collected into one flag instead of each branching out (one exit, so it can vectorize); where one failed, it runs again as written and raises where Python would".to_string(),
                _ => continue,
            });
        }
        facts.notes.push(format!("loop: {verdict}"));
        facts.notes.push(if checks == 0 {
            "loop: no bounds checks left after optimization".into()
        } else {
            format!("loop: {checks} bounds check(s) left after optimization")
        });
    }

    // Root causes: where a local that is a Python object is read, the line that made it one.
    for inst in &program.instances {
        let f = &hir.functions[inst.func];
        hir::for_each_expr(&f.body, &mut |e| {
            let hir::ExprKind::Local(l) = e.kind else { return };
            let (Some(crate::types::Type::Object), Some(Some(origin))) =
                (inst.locals.get(l), inst.object_origins.get(l))
            else {
                return;
            };
            let (here, there) = (line_of(&starts, e.span.start), line_of(&starts, origin.start));
            if l < f.params.len() || here == there {
                return;
            }
            let text = source.lines().nth(there as usize - 1).unwrap_or("").trim();
            let note = format!(
                "`{}` is a Python object since line {there} (`{text}`): everything done with it here goes through Python",
                f.locals[l].name
            );
            let facts = lines.entry(here).or_default();
            if !facts.notes.contains(&note) {
                facts.notes.push(note);
            }
        });
    }

    // Statements that run in a form of their own (not loops): a note on their line.
    for (at, t) in transforms {
        let note = match t {
            Transform::BorderOnly => "zeroes only the border: the loop after it writes every other element, so numpy hands over the memory uninitialized (np.empty) and the zeros go where the loop does not write",
            Transform::IfSelect => "if-converted: the element is stored with its old or its new value, chosen without a branch (nothing can tell: the condition reads the element, the value cannot fail)",
            Transform::SelectBranches => "if-converted: both branches are computed and their values chosen without a branch (nothing in them can fail; an element out of range takes the branches as written)",
            Transform::Fresh => "fact: a fresh array: made here and only indexed, measured or returned, so LLVM is told no other array shares its memory (no overlap test before vectorized loops)",
            Transform::Escape => "fact: fails by escape: a failure deep in the recursion jumps straight back to the first call instead of returning through every frame, so the calls need no check after them",
            _ => continue,
        };
        let facts = lines.entry(line_of(&starts, *at)).or_default();
        if !facts.notes.iter().any(|n| n == note) {
            facts.notes.push(note.into());
        }
    }

    render(source, file_name, hir, program, &lines)
}

/// Notes shown in a line's details only, not in its one-line summary: loop verdicts and facts
/// about the compiled code that cost nothing to explain.
fn is_detail(note: &str) -> bool {
    note.starts_with("loop:") || note.starts_with("fact:")
}

fn render(
    source: &str,
    file_name: &str,
    hir: &hir::Module,
    program: &crate::types::Program,
    lines: &BTreeMap<u32, LineFacts>,
) -> String {
    let base = file_name.rsplit('/').next().unwrap_or(file_name);
    let mut html = String::new();
    let code_lines: Vec<&str> = source.lines().collect();
    let with_code: Vec<u32> =
        lines.iter().filter(|(_, f)| !f.ir.is_empty()).map(|(l, _)| *l).collect();
    let native = with_code.iter().filter(|l| lines[l].score() == 0).count();
    let total: u32 = lines.values().map(|f| f.score()).sum();
    let errors: u32 = lines.values().map(|f| f.error_count()).sum();
    let _ = write!(html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>pyaot report: {}</title>\n<style>{}</style>\n</head>\n<body>\n", escape(base), STYLE);
    let _ = write!(html, "<h1>pyaot report: <code>{}</code></h1>\n<section class=\"summary\">\n<table>\n<tr><th>exported function</th><th>signature</th><th>returns</th><th>inferred types</th></tr>\n", escape(base));
    for export in &program.exports {
        let f = &hir.functions[export.func];
        for s in &export.signatures {
            let inst = &program.instances[s.instance];
            let locals: BTreeSet<String> = f
                .locals
                .iter()
                .enumerate()
                .skip(f.params.len())
                .filter(|(_, l)| !l.name.starts_with('$'))
                .map(|(i, l)| format!("{}: {}", l.name, inst.locals[i]))
                .collect();
            let _ = writeln!(html, "<tr><td><a href=\"#L{}\">{}</a></td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                line_of_offset(source, f.span.start), escape(&f.name), escape(&signature_text(&f.name, &s.args)), escape(&inst.ret.to_string()),
                escape(&locals.into_iter().collect::<Vec<_>>().join(", ")));
        }
    }
    let share =
        if with_code.is_empty() { 100.0 } else { 100.0 * native as f64 / with_code.len() as f64 };
    let _ = write!(html, "</table>\n<p class=\"stats\">{native} of {} lines with code run as plain machine code ({share:.0}%); Python-interaction score {total}; {errors} error-path site(s), shown apart.</p>\n", with_code.len());
    let _ = write!(html, "<p class=\"legend\"><span class=\"swatch\" style=\"background:{}\"></span> machine code only <span class=\"swatch\" style=\"background:{}\"></span> some Python interaction <span class=\"swatch\" style=\"background:{}\"></span> much (scored: numpy call 20, C-API call 5, boxing/unboxing 3, GIL/arena/binding 2, refcount 1). Click a line for its types, its loops and the optimized LLVM IR it became; <span class=\"err\">!</span> marks lines that can raise.</p>\n</section>\n<div class=\"code\">\n",
        shade(0), shade(4), shade(64));
    for (i, text) in code_lines.iter().enumerate() {
        let n = i as u32 + 1;
        let code = escape(text);
        match lines.get(&n) {
            Some(f) if !f.ir.is_empty() || !f.notes.is_empty() || !f.types.is_empty() => {
                let mut why: Vec<String> =
                    f.notes.iter().filter(|n| !is_detail(n)).cloned().collect();
                for (class, count) in &f.hot {
                    if *class == Class::Numpy && !f.numpy_calls.is_empty() {
                        why.push(format!(
                            "calls {}",
                            f.numpy_calls.iter().cloned().collect::<Vec<_>>().join(", ")
                        ));
                    } else if !matches!(class, Class::Unboxing | Class::Boxing)
                        // The def and return lines say argument by argument what converts.
                        || !f
                            .notes
                            .iter()
                            .any(|n| n.starts_with("unboxes ") || n.starts_with("returns to Python"))
                    {
                        why.push(format!("{} ×{count}", class.words()));
                    }
                }
                if f.hot.keys().any(|c| f.per_call(*c)) {
                    why.push(
                        "once per call (converting arguments and results: not in the score)".into(),
                    );
                }
                let why =
                    if why.is_empty() && f.score() == 0 { String::new() } else { why.join("; ") };
                let err = if f.error_count() > 0 {
                    "<span class=\"err\" title=\"can raise\">!</span>"
                } else {
                    "<span class=\"err\"></span>"
                };
                let verdict: Vec<&str> = f
                    .notes
                    .iter()
                    .filter_map(|n| n.strip_prefix("loop: "))
                    .filter(|n| {
                        n.contains("vectorized")
                            || n.starts_with("parallel:")
                            || n.starts_with("lanes:")
                            || n.starts_with("unrolled:")
                            || n.starts_with("jammed:")
                    })
                    .collect();
                let verdict = if verdict.is_empty() {
                    String::new()
                } else {
                    format!("<span class=\"verdict\">{}</span>", escape(&verdict.join("; ")))
                };
                let _ = write!(html, "<details id=\"L{n}\" class=\"line\"><summary style=\"background:{}\"><span class=\"no\">{n}</span>{err}<span class=\"score\">{}</span><code>{code}</code>{verdict}<span class=\"why\">{}</span></summary>\n<div class=\"info\">\n",
                    shade(f.score()), f.score(), escape(&why));
                if !f.types.is_empty() {
                    let types: Vec<String> = f
                        .types
                        .iter()
                        .map(|(name, ts)| {
                            format!(
                                "<code>{}: {}</code>",
                                escape(name),
                                escape(&ts.iter().cloned().collect::<Vec<_>>().join(" | "))
                            )
                        })
                        .collect();
                    let _ = writeln!(html, "<p>types: {}</p>", types.join(", "));
                }
                for note in f.notes.iter().filter(|n| n.starts_with("loop:")) {
                    let _ = writeln!(html, "<p class=\"loop\">{}</p>", escape(note));
                }
                for note in f.notes.iter().filter_map(|n| n.strip_prefix("fact: ")) {
                    let _ = writeln!(html, "<p class=\"fact\">{}</p>", escape(note));
                }
                if !f.errors.is_empty() {
                    let errs: Vec<String> =
                        f.errors.iter().map(|(what, n)| format!("{} ×{n}", escape(what))).collect();
                    let _ = writeln!(
                        html,
                        "<p class=\"errors\">error paths (not in the score): {}</p>",
                        errs.join("; ")
                    );
                }
                if f.once {
                    let _ = writeln!(html, "<p>also runs once per process (not in the score): imports numpy and looks up its types</p>");
                }
                if !f.hot.is_empty() {
                    let hot: Vec<String> = f
                        .hot
                        .iter()
                        .map(|(c, n)| format!("{} ×{n} (cost {} each)", c.words(), c.cost()))
                        .collect();
                    let _ =
                        writeln!(html, "<p>Python interactions: {}</p>", escape(&hot.join("; ")));
                }
                if !f.ir.is_empty() {
                    let mut ir = String::new();
                    for (func, instrs) in &f.ir {
                        let _ = writeln!(ir, "; in @{func}");
                        for ins in instrs {
                            let _ = writeln!(ir, "  {ins}");
                        }
                    }
                    let _ = writeln!(html, "<pre class=\"ir\">{}</pre>", escape(&ir));
                }
                html.push_str("</div>\n</details>\n");
            }
            _ => {
                let _ = writeln!(html, "<div class=\"line plain\"><span class=\"no\">{n}</span><span class=\"err\"></span><span class=\"score\"></span><code>{code}</code></div>");
            }
        }
    }
    html.push_str("</div>\n<script>\n");
    html.push_str(SCRIPT);
    html.push_str("</script>\n</body>\n</html>\n");
    html
}

fn line_of_offset(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

const STYLE: &str = "
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; }
.summary table { border-collapse: collapse; margin-bottom: .6em; }
.summary td, .summary th { border: 1px solid #ccc; padding: .25em .6em; text-align: left; font-size: .9em; }
.stats, .legend { font-size: .9em; }
.swatch { display: inline-block; width: 1.2em; height: .9em; border: 1px solid #aaa; vertical-align: middle; }
.code { font-family: ui-monospace, monospace; font-size: 13px; border-top: 1px solid #ddd; }
.line > summary, .line.plain { display: flex; gap: .6em; padding: 1px .4em; white-space: pre; list-style: none; }
.line > summary { cursor: pointer; }
.line > summary::-webkit-details-marker { display: none; }
.no { color: #999; min-width: 2.5em; text-align: right; }
.score { color: #a60; min-width: 2em; text-align: right; font-size: 11px; }
.err { color: #c00; min-width: .6em; font-weight: bold; }
.why { color: #555; font-family: system-ui, sans-serif; font-size: 12px; margin-left: auto; white-space: normal; text-align: right; }
.info { margin: .2em 0 .6em 6.5em; font-family: system-ui, sans-serif; font-size: 12px; }
.info p { margin: .2em 0; }
.loop { color: #036; }
.verdict { color: #036; font-family: system-ui, sans-serif; font-size: 12px; margin-left: 1em; white-space: normal; }
.line > summary code { flex: none; }
.errors { color: #900; }
pre.ir { background: #f6f6f6; border: 1px solid #ddd; padding: .5em; overflow-x: auto; font-size: 11px; max-height: 30em; }
";

const SCRIPT: &str = "
// #L12 in the address opens line 12 (links from the summary, shared links).
function openFromHash() {
  var el = document.getElementById(location.hash.slice(1));
  if (el && el.tagName === 'DETAILS') { el.open = true; el.scrollIntoView(); }
}
window.addEventListener('hashchange', openFromHash);
openFromHash();
";

#[cfg(test)]
mod tests {
    use super::*;

    const IR: &str = r#"@str.1 = private unnamed_addr constant [6 x i8] c"empty\00"

define internal void @f.0() !dbg !5 {
have_numpy.i:
  %20 = tail call ptr @PyObject_GetAttrString(ptr nonnull %numpy.i, ptr nonnull @str.1), !dbg !8
  %21 = tail call fastcc void @pyaot.index_error(i64 %1, i32 0, i64 %2), !dbg !9
  ret void
}
!5 = distinct !DISubprogram(name: "f", scope: !1, file: !1, line: 3)
!6 = distinct !DISubprogram(name: "pyaot.np_call", scope: !1, file: !1, line: 0)
!7 = !DILocation(line: 4, column: 5, scope: !5)
!8 = !DILocation(line: 0, scope: !6, inlinedAt: !10)
!10 = distinct !DILocation(line: 4, column: 5, scope: !5)
!9 = !DILocation(line: 5, column: 9, scope: !5)
"#;

    #[test]
    fn traces_inlined_glue_to_the_user_line_and_names_numpy_calls() {
        let mut lines = BTreeMap::new();
        parse_ir(IR, &mut lines);
        assert_eq!(lines[&4].numpy_calls.iter().collect::<Vec<_>>(), ["numpy.empty"]);
        assert_eq!(lines[&4].hot[&Class::Numpy], 1);
        assert_eq!(
            lines[&5].errors.keys().next().unwrap(),
            "IndexError (a bounds check left after optimization)"
        );
        assert_eq!(lines[&5].score(), 0);
    }

    #[test]
    fn every_score_has_a_colour() {
        assert_eq!(shade(0), "#ffffff");
        assert_ne!(shade(1), shade(0));
        assert_ne!(shade(100_000), "#ffffff");
        assert!(escape("</pre><script>").starts_with("&lt;/pre&gt;"));
    }
}
