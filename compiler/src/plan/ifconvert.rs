//! If-conversion: `if` statements whose branches are cheap enough to run both, compiled as
//! selects and an unconditional store, so the CPU has no branch to mispredict and LLVM can
//! vectorize around them.
//!
//! Takes an `If` statement and its typed HIR; gives whether it qualifies. Two shapes:
//! * [`Facts::conditional_update`]: `if <cond reading a[i]>: a[i] = v` (running minima, floyd).
//! * [`Facts::branch_plan`]: `if c: <local updates> else: <local updates>`, both branches
//!   present, with one `a[i] += v` in one of them (run lengths, counting): both branches are
//!   evaluated, locals take the chosen values, the element is stored back with its old or new
//!   value. Only when nothing can tell: the values cannot raise or call anything, the element's
//!   address is checked first (an index out of range or a read-only array takes the ordinary
//!   branches, so errors are raised exactly as before), and the module has no parallel loops
//!   (another thread could write the element meanwhile).
//!
//! codegen/ifconvert.rs emits both.

use super::facts::Facts;
use crate::hir::{self, BinOp, Builtin, Const, Expr, ExprKind, Stmt, StmtKind, Target, UnaryOp};
use crate::types::Type;

/// The two branches of an `if` run as selects: their local updates and their element update.
pub(crate) type BranchPlan<'e> = (Vec<LocalUpdate<'e>>, ItemUpdate<'e>);

/// One local a branch assigns: `l = value` or `l op= value`.
pub(crate) struct LocalUpdate<'e> {
    pub(crate) then_branch: bool,
    pub(crate) local: hir::LocalId,
    pub(crate) op: Option<BinOp>,
    pub(crate) value: &'e Expr,
    pub(crate) span: &'e crate::diagnostics::Span,
}

/// The element update `a[i] op= value` of one branch.
pub(crate) struct ItemUpdate<'e> {
    pub(crate) then_branch: bool,
    pub(crate) array: &'e Expr,
    pub(crate) indices: Vec<&'e Expr>,
    pub(crate) op: BinOp,
    pub(crate) value: &'e Expr,
    pub(crate) span: &'e crate::diagnostics::Span,
}

