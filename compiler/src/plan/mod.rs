//! The plan stage, between types and codegen: decides, for every function instance, how each
//! statement is lowered when it is not lowered as written (a `for` loop run speculatively, in
//! lanes, jammed or unrolled; an `if` as selects; a zero fill of the border only) and the facts
//! lowering needs about the instance (its fresh arrays, whether it fails by escape).
//!
//! Takes the HIR, the typed program and the transforms switched off; gives [`Plan`], a table
//! keyed by (instance, statement id). Everything here reads the typed HIR only (no LLVM);
//! codegen matches on the planned [`Strategy`] and emits, deciding nothing itself.
//!
//! [`plan_instance`] is the one place that lists the planners in the order they are tried.

pub(crate) mod escape;
mod facts;
pub(crate) mod fresh;
pub(crate) mod ifconvert;
pub(crate) mod jam;
pub(crate) mod lockstep;
pub(crate) mod overwrite;
pub(crate) mod speculate;
pub(crate) mod unroll;

use crate::hir::{self, ExprKind, LocalId, Stmt, StmtId, StmtKind};
use crate::types::{InstanceId, Program, Type};
pub(crate) use facts::Facts;
use std::collections::HashMap;

/// A transform of the plan; each can be switched off (`--disable-transform NAME`), which
/// lowers what it would have changed as written (or, for facts, without the fact).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Transform {
    Speculate,
    Lanes,
    Jam,
    Unroll,
    IfSelect,
    SelectBranches,
    BorderOnly,
    Fresh,
    Escape,
}

impl Transform {
    /// Every transform, with its switch name and what it does.
    pub const ALL: [(Transform, &'static str, &'static str); 9] = [
        (Transform::Speculate, "speculate", "a loop runs with its checks collected (speculate.rs)"),
        (Transform::Lanes, "lanes", "a loop runs four iterations side by side (lockstep.rs)"),
        (Transform::Jam, "jam", "a loop runs two iterations per round, inner loops fused (jam.rs)"),
        (Transform::Unroll, "unroll", "a scatter loop runs four iterations per test (unroll.rs)"),
        (Transform::IfSelect, "if-select", "`if c: a[i] = v` as a select (ifconvert.rs)"),
        (
            Transform::SelectBranches,
            "select-branches",
            "both branches run, then select (ifconvert.rs)",
        ),
        (
            Transform::BorderOnly,
            "border-only",
            "np.zeros overwritten by the next loop zeroes its border (overwrite.rs)",
        ),
        (Transform::Fresh, "fresh", "arrays the function made get no-alias tags (fresh.rs)"),
        (
            Transform::Escape,
            "escape",
            "recursive functions fail by longjmp to their entry (escape.rs)",
        ),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(t, _, _)| *t == self).map_or("?", |(_, name, _)| name)
    }

    pub fn from_name(name: &str) -> Option<Transform> {
        Self::ALL.iter().find(|(_, n, _)| *n == name).map(|(t, _, _)| *t)
    }
}

