//! Statements: assignments, augmented assignments, `if`, `while`, `for`, `return` and the
//! rest, lowered as planned (an `if` the plan if-converts goes to ifconvert.rs, a zero fill cut
//! to its border to overwrite.rs; `for` loops to loops.rs).

use super::capi;
use super::state::FnCx;
use super::state::{Cg, CgError, Codegen};
use crate::hir::{self, Expr, ExprKind, Stmt, StmtKind, Target};
use crate::plan::Strategy;
use crate::types::{falls_through, Type};
use inkwell::basic_block::BasicBlock;
use inkwell::values::{BasicValueEnum, IntValue};

impl<'ctx> Codegen<'ctx, '_> {
    /// `then` where `c` holds, else `orelse`; both go on to `after` (the builder is left in a
    /// finished block: position it where the caller continues).
    pub(super) fn branches(
        &mut self,
        cx: &mut FnCx<'ctx>,
        c: IntValue<'ctx>,
        then: &[Stmt],
        orelse: &[Stmt],
        after: BasicBlock<'ctx>,
    ) -> Cg<()> {
        let then_bb = self.append(cx.func, "then");
        let else_bb = self.append(cx.func, "else");
        self.b.build_conditional_branch(c, then_bb, else_bb)?;
        self.b.position_at_end(then_bb);
        self.block(cx, then)?;
        self.b.build_unconditional_branch(after)?;
        self.b.position_at_end(else_bb);
        self.block(cx, orelse)?;
        self.b.build_unconditional_branch(after)?;
        Ok(())
    }

    pub(super) fn block(&mut self, cx: &mut FnCx<'ctx>, stmts: &[Stmt]) -> Cg<()> {
        for s in stmts {
            match self.plan.strategy(cx.inst, s) {
                // `out = np.zeros(...)` that the next loop overwrites (overwrite.rs).
                Some(Strategy::BorderOnly(overwrite)) => {
                    self.zeros_then_border(cx, s, overwrite)?
                }
                _ => self.stmt(cx, s)?,
            }
            // The rest is dead after a decided `if` whose branch taken leaves (see types).
            if let StmtKind::If { cond, then, orelse } = &s.kind {
                match self.decided(cx, cond) {
                    Some(true) if !falls_through(then) => break,
                    Some(false) if !falls_through(orelse) => break,
                    _ => {}
                }
            }
        }
        Ok(())
    }

    pub(super) fn store_target(
        &mut self,
        cx: &mut FnCx<'ctx>,
        target: &Target,
        v: BasicValueEnum<'ctx>,
        t: &Type,
    ) -> Cg<()> {
        match target {
            Target::Local(l, _) => {
                let lt = self.local_ty(cx, *l);
                let v = self.coerce(cx, v, t, &lt)?;
                self.store_local(cx, *l, v)?;
            }
            Target::Item(array, indices, span)
                if self.ty(cx, array) == Type::Object
                    || self.object_index(cx, indices)
                    || self.numpy_view_store(cx, array, indices, t) =>
            {
                self.set_loc(cx.scope, span);
                self.set_item(cx, array, indices, v, t)?;
            }
            Target::Item(array, indices, span) => {
                let (v, t) = match t {
                    Type::Object => {
                        let Type::Array(at) = self.ty(cx, array) else {
                            return Err(CgError("item of a non-array".into()));
                        };
                        // Convert first: the element address is computed after (nothing can fail between).
                        (self.unbox_for_store(cx, v.into_pointer_value(), &at.elem())?, at.elem())
                    }
                    _ => (v, t.clone()),
                };
                let (arr, at, ptr) = self.item_address(cx, array, indices)?;
                self.set_loc(cx.scope, span);
                self.store_element(cx, arr, ptr, at.dtype, v, &t)?;
                self.tag_element_access(cx, array, ptr);
            }
            Target::Attr(value, name, span) => {
                self.set_loc(cx.scope, span);
                self.set_attr(cx, value, name, v, t)?;
            }
            Target::Global(name, span) => {
                self.set_loc(cx.scope, span);
                self.set_module_value(cx, name, v, t)?;
            }
            Target::Tuple(items, _) if *t == Type::Object => {
                let values = self.unpack(cx, v.into_pointer_value(), items.len())?;
                cx.temps.extend(values.iter().copied());
                for (item, value) in items.iter().zip(values) {
                    cx.temps.retain(|x| *x != value);
                    self.store_target(cx, item, value.into(), &Type::Object)?;
                }
            }
            Target::Tuple(items, _) => {
                let Type::Tuple(ts) = t else {
                    return Err(CgError("unpacking a non-tuple".into()));
                };
                // Read every item first: `a, b = b, a` must see the old values.
                let mut values = Vec::new();
                for i in 0..items.len() {
                    values.push(self.b.build_extract_value(v.into_struct_value(), i as u32, "")?);
                }
                for ((item, value), it) in items.iter().zip(values).zip(ts) {
                    self.store_target(cx, item, value, it)?;
                }
            }
        }
        Ok(())
    }

    /// Stores into a local; an object local releases the object it held.
    pub(super) fn store_local(
        &mut self,
        cx: &mut FnCx<'ctx>,
        l: hir::LocalId,
        v: BasicValueEnum<'ctx>,
    ) -> Cg<()> {
        if self.local_ty(cx, l) == Type::Object {
            let old = self.b.build_load(self.ptr_type(), cx.locals[l], "")?.into_pointer_value();
            self.b.build_store(cx.locals[l], v)?;
            self.obj_decref(old)?;
        } else {
            self.b.build_store(cx.locals[l], v)?;
        }
        Ok(())
    }

    pub(super) fn stmt(&mut self, cx: &mut FnCx<'ctx>, s: &Stmt) -> Cg<()> {
        if cx.spec.is_some() {
            return self.speculative_stmt(cx, s);
        }
        self.set_loc(cx.scope, &s.span);
        // An `if` planned to run as selects (ifconvert.rs).
        if let StmtKind::If { cond, then, orelse } = &s.kind {
            match self.plan.strategy(cx.inst, s) {
                Some(Strategy::IfSelect) => return self.conditional_update(cx, cond, then),
                Some(Strategy::SelectBranches(branches)) => {
                    return self.select_branches(cx, cond, then, orelse, branches)
                }
                _ => {}
            }
        }
        match &s.kind {
            // `a, b = x, y` holding objects: item by item (all read before any is stored).
            StmtKind::Assign {
                target: Target::Tuple(targets, _),
                value: value @ Expr { kind: ExprKind::Tuple(items), .. },
            } if targets.len() == items.len() && self.ty(cx, value) == Type::Object => {
                let mut values = Vec::new();
                for item in items {
                    let v = self.expr(cx, item)?;
                    let t = self.ty(cx, item);
                    if t == Type::Object {
                        cx.temps.push(v.into_pointer_value());
                    }
                    values.push((v, t));
                }
                self.set_loc(cx.scope, &s.span);
                for (target, (v, t)) in targets.iter().zip(values) {
                    if t == Type::Object {
                        let p = v.into_pointer_value();
                        cx.temps.retain(|x| *x != p);
                    }
                    self.store_target(cx, target, v, &t)?;
                }
            }
            // `a[1:-1] = expr`, `a[:] = 0`: computed into the view (elementwise.rs).
            StmtKind::Assign { target: Target::Item(array, indices, span), value }
                if self.stores_view(cx, array, indices, value, None) =>
            {
                self.store_into_view(cx, array, indices, value, None, span)?;
            }
            StmtKind::Assign { target, value } => {
                let v = self.expr(cx, value)?;
                let t = self.ty(cx, value);
                self.set_loc(cx.scope, &s.span);
                self.store_target(cx, target, v, &t)?;
            }
            StmtKind::AugAssign { target, op, value, target_span }
                if self.local_ty(cx, *target) == Type::Object =>
            {
                let current = self.load_object_local(cx, *target)?;
                cx.temps.push(current);
                let v = self.expr(cx, value)?;
                let vt = self.ty(cx, value);
                cx.temps.pop();
                self.set_loc(cx.scope, target_span);
                let r = self.object_binary(cx, *op, current.into(), &Type::Object, v, &vt, true)?;
                self.store_local(cx, *target, r.into())?;
            }
            StmtKind::AugAssignItem { array, indices, target_span, op, value }
                if self.ty(cx, array) == Type::Object
                    || self.object_index(cx, indices)
                    || (self.views(cx, array, indices)
                        && !self.stores_view(cx, array, indices, value, Some(*op))) =>
            {
                self.set_loc(cx.scope, target_span);
                self.aug_assign_item(cx, array, indices, *op, value)?;
            }
            StmtKind::RaiseObject(e, cause) => {
                self.raise_object(cx, e, cause.as_ref())?;
            }
            StmtKind::ForRange { target, body, orelse, each: Some(holders), .. }
                if holders.iter().any(|h| self.local_ty(cx, *h) == Type::Object) =>
            {
                self.for_each_object(cx, *target, holders, body, orelse)?;
            }
            // `v += x` of an array: in place, as numpy does.
            StmtKind::AugAssign { target, op, value, target_span }
                if matches!(self.local_ty(cx, *target), Type::Array(_)) =>
            {
                self.update_array_local(cx, *target, *op, value, target_span)?;
            }
            StmtKind::AugAssign { target, op, value, target_span } => {
                let lt = self.local_ty(cx, *target);
                let current = self.b.build_load(self.llvm_type(&lt), cx.locals[*target], "")?;
                let v = self.expr(cx, value)?;
                let vt = self.ty(cx, value);
                self.set_loc(cx.scope, target_span);
                let (r, rt) = self.binary(cx, *op, current, &lt, v, &vt, value)?;
                let r = self.convert(r, &rt, &lt)?;
                self.b.build_store(cx.locals[*target], r)?;
            }
            // `#omp atomic` / `critical` on an element update (atomic.rs).
            StmtKind::AugAssignItem { array, indices, target_span, op, value }
                if self.hir.functions[self.prog.instances[cx.inst].func]
                    .atomic_items
                    .contains(&s.id) =>
            {
                self.atomic_element_update(cx, array, indices, *op, value, target_span)?;
            }
            StmtKind::AugAssignItem { array, indices, target_span, op, value }
                if self.stores_view(cx, array, indices, value, Some(*op)) =>
            {
                self.store_into_view(cx, array, indices, value, Some(*op), target_span)?;
            }
            StmtKind::AugAssignItem { array, indices, target_span, op, value } => {
                let (arr, at, ptr) = self.item_address(cx, array, indices)?;
                let current = self.load_element(ptr, at.dtype)?;
                let v = self.expr(cx, value)?;
                let vt = self.ty(cx, value);
                self.set_loc(cx.scope, target_span);
                let (r, rt) = self.element_binary(cx, *op, current, &at.elem(), v, &vt, value)?;
                let (r, rt) = if rt == Type::Object {
                    (self.unbox_for_store(cx, r.into_pointer_value(), &at.elem())?, at.elem())
                } else {
                    (r, rt)
                };
                self.store_element(cx, arr, ptr, at.dtype, r, &rt)?;
                self.tag_element_access(cx, array, ptr);
            }
            StmtKind::Expr(e) => {
                let v = self.expr(cx, e)?;
                // The value is not kept: an object result is released.
                if self.ty(cx, e) == Type::Object {
                    self.obj_decref(v.into_pointer_value())?;
                }
            }
            // A condition the types decided: only the branch taken (the other was not typed).
            StmtKind::If { cond, then, orelse } if self.decided(cx, cond).is_some() => {
                let taken = if self.decided(cx, cond) == Some(true) { then } else { orelse };
                self.block(cx, taken)?;
            }
            StmtKind::If { cond, then, orelse } => {
                let c = self.condition(cx, cond)?;
                let after = self.append(cx.func, "endif");
                self.branches(cx, c, then, orelse, after)?;
                self.b.position_at_end(after);
            }
            StmtKind::While { cond, body, orelse } => {
                let head = self.append(cx.func, "while");
                let body_bb = self.append(cx.func, "body");
                let else_bb = self.append(cx.func, "while.else");
                let after = self.append(cx.func, "endwhile");
                self.b.build_unconditional_branch(head)?;
                self.b.position_at_end(head);
                let c = self.condition(cx, cond)?;
                self.b.build_conditional_branch(c, body_bb, else_bb)?;
                self.b.position_at_end(body_bb);
                cx.loops.push((head, after, cx.temps.len(), cx.finally_stack.len()));
                self.block(cx, body)?;
                cx.loops.pop();
                self.set_loc(cx.scope, &s.span);
                let back = self.b.build_unconditional_branch(head)?;
                self.mark_loop(back);
                self.b.position_at_end(else_bb);
                self.block(cx, orelse)?;
                self.b.build_unconditional_branch(after)?;
                self.b.position_at_end(after);
            }
            StmtKind::ForRange { target, start, stop, step, body, orelse, parallel, .. } => {
                self.for_range(
                    cx,
                    s,
                    *target,
                    start.as_ref(),
                    stop,
                    step.as_ref(),
                    body,
                    orelse,
                    parallel.as_deref(),
                )?;
            }
            StmtKind::Break | StmtKind::Continue => {
                self.leave_loop_body(cx, matches!(s.kind, StmtKind::Break))?;
                self.open_dead_block(cx.func);
            }
            StmtKind::Try { body, handlers, orelse, finalbody } => {
                self.try_stmt(cx, body, handlers, orelse, finalbody)?;
            }
            StmtKind::Reraise => {
                let [tp, value, tb] = *cx
                    .handling
                    .last()
                    .ok_or_else(|| CgError("bare raise outside a handler".into()))?;
                for o in [tp, value, tb] {
                    self.obj_xincref(o)?;
                }
                capi::call(self, "PyErr_Restore", &[tp.into(), value.into(), tb.into()])?;
                let unwind = self.unwind_block(cx)?;
                self.b.build_unconditional_branch(unwind)?;
                self.open_dead_block(cx.func);
            }
            StmtKind::Return(value) => {
                let ret = self.prog.instances[cx.inst].ret.clone();
                let v = match value {
                    Some(e) => {
                        let v = self.expr(cx, e)?;
                        let t = self.ty(cx, e);
                        self.coerce(cx, v, &t, &ret)?
                    }
                    None => {
                        let none = self.ctx.struct_type(&[], false).const_zero().into();
                        self.coerce(cx, none, &Type::None, &ret)?
                    }
                };
                self.set_loc(cx.scope, &s.span);
                if cx.finally_stack.is_empty() {
                    self.return_value(cx, v)?;
                } else {
                    self.return_through_finally(cx, v)?;
                }
                self.open_dead_block(cx.func);
            }
            StmtKind::Raise { exception, message } => {
                self.raise(cx, exception, message.as_deref())?;
            }
            StmtKind::Assert { cond, message } => {
                let c = self.condition(cx, cond)?;
                let cont = self.append(cx.func, "assert.ok");
                let fail = self.append(cx.func, "assert.fail");
                self.b.build_conditional_branch(c, cont, fail)?;
                self.b.position_at_end(fail);
                self.raise(cx, "AssertionError", message.as_deref())?;
                self.b.build_unconditional_branch(cont)?;
                self.b.position_at_end(cont);
            }
        }
        Ok(())
    }
}
