//! Emits unrolled-and-jammed loops, planned by plan/jam.rs (see there for what qualifies
//! and why it is still Python): rounds of two iterations with fused inner loops
//! ([`Codegen::jammed_loop`]), then the last one as written.

use super::state::{point_locals_at, Cg, Codegen, CountedLoop, FnCx};
use crate::hir::{LocalId, Stmt};
use crate::plan::jam::JamPlan;
use crate::types::Type;
use inkwell::basic_block::BasicBlock;
use inkwell::values::PointerValue;
use inkwell::IntPredicate;

pub(crate) use crate::plan::jam::COPIES;

impl<'ctx> Codegen<'ctx, '_> {
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