/// How one statement is lowered, when not as written.
pub(crate) enum Strategy<'h> {
    /// A `for` loop run first with its checks collected, again as written if one failed.
    Speculate(speculate::Plan),
    /// A `for` loop whose iterations run four at a time, their `while` loops side by side.
    Lanes(lockstep::LockstepPlan<'h>),
    /// A `for` loop running two iterations per round, their inner loops fused.
    Jam(jam::JamPlan<'h>),
    /// A scatter loop, four iterations per loop test (the arrays it stores into).
    Unroll(Vec<LocalId>),
    /// `if <cond reading a[i]>: a[i] = v` as a select and an unconditional store.
    IfSelect,
    /// `if c: <updates> else: <updates>`: both computed, then selected.
    SelectBranches(ifconvert::BranchPlan<'h>),
    /// `out = np.zeros(...)` that the next loop overwrites: only the border zeroed.
    BorderOnly(overwrite::Overwrite),
}

impl Strategy<'_> {
    pub(crate) fn transform(&self) -> Transform {
        match self {
            Strategy::Speculate(_) => Transform::Speculate,
            Strategy::Lanes(_) => Transform::Lanes,
            Strategy::Jam(_) => Transform::Jam,
            Strategy::Unroll(_) => Transform::Unroll,
            Strategy::IfSelect => Transform::IfSelect,
            Strategy::SelectBranches(_) => Transform::SelectBranches,
            Strategy::BorderOnly(_) => Transform::BorderOnly,
        }
    }

    /// What the plan printout says about the statement.
    fn describe(&self) -> String {
        match self {
            Strategy::Speculate(speculate::Plan::Pure) => "speculate (pure)".into(),
            Strategy::Speculate(speculate::Plan::Stores { checks_in_loop: true, .. }) => {
                "speculate (stores)".into()
            }
            Strategy::Speculate(speculate::Plan::Stores { .. }) => {
                "speculate (stores, checked ahead)".into()
            }
            Strategy::Unroll(_) => format!("unroll ×{}", unroll::TIMES),
            Strategy::Jam(_) => format!("jam ×{}", jam::COPIES),
            Strategy::Lanes(_) => format!("lanes ×{}", lockstep::LANES),
            other => other.transform().name().into(),
        }
    }
}

/// The plan of one function instance.
pub(crate) struct InstancePlan<'h> {
    pub(crate) strategies: HashMap<StmtId, Strategy<'h>>,
    /// Locals holding arrays the instance made that nothing else can alias (fresh.rs).
    pub(crate) fresh: Vec<LocalId>,
    /// The instance fails by a jump back to its entry (escape.rs).
    pub(crate) fails_by_escape: bool,
}

/// The plan of a module: one [`InstancePlan`] per instance of [`Program::instances`].
pub struct Plan<'h> {
    pub(crate) instances: Vec<InstancePlan<'h>>,
}

impl<'h> Plan<'h> {
    pub(crate) fn strategy(&self, inst: InstanceId, s: &Stmt) -> Option<&Strategy<'h>> {
        self.instances[inst].strategies.get(&s.id)
    }

    /// Each statement that is not lowered as written, by where it starts in the source and
    /// the transform that applies (for the report); the instance facts at the first binding of
    /// a fresh array and at the `def` of a function that fails by escape.
    pub fn transforms(&self, hir: &hir::Module, prog: &Program) -> Vec<(usize, Transform)> {
        let mut out = Vec::new();
        for (i, ip) in self.instances.iter().enumerate() {
            let f = &hir.functions[prog.instances[i].func];
            if ip.fails_by_escape {
                out.push((f.span.start, Transform::Escape));
            }
            out.extend(ip.fresh.iter().map(|l| (f.locals[*l].span.start, Transform::Fresh)));
            each_stmt(&f.body, &mut |s| {
                if let Some(strategy) = ip.strategies.get(&s.id) {
                    out.push((s.span.start, strategy.transform()));
                }
            });
        }
        out.sort();
        out.dedup();
        out
    }

    /// The plan as text (`pyaot build --emit plan`): per instance, its facts and each
    /// statement not lowered as written, with its line.
    pub fn render(&self, hir: &hir::Module, prog: &Program, source: &str) -> String {
        let line_of = |offset: usize| source[..offset.min(source.len())].matches('\n').count() + 1;
        let mut out = String::new();
        for (i, ip) in self.instances.iter().enumerate() {
            let inst = &prog.instances[i];
            let f = &hir.functions[inst.func];
            if i > 0 {
                out.push('\n');
            }
            let params: Vec<String> = inst.params.iter().map(|t| t.to_string()).collect();
            out.push_str(&format!("{}({}) -> {}\n", f.name, params.join(", "), inst.ret));
            if ip.fails_by_escape {
                out.push_str("  fails by escape\n");
            }
            if !ip.fresh.is_empty() {
                let names: Vec<&str> =
                    ip.fresh.iter().map(|l| f.locals[*l].name.as_str()).collect();
                out.push_str(&format!("  fresh arrays: {}\n", names.join(", ")));
            }
            let mut rows = Vec::new();
            each_stmt(&f.body, &mut |s| {
                if let Some(strategy) = ip.strategies.get(&s.id) {
                    let line = line_of(s.span.start);
                    let text = source.lines().nth(line - 1).unwrap_or("").trim();
                    rows.push(format!("  line {line:<4} {:<34} {text}\n", strategy.describe()));
                }
            });
            rows.iter().for_each(|r| out.push_str(r));
        }
        out
    }
}

