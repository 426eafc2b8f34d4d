//! Emits speculative loops, planned by plan/speculate.rs (see there for what qualifies and
//! why it is still Python): the checks made once before the loop, the loop run with its checks
//! collected into one flag ([`Codegen::speculative_stmt`]), and the rerun as written.

use super::state::{Cg, CgError, Codegen, CountedLoop, FnCx, Speculation};
use crate::hir::{BinOp, Expr, ExprKind, Index, LocalId, Stmt, StmtKind, Target};
use crate::plan::speculate::{assigned_locals, index_ahead, stores_in, subscripts_in};
use crate::types::{ArrayType, Type};
use inkwell::values::{BasicValueEnum, IntValue, PointerValue, StructValue};
use inkwell::IntPredicate;

impl Speculation<'_> {
    /// Whether this read of `value[indices]` was checked before the loop.
    pub(super) fn checked_ahead(&self, value: &Expr, indices: &[Index]) -> bool {
        self.ahead
            && matches!(value.kind, ExprKind::Local(a) if !self.assigned.contains(&a))
            && indices.iter().all(|ix| matches!(ix, Index::At(i) if self.index_ahead(i).is_some()))
    }

    fn index_ahead(&self, i: &Expr) -> Option<Option<i64>> {
        index_ahead(i, self.target, &self.assigned)
    }
}

