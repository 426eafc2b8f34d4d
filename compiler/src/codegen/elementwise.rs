//! Element-wise array expressions, as types/elementwise.rs typed them: `a * b + 1.0`,
//! `np.sqrt(x) > t`, `u[1:-1] = u[1:-1] + k * (u[2:] - u[:-2])`, `v += 0.5 * r`.
//!
//! An expression is one loop nest over its result, with no temporaries: its leaves (arrays,
//! numbers, anything not element-wise) are evaluated once, in Python's order, before the nest;
//! numpy's broadcasting is checked node by node (ValueError with numpy's text); then each
//! element is computed through the whole tree in registers, with numpy's semantics (ints wrap,
//! `//` and `%` by zero give 0, float division by zero gives inf or nan, each node rounded to
//! its own dtype so float32 and int32 results are numpy's to the bit). The result is a new
//! array (`new_array`), or, for a store into a view and an in-place update, the target itself:
//! when the target's memory overlaps an operand that is not exactly the target, the value is
//! computed into a temporary first, as numpy does (`u[1:] = u[:-1]`).
//!
//! Where no operand broadcasts (the common case), the nest reads every array with its own
//! strides, constant on the last axis of contiguous arrays, so LLVM vectorizes it; otherwise a
//! second nest reads broadcast axes with stride 0.

use super::element::{is_float, number_dtype, wide, Current, Leaf};
use super::layout::{dtype_size, DATA, SHAPE, WRITABLE};
use super::state::{Cg, CgError, Codegen, FnCx};
use super::{capi, cpython};
use crate::hir::{BinOp, Expr, ExprId, ExprKind, Index, LocalId, Reduction};
use crate::types::elementwise::{self, Operand};
use crate::types::{ArrayType, Type};
use inkwell::values::{BasicValueEnum, IntValue, PointerValue, StructValue};
use inkwell::IntPredicate;
use std::collections::BTreeMap;

/// What a loop nest does with each element: store it (or update the target with it), or fold
/// it into an accumulator (`acc`, holding the element's native type).
pub(super) enum Sink<'ctx> {
    Store {
        out: StructValue<'ctx>,
        out_t: ArrayType,
        strides: Vec<IntValue<'ctx>>,
        op: Option<BinOp>,
    },
    Reduce {
        acc: PointerValue<'ctx>,
        r: Reduction,
    },
    /// Along an axis: each element folded into the result's element it reduces to (`strides`:
    /// the result's, 0 along the axis reduced).
    Fold {
        out: StructValue<'ctx>,
        out_t: ArrayType,
        strides: Vec<IntValue<'ctx>>,
        r: Reduction,
    },
    /// `np.argmax`/`argmin`: the best element so far, its index, and the running index.
    ArgBest {
        best: PointerValue<'ctx>,
        at: PointerValue<'ctx>,
        count: PointerValue<'ctx>,
        max: bool,
    },
}