impl Facts<'_> {
    /// Whether `if <cond reading a[idx]>: a[idx] = value` runs as a select and an
    /// unconditional store of the old or new value, which vectorizes as a blend instead of
    /// masked stores (floyd, running minima). Only when nothing can tell the difference: the
    /// element is read by the condition (so its index is valid and it is loaded anyway), the
    /// value cannot raise or call anything and reads only elements the condition reads, and the
    /// module has no parallel loops (another thread could write the element meanwhile). A
    /// read-only array still raises only when the condition holds.
    pub(crate) fn conditional_update(&self, cond: &Expr, then: &[Stmt]) -> bool {
        if self.has_parallel_loops {
            return false;
        }
        let [Stmt {
            kind: StmtKind::Assign { target: Target::Item(array, indices, _), value }, ..
        }] = then
        else {
            return false;
        };
        let ExprKind::Local(arr) = array.kind else { return false };
        let Type::Array(array_t) = self.ty(array) else { return false };
        // The value must widen to the element type (no numpy cast, like float into an int array).
        if crate::types::join(&self.ty(value), &array_t.elem()) != Some(array_t.elem()) {
            return false;
        }
        let mut cond_reads = Vec::new();
        collect_subscripts(cond, &mut cond_reads);
        let target_key = subscript_key(arr, indices);
        if target_key.is_none() || !cond_reads.contains(&target_key) {
            return false;
        }
        pure_value(value, &cond_reads)
            && indices.iter().all(|i| matches!(i, hir::Index::At(e) if pure_value(e, &[])))
    }

    /// The updates of both branches when they fit `select_branches`: only assignments and
    /// augmented assignments of numeric locals and exactly one `a[i] += v` / `-=` of a numeric
    /// array, every value free of calls, element reads and anything that can raise, no
    /// statement reading a local that an earlier one of its branch assigned.
    pub(crate) fn branch_plan<'e>(
        &self,
        then: &'e [Stmt],
        orelse: &'e [Stmt],
    ) -> Option<BranchPlan<'e>> {
        if self.has_parallel_loops {
            return None;
        }
        let numeric = |t: &Type| matches!(t, Type::Int | Type::Float | Type::Bool);
        let mut locals = Vec::new();
        let mut item = None;
        for (then_branch, stmts) in [(true, then), (false, orelse)] {
            let mut assigned: Vec<hir::LocalId> = Vec::new();
            for s in stmts {
                let mut reads = Vec::new();
                // The local this statement assigns, if any.
                let target = match &s.kind {
                    StmtKind::Assign { target: Target::Local(l, span), value } => {
                        if !numeric(&self.local_ty(*l)) || !self.speculable(value, &mut reads) {
                            return None;
                        }
                        locals.push(LocalUpdate { then_branch, local: *l, op: None, value, span });
                        Some(*l)
                    }
                    StmtKind::AugAssign { target, target_span, op, value } => {
                        if !matches!(self.local_ty(*target), Type::Int | Type::Float)
                            || !pure_op(*op)
                            || !self.speculable(value, &mut reads)
                        {
                            return None;
                        }
                        reads.push(*target);
                        locals.push(LocalUpdate {
                            then_branch,
                            local: *target,
                            op: Some(*op),
                            value,
                            span: target_span,
                        });
                        Some(*target)
                    }
                    StmtKind::AugAssignItem { array, indices, target_span, op, value } => {
                        let ExprKind::Local(a) = array.kind else { return None };
                        let Type::Array(at) = self.ty(array) else { return None };
                        if item.is_some()
                            || !matches!(op, BinOp::Add | BinOp::Sub)
                            || !matches!(at.elem(), Type::Int | Type::Float)
                        {
                            return None;
                        }
                        // The value must widen to the element type (no numpy cast).
                        if crate::types::join(&self.ty(value), &at.elem()) != Some(at.elem())
                            || !self.speculable(value, &mut reads)
                        {
                            return None;
                        }
                        let mut positions = Vec::new();
                        for i in indices {
                            let hir::Index::At(e) = i else { return None };
                            if self.ty(e) != Type::Int || !self.speculable(e, &mut reads) {
                                return None;
                            }
                            positions.push(e);
                        }
                        if positions.len() != at.ndim {
                            return None;
                        }
                        reads.push(a);
                        item = Some(ItemUpdate {
                            then_branch,
                            array,
                            indices: positions,
                            op: *op,
                            value,
                            span: target_span,
                        });
                        None
                    }
                    _ => return None,
                };
                // Everything is evaluated from the values before the `if`: no statement may see
                // what an earlier one of its branch assigned, and each local is assigned once.
                if reads.iter().any(|r| assigned.contains(r))
                    || target.is_some_and(|t| assigned.contains(&t))
                {
                    return None;
                }
                assigned.extend(target);
            }
        }
        Some((locals, item?))
    }

    /// Whether `e` can be evaluated even when its branch is not taken: numbers only, no call,
    /// no element read, nothing that can raise. Collects the locals it reads.
    fn speculable(&self, e: &Expr, reads: &mut Vec<hir::LocalId>) -> bool {
        if !matches!(self.ty(e), Type::Int | Type::Float | Type::Bool) {
            return false;
        }
        match &e.kind {
            ExprKind::Const(Const::Int(_) | Const::Float(_) | Const::Bool(_)) => true,
            ExprKind::Local(l) => {
                reads.push(*l);
                true
            }
            ExprKind::Unary(UnaryOp::Neg | UnaryOp::Not, x) => self.speculable(x, reads),
            ExprKind::Binary(op, a, b) => {
                pure_op(*op) && self.speculable(a, reads) && self.speculable(b, reads)
            }
            ExprKind::Compare(first, rest) => {
                self.speculable(first, reads) && rest.iter().all(|(_, x)| self.speculable(x, reads))
            }
            ExprKind::BoolOp(_, items) => items.iter().all(|x| self.speculable(x, reads)),
            ExprKind::IfExp(c, a, b) => {
                self.speculable(c, reads) && self.speculable(a, reads) && self.speculable(b, reads)
            }
            ExprKind::Builtin(Builtin::Min | Builtin::Max, args) => {
                args.len() >= 2 && args.iter().all(|x| self.speculable(x, reads))
            }
            _ => false,
        }
    }
}

