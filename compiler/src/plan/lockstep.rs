//! Lockstep lanes: a `for` loop over a range whose body computes numbers into locals, runs a
//! `while` loop of such computations, and then does anything else (typically stores the
//! result) runs four iterations at a time, their `while` loops side by side.
//!
//! Takes a `for` statement ([`lockstep_plan`] says whether its body qualifies); gives
//! the loop ([`Codegen::lockstep_loop`]): iterations `i .. i + 4` together, then the last ones
//! as written when the count is not a multiple of four.
//!
//! Why: an escape-time loop (`while k < limit and zr*zr + zi*zi <= 4.0: ...`) waits on its own
//! previous iteration: each multiply waits for the one before, and the core idles between them.
//! Independent `while` loops interleaved fill those gaps, and as vector code one round of four
//! lanes costs about what one round of a single loop did: the condition and the body become
//! one vector instruction per operation (each private local a vector of four, the active lanes
//! a mask), or, for the rare expression that has no vector form here, four scalar copies that
//! LLVM's SLP vectorizer packs as it can. (Mandelbrot's gain: docs/performance.md,
//! "Measurements behind the transforms".)
//!
//! Why it is still Python: the part that runs side by side cannot fail or touch memory (numbers
//! and locals only: `+ - *`, comparisons, `and`/`or`, conditional expressions; a division only
//! in the part before the `while`, by a value the loop never changes, whose check then fails in
//! the first lane before any other). Each lane has its own copy of the locals it computes; a
//! finished lane keeps its values (a select) while the others go on. The rest of each iteration
//! (stores, calls, anything that can raise) runs after the `while` loops, lane by lane in order,
//! each lane's locals first copied into the function's slots: every effect and every error
//! comes in Python's order, an exception handler sees the failing iteration's locals, and
//! afterwards they hold the last iteration's.

use crate::hir::{
    BinOp, Builtin, CmpOp, Const, Expr, ExprKind, LocalId, Stmt, StmtKind, Target, UnaryOp,
};
use crate::types::{Instance, Type};

/// Iterations run side by side: four doubles (or int64) fill an AVX2 register.
pub(crate) const LANES: usize = 4;

/// A body that runs in lockstep: `prefix`, then `while cond: wbody`, then `suffix`.
pub(crate) struct LockstepPlan<'h> {
    pub(crate) prefix: &'h [Stmt],
    pub(crate) cond: &'h Expr,
    pub(crate) wbody: &'h [Stmt],
    pub(crate) suffix: &'h [Stmt],
    /// Locals each iteration computes for itself (assigned in the prefix, before any read):
    /// each lane gets its own copies.
    pub(crate) private: Vec<LocalId>,
}

/// Whether a `for` loop's body qualifies (see the module doc), with the types of `inst`.
pub(crate) fn lockstep_plan<'h>(
    inst: &Instance,
    target: LocalId,
    body: &'h [Stmt],
) -> Option<LockstepPlan<'h>> {
    let at = body.iter().position(|s| matches!(s.kind, StmtKind::While { .. }))?;
    let (prefix, rest) = body.split_at(at);
    let StmtKind::While { cond, body: wbody, orelse } = &rest[0].kind else { return None };
    let suffix = &rest[1..];
    if !orelse.is_empty() || prefix.is_empty() {
        return None;
    }
    // Locals the loop changes anywhere: everything else read in the lockstep part is fixed.
    let mut bound = vec![target];
    bound_locals(body, &mut bound);
    let scalar = |t: &Type| matches!(t, Type::Int | Type::Float | Type::Bool);
    // The prefix defines the private locals in order, before reading them.
    let mut private: Vec<LocalId> = Vec::new();
    for s in prefix {
        let (targets, values) = simple_assignment(s)?;
        let readable = |l: LocalId| l == target || private.contains(&l) || !bound.contains(&l);
        let fixed = |l: LocalId| !bound.contains(&l);
        if !values.iter().all(|v| pure(inst, v, &readable, Some(&fixed)))
            || !targets.iter().all(|l| scalar(&inst.locals[*l]))
        {
            return None;
        }
        if let StmtKind::AugAssign { target: l, .. } = &s.kind {
            if !private.contains(l) {
                return None;
            }
        }
        for l in targets {
            if !private.contains(&l) {
                private.push(l);
            }
        }
    }
    // The while loop reads and writes private locals only (and fixed ones); it cannot fail.
    let readable = |l: LocalId| l == target || private.contains(&l) || !bound.contains(&l);
    if !pure(inst, cond, &readable, None) {
        return None;
    }
    for s in wbody {
        let (targets, values) = simple_assignment(s)?;
        if !values.iter().all(|v| pure(inst, v, &readable, None))
            || !targets.iter().all(|l| private.contains(l))
        {
            return None;
        }
    }
    // The rest runs once per iteration, in order: anything but leaving the loop early
    // (the later lanes have already run their while loops).
    if leaves_early(suffix) || private.is_empty() {
        return None;
    }
    Some(LockstepPlan { prefix, cond, wbody, suffix, private })
}

