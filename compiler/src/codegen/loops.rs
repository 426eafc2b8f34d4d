//! `for` loops over ranges: the trip count, the parallel split, and the loop strategy the plan
//! chose (speculate, lanes, jam, unroll, or the counted loop as written).

use super::state::{Cg, Codegen};
use super::state::{CountedLoop, FnCx, Speculation};
use crate::hir::{self, Const, Expr, ExprKind, Stmt};
use crate::plan::Strategy;
use crate::types::Type;
use inkwell::basic_block::BasicBlock;
use inkwell::values::{BasicValueEnum, IntValue, PointerValue};
use inkwell::IntPredicate;

/// Iterations per block of a speculative loop that stores (`Codegen::speculative_blocks`):
/// three float64 arrays of a block (24 KB) stay in the 32 KB L1 cache between its two runs.
pub(super) const STORE_BLOCK: i64 = 1024;

impl<'ctx> Codegen<'ctx, '_> {
    /// `for target in range(start, stop, step)`: counts k = 0..len(range) and sets
    /// target = start + k*step, the shape LLVM's loop passes understand best; no overflow
    /// even for ranges that end near the int64 limits.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn for_range(
        &mut self,
        cx: &mut FnCx<'ctx>,
        s: &Stmt,
        target: hir::LocalId,
        start: Option<&Expr>,
        stop: &Expr,
        step: Option<&Expr>,
        body: &[Stmt],
        orelse: &[Stmt],
        parallel: Option<&hir::Parallel>,
    ) -> Cg<()> {
        let int = |this: &mut Self, cx: &mut FnCx<'ctx>, e: &Expr| -> Cg<IntValue<'ctx>> {
            Ok(this.operand(cx, e, &Type::Int)?.into_int_value())
        };
        let start_v = match start {
            Some(e) => int(self, cx, e)?,
            None => self.i64(0),
        };
        let stop_v = int(self, cx, stop)?;
        let step_const = match step.map(|e| &e.kind) {
            None => Some(1),
            Some(ExprKind::Const(Const::Int(k))) => Some(*k),
            _ => None,
        };
        let step_v = match step {
            Some(e) => int(self, cx, e)?,
            None => self.i64(1),
        };
        self.set_loc(cx.scope, &s.span);
        let zero = self.i64(0);
        let one = self.i64(1);
        if step_const.is_none() || step_const == Some(0) {
            let nz = self.b.build_int_compare(IntPredicate::NE, step_v, zero, "")?;
            self.guard(cx, nz, "ValueError", "range() arg 3 must not be zero")?;
        }
        // Trip count, computed in unsigned arithmetic: (distance - 1) / |step| + 1 when non-empty.
        let up_count = {
            let nonempty = self.b.build_int_compare(IntPredicate::SLT, start_v, stop_v, "")?;
            let dist = self.b.build_int_sub(stop_v, start_v, "")?;
            let n = if step_const == Some(1) {
                dist
            } else {
                let d1 = self.b.build_int_sub(dist, one, "")?;
                let q = self.b.build_int_unsigned_div(d1, step_v, "")?;
                self.b.build_int_add(q, one, "")?
            };
            self.b.build_select(nonempty, n, zero, "")?.into_int_value()
        };
        let down_count = |this: &mut Self| -> Cg<IntValue<'ctx>> {
            let nonempty = this.b.build_int_compare(IntPredicate::SGT, start_v, stop_v, "")?;
            let dist = this.b.build_int_sub(start_v, stop_v, "")?;
            let d1 = this.b.build_int_sub(dist, one, "")?;
            let mag = this.b.build_int_sub(zero, step_v, "")?;
            let q = this.b.build_int_unsigned_div(d1, mag, "")?;
            let n = this.b.build_int_add(q, one, "")?;
            Ok(this.b.build_select(nonempty, n, zero, "")?.into_int_value())
        };
        let count = match step_const {
            Some(k) if k > 0 => up_count,
            Some(k) if k < 0 => down_count(self)?,
            _ => {
                let dn = down_count(self)?;
                let pos = self.b.build_int_compare(IntPredicate::SGT, step_v, zero, "")?;
                self.b.build_select(pos, up_count, dn, "")?.into_int_value()
            }
        };
        // With step 1 (most loops) the counter is i itself, `i < stop`, `i += 1` without signed
        // overflow (i < stop <= MAX): the textbook form from which LLVM derives index ranges and
        // drops bounds checks. Other steps count k = 0..len(range) and compute start + k*step,
        // which cannot overflow either for k < len.
        // A parallel loop runs through the runtime (or serially when its `if` clause is false).
        let mut region_done = None;
        if let Some(p) = parallel {
            let region = self.append(cx.func, "parallel");
            let serial = self.append(cx.func, "serial");
            let done = self.append(cx.func, "parallel.done");
            match &p.condition {
                Some(c) => {
                    let go = self.condition(cx, c)?;
                    self.b.build_conditional_branch(go, region, serial)?;
                }
                None => {
                    self.b.build_unconditional_branch(region)?;
                }
            }
            self.b.position_at_end(region);
            // With a positive constant step, the body may restate where its indexes lie.
            let range = if step_const.is_some_and(|k| k > 0) { Some((start, stop)) } else { None };
            self.parallel_for(cx, s, target, start_v, step_v, count, body, p, range)?;
            self.b.build_unconditional_branch(done)?;
            self.b.position_at_end(serial);
            region_done = Some(done);
        }
        let unit_step = step_const == Some(1);
        let after = self.append(cx.func, "endfor");
        let lp =
            CountedLoop { s, target, start: start_v, stop: stop_v, step: step_v, count, unit_step };
        // The strategy the plan chose for this loop (plan/mod.rs lists them in order).
        let plan = self.plan;
        match plan.strategy(cx.inst, s) {
            Some(Strategy::Speculate(spec)) => self.speculative_loop(cx, &lp, spec, body, after)?,
            Some(Strategy::Lanes(lanes)) => {
                // Several iterations side by side (lockstep.rs).
                self.lockstep_loop(cx, &lp, lanes, body, after)?;
            }
            Some(Strategy::Jam(jam)) => {
                // Two iterations per round, their inner loops fused (jam.rs).
                self.jammed_loop(cx, &lp, jam, body, after)?;
            }
            Some(Strategy::Unroll(stored)) => {
                // Four iterations per loop test (unroll.rs).
                self.unrolled_loop(cx, &lp, body, stored, after)?;
            }
            _ => self.counted_loop(cx, &lp, body, after)?,
        }
        self.block(cx, orelse)?;
        self.b.build_unconditional_branch(after)?;
        self.b.position_at_end(after);
        if let Some(done) = region_done {
            self.b.build_unconditional_branch(done)?;
            self.b.position_at_end(done);
        }
        Ok(())
    }

    /// A loop planned to speculate (speculate.rs): first with the checks collected (a loop that
    /// stores: block by block, then the block's stores with the checks known to pass); again as
    /// written where one failed.
    pub(super) fn speculative_loop(
        &mut self,
        cx: &mut FnCx<'ctx>,
        lp: &CountedLoop<'ctx, '_>,
        plan: &crate::plan::speculate::Plan,
        body: &[Stmt],
        after: BasicBlock<'ctx>,
    ) -> Cg<()> {
        let target = lp.target;
        let restored = self.facts(cx).locals_to_restore(target, body);
        let saved = self.load_locals(cx, &restored)?;
        let flag = self.entry_alloca(cx, self.ctx.bool_type().into(), "spec.ok")?;
        self.b.build_store(flag, self.ctx.bool_type().const_int(1, false))?;
        let spec = self.speculation(cx, flag, lp, body);
        // Reads (and stores) that stay in bounds for the whole loop are checked here, once;
        // when one does not, the loop runs as written straight away.
        let mut checked_ahead = self.check_reads_ahead(cx, &spec, lp, body)?;
        if let crate::plan::speculate::Plan::Stores { writes, reads, .. } = plan {
            let stores_ok = self.check_stores_ahead(cx, writes, reads)?;
            checked_ahead = self.b.build_and(checked_ahead, stores_ok, "")?;
        }
        let speculate_bb = self.append(cx.func, "spec");
        let rerun = self.append(cx.func, "spec.rerun");
        let br = self.b.build_conditional_branch(checked_ahead, speculate_bb, rerun)?;
        self.expect_true(br);
        self.b.position_at_end(speculate_bb);
        let done = self.append(cx.func, "spec.done");
        match plan {
            crate::plan::speculate::Plan::Stores { checks_in_loop: false, .. } => {
                // Everything was checked above: the stores run at once.
                self.loop_in_mode(cx, lp, body, after, None, true)?;
                self.b.build_unconditional_branch(done)?;
            }
            crate::plan::speculate::Plan::Stores { .. } => {
                self.speculative_blocks(cx, lp, body, after, flag, &restored, done)?
            }
            crate::plan::speculate::Plan::Pure => {
                self.loop_in_mode(cx, lp, body, after, Some(spec), false)?;
                let ok = self.b.build_load(self.ctx.bool_type(), flag, "")?.into_int_value();
                let br = self.b.build_conditional_branch(ok, done, rerun)?;
                self.expect_true(br);
            }
        }
        self.b.position_at_end(rerun);
        self.store_locals(cx, &saved)?;
        self.counted_loop(cx, lp, body, after)?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        Ok(())
    }

    /// A speculative loop that stores (`crate::plan::speculate::Plan::Stores`), a block of
    /// [`STORE_BLOCK`] iterations at a time: the block's checks, then, if they all passed, its
    /// stores with the checks known to pass, else the block as written; so each block's data
    /// is read from memory once. A block that fails raises where Python would, the blocks
    /// before it done. Ends by branching to `done`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn speculative_blocks(
        &mut self,
        cx: &mut FnCx<'ctx>,
        lp: &CountedLoop<'ctx, '_>,
        body: &[Stmt],
        after: BasicBlock<'ctx>,
        flag: PointerValue<'ctx>,
        restored: &[hir::LocalId],
        done: BasicBlock<'ctx>,
    ) -> Cg<()> {
        let i64t = self.ctx.i64_type();
        let block_start = self.entry_alloca(cx, i64t.into(), "spec.block")?;
        self.b.build_store(block_start, lp.start)?;
        let head = self.append(cx.func, "spec.blocks");
        let block = self.append(cx.func, "spec.block.checks");
        let checked = self.append(cx.func, "spec.checked");
        let as_written = self.append(cx.func, "spec.block.rerun");
        let next = self.append(cx.func, "spec.block.next");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let from = self.b.build_load(i64t, block_start, "")?.into_int_value();
        let more = self.b.build_int_compare(IntPredicate::SLT, from, lp.stop, "")?;
        self.b.build_conditional_branch(more, block, done)?;
        self.b.position_at_end(block);
        // from < stop, so stop - from fits unsigned, and from + STORE_BLOCK cannot overflow
        // when it is below stop.
        let left = self.b.build_int_sub(lp.stop, from, "")?;
        let long = self.b.build_int_compare(IntPredicate::UGT, left, self.i64(STORE_BLOCK), "")?;
        let to = self
            .b
            .build_select(
                long,
                self.b.build_int_add(from, self.i64(STORE_BLOCK), "")?,
                lp.stop,
                "",
            )?
            .into_int_value();
        let part = CountedLoop { start: from, stop: to, ..*lp };
        let at_start = self.load_locals(cx, restored)?;
        self.b.build_store(flag, self.ctx.bool_type().const_int(1, false))?;
        let spec = self.speculation(cx, flag, &part, body);
        self.loop_in_mode(cx, &part, body, after, Some(spec), false)?;
        let ok = self.b.build_load(self.ctx.bool_type(), flag, "")?.into_int_value();
        let br = self.b.build_conditional_branch(ok, checked, as_written)?;
        self.expect_true(br);
        for (target, checks_pass) in [(checked, true), (as_written, false)] {
            self.b.position_at_end(target);
            self.store_locals(cx, &at_start)?;
            self.loop_in_mode(cx, &part, body, after, None, checks_pass)?;
            self.b.build_unconditional_branch(next)?;
        }
        self.b.position_at_end(next);
        self.b.build_store(block_start, to)?;
        let back = self.b.build_unconditional_branch(head)?;
        self.mark_loop(back);
        Ok(())
    }

    /// [`Self::counted_loop`] speculating (`spec`) or with every check known to pass.
    pub(super) fn loop_in_mode(
        &mut self,
        cx: &mut FnCx<'ctx>,
        lp: &CountedLoop<'ctx, '_>,
        body: &[Stmt],
        after: BasicBlock<'ctx>,
        spec: Option<Speculation<'ctx>>,
        checks_pass: bool,
    ) -> Cg<()> {
        cx.spec = spec;
        cx.checks_pass = checks_pass;
        let looped = self.counted_loop(cx, lp, body, after);
        cx.spec = None;
        cx.checks_pass = false;
        looped
    }

    /// The current values of some (non-object) locals, to put back with [`Self::store_locals`].
    pub(super) fn load_locals(
        &self,
        cx: &FnCx<'ctx>,
        locals: &[hir::LocalId],
    ) -> Cg<Vec<(hir::LocalId, BasicValueEnum<'ctx>)>> {
        locals
            .iter()
            .map(|l| {
                Ok((
                    *l,
                    self.b.build_load(self.llvm_type(&self.local_ty(cx, *l)), cx.locals[*l], "")?,
                ))
            })
            .collect()
    }

    pub(super) fn store_locals(
        &self,
        cx: &FnCx<'ctx>,
        values: &[(hir::LocalId, BasicValueEnum<'ctx>)],
    ) -> Cg<()> {
        for (l, v) in values {
            self.b.build_store(cx.locals[*l], *v)?;
        }
        Ok(())
    }

    /// The loop itself: counter, test, body, increment. `break` goes to `after`; the builder is
    /// left where the loop ends normally (where `else` runs).
    pub(super) fn counted_loop(
        &mut self,
        cx: &mut FnCx<'ctx>,
        lp: &CountedLoop<'ctx, '_>,
        body: &[Stmt],
        after: BasicBlock<'ctx>,
    ) -> Cg<()> {
        let (zero, one) = (self.i64(0), self.i64(1));
        let counter = self.entry_alloca(cx, self.ctx.i64_type().into(), "k")?;
        self.b.build_store(counter, if lp.unit_step { lp.start } else { zero })?;
        let head = self.append(cx.func, "for");
        let body_bb = self.append(cx.func, "for.body");
        let latch = self.append(cx.func, "for.next");
        let else_bb = self.append(cx.func, "for.else");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let k = self.b.build_load(self.ctx.i64_type(), counter, "k")?.into_int_value();
        let more = if lp.unit_step {
            self.b.build_int_compare(IntPredicate::SLT, k, lp.stop, "")?
        } else {
            self.b.build_int_compare(IntPredicate::ULT, k, lp.count, "")?
        };
        self.b.build_conditional_branch(more, body_bb, else_bb)?;
        self.b.position_at_end(body_bb);
        let i = if lp.unit_step {
            k
        } else {
            let offset = self.b.build_int_nsw_mul(k, lp.step, "")?;
            self.b.build_int_nsw_add(lp.start, offset, "i")?
        };
        let lt = self.local_ty(cx, lp.target);
        let iv = self.coerce(cx, i.into(), &Type::Int, &lt)?;
        self.store_local(cx, lp.target, iv)?;
        cx.loops.push((latch, after, cx.temps.len(), cx.finally_stack.len()));
        self.block(cx, body)?;
        cx.loops.pop();
        self.b.build_unconditional_branch(latch)?;
        self.b.position_at_end(latch);
        self.set_loc(cx.scope, &lp.s.span);
        let k = self.b.build_load(self.ctx.i64_type(), counter, "")?.into_int_value();
        let k1 = if lp.unit_step {
            self.b.build_int_nsw_add(k, one, "")?
        } else {
            self.b.build_int_add(k, one, "")?
        };
        self.b.build_store(counter, k1)?;
        let back = self.b.build_unconditional_branch(head)?;
        self.mark_loop(back);
        self.b.position_at_end(else_bb);
        Ok(())
    }
}
