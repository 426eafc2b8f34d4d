//! Walking the HIR: every expression of a tree or a body, and the locals a body reads and
//! assigns. Used by lowering's own checks and by every later pass.

use super::data::*;
use crate::diagnostics::Span;

/// Calls `f` on an expression and every expression inside it (parents first).
pub fn walk_expr<'h>(e: &'h Expr, f: &mut dyn FnMut(&'h Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Call(_, args) => args.iter().for_each(|a| {
            if let Arg::Given(x) = a {
                walk_expr(x, f)
            }
        }),
        ExprKind::Const(_)
        | ExprKind::Local(_)
        | ExprKind::Global(_)
        | ExprKind::FunctionValue(_) => {}
        ExprKind::Lambda(_, captures) | ExprKind::Closure(_, captures) => {
            captures.iter().for_each(|x| walk_expr(x, f))
        }
        ExprKind::MakeClass(class) => {
            class.bases.iter().for_each(|x| walk_expr(x, f));
            class.attrs.iter().for_each(|(_, x)| walk_expr(x, f));
            class.methods.iter().for_each(|m| {
                walk_expr(&m.func, f);
                m.decorators.iter().for_each(|d| {
                    if let MethodDecorator::Call(x) = d {
                        walk_expr(x, f)
                    }
                })
            });
            class.keywords.iter().for_each(|(_, x)| walk_expr(x, f));
            class.annotations.iter().for_each(|(_, x)| walk_expr(x, f));
        }
        ExprKind::Tuple(items)
        | ExprKind::BoolOp(_, items)
        | ExprKind::Builtin(_, items)
        | ExprKind::List(items)
        | ExprKind::Set(items) => items.iter().for_each(|x| walk_expr(x, f)),
        ExprKind::NpCreate(_, items, dtype) => {
            items.iter().for_each(|x| walk_expr(x, f));
            if let Dtype::Of(x) = dtype {
                walk_expr(x, f);
            }
        }
        ExprKind::Unary(_, x)
        | ExprKind::Attr(x, _)
        | ExprKind::Copy(x)
        | ExprKind::GetAttr(x, _)
        | ExprKind::EachItem(_, x) => walk_expr(x, f),
        ExprKind::Dict(pairs) => pairs.iter().for_each(|(k, v)| {
            walk_expr(k, f);
            walk_expr(v, f);
        }),
        ExprKind::AsType(x, dtype, written) => {
            walk_expr(x, f);
            if let Dtype::Of(y) = dtype {
                walk_expr(y, f);
            }
            walk_expr(written, f);
        }
        ExprKind::Reduce(_, x, function, axis) => {
            walk_expr(x, f);
            if let Some(g) = function {
                walk_expr(g, f);
            }
            if let Some(a) = axis {
                walk_expr(&a.expr, f);
            }
        }
        ExprKind::Ufunc(_, x, args) => {
            walk_expr(x, f);
            args.iter().for_each(|a| walk_expr(a, f));
        }
        ExprKind::CallObject(x, args, kwargs) | ExprKind::CallMethod(x, _, args, kwargs) => {
            walk_expr(x, f);
            args.iter().for_each(|a| walk_expr(a, f));
            kwargs.iter().for_each(|(_, a)| walk_expr(a, f));
        }
        ExprKind::Comprehension(_, _, body) => for_each_expr(body, f),
        ExprKind::FString(parts) => parts.iter().for_each(|p| {
            if let FPart::Value(x, _, spec) = p {
                walk_expr(x, f);
                if let Some(spec) = spec {
                    walk_expr(spec, f);
                }
            }
        }),
        ExprKind::Binary(_, a, b) => {
            walk_expr(a, f);
            walk_expr(b, f);
        }
        ExprKind::Compare(first, rest) => {
            walk_expr(first, f);
            rest.iter().for_each(|(_, x)| walk_expr(x, f));
        }
        ExprKind::IfExp(a, b, c) => [a, b, c].iter().for_each(|x| walk_expr(x, f)),
        ExprKind::Subscript(x, indices) => {
            walk_expr(x, f);
            indices.iter().for_each(|i| walk_index(i, f));
        }
    }
}

pub(crate) fn walk_index<'h>(i: &'h Index, f: &mut dyn FnMut(&'h Expr)) {
    match i {
        Index::At(x) => walk_expr(x, f),
        Index::Slice(a, b, c) => [a, b, c].into_iter().flatten().for_each(|x| walk_expr(x, f)),
    }
}