/// Calls `f` on every statement of a block, nested ones included, in source order.
fn each_stmt<'h>(stmts: &'h [Stmt], f: &mut dyn FnMut(&'h Stmt)) {
    for s in stmts {
        f(s);
        for b in s.kind.blocks() {
            each_stmt(b, f);
        }
    }
}

/// Whether any function of the module has a parallel loop.
pub(crate) fn has_parallel_loops(hir: &hir::Module, prog: &Program) -> bool {
    fn any_parallel(stmts: &[Stmt]) -> bool {
        stmts.iter().any(|s| match &s.kind {
            StmtKind::ForRange { parallel: Some(_), .. } => true,
            other => other.blocks().into_iter().any(any_parallel),
        })
    }
    prog.instances.iter().any(|inst| any_parallel(&hir.functions[inst.func].body))
}

/// Plans every instance of the program, without the transforms in `disabled`.
pub fn plan<'h>(hir: &'h hir::Module, prog: &'h Program, disabled: &[Transform]) -> Plan<'h> {
    let has_parallel_loops = has_parallel_loops(hir, prog);
    let instances = (0..prog.instances.len())
        .map(|inst| plan_instance(hir, prog, inst, has_parallel_loops, disabled))
        .collect();
    Plan { instances }
}

/// The planners of one instance, in order. Facts first (the statement planners read them),
/// then each statement of the body, outer before inner.
fn plan_instance<'h>(
    hir: &'h hir::Module,
    prog: &'h Program,
    inst: InstanceId,
    has_parallel_loops: bool,
    disabled: &[Transform],
) -> InstancePlan<'h> {
    let on = |t: Transform| !disabled.contains(&t);
    let f = &hir.functions[prog.instances[inst].func];
    // Fresh arrays: made here, only indexed, measured or returned.
    let fresh = if on(Transform::Fresh) {
        fresh::fresh_locals(f, &prog.instances[inst])
    } else {
        Vec::new()
    };
    // Failing by escape: recursive, holding nothing to release.
    let fails_by_escape = on(Transform::Escape) && escape::fails_by_escape(hir, prog, inst);
    let mut strategies = HashMap::new();
    {
        let facts = Facts { hir, prog, inst, has_parallel_loops, fresh: &fresh };
        plan_block(&facts, &f.body, &on, &mut strategies);
    }
    InstancePlan { strategies, fresh, fails_by_escape }
}

fn plan_block<'h>(
    facts: &Facts<'_>,
    stmts: &'h [Stmt],
    on: &dyn Fn(Transform) -> bool,
    out: &mut HashMap<StmtId, Strategy<'h>>,
) {
    for (at, s) in stmts.iter().enumerate() {
        // A zero fill the next loop overwrites: decided per block, as it takes two statements.
        let border =
            if on(Transform::BorderOnly) { facts.overwritten_zeros(stmts, at) } else { None };
        if let Some(overwrite) = border {
            out.insert(s.id, Strategy::BorderOnly(overwrite));
        } else if let Some(strategy) = plan_stmt(facts, s, on) {
            out.insert(s.id, strategy);
        }
        for b in s.kind.blocks() {
            plan_block(facts, b, on, out);
        }
    }
}

