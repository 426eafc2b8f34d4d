//! If-conversion: `if` statements whose branches are cheap enough to run both, compiled as
//! selects and an unconditional store, so the CPU has no branch to mispredict and LLVM can
//! vectorize around them.
//!
//! Takes an `If` statement and its typed HIR; gives either nothing (the pattern does not apply:
//! codegen compiles the `if` as branches) or the branch-free code. Two shapes:
//! * [`Codegen::conditional_update`]: `if <cond reading a[i]>: a[i] = v` (running minima, floyd).
//! * [`Codegen::select_branches`]: `if c: <local updates> else: <local updates>`, both branches
//!   present, with one `a[i] += v` in one of them (run lengths, counting): both branches are
//!   evaluated, locals take the chosen values, the element is stored back with its old or new
//!   value. Only when nothing can tell: the values cannot raise or call anything, the element's
//!   address is checked first (an index out of range or a read-only array takes the ordinary
//!   branches, so errors are raised exactly as before), and the module has no parallel loops
//!   (another thread could write the element meanwhile).

use super::{arrays, Cg, CgError, Codegen, FnCx};
use crate::hir::{self, BinOp, Builtin, Const, Expr, ExprKind, Stmt, StmtKind, Target, UnaryOp};
use crate::types::Type;
use inkwell::values::{BasicValueEnum, IntValue};
use inkwell::IntPredicate;

/// One local a branch assigns: `l = value` or `l op= value`.
struct LocalUpdate<'e> {
    then_branch: bool,
    local: hir::LocalId,
    op: Option<BinOp>,
    value: &'e Expr,
    span: &'e crate::diagnostics::Span,
}

/// The element update `a[i] op= value` of one branch.
struct ItemUpdate<'e> {
    then_branch: bool,
    array: &'e Expr,
    indices: Vec<&'e Expr>,
    op: BinOp,
    value: &'e Expr,
    span: &'e crate::diagnostics::Span,
}