/// Calls `f` on every expression of a body, nested ones included (parents first).
pub fn for_each_expr<'h>(stmts: &'h [Stmt], f: &mut dyn FnMut(&'h Expr)) {
    fn target<'h>(t: &'h Target, f: &mut dyn FnMut(&'h Expr)) {
        match t {
            Target::Local(..) => {}
            Target::Tuple(items, _) => items.iter().for_each(|x| target(x, f)),
            Target::Item(x, indices, _) => {
                walk_expr(x, f);
                indices.iter().for_each(|i| walk_index(i, f));
            }
            Target::Attr(x, _, _) => walk_expr(x, f),
            Target::Global(..) => {}
        }
    }
    for s in stmts {
        match &s.kind {
            StmtKind::Assign { target: t, value } => {
                target(t, f);
                walk_expr(value, f);
            }
            StmtKind::AugAssign { value, .. } | StmtKind::Expr(value) => walk_expr(value, f),
            StmtKind::AugAssignItem { array, indices, value, .. } => {
                walk_expr(array, f);
                indices.iter().for_each(|i| walk_index(i, f));
                walk_expr(value, f);
            }
            StmtKind::If { cond, then, orelse } | StmtKind::While { cond, body: then, orelse } => {
                walk_expr(cond, f);
                for_each_expr(then, f);
                for_each_expr(orelse, f);
            }
            StmtKind::ForRange { start, stop, step, body, orelse, .. } => {
                [start.as_ref(), Some(stop), step.as_ref()]
                    .into_iter()
                    .flatten()
                    .for_each(|x| walk_expr(x, f));
                for_each_expr(body, f);
                for_each_expr(orelse, f);
            }
            StmtKind::Return(Some(x))
            | StmtKind::Assert { cond: x, .. }
            | StmtKind::RaiseObject(x, None) => walk_expr(x, f),
            StmtKind::RaiseObject(x, Some(cause)) => {
                walk_expr(x, f);
                walk_expr(cause, f);
            }
            StmtKind::Try { body, handlers, orelse, finalbody } => {
                for_each_expr(body, f);
                for h in handlers {
                    if let Some(t) = &h.types {
                        walk_expr(t, f);
                    }
                    for_each_expr(&h.body, f);
                }
                for_each_expr(orelse, f);
                for_each_expr(finalbody, f);
            }
            StmtKind::Return(None)
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Raise { .. }
            | StmtKind::Reraise => {}
        }
    }
}

pub(crate) fn local_reads(stmts: &[Stmt], out: &mut Vec<(LocalId, Span)>) {
    for_each_expr(stmts, &mut |e| {
        if let ExprKind::Local(l) = e.kind {
            out.push((l, e.span.clone()));
        }
    });
}

/// Every local a body assigns: (local, where, whether in place like `s += x`).
pub(crate) fn local_writes(stmts: &[Stmt], out: &mut Vec<(LocalId, Span, bool)>) {
    fn target(t: &Target, out: &mut Vec<(LocalId, Span, bool)>) {
        match t {
            Target::Local(l, span) => out.push((*l, span.clone(), false)),
            Target::Tuple(items, _) => items.iter().for_each(|i| target(i, out)),
            Target::Item(..) | Target::Attr(..) | Target::Global(..) => {}
        }
    }
    for s in stmts {
        match &s.kind {
            StmtKind::Assign { target: t, .. } => target(t, out),
            StmtKind::AugAssign { target: l, target_span, .. } => {
                out.push((*l, target_span.clone(), true))
            }
            StmtKind::ForRange { target: l, target_span, body, orelse, .. } => {
                out.push((*l, target_span.clone(), false));
                local_writes(body, out);
                local_writes(orelse, out);
            }
            StmtKind::If { then: a, orelse: b, .. }
            | StmtKind::While { body: a, orelse: b, .. } => {
                local_writes(a, out);
                local_writes(b, out);
            }
            StmtKind::Try { handlers, .. } => {
                for h in handlers {
                    if let Some(l) = h.name {
                        out.push((l, h.span.clone(), false));
                    }
                }
                s.kind.blocks().into_iter().for_each(|b| local_writes(b, out));
            }
            _ => {}
        }
    }
}
