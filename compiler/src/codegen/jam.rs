//! Unroll and jam: a `for` loop over a range whose body computes a few numbers and then runs an
//! inner loop that stores along a row (`aik = a[i, k]` then `for j: c[i, j] += aik * b[k, j]`)
//! runs two iterations per round, their inner loops fused into one.
//!
//! Takes a `for` statement ([`Codegen::jam_plan`] says whether its body qualifies); gives the
//! loop ([`Codegen::jammed_loop`]): rounds of two iterations, then the last one as written.
//!
//! Why: matmul's inner loop loads and stores `c[i, j]` for every `k`, and its stores, not its
//! arithmetic, set the pace. Fused, iteration `j` does `c[i, j] += a0 * b[k, j]` and then
//! `c[i, j] += a1 * b[k + 1, j]`: LLVM keeps the element in a register between the two, so a
//! round loads and stores each element once instead of twice. matmul: 184 → 152 µs (Numba 182)
//! when written out by hand; four iterations per round gave 150.
//!
//! Why it is still Python: each element gets the same additions in the same order (k before
//! k + 1), so results are bit-identical. What changes is only the order between different
//! elements, which nothing observes when nothing can fail and no array read in the round is
//! written in it: a round runs fused only when every check of both iterations passes, which
//! is asked first (the numbers before the inner loop computed speculatively, the inner loop's
//! reads and stores checked for its whole range, as speculate.rs does for one loop); otherwise
//! the round's two iterations run as written and raise where Python would. The inner loop
//! stores each written array at one place that moves with its own loop variable (two
//! iterations never write the same element in a different order) and assigns no local.
//! Only loops whose iterations all update the same elements are fused: there the saving is.

use super::speculate::{self, Plan};
use super::{point_locals_at, Cg, Codegen, CountedLoop, FnCx};
use crate::hir::{self, Const, Expr, ExprKind, LocalId, Stmt, StmtKind};
use crate::types::Type;
use inkwell::basic_block::BasicBlock;
use inkwell::values::PointerValue;
use inkwell::IntPredicate;

/// Iterations per round.
pub(crate) const COPIES: u64 = 2;

/// A body that runs jammed: `prefix`, then `for inner_target in range(start, stop): inner_body`.
pub(super) struct JamPlan<'h> {
    prefix: &'h [Stmt],
    inner: &'h Stmt,
    inner_target: LocalId,
    start: Option<&'h Expr>,
    stop: &'h Expr,
    inner_body: &'h [Stmt],
    /// The locals the prefix computes: each iteration of a round has its own.
    private: Vec<LocalId>,
    /// The arrays the inner loop stores into, and every array read in the round.
    writes: Vec<LocalId>,
    reads: Vec<LocalId>,
}