impl<'ctx> Codegen<'ctx, '_> {
    pub(super) fn speculation(
        &self,
        cx: &FnCx<'ctx>,
        flag: PointerValue<'ctx>,
        lp: &CountedLoop<'ctx, '_>,
        body: &[Stmt],
    ) -> Speculation<'ctx> {
        let mut assigned = vec![lp.target];
        assigned_locals(body, &mut assigned);
        Speculation {
            flag,
            predicate: None,
            temporaries: self.facts(cx).loop_temporaries(lp.target, body),
            target: lp.unit_step.then_some(lp.target),
            assigned,
            ahead: true,
        }
    }

    /// Speculating straight-line assignments ([`Self::speculable_assignments`]): every check
    /// is collected into `flag`, none was made before.
    pub(super) fn straight_line(&self, flag: PointerValue<'ctx>) -> Speculation<'ctx> {
        Speculation {
            flag,
            predicate: None,
            temporaries: Vec::new(),
            target: None,
            assigned: Vec::new(),
            ahead: false,
        }
    }

    /// Before a speculative loop: whether every read [`Speculation::checked_ahead`] covers stays
    /// in bounds for all the loop's iterations (true for an empty loop). Negative indexes
    /// count as out of bounds here: the loop as written wraps them.
    pub(super) fn check_reads_ahead(
        &mut self,
        cx: &mut FnCx<'ctx>,
        spec: &Speculation<'ctx>,
        lp: &CountedLoop<'ctx, '_>,
        body: &[Stmt],
    ) -> Cg<IntValue<'ctx>> {
        let mut reads = Vec::new();
        for s in body {
            subscripts_in(s, &mut reads);
        }
        reads.extend(stores_in(body));
        reads.retain(|(value, indices)| spec.checked_ahead(value, indices));
        let bool_t = self.ctx.bool_type();
        let mut ok = bool_t.const_int(1, false);
        let empty = self.b.build_int_compare(IntPredicate::SGE, lp.start, lp.stop, "")?;
        let last = self.b.build_int_sub(lp.stop, self.i64(1), "")?;
        for (value, indices) in reads {
            let arr = self.expr(cx, value)?.into_struct_value();
            for (k, ix) in indices.iter().enumerate() {
                let Index::At(i) = ix else { continue };
                let n = self.dim(arr, super::layout::SHAPE, k)?;
                let inside = match spec.index_ahead(i) {
                    Some(Some(c)) => {
                        // 0 <= start + c <= stop - 1 + c < n, or no iteration at all. The loop
                        // computes i + c wrapping as these do; lo <= hi rules out a wrap between
                        // the first index and the last.
                        let lo = self.b.build_int_add(lp.start, self.i64(c), "")?;
                        let hi = self.b.build_int_add(last, self.i64(c), "")?;
                        let lo_ok =
                            self.b.build_int_compare(IntPredicate::SGE, lo, self.i64(0), "")?;
                        let ordered = self.b.build_int_compare(IntPredicate::SLE, lo, hi, "")?;
                        let hi_ok = self.b.build_int_compare(IntPredicate::SLT, hi, n, "")?;
                        let inside =
                            self.b.build_and(self.b.build_and(lo_ok, ordered, "")?, hi_ok, "")?;
                        self.b.build_or(empty, inside, "")?
                    }
                    _ => {
                        let v = self.operand(cx, i, &Type::Int)?.into_int_value();
                        let inside = self.b.build_int_compare(IntPredicate::ULT, v, n, "")?;
                        self.b.build_or(empty, inside, "")?
                    }
                };
                ok = self.b.build_and(ok, inside, "")?;
            }
        }
        Ok(ok)
    }

    /// Before a loop that stores ([`Plan::Stores`]): the arrays it writes are writable and
    /// share no byte with the arrays it reads (all C-contiguous: `size * itemsize` bytes from
    /// their data pointer).
    pub(super) fn check_stores_ahead(
        &mut self,
        cx: &mut FnCx<'ctx>,
        writes: &[LocalId],
        reads: &[LocalId],
    ) -> Cg<IntValue<'ctx>> {
        let i64t = self.ctx.i64_type();
        let mut ok = self.ctx.bool_type().const_int(1, false);
        let span = |this: &mut Self,
                    cx: &mut FnCx<'ctx>,
                    l: LocalId|
         -> Cg<(StructValue<'ctx>, IntValue<'ctx>, IntValue<'ctx>)> {
            let Type::Array(at) = this.local_ty(cx, l) else {
                return Err(CgError("speculative store into a non-array".into()));
            };
            let arr = this
                .b
                .build_load(this.llvm_type(&Type::Array(at)), cx.locals[l], "")?
                .into_struct_value();
            let mut bytes = this.i64(super::layout::dtype_size(at.dtype) as i64);
            for k in 0..at.ndim {
                bytes = this.b.build_int_mul(bytes, this.dim(arr, super::layout::SHAPE, k)?, "")?;
            }
            let data = this.field(arr, super::layout::DATA)?.into_pointer_value();
            let start = this.b.build_ptr_to_int(data, i64t, "")?;
            Ok((arr, start, this.b.build_int_add(start, bytes, "")?))
        };
        for w in writes {
            // An array the function made (codegen/fresh.rs) is writable and overlaps nothing.
            if cx.fresh.contains(*w) {
                continue;
            }
            let (arr, w_start, w_end) = span(self, cx, *w)?;
            let writable = self.field(arr, super::layout::WRITABLE)?.into_int_value();
            ok = self.b.build_and(ok, writable, "")?;
            for r in reads {
                if cx.fresh.contains(*r) {
                    continue;
                }
                let (_, r_start, r_end) = span(self, cx, *r)?;
                let before = self.b.build_int_compare(IntPredicate::ULE, w_end, r_start, "")?;
                let after = self.b.build_int_compare(IntPredicate::ULE, r_end, w_start, "")?;
                ok = self.b.build_and(ok, self.b.build_or(before, after, "")?, "")?;
            }
        }
        Ok(ok)
    }

    /// `arr[idx...]` while speculating: a failed bounds check (negative indexes included; the
    /// loop run as written wraps them) clears the flag and loads nothing, giving zero. The load
    /// sits in a branch of its own, which the vectorizer turns into a masked load.
    pub(super) fn speculative_element(
        &mut self,
        cx: &mut FnCx<'ctx>,
        array: &Expr,
        arr: StructValue<'ctx>,
        at: &ArrayType,
        idx: &[IntValue<'ctx>],
    ) -> Cg<BasicValueEnum<'ctx>> {
        let mut inside = self.ctx.bool_type().const_int(1, false);
        for (k, i) in idx.iter().enumerate() {
            let n = self.dim(arr, super::layout::SHAPE, k)?;
            let in_axis = self.b.build_int_compare(IntPredicate::ULT, *i, n, "")?;
            inside = self.b.build_and(inside, in_axis, "")?;
        }
        self.collect_check(cx, inside)?;
        let from = self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        let load = self.append(cx.func, "spec.load");
        let join = self.append(cx.func, "spec.loaded");
        let br = self.b.build_conditional_branch(inside, load, join)?;
        self.expect_true(br);
        self.b.position_at_end(load);
        let ptr = self.unchecked_element_ptr(arr, at, idx)?;
        let value = self.load_element(ptr, at.dtype)?;
        self.tag_element_access(cx, array, ptr);
        self.b.build_unconditional_branch(join)?;
        self.b.position_at_end(join);
        let phi = self.b.build_phi(value.get_type(), "")?;
        let zero = value.get_type().const_zero();
        phi.add_incoming(&[(&value, load), (&zero, from)]);
        Ok(phi.as_basic_value())
    }

    fn elem_type(&self, cx: &FnCx<'ctx>, arr: &Expr) -> Cg<Type> {
        match self.ty(cx, arr) {
            Type::Array(at) => Ok(at.elem()),
            other => Err(CgError(format!("element of {other}"))),
        }
    }

    /// `flag &= ok`, for a check in a branch that runs (`ok or not predicate`).
    pub(super) fn collect_check(&self, cx: &FnCx<'ctx>, ok: IntValue<'ctx>) -> Cg<()> {
        let spec = cx
            .spec
            .as_ref()
            .ok_or_else(|| CgError("a collected check outside a speculative loop".into()))?;
        let flag = spec.flag;
        let ok = match spec.predicate {
            Some(p) => self.b.build_or(ok, self.b.build_not(p, "")?, "")?,
            None => ok,
        };
        let so_far = self.b.build_load(self.ctx.bool_type(), flag, "")?.into_int_value();
        self.b.build_store(flag, self.b.build_and(so_far, ok, "")?)?;
        Ok(())
    }

    /// A statement of a speculative loop. `if` runs both branches under predicates (the body
    /// has no effects, so computing the branch not taken is harmless): assignments keep the old
    /// value where the predicate is false, and `x += v` adds `-0.0` there (exact for every
    /// float), so a conditional sum stays a sum LLVM can vectorize in order.
    pub(super) fn speculative_stmt(&mut self, cx: &mut FnCx<'ctx>, s: &Stmt) -> Cg<()> {
        self.set_loc(cx.scope, &s.span);
        match &s.kind {
            StmtKind::Assign { target: Target::Local(l, _), value } => {
                let v = self.expr(cx, value)?;
                let lt = self.local_ty(cx, *l);
                let v = self.coerce(cx, v, &self.ty(cx, value), &lt)?;
                let temporary = cx.spec.as_ref().is_some_and(|sp| sp.temporaries.contains(l));
                let v = match predicate(cx) {
                    Some(p) if !temporary => {
                        let old = self.b.build_load(self.llvm_type(&lt), cx.locals[*l], "")?;
                        self.b.build_select(p, v, old, "")?
                    }
                    _ => v,
                };
                self.b.build_store(cx.locals[*l], v)?;
            }
            // The first run of a loop that stores: the value's checks, no store. (Its element's
            // bounds were checked before the loop: `speculable_loop` takes stores at positions
            // known there only.)
            StmtKind::Assign { target: Target::Item(arr, indices, _), value } => {
                if !cx.spec.as_ref().is_some_and(|sp| sp.checked_ahead(arr, indices)) {
                    return Err(CgError(
                        "a speculative store whose bounds were not checked before the loop".into(),
                    ));
                }
                self.expr(cx, value)?;
            }
            // Its element read (checked like any read) and the operation's checks, no store.
            StmtKind::AugAssignItem { array: arr, indices, op, value, .. } => {
                let current = self.subscript(cx, arr, indices, &self.elem_type(cx, arr)?)?;
                let v = self.expr(cx, value)?;
                let vt = self.ty(cx, value);
                let et = self.elem_type(cx, arr)?;
                self.element_binary(cx, *op, current, &et, v, &vt, value)?;
            }
            StmtKind::AugAssign { target, op, value, target_span } => {
                let lt = self.local_ty(cx, *target);
                let current = self.b.build_load(self.llvm_type(&lt), cx.locals[*target], "")?;
                let mut v = self.expr(cx, value)?;
                let mut vt = self.ty(cx, value);
                self.set_loc(cx.scope, target_span);
                let sum = matches!(op, BinOp::Add | BinOp::Sub)
                    && matches!(lt, Type::Float | Type::Int)
                    && (vt.is_integral() || vt == lt);
                if let (Some(p), true) = (predicate(cx), sum) {
                    // x + (-0.0) is x for every float x (-0.0 included); x - (+0.0) too.
                    v = self.convert(v, &vt, &lt)?;
                    vt = lt.clone();
                    let neutral: BasicValueEnum = match (&lt, op) {
                        (Type::Float, BinOp::Add) => self.f64(-0.0).into(),
                        (Type::Float, _) => self.f64(0.0).into(),
                        _ => self.i64(0).into(),
                    };
                    v = self.b.build_select(p, v, neutral, "")?;
                }
                let (r, rt) = self.binary(cx, *op, current, &lt, v, &vt, value)?;
                let mut r = self.convert(r, &rt, &lt)?;
                if let (Some(p), false) = (predicate(cx), sum) {
                    r = self.b.build_select(p, r, current, "")?;
                }
                self.b.build_store(cx.locals[*target], r)?;
            }
            StmtKind::If { cond, then, orelse } => {
                let c = self.condition(cx, cond)?;
                let outer = predicate(cx);
                let not_c = self.b.build_not(c, "")?;
                let (p_then, p_else) = match outer {
                    Some(p) => (self.b.build_and(p, c, "")?, self.b.build_and(p, not_c, "")?),
                    None => (c, not_c),
                };
                set_predicate(cx, Some(p_then));
                let ran = then.iter().try_for_each(|s| self.speculative_stmt(cx, s));
                set_predicate(cx, Some(p_else));
                let ran =
                    ran.and_then(|_| orelse.iter().try_for_each(|s| self.speculative_stmt(cx, s)));
                set_predicate(cx, outer);
                ran?;
            }
            _ => return Err(CgError("statement not speculable".into())),
        }
        Ok(())
    }
}

impl<'ctx> Codegen<'ctx, '_> {}

impl<'ctx> Codegen<'ctx, '_> {}

fn predicate<'ctx>(cx: &FnCx<'ctx>) -> Option<IntValue<'ctx>> {
    cx.spec.as_ref().and_then(|s| s.predicate)
}

fn set_predicate<'ctx>(cx: &mut FnCx<'ctx>, p: Option<IntValue<'ctx>>) {
    if let Some(s) = cx.spec.as_mut() {
        s.predicate = p;
    }
}