/// An expression of numbers and locals that cannot fail (see the module doc). `readable`: the
/// locals it may read. `fixed`, in the prefix only: the locals the loop never changes, by which
/// a division is allowed (its check fails in the first lane first).
pub(crate) fn pure(
    inst: &Instance,
    e: &Expr,
    readable: &dyn Fn(LocalId) -> bool,
    fixed: Option<&dyn Fn(LocalId) -> bool>,
) -> bool {
    if !matches!(inst.exprs[e.id], Type::Int | Type::Float | Type::Bool) {
        return false;
    }
    let ok = |x: &Expr| pure(inst, x, readable, fixed);
    match &e.kind {
        ExprKind::Const(_) => true,
        ExprKind::Local(l) => readable(*l),
        ExprKind::Unary(op, x) => matches!(op, UnaryOp::Neg | UnaryOp::Pos | UnaryOp::Not) && ok(x),
        ExprKind::Binary(op, a, b) => {
            ok(a)
                && ok(b)
                && match op {
                    BinOp::Add
                    | BinOp::Sub
                    | BinOp::Mul
                    | BinOp::BitAnd
                    | BinOp::BitOr
                    | BinOp::BitXor => true,
                    BinOp::Div => match (&b.kind, fixed) {
                        (ExprKind::Const(Const::Float(v)), _) => *v != 0.0,
                        (ExprKind::Const(Const::Int(v)), _) => *v != 0,
                        (_, Some(fixed)) => pure(inst, b, fixed, None),
                        _ => false,
                    },
                    _ => false,
                }
        }
        ExprKind::Compare(first, rest) => ok(first) && rest.iter().all(|(_, x)| ok(x)),
        ExprKind::BoolOp(_, items) => items.iter().all(ok),
        ExprKind::IfExp(c, a, b) => ok(c) && ok(a) && ok(b),
        ExprKind::Builtin(Builtin::Abs | Builtin::Min | Builtin::Max | Builtin::Float, args) => {
            !args.is_empty() && args.len() <= 2 && args.iter().all(ok)
        }
        _ => false,
    }
}

/// `l = v`, `a, b = v, w` (locals from a tuple written out) or `l op= v`: the locals
/// assigned and the values computed.
pub(crate) fn simple_assignment(s: &Stmt) -> Option<(Vec<LocalId>, Vec<&Expr>)> {
    match &s.kind {
        StmtKind::Assign { target: Target::Local(l, _), value } => Some((vec![*l], vec![value])),
        StmtKind::Assign {
            target: Target::Tuple(items, _),
            value: Expr { kind: ExprKind::Tuple(values), .. },
        } if items.len() == values.len() => {
            let locals = items.iter().map(|t| match t {
                Target::Local(l, _) => Some(*l),
                _ => None,
            });
            Some((locals.collect::<Option<Vec<_>>>()?, values.iter().collect()))
        }
        StmtKind::AugAssign { target, op: BinOp::Add | BinOp::Sub | BinOp::Mul, value, .. } => {
            Some((vec![*target], vec![value]))
        }
        _ => None,
    }
}

