//! Lockstep lanes: a `for` loop over a range whose body computes numbers into locals, runs a
//! `while` loop of such computations, and then does anything else (typically stores the
//! result) runs four iterations at a time, their `while` loops side by side.
//!
//! Takes a `for` statement ([`Codegen::lockstep_plan`] says whether its body qualifies); gives
//! the loop ([`Codegen::lockstep_loop`]): iterations `i .. i + 4` together, then the last ones
//! as written when the count is not a multiple of four.
//!
//! Why: an escape-time loop (`while k < limit and zr*zr + zi*zi <= 4.0: ...`) waits on its own
//! previous iteration: each multiply waits for the one before, and the core idles between them.
//! Independent `while` loops interleaved fill those gaps, and LLVM's SLP vectorizer turns the
//! four lanes into vector instructions: one lockstep round costs little more than one round of
//! a single loop (mandelbrot 2.0 → 1.6 ms).
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

use super::{Cg, Codegen, CountedLoop, FnCx};
use crate::hir::{BinOp, Builtin, Const, Expr, ExprKind, LocalId, Stmt, StmtKind, Target, UnaryOp};
use crate::types::{Instance, Type};
use inkwell::basic_block::BasicBlock;
use inkwell::values::PointerValue;
use inkwell::IntPredicate;

/// Iterations run side by side: four doubles fill an AVX2 register, and LLVM's SLP vectorizer
/// turns the four lanes' arithmetic into vector instructions.
pub(crate) const LANES: usize = 4;

/// A body that runs in lockstep: `prefix`, then `while cond: wbody`, then `suffix`.
pub(crate) struct LockstepPlan<'h> {
    prefix: &'h [Stmt],
    cond: &'h Expr,
    wbody: &'h [Stmt],
    suffix: &'h [Stmt],
    /// Locals each iteration computes for itself (assigned in the prefix, before any read):
    /// each lane gets its own copies.
    private: Vec<LocalId>,
}

/// Whether a `for` loop's body qualifies (see the module doc), with the types of `inst`. The
/// report asks too, to say which loops run in lanes.
pub(crate) fn lockstep_plan<'h>(inst: &Instance, target: LocalId, body: &'h [Stmt]) -> Option<LockstepPlan<'h>> {
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
        if !values.iter().all(|v| pure(inst, v, &readable, Some(&fixed))) || !targets.iter().all(|l| scalar(&inst.locals[*l])) {
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
        if !values.iter().all(|v| pure(inst, v, &readable, None)) || !targets.iter().all(|l| private.contains(l)) {
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
fn pure(inst: &Instance, e: &Expr, readable: &dyn Fn(LocalId) -> bool, fixed: Option<&dyn Fn(LocalId) -> bool>) -> bool {
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
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => true,
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
        ExprKind::Builtin(Builtin::Abs | Builtin::Min | Builtin::Max | Builtin::Float, args) => !args.is_empty() && args.len() <= 2 && args.iter().all(ok),
        _ => false,
    }
}

impl<'ctx> Codegen<'ctx, '_> {
    /// [`LANES`] iterations at a time (see the module doc); the builder is left where the loop
    /// ends normally (where `else` runs).
    pub(super) fn lockstep_loop(&mut self, cx: &mut FnCx<'ctx>, lp: &CountedLoop<'ctx, '_>, plan: &LockstepPlan<'_>, body: &[Stmt], after: BasicBlock<'ctx>) -> Cg<()> {
        let i64t = self.ctx.i64_type();
        let bool_t = self.ctx.bool_type();
        // Each lane's own locals: the private ones and the loop variable (lane 0 keeps the
        // function's own slots).
        let mut own: Vec<LocalId> = plan.private.clone();
        own.push(lp.target);
        let mut lanes: Vec<Vec<PointerValue<'ctx>>> = vec![own.iter().map(|l| cx.locals[*l]).collect()];
        for _ in 1..LANES {
            let mut slots = Vec::with_capacity(own.len());
            for l in &own {
                let ty = self.llvm_type(&self.local_ty(cx, *l));
                slots.push(self.entry_alloca(cx, ty, "lane.local")?);
            }
            lanes.push(slots);
        }
        let use_lane = |cx: &mut FnCx<'ctx>, slots: &[PointerValue<'ctx>]| {
            for (l, slot) in own.iter().zip(slots) {
                cx.locals[*l] = *slot;
            }
        };
        let mut active = Vec::with_capacity(LANES);
        for _ in 0..LANES {
            active.push(self.entry_alloca(cx, bool_t.into(), "lane.active")?);
        }

        let counter = self.entry_alloca(cx, i64t.into(), "lanes.i")?;
        self.b.build_store(counter, lp.start)?;
        let head = self.append(cx.func, "lanes");
        let lanes_body = self.append(cx.func, "lanes.body");
        let rest = self.append(cx.func, "lanes.rest");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let i = self.b.build_load(i64t, counter, "i")?.into_int_value();
        // At least LANES iterations left: i < stop, and stop - i (exact as unsigned once i < stop)
        // above LANES - 1. Then i + LANES cannot overflow (stop <= i64::MAX).
        let started = self.b.build_int_compare(IntPredicate::SLT, i, lp.stop, "")?;
        let left = self.b.build_int_sub(lp.stop, i, "")?;
        let enough = self.b.build_int_compare(IntPredicate::UGT, left, self.i64(LANES as i64 - 1), "")?;
        let more = self.b.build_and(started, enough, "")?;
        self.b.build_conditional_branch(more, lanes_body, rest)?;
        self.b.position_at_end(lanes_body);

        // The prefixes, in order.
        let lt = self.local_ty(cx, lp.target);
        for (k, slots) in lanes.iter().enumerate() {
            use_lane(cx, slots);
            let value = self.b.build_int_nsw_add(i, self.i64(k as i64), "")?;
            let v = self.coerce(cx, value.into(), &Type::Int, &lt)?;
            self.store_local(cx, lp.target, v)?;
            self.block(cx, plan.prefix)?;
        }
        for flag in &active {
            self.b.build_store(*flag, bool_t.const_int(1, false))?;
        }
        // The while loops side by side: each lane runs while its condition held every time.
        let w_head = self.append(cx.func, "lanes.while");
        let w_body = self.append(cx.func, "lanes.while.body");
        let w_done = self.append(cx.func, "lanes.while.done");
        self.b.build_unconditional_branch(w_head)?;
        self.b.position_at_end(w_head);
        let mut any = bool_t.const_int(0, false);
        for (slots, flag) in lanes.iter().zip(&active) {
            use_lane(cx, slots);
            let c = self.condition(cx, plan.cond)?;
            let was = self.b.build_load(bool_t, *flag, "")?.into_int_value();
            let now = self.b.build_and(was, c, "")?;
            self.b.build_store(*flag, now)?;
            any = self.b.build_or(any, now, "")?;
        }
        self.b.build_conditional_branch(any, w_body, w_done)?;
        self.b.position_at_end(w_body);
        let mut changed = Vec::new();
        bound_locals(plan.wbody, &mut changed);
        for (slots, flag) in lanes.iter().zip(&active) {
            use_lane(cx, slots);
            let before = self.load_locals(cx, &changed)?;
            self.block(cx, plan.wbody)?;
            let go = self.b.build_load(bool_t, *flag, "")?.into_int_value();
            for (l, old) in before {
                let ty = self.llvm_type(&self.local_ty(cx, l));
                let new = self.b.build_load(ty, cx.locals[l], "")?;
                let kept = self.b.build_select(go, new, old, "")?;
                self.b.build_store(cx.locals[l], kept)?;
            }
        }
        self.set_loc(cx.scope, &lp.s.span);
        let back = self.b.build_unconditional_branch(w_head)?;
        self.mark_loop(back);
        self.b.position_at_end(w_done);

        // The rest of each iteration, in order, each lane's locals first copied into the
        // function's own slots: an error there (and a handler around the loop) sees that
        // iteration's values, and after the last lane the locals hold the last iteration's.
        use_lane(cx, &lanes[0]);
        for (k, slots) in lanes.iter().enumerate() {
            if k > 0 {
                for (l, slot) in own.iter().zip(slots) {
                    let ty = self.llvm_type(&self.local_ty(cx, *l));
                    let v = self.b.build_load(ty, *slot, "")?;
                    self.b.build_store(cx.locals[*l], v)?;
                }
            }
            self.block(cx, plan.suffix)?;
        }
        self.set_loc(cx.scope, &lp.s.span);
        let next = self.b.build_int_nsw_add(i, self.i64(LANES as i64), "")?;
        self.b.build_store(counter, next)?;
        let back = self.b.build_unconditional_branch(head)?;
        self.mark_loop(back);

        // Fewer than LANES iterations left: the loop as written from there.
        self.b.position_at_end(rest);
        let from = self.b.build_load(i64t, counter, "")?.into_int_value();
        let remaining = CountedLoop { start: from, ..*lp };
        self.counted_loop(cx, &remaining, body, after)
    }
}

