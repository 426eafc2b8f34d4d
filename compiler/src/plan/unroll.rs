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
//! the round pays one test, as fast as Numba on the histogram. LLVM unrolling all multi-exit
//! loops (`-unroll-runtime-multi-exit`) did the same for the histogram but slowed bubble sort,
//! so only scatters are unrolled, and only in the version compiled for C-contiguous arrays: the
//! copies cost build time. (Measured: docs/performance.md, "Measurements behind the
//! transforms".)
//!
//! Why it is still Python: the copies run in order, iteration `i` then `i + 1`, each with the
//! loop variable set as Python sets it; `continue` goes on to the next copy, `break` leaves.

use crate::hir::{self, Expr, ExprKind, Index, LocalId, Stmt, StmtKind, Target};
use crate::types::{Instance, Type};

/// Iterations per round.
pub(crate) const TIMES: u64 = 4;

/// Statements a body may have (counted through `if`s) to be copied four times.
const MAX_STATEMENTS: usize = 12;

/// Whether a loop body scatters (see the module doc): no loop inside it, a handful of
/// statements, and a store into an array element indexed by a local the body assigns (with the
/// types of `inst`). Gives the arrays the body stores into that it does not rebind.
pub(crate) fn scatters(inst: &Instance, body: &[Stmt]) -> Option<Vec<LocalId>> {
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