/// Operators that cannot raise on numbers (no division, no power, no shifts).
pub(crate) fn pure_op(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor
    )
}

/// A key identifying `a[i, j]` with index expressions made of locals and constants.
pub(crate) fn subscript_key(array: hir::LocalId, indices: &[hir::Index]) -> Option<String> {
    fn expr_key(e: &Expr) -> Option<String> {
        Some(match &e.kind {
            ExprKind::Local(l) => format!("l{l}"),
            ExprKind::Const(Const::Int(k)) => format!("c{k}"),
            ExprKind::Binary(op, a, b) => {
                format!("({}{}{})", expr_key(a)?, op.symbol(), expr_key(b)?)
            }
            ExprKind::Unary(UnaryOp::Neg, a) => format!("(-{})", expr_key(a)?),
            _ => return None,
        })
    }
    let mut key = format!("a{array}[");
    for i in indices {
        match i {
            hir::Index::At(e) => key.push_str(&expr_key(e)?),
            hir::Index::Slice(..) => return None,
        }
        key.push(',');
    }
    Some(key)
}

/// The element reads `a[...]` (of locals, with simple indices) that evaluating an expression
/// always performs: not those behind `and`/`or`, a conditional expression's branches or a later
/// link of a chained comparison, which may not run (`if i < n and a[i] > 0: a[i] = 0` with
/// `i >= n` must not touch `a[i]`).
pub(crate) fn collect_subscripts(e: &Expr, out: &mut Vec<Option<String>>) {
    if let ExprKind::Subscript(array, indices) = &e.kind {
        if let ExprKind::Local(l) = array.kind {
            out.push(subscript_key(l, indices));
        }
    }
    match &e.kind {
        ExprKind::Tuple(items) | ExprKind::Builtin(_, items) => {
            items.iter().for_each(|x| collect_subscripts(x, out))
        }
        ExprKind::BoolOp(_, items) => items.iter().take(1).for_each(|x| collect_subscripts(x, out)),
        ExprKind::Unary(_, x) | ExprKind::IfExp(x, _, _) => collect_subscripts(x, out),
        ExprKind::Binary(_, a, b) => {
            collect_subscripts(a, out);
            collect_subscripts(b, out);
        }
        ExprKind::Compare(first, rest) => {
            collect_subscripts(first, out);
            rest.iter().take(1).for_each(|(_, x)| collect_subscripts(x, out));
        }
        _ => {}
    }
}

/// Whether evaluating `e` can neither raise nor call anything, reading only elements in `allowed`.
pub(crate) fn pure_value(e: &Expr, allowed: &[Option<String>]) -> bool {
    match &e.kind {
        ExprKind::Const(_) | ExprKind::Local(_) => true,
        ExprKind::Unary(op, x) => *op != UnaryOp::Invert && pure_value(x, allowed),
        ExprKind::Binary(op, a, b) => {
            matches!(
                op,
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor
            ) && pure_value(a, allowed)
                && pure_value(b, allowed)
        }
        ExprKind::Subscript(array, indices) => match array.kind {
            ExprKind::Local(l) => {
                subscript_key(l, indices).is_some() && allowed.contains(&subscript_key(l, indices))
            }
            _ => false,
        },
        _ => false,
    }
}