impl<'ctx> Codegen<'ctx, '_> {
    /// Whether `array[indices]` (an array, indexed natively) is a view, stored into as a whole.
    pub(super) fn views(&self, cx: &FnCx<'ctx>, array: &Expr, indices: &[Index]) -> bool {
        match self.ty(cx, array) {
            Type::Array(at) => {
                !self.object_index(cx, indices) && elementwise::stores_view(&at, indices)
            }
            _ => false,
        }
    }

    /// Whether `array[indices] (op)= value` stores into a view natively (here).
    pub(super) fn stores_view(
        &self,
        cx: &FnCx<'ctx>,
        array: &Expr,
        indices: &[Index],
        value: &Expr,
        op: Option<BinOp>,
    ) -> bool {
        let Type::Array(at) = self.ty(cx, array) else { return false };
        self.views(cx, array, indices)
            && elementwise::native_store(
                &elementwise::view_type(&at, indices),
                &self.ty(cx, value),
                op.map(|op| (op, value)),
            )
    }

    /// Whether `array[indices] = <value of type t>` is numpy's own assignment into a view.
    pub(super) fn numpy_view_store(
        &self,
        cx: &FnCx<'ctx>,
        array: &Expr,
        indices: &[Index],
        t: &Type,
    ) -> bool {
        let Type::Array(at) = self.ty(cx, array) else { return false };
        self.views(cx, array, indices)
            && !elementwise::native_store(&elementwise::view_type(&at, indices), t, None)
    }

    /// Whether `e` is an element-wise node fused into its loop nest.
    pub(super) fn fused<'e>(&self, cx: &FnCx<'ctx>, e: &'e Expr) -> Option<Vec<&'e Expr>> {
        elementwise::fused_operands(e, &|x| self.ty(cx, x))
    }

    /// An element-wise expression as a new array.
    pub(super) fn elementwise(
        &mut self,
        cx: &mut FnCx<'ctx>,
        e: &Expr,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let Type::Array(at) = self.ty(cx, e) else {
            return Err(CgError("element-wise expression of a non-array".into()));
        };
        let mut leaves = BTreeMap::new();
        let shape = self.leaves(cx, e, &mut leaves)?;
        self.set_loc(cx.scope, &e.span);
        let out = self.new_array(cx, &at, &shape)?;
        self.nest(cx, out, &at, &shape, e, None, &leaves)?;
        Ok(out.into())
    }

    /// `a[indices] = value` (`op`: `a[indices] op= value`) where `a[indices]` is a view.
    pub(super) fn store_into_view(
        &mut self,
        cx: &mut FnCx<'ctx>,
        array: &Expr,
        indices: &[Index],
        value: &Expr,
        op: Option<BinOp>,
        span: &crate::diagnostics::Span,
    ) -> Cg<()> {
        let Type::Array(at) = self.ty(cx, array) else {
            return Err(CgError("view store into a non-array".into()));
        };
        let mut leaves = BTreeMap::new();
        // Python evaluates `a[i] = v`'s value first, and `a[i] op= v`'s target first.
        let mut value_shape = vec![];
        if op.is_none() {
            value_shape = self.leaves(cx, value, &mut leaves)?;
        }
        let arr = self.expr(cx, array)?.into_struct_value();
        let idx = self.index_values(cx, indices)?;
        self.set_loc(cx.scope, span);
        let view = self.view(cx, arr, &at, &idx)?;
        let view_t = elementwise::view_type(&at, indices);
        if op.is_some() {
            value_shape = self.leaves(cx, value, &mut leaves)?;
        }
        self.set_loc(cx.scope, span);
        self.update(cx, view, &view_t, value, &value_shape, op, &leaves)
    }

    /// `v op= value` of an array local: numpy updates the array in place.
    pub(super) fn update_array_local(
        &mut self,
        cx: &mut FnCx<'ctx>,
        target: LocalId,
        op: BinOp,
        value: &Expr,
        span: &crate::diagnostics::Span,
    ) -> Cg<()> {
        let Type::Array(at) = self.local_ty(cx, target) else {
            return Err(CgError("in-place update of a non-array".into()));
        };
        let arr = self.b.build_load(self.array_struct(at.ndim), cx.locals[target], "")?;
        let mut leaves = BTreeMap::new();
        let value_shape = self.leaves(cx, value, &mut leaves)?;
        self.set_loc(cx.scope, span);
        self.update(cx, arr.into_struct_value(), &at, value, &value_shape, Some(op), &leaves)
    }

    /// Writes `value` (broadcast) into `out`, or `out op value` when `op` is given.
    pub(super) fn update(
        &mut self,
        cx: &mut FnCx<'ctx>,
        out: StructValue<'ctx>,
        out_t: &ArrayType,
        value: &Expr,
        value_shape: &[IntValue<'ctx>],
        op: Option<BinOp>,
        leaves: &BTreeMap<ExprId, Leaf<'ctx>>,
    ) -> Cg<()> {
        let writable = self.field(out, WRITABLE)?.into_int_value();
        self.guard(cx, writable, "ValueError", "assignment destination is read-only")?;
        let out_shape: Vec<IntValue> =
            (0..out_t.ndim).map(|k| self.dim(out, SHAPE, k)).collect::<Cg<_>>()?;
        // The value must broadcast to the target's shape (it cannot grow the target).
        let mut ok = self.ctx.bool_type().const_all_ones();
        for (j, n) in value_shape.iter().enumerate() {
            let m = out_shape[out_t.ndim - value_shape.len() + j];
            let same = self.b.build_int_compare(IntPredicate::EQ, *n, m, "")?;
            let one = self.b.build_int_compare(IntPredicate::EQ, *n, self.i64(1), "")?;
            ok = self.b.build_and(ok, self.b.build_or(same, one, "")?, "")?;
        }
        let message = if op.is_some() {
            "operands could not be broadcast together with shapes {0} {1} "
        } else {
            "could not broadcast input array from shape {1} into shape {0}"
        };
        self.broadcast_guard(cx, ok, message, &out_shape, &value_shape)?;
        // Operands sharing memory with the target, other than the target itself element for
        // element, are read from a copy of the value (numpy's rule for overlapping operands).
        let mut overlap = self.ctx.bool_type().const_zero();
        for leaf in leaves.values() {
            if let Leaf::Array(a, a_t) = leaf {
                let o = self.overlaps(out, out_t, *a, a_t)?;
                overlap = self.b.build_or(overlap, o, "")?;
            }
        }
        if overlap.get_zero_extended_constant() == Some(0) {
            return self.nest(cx, out, out_t, &out_shape, value, op, leaves);
        }
        let scratch = !self.may_raise(cx, value);
        if cx.arena.is_none() && !scratch {
            // No arena to own a temporary (a parallel loop's body): refuse rather than guess.
            let apart = self.b.build_not(overlap, "")?;
            self.guard(cx, apart, "ValueError", "pyaot: in a parallel loop, an array assignment cannot read memory it writes (numpy would copy the value first); copy it before the loop")?;
            return self.nest(cx, out, out_t, &out_shape, value, op, leaves);
        }
        let copy_bb = self.append(cx.func, "overlap.copy");
        let direct_bb = self.append(cx.func, "overlap.none");
        let done = self.append(cx.func, "overlap.done");
        self.b.build_conditional_branch(overlap, copy_bb, direct_bb)?;
        self.b.position_at_end(copy_bb);
        let temp_t = match self.ty(cx, value) {
            Type::Array(t) => ArrayType { contiguous: true, ..t },
            _ => return Err(CgError("overlap with a number".into())),
        };
        let (temp, raw) = self.temporary(cx, &temp_t, &value_shape, scratch)?;
        self.nest(cx, temp, &temp_t, &value_shape, value, None, leaves)?;
        let copied = BTreeMap::from([(value.id, Leaf::Array(temp, temp_t))]);
        self.nest(cx, out, out_t, &out_shape, value, op, &copied)?;
        if let Some(raw) = raw {
            capi::call(self, "free", &[raw.into()])?;
        }
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(direct_bb);
        self.nest(cx, out, out_t, &out_shape, value, op, leaves)?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        Ok(())
    }

    /// Whether computing an element of `e` can raise (an int power by a negative exponent):
    /// a temporary made for it must then be owned by the arena, not freed by hand.
    pub(super) fn may_raise(&self, cx: &FnCx<'ctx>, e: &Expr) -> bool {
        let Some(operands) = self.fused(cx, e) else { return false };
        let int_result = matches!(self.ty(cx, e), Type::Array(at) if !is_float(at.dtype));
        let power = match &e.kind {
            ExprKind::Binary(BinOp::Pow, ..) => true,
            ExprKind::Ufunc(crate::hir::Ufunc::Power, ..) => true,
            _ => false,
        };
        (power && int_result) || operands.iter().any(|x| self.may_raise(cx, x))
    }

    /// A C-ordered temporary array: `scratch`, memory of its own (malloc, no Python, freed by
    /// the caller through the pointer returned, so a loop of array statements reuses it);
    /// else a numpy array owned by the function's arena.
    pub(super) fn temporary(
        &mut self,
        cx: &mut FnCx<'ctx>,
        at: &ArrayType,
        shape: &[IntValue<'ctx>],
        scratch: bool,
    ) -> Cg<(StructValue<'ctx>, Option<PointerValue<'ctx>>)> {
        if !scratch {
            return Ok((self.new_array(cx, at, shape)?, None));
        }
        let elem = dtype_size(at.dtype) as i64;
        let mut strides = vec![self.i64(0); shape.len()];
        let mut bytes = self.i64(elem);
        for k in (0..shape.len()).rev() {
            strides[k] = bytes;
            bytes = self.b.build_int_mul(bytes, shape[k], "")?;
        }
        // malloc(0) may give NULL: ask for at least one element.
        let small = self.b.build_int_compare(IntPredicate::SLT, bytes, self.i64(elem), "")?;
        let bytes = self.b.build_select(small, self.i64(elem), bytes, "")?.into_int_value();
        let raw = capi::call_value(self, "malloc", &[bytes.into()])?.into_pointer_value();
        let got = self.b.build_is_not_null(raw, "")?;
        self.guard(cx, got, "MemoryError", "cannot allocate a temporary array")?;
        let arr = self.make_array(
            raw,
            shape,
            &strides,
            self.ptr_type().const_null(),
            self.ctx.bool_type().const_all_ones(),
        )?;
        Ok((arr, Some(raw)))
    }

    /// Evaluates the leaves of `e` in Python's order (left to right, operands first), each
    /// node's broadcast checked once its operands are (so a shape error comes before what
    /// Python would evaluate after it); gives the shape of `e`'s result.
    pub(super) fn leaves(
        &mut self,
        cx: &mut FnCx<'ctx>,
        e: &Expr,
        out: &mut BTreeMap<ExprId, Leaf<'ctx>>,
    ) -> Cg<Vec<IntValue<'ctx>>> {
        if let Some(operands) = self.fused(cx, e) {
            // Every operand first (a call's arguments all run before the call), then the
            // broadcast of their shapes.
            let mut shapes = Vec::new();
            for x in &operands {
                shapes.push(self.leaves(cx, x, out)?);
            }
            let mut shape = shapes[0].clone();
            for s in &shapes[1..] {
                shape = self.broadcast(cx, &shape, s)?;
            }
            return Ok(shape);
        }
        let v = self.expr(cx, e)?;
        let (leaf, shape) = match self.ty(cx, e) {
            Type::Array(at) => {
                let a = v.into_struct_value();
                let shape = (0..at.ndim).map(|k| self.dim(a, SHAPE, k)).collect::<Cg<_>>()?;
                (Leaf::Array(a, at), shape)
            }
            t @ (Type::Bool | Type::Int | Type::Float) => {
                (Leaf::Number(v, number_dtype(&t)), vec![])
            }
            t => return Err(CgError(format!("element-wise operand of type {t}"))),
        };
        out.insert(e.id, leaf);
        Ok(shape)
    }

    /// numpy's broadcast of two shapes (aligned on the right; a 1 stretches), or ValueError.
    pub(super) fn broadcast(
        &mut self,
        cx: &mut FnCx<'ctx>,
        a: &[IntValue<'ctx>],
        b: &[IntValue<'ctx>],
    ) -> Cg<Vec<IntValue<'ctx>>> {
        let n = a.len().max(b.len());
        let one = self.i64(1);
        let mut ok = self.ctx.bool_type().const_all_ones();
        let mut shape = Vec::with_capacity(n);
        for d in 0..n {
            let x = (d + a.len()).checked_sub(n).map(|j| a[j]);
            let y = (d + b.len()).checked_sub(n).map(|j| b[j]);
            shape.push(match (x, y) {
                (Some(x), Some(y)) => {
                    let same = self.b.build_int_compare(IntPredicate::EQ, x, y, "")?;
                    let x1 = self.b.build_int_compare(IntPredicate::EQ, x, one, "")?;
                    let y1 = self.b.build_int_compare(IntPredicate::EQ, y, one, "")?;
                    let fine = self.b.build_or(same, self.b.build_or(x1, y1, "")?, "")?;
                    ok = self.b.build_and(ok, fine, "")?;
                    self.b.build_select(x1, y, x, "")?.into_int_value()
                }
                (Some(x), None) => x,
                (None, Some(y)) => y,
                (None, None) => return Err(CgError("broadcast of no axis".into())),
            });
        }
        if a.is_empty() || b.is_empty() {
            return Ok(shape);
        }
        self.broadcast_guard(
            cx,
            ok,
            "operands could not be broadcast together with shapes {0} {1} ",
            a,
            b,
        )?;
        Ok(shape)
    }

    /// Raises numpy's ValueError naming both shapes (`{0}`, `{1}` in `message`) unless `ok`.
    pub(super) fn broadcast_guard(
        &mut self,
        cx: &mut FnCx<'ctx>,
        ok: IntValue<'ctx>,
        message: &str,
        first: &[IntValue<'ctx>],
        second: &[IntValue<'ctx>],
    ) -> Cg<()> {
        if ok.get_zero_extended_constant() == Some(1) {
            return Ok(());
        }
        let plain =
            message.replace("{0} ", "").replace("{1} ", "").replace(" {0}", "").replace(" {1}", "");
        if cx.escape.is_some() || cx.parallel_body || cx.spec.is_some() || cx.checks_pass {
            return self.guard(cx, ok, "ValueError", plain.trim_end());
        }
        let shape_format = |n: usize| match n {
            1 => "(%lld,)".to_string(),
            n => format!("({})", vec!["%lld"; n].join(",")),
        };
        let format = message
            .replace("{0}", &shape_format(first.len()))
            .replace("{1}", &shape_format(second.len()));
        let cont = self.append(cx.func, "broadcast.ok");
        let fail = self.append(cx.func, "broadcast.fail");
        let br = self.b.build_conditional_branch(ok, cont, fail)?;
        self.expect_true(br);
        self.b.position_at_end(fail);
        let dims: Vec<IntValue> = first.iter().chain(second).copied().collect();
        let raise = self.value_error_fn(dims.len())?;
        let mut args: Vec<inkwell::values::BasicMetadataValueEnum> =
            vec![self.cstr(&format)?.into()];
        args.extend(dims.iter().map(|d| inkwell::values::BasicMetadataValueEnum::from(*d)));
        let call = self.b.build_call(raise, &args, "")?;
        self.keep_apart(call);
        let unwind = self.unwind_block(cx)?;
        self.b.build_unconditional_branch(unwind)?;
        self.b.position_at_end(cont);
        Ok(())
    }

    /// `pyaot.value_error.N(format, d1, ..., dN)`: sets ValueError(format % dims).
    pub(super) fn value_error_fn(&mut self, n: usize) -> Cg<inkwell::values::FunctionValue<'ctx>> {
        let p = self.ptr_type();
        let i64t = self.ctx.i64_type();
        let mut params: Vec<inkwell::types::BasicMetadataTypeEnum> = vec![p.into()];
        params.extend(std::iter::repeat(inkwell::types::BasicMetadataTypeEnum::from(i64t)).take(n));
        let ty = self.ctx.void_type().fn_type(&params, false);
        let f = capi::in_new_function(self, &format!("pyaot.value_error.{n}"), ty, |cg, f| {
            let gil = capi::call_value(cg, "PyGILState_Ensure", &[])?;
            let exc = cg.b.build_load(p, capi::exception_global(cg, "ValueError"), "")?;
            let mut args = vec![exc.into()];
            for k in 0..=n {
                args.push(f.get_nth_param(k as u32).ok_or_else(|| CgError("param".into()))?.into());
            }
            capi::call(cg, "PyErr_Format", &args)?;
            capi::call(cg, "PyGILState_Release", &[gil.into()])?;
            cg.b.build_return(None)?;
            Ok(())
        })?;
        self.add_attr(f, "cold");
        self.add_attr(f, "noinline");
        Ok(f)
    }

    /// A new C-ordered array of `at`'s dtype and this shape (numpy's `empty`), owned by the
    /// function's arena.
    pub(super) fn new_array(
        &mut self,
        cx: &mut FnCx<'ctx>,
        at: &ArrayType,
        shape: &[IntValue<'ctx>],
    ) -> Cg<StructValue<'ctx>> {
        let obj = cpython::numpy_call(self, cx, "empty", shape, &[], at.dtype)?;
        self.adopt(cx, obj)?;
        let at = ArrayType { contiguous: true, ..*at };
        let arr = self.array_from_object(cx, obj, &at)?.into_struct_value();
        self.with_known_layout(arr, &at, shape)
    }

    /// Whether `b`'s elements share memory with `a`'s, other than being exactly `a`'s (same
    /// start, shape and strides: reading each element before writing it is then safe).
    pub(super) fn overlaps(
        &mut self,
        a: StructValue<'ctx>,
        a_t: &ArrayType,
        b: StructValue<'ctx>,
        b_t: &ArrayType,
    ) -> Cg<IntValue<'ctx>> {
        let (a_lo, a_hi) = self.extent(a, a_t)?;
        let (b_lo, b_hi) = self.extent(b, b_t)?;
        let before = self.b.build_int_compare(IntPredicate::ULE, a_hi, b_lo, "")?;
        let after = self.b.build_int_compare(IntPredicate::ULE, b_hi, a_lo, "")?;
        let apart = self.b.build_or(before, after, "")?;
        let mut same = self.ctx.bool_type().const_int((a_t.ndim == b_t.ndim) as u64, false);
        if a_t.ndim == b_t.ndim {
            let eq = self.b.build_int_compare(IntPredicate::EQ, a_lo, b_lo, "")?;
            let start_a = self.b.build_ptr_to_int(
                self.field(a, DATA)?.into_pointer_value(),
                self.ctx.i64_type(),
                "",
            )?;
            let start_b = self.b.build_ptr_to_int(
                self.field(b, DATA)?.into_pointer_value(),
                self.ctx.i64_type(),
                "",
            )?;
            let starts = self.b.build_int_compare(IntPredicate::EQ, start_a, start_b, "")?;
            same = self.b.build_and(eq, starts, "")?;
            let sized = a_t.dtype == b_t.dtype;
            same =
                self.b.build_and(same, self.ctx.bool_type().const_int(sized as u64, false), "")?;
            for k in 0..a_t.ndim {
                let na = self.dim(a, SHAPE, k)?;
                let nb = self.dim(b, SHAPE, k)?;
                let sa = self.stride(a, a_t, k)?;
                let sb = self.stride(b, b_t, k)?;
                let n_eq = self.b.build_int_compare(IntPredicate::EQ, na, nb, "")?;
                let s_eq = self.b.build_int_compare(IntPredicate::EQ, sa, sb, "")?;
                same = self.b.build_and(same, self.b.build_and(n_eq, s_eq, "")?, "")?;
            }
        }
        let unsafe_overlap = self.b.build_not(self.b.build_or(apart, same, "")?, "")?;
        Ok(unsafe_overlap)
    }

    /// The byte range [lo, hi) an array's elements occupy (empty arrays: an empty range).
    pub(super) fn extent(
        &mut self,
        a: StructValue<'ctx>,
        at: &ArrayType,
    ) -> Cg<(IntValue<'ctx>, IntValue<'ctx>)> {
        let i64t = self.ctx.i64_type();
        let start = self.b.build_ptr_to_int(self.field(a, DATA)?.into_pointer_value(), i64t, "")?;
        let mut lo = start;
        let mut hi = self.b.build_int_add(start, self.i64(dtype_size(at.dtype) as i64), "")?;
        let mut empty = self.ctx.bool_type().const_zero();
        for k in 0..at.ndim {
            let n = self.dim(a, SHAPE, k)?;
            let s = self.stride(a, at, k)?;
            let zero_len = self.b.build_int_compare(IntPredicate::SLE, n, self.i64(0), "")?;
            empty = self.b.build_or(empty, zero_len, "")?;
            let last = self.b.build_int_mul(self.b.build_int_sub(n, self.i64(1), "")?, s, "")?;
            let neg = self.b.build_int_compare(IntPredicate::SLT, last, self.i64(0), "")?;
            let down = self.b.build_select(neg, last, self.i64(0), "")?.into_int_value();
            let up = self.b.build_select(neg, self.i64(0), last, "")?.into_int_value();
            lo = self.b.build_int_add(lo, down, "")?;
            hi = self.b.build_int_add(hi, up, "")?;
        }
        let hi = self.b.build_select(empty, lo, hi, "")?.into_int_value();
        Ok((lo, hi))
    }

    /// The loop nest writing `out[idx] = value[idx]` (or `out[idx] op value[idx]`) over `shape`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn nest(
        &mut self,
        cx: &mut FnCx<'ctx>,
        out: StructValue<'ctx>,
        out_t: &ArrayType,
        shape: &[IntValue<'ctx>],
        value: &Expr,
        op: Option<BinOp>,
        leaves: &BTreeMap<ExprId, Leaf<'ctx>>,
    ) -> Cg<()> {
        let strides = self.axis_strides(out, out_t, shape.len())?;
        self.nest_into(cx, &Sink::Store { out, out_t: *out_t, strides, op }, shape, value, leaves)
    }

    /// An array's byte strides along `n` axes of a nest (its axes aligned on the right): its
    /// own, or 0 for the axes it lacks.
    pub(super) fn axis_strides(
        &self,
        a: StructValue<'ctx>,
        at: &ArrayType,
        n: usize,
    ) -> Cg<Vec<IntValue<'ctx>>> {
        (0..n)
            .map(|d| match (d + at.ndim).checked_sub(n) {
                Some(j) => self.stride(a, at, j),
                None => Ok(self.i64(0)),
            })
            .collect()
    }

    /// The loop nest over `shape` giving each element of `value` to `sink`.
    pub(super) fn nest_into(
        &mut self,
        cx: &mut FnCx<'ctx>,
        sink: &Sink<'ctx>,
        shape: &[IntValue<'ctx>],
        value: &Expr,
        leaves: &BTreeMap<ExprId, Leaf<'ctx>>,
    ) -> Cg<()> {
        let n = shape.len();
        let arrays: Vec<(ExprId, StructValue<'ctx>, ArrayType)> = leaves
            .iter()
            .filter_map(|(id, l)| match l {
                Leaf::Array(a, at) => Some((*id, *a, *at)),
                Leaf::Number(..) => None,
            })
            .collect();
        let mut plain = Vec::new();
        let mut stretched = Vec::new();
        let mut no_broadcast = self.ctx.bool_type().const_all_ones();
        for (id, a, at) in &arrays {
            // Each array's byte strides along the nest's axes: its own, or 0 where it broadcasts.
            let own = self.axis_strides(*a, at, n)?;
            let mut zeroed = own.clone();
            for d in 0..n {
                let Some(j) = (d + at.ndim).checked_sub(n) else { continue };
                let m = self.dim(*a, SHAPE, j)?;
                let same = self.b.build_int_compare(IntPredicate::EQ, m, shape[d], "")?;
                no_broadcast = self.b.build_and(no_broadcast, same, "")?;
                let one = self.b.build_int_compare(IntPredicate::EQ, m, self.i64(1), "")?;
                zeroed[d] = self.b.build_select(one, self.i64(0), own[d], "")?.into_int_value();
            }
            plain.push((*id, *a, *at, own));
            stretched.push((*id, *a, *at, zeroed));
        }
        // Where no array stretches an axis of length 1 (an array with fewer axes reads the
        // missing leading ones with stride 0 in both), its own strides serve: constant on the
        // last axis of a contiguous array, so the inner loop vectorizes.
        if no_broadcast.get_zero_extended_constant() == Some(1) {
            return self.nest_with(cx, sink, shape, value, leaves, &plain);
        }
        let fast = self.append(cx.func, "nest.same_shapes");
        let general = self.append(cx.func, "nest.broadcast");
        let done = self.append(cx.func, "nest.done");
        self.b.build_conditional_branch(no_broadcast, fast, general)?;
        self.b.position_at_end(fast);
        self.nest_with(cx, sink, shape, value, leaves, &plain)?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(general);
        self.nest_with(cx, sink, shape, value, leaves, &stretched)?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        Ok(())
    }

    pub(super) fn nest_with(
        &mut self,
        cx: &mut FnCx<'ctx>,
        sink: &Sink<'ctx>,
        shape: &[IntValue<'ctx>],
        value: &Expr,
        leaves: &BTreeMap<ExprId, Leaf<'ctx>>,
        arrays: &[(ExprId, StructValue<'ctx>, ArrayType, Vec<IntValue<'ctx>>)],
    ) -> Cg<()> {
        let n = shape.len();
        let i64t = self.ctx.i64_type();
        let value_t = self.ty(cx, value);
        if n == 0 {
            return Err(CgError("a loop nest of no axes".into()));
        }
        let counters: Vec<PointerValue> = (0..n)
            .map(|k| self.entry_alloca(cx, i64t.into(), &format!("i{k}")))
            .collect::<Cg<_>>()?;
        let heads: Vec<_> = (0..n).map(|_| self.append(cx.func, "nest.head")).collect();
        let bodies: Vec<_> = (0..n).map(|_| self.append(cx.func, "nest.body")).collect();
        let latches: Vec<_> = (0..n).map(|_| self.append(cx.func, "nest.next")).collect();
        let exit = self.append(cx.func, "nest.exit");
        self.b.build_store(counters[0], self.i64(0))?;
        self.b.build_unconditional_branch(heads[0])?;
        for k in 0..n {
            self.b.position_at_end(heads[k]);
            let i = self.b.build_load(i64t, counters[k], "")?.into_int_value();
            let more = self.b.build_int_compare(IntPredicate::SLT, i, shape[k], "")?;
            self.b.build_conditional_branch(
                more,
                bodies[k],
                if k == 0 { exit } else { latches[k - 1] },
            )?;
            self.b.position_at_end(bodies[k]);
            if k + 1 < n {
                self.b.build_store(counters[k + 1], self.i64(0))?;
                self.b.build_unconditional_branch(heads[k + 1])?;
                continue;
            }
            let idx: Vec<IntValue> = counters
                .iter()
                .map(|c| Ok(self.b.build_load(i64t, *c, "")?.into_int_value()))
                .collect::<Cg<_>>()?;
            let mut current = BTreeMap::new();
            for (id, leaf) in leaves {
                if let Leaf::Number(v, d) = leaf {
                    current.insert(*id, Current::Number(*v, *d));
                }
            }
            for (id, a, at, strides) in arrays {
                current.insert(*id, Current::At(self.address(*a, strides, &idx)?, at.dtype));
            }
            let (v, d) = self.element(cx, value, &current)?;
            match sink {
                Sink::Store { out, out_t, strides, op } => {
                    let target = self.address(*out, strides, &idx)?;
                    let (v, d) = match op {
                        None => (v, d),
                        Some(op) => {
                            let old = self.load_element(target, out_t.dtype)?;
                            let l = Operand::Array(out_t.dtype);
                            let r = Operand::of(&value_t, Some(value))
                                .ok_or_else(|| CgError("update operand".into()))?;
                            self.apply_binary(cx, *op, (old, out_t.dtype, l), (v, d, r))?
                        }
                    };
                    self.store_element_unchecked(target, out_t.dtype, v, &wide(d))?;
                }
                Sink::Reduce { acc, r } => self.accumulate(*acc, *r, v, d)?,
                Sink::ArgBest { best, at, count, max } => {
                    self.arg_best_step((*best, *at, *count, *max), v, d)?
                }
                Sink::Fold { out, out_t, strides, r } => {
                    let target = self.address(*out, strides, &idx)?;
                    let old = self.load_element(target, out_t.dtype)?;
                    let new = self.fold_element(*r, old, out_t.dtype, v, d)?;
                    self.store_element_unchecked(target, out_t.dtype, new, &wide(out_t.dtype))?;
                }
            }
            self.b.build_unconditional_branch(latches[k])?;
        }
        for k in (0..n).rev() {
            self.b.position_at_end(latches[k]);
            let i = self.b.build_load(i64t, counters[k], "")?.into_int_value();
            self.b.build_store(counters[k], self.b.build_int_add(i, self.i64(1), "")?)?;
            self.b.build_unconditional_branch(heads[k])?;
        }
        self.b.position_at_end(exit);
        Ok(())
    }

    /// The address of element `idx` of an array read with these strides.
    pub(super) fn address(
        &self,
        a: StructValue<'ctx>,
        strides: &[IntValue<'ctx>],
        idx: &[IntValue<'ctx>],
    ) -> Cg<PointerValue<'ctx>> {
        let mut offset = self.i64(0);
        for (i, s) in idx.iter().zip(strides) {
            if s.get_zero_extended_constant() == Some(0) {
                continue;
            }
            offset = self.b.build_int_add(offset, self.b.build_int_mul(*i, *s, "")?, "")?;
        }
        let data = self.field(a, DATA)?.into_pointer_value();
        Ok(unsafe { self.b.build_gep(self.ctx.i8_type(), data, &[offset], "elem")? })
    }
}
