//! Emits unrolled scatter loops, planned by plan/unroll.rs (see there for what qualifies and
//! why): rounds of four copies of the body ([`Codegen::unrolled_loop`]), then the rest.

use super::state::{Cg, Codegen, CountedLoop, FnCx};
use crate::hir::{LocalId, Stmt};
use crate::types::Type;
use inkwell::basic_block::BasicBlock;
use inkwell::values::IntValue;
use inkwell::IntPredicate;

pub(crate) use crate::plan::unroll::TIMES;

impl<'ctx> Codegen<'ctx, '_> {
    /// Whether iterations `k .. k + n - 1` of a step-1 loop up to `stop` are all left:
    /// `k + n - 1 < stop`, computed without overflow (the sum only when `k` is not near the top;
    /// a select, so the unused comparison is not even looked at). In this form LLVM knows each
    /// copy's index is below `stop` and drops their bounds checks against it.
    pub(super) fn iterations_left(
        &self,
        k: IntValue<'ctx>,
        stop: IntValue<'ctx>,
        n: u64,
    ) -> Cg<IntValue<'ctx>> {
        let last = n as i64 - 1;
        let fits = self.b.build_int_compare(IntPredicate::SLT, k, self.i64(i64::MAX - last), "")?;
        let k_last = self.b.build_int_nsw_add(k, self.i64(last), "")?;
        let below = self.b.build_int_compare(IntPredicate::SLT, k_last, stop, "")?;
        Ok(self
            .b
            .build_select(fits, below, self.ctx.bool_type().const_zero(), "")?
            .into_int_value())
    }

    /// A step-1 loop four iterations per round, then the rest through [`Self::counted_loop`].
    /// `break` goes to `after`; the builder is left where the loop ends normally. `stored`: the
    /// arrays the body stores into (from [`scatters`]); when one of them is read-only the loop
    /// runs as written (its first store raises). Asked once here, writability is known to the
    /// copies, which then test nothing for it (LLVM would do this itself for a rolled loop, but
    /// not for four copies: hist_in with its bins as an argument ran 23 % slower unrolled).
    pub(super) fn unrolled_loop(
        &mut self,
        cx: &mut FnCx<'ctx>,
        lp: &CountedLoop<'ctx, '_>,
        body: &[Stmt],
        stored: &[LocalId],
        after: BasicBlock<'ctx>,
    ) -> Cg<()> {
        let i64t = self.ctx.i64_type();
        let mut writable = self.ctx.bool_type().const_all_ones();
        for &l in stored {
            let ty = self.local_ty(cx, l);
            if matches!(ty, Type::Array(_)) {
                let arr =
                    self.b.build_load(self.llvm_type(&ty), cx.locals[l], "")?.into_struct_value();
                let w = self.field(arr, super::layout::WRITABLE)?.into_int_value();
                writable = self.b.build_and(writable, w, "")?;
            }
        }
        let counter = self.entry_alloca(cx, i64t.into(), "round")?;
        self.b.build_store(counter, lp.start)?;
        let head = self.append(cx.func, "unrolled");
        let round = self.append(cx.func, "unrolled.round");
        let rest = self.append(cx.func, "unrolled.rest");
        // Read-only: the whole loop as written (the loop for the rest, from the start).
        let br = self.b.build_conditional_branch(writable, head, rest)?;
        self.expect_true(br);
        self.b.position_at_end(head);
        let k = self.b.build_load(i64t, counter, "k")?.into_int_value();
        let go = self.iterations_left(k, lp.stop, TIMES)?;
        self.b.build_conditional_branch(go, round, rest)?;
        self.b.position_at_end(round);
        let lt = self.local_ty(cx, lp.target);
        for copy in 0..TIMES {
            // k + copy < stop: no overflow.
            let i = self.b.build_int_nsw_add(k, self.i64(copy as i64), "i")?;
            let iv = self.coerce(cx, i.into(), &Type::Int, &lt)?;
            self.store_local(cx, lp.target, iv)?;
            let next = self.append(cx.func, "unrolled.next");
            cx.loops.push((next, after, cx.temps.len(), cx.finally_stack.len()));
            self.block(cx, body)?;
            cx.loops.pop();
            self.b.build_unconditional_branch(next)?;
            self.b.position_at_end(next);
        }
        self.set_loc(cx.scope, &lp.s.span);
        let k4 = self.b.build_int_nsw_add(k, self.i64(TIMES as i64), "")?;
        self.b.build_store(counter, k4)?;
        let back = self.b.build_unconditional_branch(head)?;
        self.mark_loop(back);
        self.b.position_at_end(rest);
        let from = self.b.build_load(i64t, counter, "")?.into_int_value();
        self.counted_loop(cx, &CountedLoop { start: from, ..*lp }, body, after)
    }
}