impl<'ctx> Codegen<'ctx, '_> {
    /// `if <cond reading a[idx]>: a[idx] = value` as a select and an unconditional store of
    /// the old or new value, which vectorizes as a blend instead of masked stores (floyd,
    /// running minima). Only when nothing can tell the difference: the element is read by the
    /// condition (so its index is valid and it is loaded anyway), the value cannot raise or
    /// call anything and reads only elements the condition reads, and the module has no
    /// parallel loops (another thread could write the element meanwhile). A read-only array
    /// still raises only when the condition holds. Returns false when the pattern does not apply.
    pub(super) fn conditional_update(
        &mut self,
        cx: &mut FnCx<'ctx>,
        cond: &Expr,
        then: &[Stmt],
    ) -> Cg<bool> {
        if self.has_parallel_loops || cx.parallel_body {
            return Ok(false);
        }
        let [Stmt {
            kind: StmtKind::Assign { target: Target::Item(array, indices, span), value },
            ..
        }] = then
        else {
            return Ok(false);
        };
        let ExprKind::Local(arr) = array.kind else { return Ok(false) };
        let Type::Array(array_t) = self.ty(cx, array) else { return Ok(false) };
        // The value must widen to the element type (no numpy cast, like float into an int array).
        if crate::types::join(&self.ty(cx, value), &array_t.elem()) != Some(array_t.elem()) {
            return Ok(false);
        }
        let mut cond_reads = Vec::new();
        collect_subscripts(cond, &mut cond_reads);
        let target_key = subscript_key(arr, indices);
        if target_key.is_none() || !cond_reads.contains(&target_key) {
            return Ok(false);
        }
        if !pure_value(value, &cond_reads)
            || !indices.iter().all(|i| matches!(i, hir::Index::At(e) if pure_value(e, &[])))
        {
            return Ok(false);
        }
        let c = self.condition(cx, cond)?;
        let v = self.expr(cx, value)?;
        let vt = self.ty(cx, value);
        self.set_loc(cx.scope, span);
        let (arr_v, at, ptr) = self.item_address(cx, array, indices)?;
        // Raise for a read-only array only when the condition holds, as Python would.
        let writable = self.field(arr_v, arrays::WRITABLE)?.into_int_value();
        let ok = self.b.build_or(writable, self.b.build_not(c, "")?, "")?;
        self.guard(cx, ok, "ValueError", "assignment destination is read-only")?;
        let old = self.load_element(ptr, at.dtype)?;
        let new = self.convert(v, &vt, &at.elem())?;
        let chosen = self.b.build_select(c, new, old, "")?;
        self.store_element_unchecked(ptr, at.dtype, chosen, &at.elem())?;
        self.tag_element_access(cx, array, ptr);
        Ok(true)
    }

    /// `if c: <local updates> else: <local updates>` with one `a[i] += v` (or `-=`) in one branch,
    /// as selects (see the module doc). Returns false when the pattern does not apply.
    pub(super) fn select_branches(
        &mut self,
        cx: &mut FnCx<'ctx>,
        cond: &Expr,
        then: &[Stmt],
        orelse: &[Stmt],
    ) -> Cg<bool> {
        if self.has_parallel_loops || cx.parallel_body {
            return Ok(false);
        }
        let Some((locals, item)) = self.branch_plan(cx, then, orelse) else { return Ok(false) };
        let c = self.condition(cx, cond)?;
        // The element's address, checked without raising: in range (after wraparound) and writable.
        self.set_loc(cx.scope, item.span);
        let arr = self.expr(cx, item.array)?.into_struct_value();
        let Type::Array(at) = self.ty(cx, item.array) else {
            return Err(CgError("item update of a non-array".into()));
        };
        let mut positions = Vec::new();
        for e in &item.indices {
            positions.push(self.operand(cx, e, &Type::Int)?.into_int_value());
        }
        let (ptr, fits) = self.element_ptr_if_valid(cx, arr, &at, &positions)?;
        let writable = self.field(arr, arrays::WRITABLE)?.into_int_value();
        let ok = self.b.build_and(fits, writable, "")?;
        let fast = self.append(cx.func, "ifconv");
        let slow = self.append(cx.func, "ifconv.branches");
        let after = self.append(cx.func, "ifconv.end");
        let br = self.b.build_conditional_branch(ok, fast, slow)?;
        self.expect_true(br);

        // Anything unusual: the branches as written (they raise the IndexError or ValueError).
        self.b.position_at_end(slow);
        self.branches(cx, c, then, orelse, after)?;

        // Both branches' values, all computed from the values before the `if`.
        self.b.position_at_end(fast);
        let mut chosen: Vec<(
            hir::LocalId,
            Option<BasicValueEnum<'ctx>>,
            Option<BasicValueEnum<'ctx>>,
        )> = Vec::new();
        for u in &locals {
            let lt = self.local_ty(cx, u.local);
            let v = self.expr(cx, u.value)?;
            let vt = self.ty(cx, u.value);
            self.set_loc(cx.scope, u.span);
            let new = match u.op {
                Some(op) => {
                    let current = self.b.build_load(self.llvm_type(&lt), cx.locals[u.local], "")?;
                    let (r, rt) = self.binary(cx, op, current, &lt, v, &vt, u.value)?;
                    self.convert(r, &rt, &lt)?
                }
                None => self.convert(v, &vt, &lt)?,
            };
            match chosen.iter_mut().find(|(l, _, _)| *l == u.local) {
                Some(entry) if u.then_branch => entry.1 = Some(new),
                Some(entry) => entry.2 = Some(new),
                None if u.then_branch => chosen.push((u.local, Some(new), None)),
                None => chosen.push((u.local, None, Some(new))),
            }
        }
        self.set_loc(cx.scope, item.span);
        let elem = at.elem();
        let current = self.load_element(ptr, at.dtype)?;
        let v = self.expr(cx, item.value)?;
        let vt = self.ty(cx, item.value);
        let (r, rt) = self.element_binary(cx, item.op, current, &elem, v, &vt, item.value)?;
        let updated = self.convert(r, &rt, &elem)?;
        let applies = if item.then_branch { c } else { self.b.build_not(c, "")? };
        let stored = self.b.build_select(applies, updated, current, "")?;
        self.store_element_unchecked(ptr, at.dtype, stored, &elem)?;
        self.tag_element_access(cx, item.array, ptr);
        for (local, in_then, in_else) in chosen {
            let lt = self.local_ty(cx, local);
            let before = self.b.build_load(self.llvm_type(&lt), cx.locals[local], "")?;
            let v =
                self.b.build_select(c, in_then.unwrap_or(before), in_else.unwrap_or(before), "")?;
            self.b.build_store(cx.locals[local], v)?;
        }
        self.b.build_unconditional_branch(after)?;
        self.b.position_at_end(after);
        Ok(true)
    }

    /// The updates of both branches when they fit `select_branches`: only assignments and
    /// augmented assignments of numeric locals and exactly one `a[i] += v` / `-=` of a numeric
    /// array, every value free of calls, element reads and anything that can raise, no
    /// statement reading a local that an earlier one of its branch assigned.
    fn branch_plan<'e>(
        &self,
        cx: &FnCx<'ctx>,
        then: &'e [Stmt],
        orelse: &'e [Stmt],
    ) -> Option<(Vec<LocalUpdate<'e>>, ItemUpdate<'e>)> {
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
                        if !numeric(&self.local_ty(cx, *l))
                            || !self.speculable(cx, value, &mut reads)
                        {
                            return None;
                        }
                        locals.push(LocalUpdate { then_branch, local: *l, op: None, value, span });
                        Some(*l)
                    }
                    StmtKind::AugAssign { target, target_span, op, value } => {
                        if !matches!(self.local_ty(cx, *target), Type::Int | Type::Float)
                            || !pure_op(*op)
                            || !self.speculable(cx, value, &mut reads)
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
                        let Type::Array(at) = self.ty(cx, array) else { return None };
                        if item.is_some()
                            || !matches!(op, BinOp::Add | BinOp::Sub)
                            || !matches!(at.elem(), Type::Int | Type::Float)
                        {
                            return None;
                        }
                        // The value must widen to the element type (no numpy cast).
                        if crate::types::join(&self.ty(cx, value), &at.elem()) != Some(at.elem())
                            || !self.speculable(cx, value, &mut reads)
                        {
                            return None;
                        }
                        let mut positions = Vec::new();
                        for i in indices {
                            let hir::Index::At(e) = i else { return None };
                            if self.ty(cx, e) != Type::Int || !self.speculable(cx, e, &mut reads) {
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
    fn speculable(&self, cx: &FnCx<'ctx>, e: &Expr, reads: &mut Vec<hir::LocalId>) -> bool {
        if !matches!(self.ty(cx, e), Type::Int | Type::Float | Type::Bool) {
            return false;
        }
        match &e.kind {
            ExprKind::Const(Const::Int(_) | Const::Float(_) | Const::Bool(_)) => true,
            ExprKind::Local(l) => {
                reads.push(*l);
                true
            }
            ExprKind::Unary(UnaryOp::Neg | UnaryOp::Not, x) => self.speculable(cx, x, reads),
            ExprKind::Binary(op, a, b) => {
                pure_op(*op) && self.speculable(cx, a, reads) && self.speculable(cx, b, reads)
            }
            ExprKind::Compare(first, rest) => {
                self.speculable(cx, first, reads)
                    && rest.iter().all(|(_, x)| self.speculable(cx, x, reads))
            }
            ExprKind::BoolOp(_, items) => items.iter().all(|x| self.speculable(cx, x, reads)),
            ExprKind::IfExp(c, a, b) => {
                self.speculable(cx, c, reads)
                    && self.speculable(cx, a, reads)
                    && self.speculable(cx, b, reads)
            }
            ExprKind::Builtin(Builtin::Min | Builtin::Max, args) => {
                args.len() >= 2 && args.iter().all(|x| self.speculable(cx, x, reads))
            }
            _ => false,
        }
    }

    /// The address of `arr[idx...]` and whether every index is in range (after wraparound, as
    /// the build's checks say): computed without raising; the address is only valid when it is.
    fn element_ptr_if_valid(
        &mut self,
        cx: &FnCx<'ctx>,
        arr: inkwell::values::StructValue<'ctx>,
        at: &crate::types::ArrayType,
        idx: &[IntValue<'ctx>],
    ) -> Cg<(inkwell::values::PointerValue<'ctx>, IntValue<'ctx>)> {
        let checks = self.hir.functions[self.prog.instances[cx.inst].func].checks;
        let mut offset = self.i64(0);
        let mut fits = self.ctx.bool_type().const_all_ones();
        for (k, i) in idx.iter().enumerate() {
            let n = self.dim(arr, arrays::SHAPE, k)?;
            let i = if checks.wraparound {
                let neg = self.b.build_int_compare(IntPredicate::SLT, *i, self.i64(0), "")?;
                self.b.build_select(neg, self.b.build_int_add(*i, n, "")?, *i, "")?.into_int_value()
            } else {
                *i
            };
            if checks.boundscheck {
                let inside = self.b.build_int_compare(IntPredicate::ULT, i, n, "")?;
                fits = self.b.build_and(fits, inside, "")?;
            }
            let s = self.stride(arr, at, k)?;
            offset = self.b.build_int_add(offset, self.b.build_int_mul(i, s, "")?, "")?;
        }
        let data = self.field(arr, arrays::DATA)?.into_pointer_value();
        Ok((unsafe { self.b.build_gep(self.ctx.i8_type(), data, &[offset], "elem")? }, fits))
    }
}

/// Operators that cannot raise on numbers (no division, no power, no shifts).
fn pure_op(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor
    )
}

/// A key identifying `a[i, j]` with index expressions made of locals and constants.
fn subscript_key(array: hir::LocalId, indices: &[hir::Index]) -> Option<String> {
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
fn collect_subscripts(e: &Expr, out: &mut Vec<Option<String>>) {
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
fn pure_value(e: &Expr, allowed: &[Option<String>]) -> bool {
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