/// One statement's strategy: the first planner that applies, in the order written.
fn plan_stmt<'h>(
    facts: &Facts<'_>,
    s: &'h Stmt,
    on: &dyn Fn(Transform) -> bool,
) -> Option<Strategy<'h>> {
    match &s.kind {
        // A `for` over objects iterates through Python: no loop strategy.
        StmtKind::ForRange { each: Some(holders), .. }
            if holders.iter().any(|h| facts.local_ty(*h) == Type::Object) =>
        {
            None
        }
        // A parallel loop: the runtime splits it into chunks (parallel.rs); each chunk's loop may
        // speculate as a serial loop would (its checks collected, so it vectorizes).
        StmtKind::ForRange { parallel: Some(_), target, step, body, .. } => {
            let unit_step =
                step.as_ref().is_none_or(|e| matches!(e.kind, ExprKind::Const(hir::Const::Int(1))));
            if !unit_step || !on(Transform::Speculate) || has_atomic(facts.function(), body) {
                return None;
            }
            facts.speculable_loop(*target, true, body).map(Strategy::Speculate)
        }
        // A loop with `#omp atomic` updates runs as written: every strategy below may store
        // elements in a form of its own, which would not be atomic.
        StmtKind::ForRange { body, .. } if has_atomic(facts.function(), body) => None,
        StmtKind::ForRange { target, step, body, .. } => {
            let unit_step = match step.as_ref().map(|e| &e.kind) {
                None => true,
                Some(ExprKind::Const(hir::Const::Int(k))) => *k == 1,
                _ => false,
            };
            // 1. Speculate: a loop whose checks can all be collected has one exit and
            //    vectorizes whole; it comes first, as it helps the most where it applies.
            if on(Transform::Speculate) {
                if let Some(p) = facts.speculable_loop(*target, unit_step, body) {
                    return Some(Strategy::Speculate(p));
                }
            }
            if !unit_step {
                return None;
            }
            // 2. Lanes: a `while` inside each iteration (escape-time loops), four side by side.
            if on(Transform::Lanes) {
                if let Some(p) = lockstep::lockstep_plan(facts.instance(), *target, body) {
                    return Some(Strategy::Lanes(p));
                }
            }
            // 3. Jam: an inner loop storing along a row after a few numbers.
            if on(Transform::Jam) {
                if let Some(p) = facts.jam_plan(*target, body) {
                    return Some(Strategy::Jam(p));
                }
            }
            // 4. Unroll: a scatter, which nothing vectorizes.
            if on(Transform::Unroll) {
                if let Some(stored) = unroll::scatters(facts.instance(), body) {
                    return Some(Strategy::Unroll(stored));
                }
            }
            None
        }
        // An `if` the types decided compiles its one live branch: nothing to convert.
        StmtKind::If { cond, .. } if facts.instance().decided.contains_key(&cond.id) => None,
        // `if` without `else` updating an element the condition reads.
        StmtKind::If { cond, then, orelse } if orelse.is_empty() => (on(Transform::IfSelect)
            && facts.conditional_update(cond, then))
        .then_some(Strategy::IfSelect),
        // Both branches doing something says both are common: worth running both without a
        // branch to mispredict (an `if` alone may guard something rare; LLVM decides there).
        StmtKind::If { then, orelse, .. } => {
            if !on(Transform::SelectBranches) {
                return None;
            }
            facts.branch_plan(then, orelse).map(Strategy::SelectBranches)
        }
        _ => None,
    }
}

/// Whether a block holds an `#omp atomic` element update (hir::Function::atomic_items).
fn has_atomic(f: &hir::Function, stmts: &[Stmt]) -> bool {
    let mut found = false;
    each_stmt(stmts, &mut |s| found |= f.atomic_items.contains(&s.id));
    found
}