impl<'ctx> Codegen<'ctx, '_> {
    /// Whether a step-1 `for` loop's body qualifies (see the module doc).
    pub(super) fn jam_plan<'h>(
        &self,
        cx: &FnCx<'ctx>,
        target: LocalId,
        body: &'h [Stmt],
    ) -> Option<JamPlan<'h>> {
        let (inner, prefix) = body.split_last()?;
        let StmtKind::ForRange {
            target: inner_target,
            start,
            stop,
            step,
            body: inner_body,
            orelse,
            parallel: None,
            each: None,
            ..
        } = &inner.kind
        else {
            return None;
        };
        if !orelse.is_empty()
            || !matches!(
                step.as_ref().map(|e| &e.kind),
                None | Some(ExprKind::Const(Const::Int(1)))
            )
        {
            return None;
        }
        // The inner loop assigns no local but its own variable.
        let mut inner_writes = Vec::new();
        hir::local_writes(inner_body, &mut inner_writes);
        if !inner_writes.is_empty() {
            return None;
        }
        let mut assigned = Vec::new();
        hir::local_writes(body, &mut assigned);
        let mut moving: Vec<LocalId> = vec![target];
        moving.extend(assigned.iter().map(|(l, _, _)| *l));
        // The prefix: numbers into locals, each computed from the loop variable, the locals
        // computed before it in this iteration and values the loop never changes.
        if !self.speculable_assignments(cx, &moving, prefix) {
            return None;
        }
        let mut private: Vec<LocalId> = Vec::new();
        for s in prefix {
            let StmtKind::Assign { target: hir::Target::Local(l, _), value } = &s.kind else {
                return None;
            };
            if !reads_only(value, &|x| x == target || private.contains(&x) || !moving.contains(&x))
            {
                return None;
            }
            if !private.contains(l) {
                private.push(*l);
            }
        }
        // The inner range is the same for every iteration.
        if !start.iter().chain([stop]).all(|e| reads_only(e, &|x| !moving.contains(&x))) {
            return None;
        }
        // Its stores and reads checked before it, so nothing is left to fail inside.
        let Some(Plan::Stores { writes, reads, checks_in_loop: false }) =
            self.speculable_loop(cx, *inner_target, true, inner_body)
        else {
            return None;
        };
        let stores = speculate::stores_in(inner_body);
        let along_the_loop = |indices: &[hir::Index]| {
            indices.iter().any(|ix| matches!(ix, hir::Index::At(i) if matches!(speculate::index_ahead(i, Some(*inner_target), &[*inner_target]), Some(Some(_)))))
        };
        let stored: Vec<LocalId> = stores
            .iter()
            .filter_map(|(a, _)| match a.kind {
                ExprKind::Local(l) => Some(l),
                _ => None,
            })
            .collect();
        let once_each = stored.iter().enumerate().all(|(n, l)| !stored[..n].contains(l));
        if stored.len() != stores.len()
            || !once_each
            || !stores.iter().all(|(_, indices)| along_the_loop(indices))
        {
            return None;
        }
        // Every iteration of the round updates the same elements (`c[i, j]`, not `c[k, j]`):
        // that is what fusing saves. Rows of their own would only make two streams out of one
        // (stencil and scale2d, fused a row pair at a time: no faster, 5 % slower at worst).
        let same_elements = |indices: &[hir::Index]| {
            indices.iter().all(|ix| matches!(ix, hir::Index::At(i) if reads_only(i, &|x| x != target && !private.contains(&x))))
        };
        if !stores.iter().all(|(_, indices)| same_elements(indices)) {
            return None;
        }
        // The prefix reads no array the round writes; other overlaps are checked at run time,
        // which needs C-contiguous arrays unless every written array is the function's own.
        let mut prefix_reads = Vec::new();
        for s in prefix {
            speculate::subscripts_in(s, &mut prefix_reads);
        }
        let mut all_reads = reads;
        for (value, _) in prefix_reads {
            let ExprKind::Local(a) = value.kind else { return None };
            if writes.contains(&a) {
                return None;
            }
            let contiguous = matches!(self.local_ty(cx, a), Type::Array(at) if at.contiguous);
            if !contiguous && !writes.iter().all(|w| cx.fresh.contains(*w)) {
                return None;
            }
            if !all_reads.contains(&a) {
                all_reads.push(a);
            }
        }
        Some(JamPlan {
            prefix,
            inner,
            inner_target: *inner_target,
            start: start.as_ref(),
            stop,
            inner_body,
            private,
            writes,
            reads: all_reads,
        })
    }

    /// The loop of [`Self::jam_plan`]: rounds of two iterations, fused when their checks all
    /// pass, else as written; then the last iteration when the count is odd. `break` goes to
    /// `after`; the builder is left where the loop ends normally.
    pub(super) fn jammed_loop(
        &mut self,
        cx: &mut FnCx<'ctx>,
        lp: &CountedLoop<'ctx, '_>,
        plan: &JamPlan<'_>,
        body: &[Stmt],
        after: BasicBlock<'ctx>,
    ) -> Cg<()> {
        let i64t = self.ctx.i64_type();
        let bool_t = self.ctx.bool_type();
        // Each iteration of a round has its own loop variable and prefix locals.
        let own: Vec<LocalId> =
            std::iter::once(lp.target).chain(plan.private.iter().copied()).collect();
        let home: Vec<PointerValue<'ctx>> = own.iter().map(|l| cx.locals[*l]).collect();
        let mut copies = Vec::new();
        for _ in 0..COPIES {
            let slots = own
                .iter()
                .map(|l| self.entry_alloca(cx, self.llvm_type(&self.local_ty(cx, *l)), "jam.local"))
                .collect::<Cg<Vec<_>>>()?;
            copies.push(slots);
        }
        let counter = self.entry_alloca(cx, i64t.into(), "jam.round")?;
        let flag = self.entry_alloca(cx, bool_t.into(), "jam.ok")?;
        // One loop as written serves both a round whose checks failed (its two iterations,
        // then back to the rounds) and the last iteration (to the end): the body's code once.
        let plain_stop = self.entry_alloca(cx, i64t.into(), "jam.plain_stop")?;
        let resume = self.entry_alloca(cx, bool_t.into(), "jam.resume")?;
        self.b.build_store(counter, lp.start)?;
        let head = self.append(cx.func, "jam");
        let round = self.append(cx.func, "jam.round");
        let fused = self.append(cx.func, "jam.fused");
        let as_written = self.append(cx.func, "jam.as_written");
        let next = self.append(cx.func, "jam.next");
        let rest = self.append(cx.func, "jam.rest");
        let plain = self.append(cx.func, "jam.plain");
        let end = self.append(cx.func, "jam.end");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let k = self.b.build_load(i64t, counter, "k")?.into_int_value();
        let go = self.iterations_left(k, lp.stop, COPIES)?;
        self.b.build_conditional_branch(go, round, rest)?;

        // The round's checks: each iteration's prefix, speculated, then its inner loop's reads
        // and stores for the whole inner range.
        self.b.position_at_end(round);
        self.b.build_store(flag, bool_t.const_all_ones())?;
        let lt = self.local_ty(cx, lp.target);
        for (copy, slots) in copies.iter().enumerate() {
            point_locals_at(cx, &own, slots);
            let i = self.b.build_int_nsw_add(k, self.i64(copy as i64), "")?;
            let iv = self.coerce(cx, i.into(), &Type::Int, &lt)?;
            self.store_local(cx, lp.target, iv)?;
            cx.spec = Some(self.straight_line(flag));
            let computed = plan.prefix.iter().try_for_each(|s| self.speculative_stmt(cx, s));
            cx.spec = None;
            computed?;
        }
        let start = match plan.start {
            Some(e) => self.operand(cx, e, &Type::Int)?.into_int_value(),
            None => self.i64(0),
        };
        let stop = self.operand(cx, plan.stop, &Type::Int)?.into_int_value();
        let inner = CountedLoop {
            s: plan.inner,
            target: plan.inner_target,
            start,
            stop,
            step: self.i64(1),
            count: self.i64(0),
            unit_step: true,
        };
        let mut ok = self.b.build_load(bool_t, flag, "")?.into_int_value();
        for slots in &copies {
            point_locals_at(cx, &own, slots);
            let spec = self.speculation(cx, flag, &inner, plan.inner_body);
            let inside = self.check_reads_ahead(cx, &spec, &inner, plan.inner_body)?;
            ok = self.b.build_and(ok, inside, "")?;
        }
        point_locals_at(cx, &own, &home);
        let apart = self.check_stores_ahead(cx, &plan.writes, &plan.reads)?;
        ok = self.b.build_and(ok, apart, "")?;
        let br = self.b.build_conditional_branch(ok, fused, as_written)?;
        self.expect_true(br);

        // Fused: one inner loop running both iterations' bodies, nothing left to check.
        self.b.position_at_end(fused);
        self.fused_inner_loop(cx, &inner, plan.inner_body, &own, &copies)?;
        // The locals as the round's last iteration leaves them.
        let last_copy = copies.last().expect("COPIES > 0");
        for ((l, slot), home_slot) in own.iter().zip(last_copy).zip(&home) {
            let v = self.b.build_load(self.llvm_type(&self.local_ty(cx, *l)), *slot, "")?;
            self.b.build_store(*home_slot, v)?;
        }
        self.b.build_unconditional_branch(next)?;

        // As written: the round's iterations one after the other, raising where Python would.
        self.b.position_at_end(as_written);
        let round_end = self.b.build_int_nsw_add(k, self.i64(COPIES as i64), "")?;
        self.b.build_store(plain_stop, round_end)?;
        self.b.build_store(resume, bool_t.const_all_ones())?;
        self.b.build_unconditional_branch(plain)?;

        self.b.position_at_end(next);
        self.set_loc(cx.scope, &lp.s.span);
        let k_next = self.b.build_int_nsw_add(k, self.i64(COPIES as i64), "")?;
        self.b.build_store(counter, k_next)?;
        let back = self.b.build_unconditional_branch(head)?;
        self.mark_loop(back);

        // Fewer than two left: the rest as written, to the end.
        self.b.position_at_end(rest);
        self.b.build_store(plain_stop, lp.stop)?;
        self.b.build_store(resume, bool_t.const_zero())?;
        self.b.build_unconditional_branch(plain)?;

        self.b.position_at_end(plain);
        let from = self.b.build_load(i64t, counter, "")?.into_int_value();
        let to = self.b.build_load(i64t, plain_stop, "")?.into_int_value();
        self.counted_loop(cx, &CountedLoop { start: from, stop: to, ..*lp }, body, after)?;
        let back_to_rounds = self.b.build_load(bool_t, resume, "")?.into_int_value();
        self.b.build_conditional_branch(back_to_rounds, next, end)?;
        self.b.position_at_end(end);
        Ok(())
    }

    /// `for j in range(start, stop)` running the body once per iteration of the round, each
    /// with its own locals (`copies`), every check known to pass.
    fn fused_inner_loop(
        &mut self,
        cx: &mut FnCx<'ctx>,
        inner: &CountedLoop<'ctx, '_>,
        body: &[Stmt],
        own: &[LocalId],
        copies: &[Vec<PointerValue<'ctx>>],
    ) -> Cg<()> {
        let i64t = self.ctx.i64_type();
        let home: Vec<PointerValue<'ctx>> = own.iter().map(|l| cx.locals[*l]).collect();
        let counter = self.entry_alloca(cx, i64t.into(), "jam.j")?;
        self.b.build_store(counter, inner.start)?;
        let head = self.append(cx.func, "jam.for");
        let body_bb = self.append(cx.func, "jam.for.body");
        let done = self.append(cx.func, "jam.for.done");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let j = self.b.build_load(i64t, counter, "j")?.into_int_value();
        let more = self.b.build_int_compare(IntPredicate::SLT, j, inner.stop, "")?;
        self.b.build_conditional_branch(more, body_bb, done)?;
        self.b.position_at_end(body_bb);
        let jt = self.local_ty(cx, inner.target);
        let jv = self.coerce(cx, j.into(), &Type::Int, &jt)?;
        self.store_local(cx, inner.target, jv)?;
        cx.checks_pass = true;
        let mut ran = Ok(());
        for slots in copies {
            point_locals_at(cx, own, slots);
            ran = self.block(cx, body);
            if ran.is_err() {
                break;
            }
        }
        point_locals_at(cx, own, &home);
        cx.checks_pass = false;
        ran?;
        self.set_loc(cx.scope, &inner.s.span);
        let j1 = self.b.build_int_nsw_add(j, self.i64(1), "")?;
        self.b.build_store(counter, j1)?;
        let back = self.b.build_unconditional_branch(head)?;
        self.mark_loop(back);
        self.b.position_at_end(done);
        Ok(())
    }
}

/// Whether every local `e` reads passes `allowed`.
fn reads_only(e: &Expr, allowed: &dyn Fn(LocalId) -> bool) -> bool {
    let mut ok = true;
    hir::walk_expr(e, &mut |x| {
        if let ExprKind::Local(l) = x.kind {
            ok &= allowed(l);
        }
    });
    ok
}
