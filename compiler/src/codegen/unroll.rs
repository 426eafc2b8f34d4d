//! Unrolled scatter loops: an innermost `for` loop over a range that stores into an array at
//! an index it computes (`counts[k] += 1` with `k = int(v * bins)`, the histogram pattern)
//! runs four iterations per round of its loop test.
//!
//! Takes a `for` statement ([`scatters`] says whether its body qualifies); gives the loop
//! ([`Codegen::unrolled_loop`]): rounds of four copies of the body while four iterations are
//! left, then the rest one at a time.
//!
//! Why: no vectorizer runs a scatter (two elements may land in the same bin), so the loop runs
//! one element at a time, and LLVM, which unrolls such loops for Numba (no checks, one exit),
//! leaves ours rolled: every bounds or conversion check is a way out of the loop, and its
//! runtime unroller takes loops with one. Each element then paid the loop's own test and a
//! taken branch back. With the copies written out here, each keeps its checks, in order, and
//! the round pays one test. histogram: 0.465 → 0.40 ms, the same as Numba (interleaved, best
//! of 400 batches); LLVM unrolling all multi-exit loops (`-unroll-runtime-multi-exit`) gave
//! histogram the same but made bubble sort 13 % slower, so only scatters are unrolled, and only
//! in the version compiled for C-contiguous arrays: the copies cost build time (histogram's
//! compile, `-v` total: 90–109 ms rolled, 142–163 with both versions unrolled, 112–138 now).
//!
//! Why it is still Python: the copies run in order, iteration `i` then `i + 1`, each with the
//! loop variable set as Python sets it; `continue` goes on to the next copy, `break` leaves.

use super::{Cg, Codegen, CountedLoop, FnCx};
use crate::hir::{self, Expr, ExprKind, Index, LocalId, Stmt, StmtKind, Target};
use crate::types::{Instance, Type};
use inkwell::basic_block::BasicBlock;
use inkwell::values::IntValue;
use inkwell::IntPredicate;

/// Iterations per round.
pub(crate) const TIMES: u64 = 4;

/// Statements a body may have (counted through `if`s) to be copied four times.
const MAX_STATEMENTS: usize = 12;

/// Whether a loop body scatters (see the module doc): no loop inside it, a handful of
/// statements, and a store into an array element indexed by a local the body assigns (with the
/// types of `inst`). Gives the arrays the body stores into that it does not rebind.
pub(super) fn scatters(inst: &Instance, body: &[Stmt]) -> Option<Vec<LocalId>> {
    fn walk<'h>(
        stmts: &'h [Stmt],
        count: &mut usize,
        nested: &mut bool,
        stores: &mut Vec<(&'h Expr, &'h [Index])>,
    ) {
        for s in stmts {
            *count += 1;
            match &s.kind {
                StmtKind::While { .. } | StmtKind::ForRange { .. } | StmtKind::Try { .. } => {
                    *nested = true
                }
                StmtKind::Assign { target: Target::Item(array, indices, _), .. } => {
                    stores.push((array, indices))
                }
                StmtKind::AugAssignItem { array, indices, .. } => stores.push((array, indices)),
                _ => {}
            }
            s.kind.blocks().into_iter().for_each(|b| walk(b, count, nested, stores));
        }
    }
    let (mut count, mut nested, mut stores) = (0, false, Vec::new());
    walk(body, &mut count, &mut nested, &mut stores);
    if nested || count > MAX_STATEMENTS {
        return None;
    }
    let mut written = Vec::new();
    hir::local_writes(body, &mut written);
    let assigned = |l: LocalId| written.iter().any(|(w, _, _)| *w == l);
    let computed = |e: &Expr| {
        let mut found = false;
        hir::walk_expr(e, &mut |x| found |= matches!(x.kind, ExprKind::Local(l) if assigned(l)));
        found
    };
    // Only the version for C-contiguous arrays (the one most calls take): copies cost build
    // time (see the module doc).
    let mut strided = false;
    hir::for_each_expr(body, &mut |x| {
        let arrays: Vec<&Type> = match &x.kind {
            ExprKind::Subscript(value, _) => vec![&inst.exprs[value.id]],
            ExprKind::EachItem(holders, _) => holders.iter().map(|h| &inst.locals[*h]).collect(),
            _ => vec![],
        };
        strided |= arrays.iter().any(|t| matches!(t, Type::Array(at) if !at.contiguous));
    });
    if strided {
        return None;
    }
    let into_array = |e: &Expr| matches!(inst.exprs[e.id], Type::Array(_));
    if !stores.iter().any(|(array, indices)| {
        into_array(array) && indices.iter().any(|i| matches!(i, Index::At(e) if computed(e)))
    }) {
        return None;
    }
    let mut arrays = Vec::new();
    for (array, _) in stores {
        if let ExprKind::Local(l) = array.kind {
            if !assigned(l) && !arrays.contains(&l) {
                arrays.push(l);
            }
        }
    }
    Some(arrays)
}

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
                let w = self.field(arr, super::arrays::WRITABLE)?.into_int_value();
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
