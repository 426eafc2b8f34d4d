//! Failing by escape: which recursive instances leave on failure by a `longjmp` back to their
//! entry instead of returning through every frame (codegen/escape.rs emits the entry and the
//! jumps; see there for why).
//!
//! Takes the typed program; gives [`fails_by_escape`] per instance, and the call-graph facts it
//! rests on ([`is_recursive`], [`creates_arrays`]), which codegen reads too.

use crate::hir::{self, ExprKind};
use crate::types::{InstanceId, Program, Type};

/// A recursive instance that holds nothing a failure would have to release (no Python
/// objects, no arrays it created or returns, no `try`, no parallel loop): it fails by escape.
pub(crate) fn fails_by_escape(hir: &hir::Module, prog: &Program, id: InstanceId) -> bool {
    let inst = &prog.instances[id];
    let holds_objects = inst
        .exprs
        .iter()
        .chain(&inst.locals)
        .chain(&inst.params)
        .chain(std::iter::once(&inst.ret))
        .any(|t| *t == Type::Object);
    let mut catches_or_forks = false;
    fn scan(stmts: &[crate::hir::Stmt], found: &mut bool) {
        for s in stmts {
            *found |= matches!(
                s.kind,
                crate::hir::StmtKind::Try { .. }
                    | crate::hir::StmtKind::ForRange { parallel: Some(_), .. }
            );
            s.kind.blocks().into_iter().for_each(|b| scan(b, found));
        }
    }
    scan(&hir.functions[inst.func].body, &mut catches_or_forks);
    is_recursive(prog, id)
        && !holds_objects
        && !catches_or_forks
        && !has_array(&inst.ret)
        && !creates_arrays(hir, prog, id)
}

/// Whether an instance can reach itself through calls.
pub(crate) fn is_recursive(prog: &Program, id: InstanceId) -> bool {
    let mut seen = vec![false; prog.instances.len()];
    let mut stack: Vec<InstanceId> = prog.instances[id].calls.values().copied().collect();
    while let Some(i) = stack.pop() {
        if i == id {
            return true;
        }
        if !std::mem::replace(&mut seen[i], true) {
            stack.extend(prog.instances[i].calls.values().copied());
        }
    }
    false
}

/// Whether an instance owns Python objects: it creates arrays, or gets arrays back from calls.
pub(crate) fn creates_arrays(hir: &hir::Module, prog: &Program, id: InstanceId) -> bool {
    let inst = &prog.instances[id];
    let mut owns = false;
    hir::for_each_expr(&hir.functions[inst.func].body, &mut |e| match &e.kind {
        ExprKind::NpCreate(..) | ExprKind::Copy(_) => owns = true,
        // A whole-array result, or a temporary for an array store whose operands overlap
        // its target (codegen/elementwise.rs).
        ExprKind::Binary(..)
        | ExprKind::Unary(..)
        | ExprKind::Compare(..)
        | ExprKind::Ufunc(..)
        | ExprKind::Reduce(..)
        | ExprKind::AsType(..)
            if matches!(inst.exprs[e.id], Type::Array(_)) =>
        {
            owns = true
        }
        // A result numpy computed, held natively: its owner sits in the arena.
        ExprKind::CallObject(..) | ExprKind::CallMethod(..) | ExprKind::Reduce(..)
            if crate::types::numpy_calls::through_numpy(e, &|x| inst.exprs[x.id].clone()) =>
        {
            owns = true
        }
        ExprKind::Call(..) => {
            if let Some(callee) = inst.calls.get(&e.id) {
                owns |= has_array(&prog.instances[*callee].ret);
            }
        }
        _ => {}
    });
    owns || stores_arrays(&hir.functions[inst.func].body, inst)
}

/// Whether a body stores into array views or updates arrays in place (a temporary when the
/// value overlaps the target).
fn stores_arrays(stmts: &[hir::Stmt], inst: &crate::types::Instance) -> bool {
    use crate::types::elementwise::stores_view;
    stmts.iter().any(|s| {
        let view = |array: &hir::Expr, indices: &[hir::Index]| {
            matches!(&inst.exprs[array.id], Type::Array(at) if stores_view(at, indices))
        };
        let here = match &s.kind {
            hir::StmtKind::Assign { target: hir::Target::Item(array, indices, _), .. } => {
                view(array, indices)
            }
            hir::StmtKind::AugAssignItem { array, indices, .. } => view(array, indices),
            hir::StmtKind::AugAssign { target, .. } => {
                matches!(inst.locals[*target], Type::Array(_))
            }
            _ => false,
        };
        here || s.kind.blocks().into_iter().any(|b| stores_arrays(b, inst))
    })
}

/// Whether a value of this type holds an array (itself, or inside a tuple).
pub(crate) fn has_array(t: &Type) -> bool {
    match t {
        Type::Array(_) => true,
        Type::Tuple(items) => items.iter().any(has_array),
        _ => false,
    }
}
