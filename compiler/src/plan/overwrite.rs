//! Zero fills the next loop overwrites: `out = np.zeros((n, m))` directly followed by a loop
//! nest that assigns every element of a rectangle of it (`for i in range(1, n - 1): for j in
//! range(1, m - 1): out[i, j] = ...`) asks numpy for an uninitialized array (`np.empty`) and
//! zeroes only what the loops leave alone: the border.
//!
//! Takes a block's statements ([`Codegen::overwritten_zeros`] says whether the statement at
//! an index starts such a pair); gives the assignment ([`Codegen::zeros_then_border`]); the
//! loop that follows compiles as usual.
//!
//! Why: zeroing a large grid took a sixth of the stencil's time, for values the loop then
//! replaced; `np.empty` of the same shape costs next to nothing (docs/performance.md,
//! "Measurements behind the transforms").
//!
//! Why it is still Python: once the loop has run, every element holds what Python's would: the
//! loop's values inside the rectangle, zeros outside it. Until then the array is only reachable
//! through the function's own variable (a fresh array, codegen/fresh.rs: only indexed,
//! measured or returned), the loop reads nothing of it, and the function has no `try`: if the
//! loop raises, the exception leaves the function and the array is never seen.

use super::facts::Facts;
use crate::hir::{BinOp, Const, Expr, ExprKind, Index, LocalId, NpFn, Stmt, StmtKind, Target};
use crate::types::Type;

/// Where the loops write, per axis of the array: from `start` to the axis length minus
/// `short_of_end`.
pub(crate) struct Overwrite {
    pub(crate) rectangle: Vec<(i64, i64)>,
}

impl Facts<'_> {
    /// Whether `stmts[at]` is `out = np.zeros(shape)` (1 or 2 axes, each a local) and
    /// `stmts[at + 1]` a loop nest assigning `out[i, j] = <value not reading out>` over
    /// `range(start, length - c)` per axis (see the module doc).
    pub(crate) fn overwritten_zeros(&self, stmts: &[Stmt], at: usize) -> Option<Overwrite> {
        let StmtKind::Assign { target: Target::Local(out, _), value } = &stmts[at].kind else {
            return None;
        };
        let ExprKind::NpCreate(NpFn::Zeros, args, _) = &value.kind else { return None };
        let Type::Array(array) = self.local_ty(*out) else { return None };
        if !self.is_fresh(*out) || super::speculate::has_try(&self.function().body) {
            return None;
        }
        let local = |e: &Expr| match e.kind {
            ExprKind::Local(l) => Some(l),
            _ => None,
        };
        let shape: Vec<LocalId> = match &args.first()?.kind {
            ExprKind::Tuple(items) => items.iter().map(local).collect::<Option<_>>()?,
            ExprKind::Local(l) => vec![*l],
            _ => return None,
        };
        if shape.len() != array.ndim || !(1..=2).contains(&array.ndim) {
            return None;
        }
        let nest = stmts.get(at + 1)?;
        let mut loop_stmt = nest;
        let mut targets = Vec::new();
        let mut rectangle = Vec::new();
        for (axis, length) in shape.iter().enumerate() {
            let StmtKind::ForRange {
                target,
                start,
                stop,
                step: None,
                body,
                orelse,
                each: None,
                ..
            } = &loop_stmt.kind
            else {
                return None;
            };
            if !orelse.is_empty() {
                return None;
            }
            let from = match start.as_ref().map(|e| &e.kind) {
                None => 0,
                Some(ExprKind::Const(Const::Int(c))) if *c >= 0 => *c,
                _ => return None,
            };
            let short_of_end = match &stop.kind {
                ExprKind::Local(l) if l == length => 0,
                ExprKind::Binary(BinOp::Sub, a, b) if local(a) == Some(*length) => match b.kind {
                    ExprKind::Const(Const::Int(c)) if c >= 0 => c,
                    _ => return None,
                },
                _ => return None,
            };
            targets.push(*target);
            rectangle.push((from, short_of_end));
            let [inner] = body.as_slice() else { return None };
            loop_stmt = inner;
            if axis + 1 == shape.len() {
                // The innermost body: one assignment of the element the loops point at.
                let StmtKind::Assign { target: Target::Item(array_expr, indices, _), value } =
                    &inner.kind
                else {
                    return None;
                };
                let at_targets = indices.len() == targets.len()
                    && indices
                        .iter()
                        .zip(&targets)
                        .all(|(ix, t)| matches!(ix, Index::At(e) if local(e) == Some(*t)));
                let mut reads_out = false;
                crate::hir::walk_expr(value, &mut |x| reads_out |= local(x) == Some(*out));
                if local(array_expr) != Some(*out) || !at_targets || reads_out {
                    return None;
                }
            }
        }
        // The loops change no local but their own variables (the lengths stay as they were).
        let mut writes = Vec::new();
        crate::hir::local_writes(std::slice::from_ref(nest), &mut writes);
        if !writes.iter().all(|(l, _, _)| targets.contains(l)) {
            return None;
        }
        Some(Overwrite { rectangle })
    }
}