/// `l = v`, `a, b = v, w` (locals from a tuple written out) or `l op= v`: the locals
/// assigned and the values computed.
fn simple_assignment(s: &Stmt) -> Option<(Vec<LocalId>, Vec<&Expr>)> {
    match &s.kind {
        StmtKind::Assign { target: Target::Local(l, _), value } => Some((vec![*l], vec![value])),
        StmtKind::Assign { target: Target::Tuple(items, _), value: Expr { kind: ExprKind::Tuple(values), .. } } if items.len() == values.len() => {
            let locals = items.iter().map(|t| match t {
                Target::Local(l, _) => Some(*l),
                _ => None,
            });
            Some((locals.collect::<Option<Vec<_>>>()?, values.iter().collect()))
        }
        StmtKind::AugAssign { target, op, value, .. } if matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul) => Some((vec![*target], vec![value])),
        _ => None,
    }
}

/// Every local these statements assign, at any depth.
fn bound_locals(stmts: &[Stmt], out: &mut Vec<LocalId>) {
    fn target(t: &Target, out: &mut Vec<LocalId>) {
        match t {
            Target::Local(l, _) => out.push(*l),
            Target::Tuple(items, _) => items.iter().for_each(|x| target(x, out)),
            _ => {}
        }
    }
    for s in stmts {
        match &s.kind {
            StmtKind::Assign { target: t, .. } => target(t, out),
            StmtKind::AugAssign { target, .. } => out.push(*target),
            StmtKind::ForRange { target, each, .. } => {
                out.push(*target);
                out.extend(each.iter().flatten());
            }
            StmtKind::Try { handlers, .. } => out.extend(handlers.iter().filter_map(|h| h.name)),
            _ => {}
        }
        for block in s.kind.blocks() {
            bound_locals(block, out);
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// Whether a `break`, `continue` or `return` appears anywhere in these statements.
fn leaves_early(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| matches!(s.kind, StmtKind::Break | StmtKind::Continue | StmtKind::Return(_)) || s.kind.blocks().iter().any(|b| leaves_early(b)))
}