/// Every local these statements assign, at any depth (the holders of a `for x in a` loop are
/// assigned by statements of their own, just before it).
pub(crate) fn bound_locals(stmts: &[Stmt], out: &mut Vec<LocalId>) {
    let mut writes = Vec::new();
    crate::hir::local_writes(stmts, &mut writes);
    out.extend(writes.into_iter().map(|(l, _, _)| l));
    out.sort_unstable();
    out.dedup();
}

/// Whether a `break`, `continue` or `return` appears anywhere in these statements.
pub(crate) fn leaves_early(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| {
        matches!(s.kind, StmtKind::Break | StmtKind::Continue | StmtKind::Return(_))
            || s.kind.blocks().iter().any(|b| leaves_early(b))
    })
}

/// Whether the `while` part can run as vector code of its own (see [`Codegen::vector_while`]):
/// every expression in the condition and the body is one [`vector_expr`] handles. Otherwise
/// the lanes run as scalar code side by side, which LLVM's SLP vectorizer packs as it can.
pub(crate) fn vectorizable(inst: &Instance, plan: &LockstepPlan<'_>) -> bool {
    fn expr(inst: &Instance, e: &Expr) -> bool {
        let t = |x: &Expr| inst.exprs[x.id].clone();
        match &e.kind {
            ExprKind::Const(Const::Int(_) | Const::Float(_) | Const::Bool(_))
            | ExprKind::Local(_) => true,
            ExprKind::Unary(_, x) => expr(inst, x),
            ExprKind::Binary(op, a, b) => {
                let bits = matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor);
                expr(inst, a)
                    && expr(inst, b)
                    && !(bits && (t(a) == Type::Float || t(b) == Type::Float))
            }
            // One type per comparison here; mixed int and float comparisons take the scalar
            // lanes, where the scalar code's own conversion applies.
            ExprKind::Compare(first, rest) => {
                let mut prev = t(first);
                expr(inst, first)
                    && rest.iter().all(|(op, x)| {
                        let ok = !matches!(op, CmpOp::In | CmpOp::NotIn | CmpOp::Is | CmpOp::IsNot)
                            && expr(inst, x)
                            && ((prev == Type::Float) == (t(x) == Type::Float));
                        prev = t(x);
                        ok
                    })
            }
            ExprKind::BoolOp(_, items) => items.iter().all(|x| t(x) == Type::Bool && expr(inst, x)),
            ExprKind::IfExp(c, a, b) => expr(inst, c) && expr(inst, a) && expr(inst, b),
            ExprKind::Builtin(Builtin::Abs | Builtin::Float, args) => {
                args.len() == 1 && expr(inst, &args[0])
            }
            ExprKind::Builtin(Builtin::Min | Builtin::Max, args) => {
                args.len() == 2 && t(&args[0]) == t(&args[1]) && args.iter().all(|x| expr(inst, x))
            }
            _ => false,
        }
    }
    // A value goes into its local as Python's arithmetic widens it (bool → int → float).
    let widens = |from: &Type, to: &Type| {
        from == to
            || matches!(
                (from, to),
                (Type::Bool, Type::Int | Type::Float) | (Type::Int, Type::Float)
            )
    };
    expr(inst, plan.cond)
        && plan.wbody.iter().all(|s| {
            simple_assignment(s).is_some_and(|(targets, values)| {
                targets
                    .iter()
                    .zip(&values)
                    .all(|(l, v)| expr(inst, v) && widens(&inst.exprs[v.id], &inst.locals[*l]))
            })
        })
}
