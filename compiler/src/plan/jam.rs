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
//! round loads and stores each element once instead of twice; four iterations per round gained
//! next to nothing over two (docs/performance.md, "Measurements behind the transforms").
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

use super::facts::Facts;
use super::speculate::{self, Plan};
use crate::hir::{self, Const, Expr, ExprKind, LocalId, Stmt, StmtKind};
use crate::types::Type;

/// Iterations per round.
pub(crate) const COPIES: u64 = 2;

/// A body that runs jammed: `prefix`, then `for inner_target in range(start, stop): inner_body`.
pub(crate) struct JamPlan<'h> {
    pub(crate) prefix: &'h [Stmt],
    pub(crate) inner: &'h Stmt,
    pub(crate) inner_target: LocalId,
    pub(crate) start: Option<&'h Expr>,
    pub(crate) stop: &'h Expr,
    pub(crate) inner_body: &'h [Stmt],
    /// The locals the prefix computes: each iteration of a round has its own.
    pub(crate) private: Vec<LocalId>,
    /// The arrays the inner loop stores into, and every array read in the round.
    pub(crate) writes: Vec<LocalId>,
    pub(crate) reads: Vec<LocalId>,
}

impl Facts<'_> {
    /// Whether a step-1 `for` loop's body qualifies (see the module doc).
    pub(crate) fn jam_plan<'h>(&self, target: LocalId, body: &'h [Stmt]) -> Option<JamPlan<'h>> {
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
        if !self.speculable_assignments(&moving, prefix) {
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
            self.speculable_loop(*inner_target, true, inner_body)
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
            let contiguous = matches!(self.local_ty(a), Type::Array(at) if at.contiguous);
            if !contiguous && !writes.iter().all(|w| self.is_fresh(*w)) {
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
}

/// Whether every local `e` reads passes `allowed`.
pub(crate) fn reads_only(e: &Expr, allowed: &dyn Fn(LocalId) -> bool) -> bool {
    let mut ok = true;
    hir::walk_expr(e, &mut |x| {
        if let ExprKind::Local(l) = x.kind {
            ok &= allowed(l);
        }
    });
    ok
}
