//! Fresh arrays: arrays a function creates itself and then only reads and writes element by
//! element, measures (`len`, `.shape`, `.ndim`, `.size`) or returns. No other array the
//! function touches can share their memory, so their element loads and stores carry LLVM's
//! scoped-noalias metadata saying so, and every other element access says it does not touch them.
//!
//! Takes an instance's HIR and types ([`fresh_locals`]); gives the per-function tags
//! ([`FreshArrays`]) and [`Codegen::tag_element_access`], which marks the loads and stores at one
//! element address.
//!
//! Why: `c[i, j] += aik * b[k, j]` writes `c` and reads `b`; without this LLVM cannot tell
//! whether the two rows overlap and tests it before every vectorized row (matmul: once per `k`).
//! An array made in the function (`np.zeros`, `.copy()`, …) cannot overlap an argument or
//! another new array, as long as no view, alias or call ever sees it: any other use of the
//! variable (passing it on, slicing it, iterating over it, binding it to another name, binding
//! it to anything but a new array) leaves it out. The arena keeps every array the call made
//! alive until it returns, so no two of them ever share memory either.

use crate::hir::{
    self, ArrayAttr, Builtin, Expr, ExprKind, Index, LocalId, Stmt, StmtKind, Target,
};
use crate::types::{Instance, Type};
use std::collections::HashMap;

/// The locals of an instance that hold only arrays it created and that no view, alias or call
/// ever sees (see the module doc).
pub(crate) fn fresh_locals(f: &hir::Function, inst: &Instance) -> Vec<LocalId> {
    let mut state: HashMap<LocalId, (bool, usize, usize)> = HashMap::new(); // (qualifies, uses, allowed uses)
    for (l, t) in inst.locals.iter().enumerate().skip(f.params.len()) {
        if matches!(t, Type::Array(_)) {
            state.insert(l, (true, 0, 0));
        }
    }
    if state.is_empty() {
        return Vec::new();
    }
    let ndim = |l: LocalId| match &inst.locals[l] {
        Type::Array(at) => at.ndim,
        _ => usize::MAX,
    };
    // An element position: one scalar index per dimension.
    let element = |l: LocalId, indices: &[Index]| {
        indices.len() == ndim(l)
            && indices
                .iter()
                .all(|i| matches!(i, Index::At(e) if !matches!(inst.exprs[e.id], Type::Array(_))))
    };
    let local_of = |e: &Expr| match e.kind {
        ExprKind::Local(l) => Some(l),
        _ => None,
    };
    // Every occurrence of a local as an expression, and the ones in an allowed place.
    let mut bodies: Vec<&[Stmt]> = vec![&f.body];
    hir::for_each_expr(&f.body, &mut |e| {
        if let ExprKind::Comprehension(_, _, body) = &e.kind {
            bodies.push(body);
        }
        let allowed = match &e.kind {
            ExprKind::Local(l) => {
                if let Some(s) = state.get_mut(l) {
                    s.1 += 1;
                }
                None
            }
            ExprKind::Subscript(x, indices) => local_of(x)
                .filter(|l| element(*l, indices) && !matches!(inst.exprs[e.id], Type::Array(_))),
            ExprKind::Attr(x, ArrayAttr::Shape | ArrayAttr::Ndim | ArrayAttr::Size) => local_of(x),
            ExprKind::Builtin(Builtin::Len, args) if args.len() == 1 => local_of(&args[0]),
            ExprKind::EachItem(holders, _) => {
                for h in holders {
                    if let Some(s) = state.get_mut(h) {
                        s.0 = false;
                    }
                }
                None
            }
            _ => None,
        };
        if let Some(s) = allowed.and_then(|l| state.get_mut(&l)) {
            s.2 += 1;
        }
    });
    for body in bodies {
        statements(body, &mut state, &element);
    }
    let mut out: Vec<LocalId> = state
        .into_iter()
        .filter(|(_, (ok, uses, allowed))| *ok && uses == allowed)
        .map(|(l, _)| l)
        .collect();
    out.sort_unstable();
    out
}

/// The statement-level part of [`fresh_locals`]: what binds each local, and the element stores
/// and `return x` that use it.
fn statements(
    stmts: &[Stmt],
    state: &mut HashMap<LocalId, (bool, usize, usize)>,
    element: &dyn Fn(LocalId, &[Index]) -> bool,
) {
    fn disqualify(state: &mut HashMap<LocalId, (bool, usize, usize)>, l: LocalId) {
        if let Some(s) = state.get_mut(&l) {
            s.0 = false;
        }
    }
    fn targets(t: &Target, state: &mut HashMap<LocalId, (bool, usize, usize)>) {
        match t {
            Target::Local(l, _) => disqualify(state, *l),
            Target::Tuple(items, _) => items.iter().for_each(|x| targets(x, state)),
            _ => {}
        }
    }
    fn allow(state: &mut HashMap<LocalId, (bool, usize, usize)>, e: &Expr) {
        if let ExprKind::Local(l) = e.kind {
            if let Some(s) = state.get_mut(&l) {
                s.2 += 1;
            }
        }
    }
    let element_store =
        |state: &mut HashMap<LocalId, (bool, usize, usize)>, array: &Expr, indices: &[Index]| {
            if let ExprKind::Local(l) = array.kind {
                if element(l, indices) {
                    allow(state, array);
                }
            }
        };
    for s in stmts {
        match &s.kind {
            StmtKind::Assign {
                target: Target::Local(_, _),
                value: Expr { kind: ExprKind::NpCreate(..) | ExprKind::Copy(_), .. },
            } => {}
            StmtKind::Assign { target: Target::Item(array, indices, _), .. } => {
                element_store(state, array, indices)
            }
            StmtKind::AugAssignItem { array, indices, .. } => element_store(state, array, indices),
            StmtKind::Assign { target, .. } => targets(target, state),
            StmtKind::AugAssign { target, .. } => disqualify(state, *target),
            StmtKind::ForRange { target, each, .. } => {
                disqualify(state, *target);
                for h in each.iter().flatten() {
                    disqualify(state, *h);
                }
            }
            StmtKind::Return(Some(x)) => allow(state, x),
            StmtKind::Try { handlers, .. } => {
                for h in handlers {
                    if let Some(name) = h.name {
                        disqualify(state, name);
                    }
                }
            }
            _ => {}
        }
        for block in s.kind.blocks() {
            statements(block, state, element);
        }
    }
}
