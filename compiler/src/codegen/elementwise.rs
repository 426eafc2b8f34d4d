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

use super::basics::CallResult;
use super::layout::{dtype_size, DATA, SHAPE, WRITABLE};
use super::state::{Cg, CgError, Codegen, FnCx};
use super::{capi, cpython};
use crate::export_spec::Scalar;
use crate::hir::{BinOp, CmpOp, Expr, ExprId, ExprKind, Index, LocalId, Reduction, UnaryOp};
use crate::types::elementwise::{self, Operand};
use crate::types::{ArrayType, Type};
use inkwell::types::BasicType;
use inkwell::values::{BasicValueEnum, FloatValue, IntValue, PointerValue, StructValue};
use inkwell::{FloatPredicate, IntPredicate};
use std::collections::HashMap;

/// A leaf of a fused expression, evaluated before the nest.
#[derive(Clone, Copy)]
enum Leaf<'ctx> {
    Array(StructValue<'ctx>, ArrayType),
    Number(BasicValueEnum<'ctx>, Scalar),
}

/// What a loop nest does with each element: store it (or update the target with it), or fold
/// it into an accumulator (`acc`, holding the element's native type).
enum Sink<'ctx> {
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
}

/// Inside the nest: where each array leaf's current element is, and each number's value.
enum Current<'ctx> {
    At(PointerValue<'ctx>, Scalar),
    Number(BasicValueEnum<'ctx>, Scalar),
}

/// The dtype a Python number stands for once it is computed with (it converts to the
/// operation's dtype there).
fn number_dtype(t: &Type) -> Scalar {
    match t {
        Type::Bool => Scalar::Bool,
        Type::Int => Scalar::Int64,
        _ => Scalar::Float64,
    }
}

fn is_float(d: Scalar) -> bool {
    matches!(d, Scalar::Float32 | Scalar::Float64)
}

/// The native type an element of dtype `d` is computed as (bool, int64, float64).
fn wide(d: Scalar) -> Type {
    match d {
        Scalar::Bool => Type::Bool,
        d if is_float(d) => Type::Float,
        _ => Type::Int,
    }
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
        let mut leaves = HashMap::new();
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
        let mut leaves = HashMap::new();
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
        let mut leaves = HashMap::new();
        let value_shape = self.leaves(cx, value, &mut leaves)?;
        self.set_loc(cx.scope, span);
        self.update(cx, arr.into_struct_value(), &at, value, &value_shape, Some(op), &leaves)
    }

    /// Writes `value` (broadcast) into `out`, or `out op value` when `op` is given.
    fn update(
        &mut self,
        cx: &mut FnCx<'ctx>,
        out: StructValue<'ctx>,
        out_t: &ArrayType,
        value: &Expr,
        value_shape: &[IntValue<'ctx>],
        op: Option<BinOp>,
        leaves: &HashMap<ExprId, Leaf<'ctx>>,
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
        let copied = HashMap::from([(value.id, Leaf::Array(temp, temp_t))]);
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
    fn may_raise(&self, cx: &FnCx<'ctx>, e: &Expr) -> bool {
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
    fn temporary(
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
    fn leaves(
        &mut self,
        cx: &mut FnCx<'ctx>,
        e: &Expr,
        out: &mut HashMap<ExprId, Leaf<'ctx>>,
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
    fn broadcast(
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
    fn broadcast_guard(
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
    fn value_error_fn(&mut self, n: usize) -> Cg<inkwell::values::FunctionValue<'ctx>> {
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
    fn overlaps(
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
    fn extent(
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
    fn nest(
        &mut self,
        cx: &mut FnCx<'ctx>,
        out: StructValue<'ctx>,
        out_t: &ArrayType,
        shape: &[IntValue<'ctx>],
        value: &Expr,
        op: Option<BinOp>,
        leaves: &HashMap<ExprId, Leaf<'ctx>>,
    ) -> Cg<()> {
        let strides = self.axis_strides(out, out_t, shape.len())?;
        self.nest_into(cx, &Sink::Store { out, out_t: *out_t, strides, op }, shape, value, leaves)
    }

    /// An array's byte strides along `n` axes of a nest (its axes aligned on the right): its
    /// own, or 0 for the axes it lacks.
    fn axis_strides(
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
    fn nest_into(
        &mut self,
        cx: &mut FnCx<'ctx>,
        sink: &Sink<'ctx>,
        shape: &[IntValue<'ctx>],
        value: &Expr,
        leaves: &HashMap<ExprId, Leaf<'ctx>>,
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

    fn nest_with(
        &mut self,
        cx: &mut FnCx<'ctx>,
        sink: &Sink<'ctx>,
        shape: &[IntValue<'ctx>],
        value: &Expr,
        leaves: &HashMap<ExprId, Leaf<'ctx>>,
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
            let mut current = HashMap::new();
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
    fn address(
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

    /// `np.sum(x)`, `x.max()`, … of a native array or element-wise expression, as types
    /// typed it (types::elementwise::reduction): one pass, no temporary except for a float sum
    /// of a 2-D or more expression (numpy sums those in C order, pairwise: see `pairwise`).
    pub(super) fn reduce(
        &mut self,
        cx: &mut FnCx<'ctx>,
        e: &Expr,
        r: Reduction,
        array: &Expr,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let Type::Array(at) = self.ty(cx, array) else {
            return Err(CgError("reduction of a non-array".into()));
        };
        let mut leaves = HashMap::new();
        let shape = self.leaves(cx, array, &mut leaves)?;
        self.set_loc(cx.scope, &e.span);
        if matches!(r, Reduction::Sum | Reduction::Mean) && is_float(at.dtype) {
            return self.float_sum(cx, r, array, &at, &shape, leaves);
        }
        let (init, d): (BasicValueEnum, Scalar) = match r {
            Reduction::Sum => (self.i64(0).into(), Scalar::Int64),
            Reduction::Any => (self.ctx.bool_type().const_zero().into(), Scalar::Bool),
            Reduction::All => (self.ctx.bool_type().const_all_ones().into(), Scalar::Bool),
            Reduction::Max | Reduction::Min => {
                let max = r == Reduction::Max;
                // numpy's maximum and minimum have no identity: an empty array is an error.
                let mut size = self.i64(1);
                for n in &shape {
                    size = self.b.build_int_mul(size, *n, "")?;
                }
                let some = self.b.build_int_compare(IntPredicate::SGT, size, self.i64(0), "")?;
                let message = format!(
                    "zero-size array to reduction operation {} which has no identity",
                    if max { "maximum" } else { "minimum" }
                );
                self.guard(cx, some, "ValueError", &message)?;
                let init: BasicValueEnum = match wide(at.dtype) {
                    Type::Float => {
                        self.f64(if max { f64::NEG_INFINITY } else { f64::INFINITY }).into()
                    }
                    Type::Int => self.i64(if max { i64::MIN } else { i64::MAX }).into(),
                    _ => self.ctx.bool_type().const_int(!max as u64, false).into(),
                };
                (init, at.dtype)
            }
            Reduction::Mean => return Err(CgError("mean of ints".into())),
        };
        let acc = self.entry_alloca(cx, init.get_type(), "acc")?;
        self.b.build_store(acc, init)?;
        let sink = Sink::Reduce { acc, r };
        self.nest_into(cx, &sink, &shape, array, &leaves)?;
        let v = self.b.build_load(init.get_type(), acc, "")?;
        let _ = d;
        Ok(v)
    }

    /// Folds one element (`v` of dtype `d`) into a reduction's accumulator.
    fn accumulate(
        &self,
        acc: PointerValue<'ctx>,
        r: Reduction,
        v: BasicValueEnum<'ctx>,
        d: Scalar,
    ) -> Cg<()> {
        let acc_d = match r {
            Reduction::Sum | Reduction::Mean => Scalar::Int64,
            Reduction::Any | Reduction::All => Scalar::Bool,
            Reduction::Max | Reduction::Min => d,
        };
        let old = self.b.build_load(self.llvm_type(&wide(acc_d)), acc, "")?;
        let new = self.fold_element(r, old, acc_d, v, d)?;
        self.b.build_store(acc, new)?;
        Ok(())
    }

    /// `old` (a partial result of dtype `acc_d`, held wide) with one more element `v` of dtype
    /// `d` folded in: sums add (floats rounded to `acc_d`), max and min as numpy's maximum
    /// and minimum (a NaN anywhere is the result), any and all as `or` and `and`.
    fn fold_element(
        &self,
        r: Reduction,
        old: BasicValueEnum<'ctx>,
        acc_d: Scalar,
        v: BasicValueEnum<'ctx>,
        d: Scalar,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let b = &self.b;
        Ok(match r {
            Reduction::Sum | Reduction::Mean if is_float(acc_d) => {
                let x = self.cast_element(v, d, acc_d)?.into_float_value();
                self.narrow(b.build_float_add(old.into_float_value(), x, "")?.into(), acc_d)?
            }
            Reduction::Sum | Reduction::Mean => {
                let x = self.cast_element(v, d, Scalar::Int64)?.into_int_value();
                b.build_int_add(old.into_int_value(), x, "")?.into()
            }
            Reduction::Any => {
                let x = self.cast_element(v, d, Scalar::Bool)?.into_int_value();
                b.build_or(old.into_int_value(), x, "")?.into()
            }
            Reduction::All => {
                let x = self.cast_element(v, d, Scalar::Bool)?.into_int_value();
                b.build_and(old.into_int_value(), x, "")?.into()
            }
            Reduction::Max | Reduction::Min => {
                let max = r == Reduction::Max;
                let x = self.cast_element(v, d, acc_d)?;
                match (old, x) {
                    // numpy: maximum(a, b) = a >= b or a is NaN ? a : b (minimum with <=).
                    (BasicValueEnum::FloatValue(a), BasicValueEnum::FloatValue(x)) => {
                        let pred = if max { FloatPredicate::OGE } else { FloatPredicate::OLE };
                        let keep = b.build_float_compare(pred, a, x, "")?;
                        let keep = b.build_or(keep, self.is_nan(a)?, "")?;
                        b.build_select(keep, a, x, "")?
                    }
                    (BasicValueEnum::IntValue(a), BasicValueEnum::IntValue(x))
                        if acc_d == Scalar::Bool =>
                    {
                        if max {
                            b.build_or(a, x, "")?.into()
                        } else {
                            b.build_and(a, x, "")?.into()
                        }
                    }
                    (BasicValueEnum::IntValue(a), BasicValueEnum::IntValue(x)) => {
                        let pred = if max { IntPredicate::SGE } else { IntPredicate::SLE };
                        let keep = b.build_int_compare(pred, a, x, "")?;
                        b.build_select(keep, a, x, "")?
                    }
                    _ => return Err(CgError("max/min of mixed elements".into())),
                }
            }
        })
    }

    /// `np.sum(m, axis=k)`, `m.max(axis=k)`, … of a 2-D array or expression, as types typed it
    /// (types::elementwise::reduction_along): a new 1-D array. Float sums along the last axis
    /// are pairwise per row; along the first, one row after another into the result, from
    /// 0.0 (numpy's order for C-ordered data; an array whose rows run backwards in memory is
    /// read from its last row, as numpy's iterator does). Max and min of an empty axis raise
    /// numpy's ValueError.
    pub(super) fn reduce_along(
        &mut self,
        cx: &mut FnCx<'ctx>,
        e: &Expr,
        r: Reduction,
        array: &Expr,
        axis: i64,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let (Type::Array(at), Type::Array(rt)) = (self.ty(cx, array), self.ty(cx, e)) else {
            return Err(CgError("reduction along an axis of a non-array".into()));
        };
        let k = if axis < 0 { (axis + at.ndim as i64) as usize } else { axis as usize };
        let mut leaves = HashMap::new();
        let shape = self.leaves(cx, array, &mut leaves)?;
        self.set_loc(cx.scope, &e.span);
        let kept = 1 - k;
        let out = self.new_array(cx, &rt, &[shape[kept]])?;
        if matches!(r, Reduction::Max | Reduction::Min) {
            // numpy refuses a zero-length axis even when the result has no element.
            let bad = self.b.build_int_compare(IntPredicate::EQ, shape[k], self.i64(0), "")?;
            let message = format!(
                "zero-size array to reduction operation {} which has no identity",
                if r == Reduction::Max { "maximum" } else { "minimum" }
            );
            self.guard(cx, self.b.build_not(bad, "")?, "ValueError", &message)?;
        }
        let float_sum = matches!(r, Reduction::Sum | Reduction::Mean) && is_float(rt.dtype);
        if !float_sum {
            self.fold_along(cx, out, &rt, &shape, array, &leaves, r, k)?;
            return Ok(out.into());
        }
        // numpy sums in its iterator's order, which follows memory (its "K" order, as the
        // temporary numpy makes for an expression does): pairwise along the axis reduced where
        // that is the inner one, or where the other has one element; else one line after
        // another into the result.
        let column_major = self.numpy_column_major(&leaves)?;
        let inner = if k == 0 { column_major } else { self.b.build_not(column_major, "")? };
        let single = self.b.build_int_compare(IntPredicate::EQ, shape[kept], self.i64(1), "")?;
        let lines = self.b.build_or(inner, single, "")?;
        let lines_bb = self.append(cx.func, "sum.pairwise");
        let fold_bb = self.append(cx.func, "sum.sequential");
        let done = self.append(cx.func, "sum.done");
        self.b.build_conditional_branch(lines, lines_bb, fold_bb)?;
        self.b.position_at_end(lines_bb);
        self.line_sums(cx, out, &rt, &shape, array, &leaves, r, k)?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(fold_bb);
        self.fold_along(cx, out, &rt, &shape, array, &leaves, r, k)?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        Ok(out.into())
    }

    /// The reduction along axis `k` into `out`, element by element: each result starts at the
    /// reduction's identity (numpy's maximum and minimum have none, but the dtype's extremes
    /// give the same result), then every element folds into its result in index order.
    #[allow(clippy::too_many_arguments)]
    fn fold_along(
        &mut self,
        cx: &mut FnCx<'ctx>,
        out: StructValue<'ctx>,
        rt: &ArrayType,
        shape: &[IntValue<'ctx>],
        array: &Expr,
        leaves: &HashMap<ExprId, Leaf<'ctx>>,
        r: Reduction,
        k: usize,
    ) -> Cg<()> {
        let kept = 1 - k;
        let identity: BasicValueEnum = match (r, wide(rt.dtype)) {
            (Reduction::Any, _) | (Reduction::Max, Type::Bool) => {
                self.ctx.bool_type().const_zero().into()
            }
            (Reduction::All, _) | (Reduction::Min, Type::Bool) => {
                self.ctx.bool_type().const_all_ones().into()
            }
            (Reduction::Max | Reduction::Min, Type::Float) => {
                let inf = if r == Reduction::Max { f64::NEG_INFINITY } else { f64::INFINITY };
                self.f64(inf).into()
            }
            (Reduction::Max | Reduction::Min, _) => {
                let bits = 8 * dtype_size(rt.dtype) as u32 - 1;
                let v = if r == Reduction::Max { -(1i128 << bits) } else { (1i128 << bits) - 1 };
                self.i64(v as i64).into()
            }
            (_, Type::Float) => self.f64(0.0).into(),
            _ => self.i64(0).into(),
        };
        let ptr = self.field(out, DATA)?.into_pointer_value();
        let dtype = rt.dtype;
        self.for_each_index(cx, shape[kept], |this, _cx, i| {
            let bytes = this.i64(dtype_size(dtype) as i64);
            let at = unsafe {
                this.b.build_gep(
                    this.ctx.i8_type(),
                    ptr,
                    &[this.b.build_int_mul(i, bytes, "")?],
                    "",
                )?
            };
            this.store_element_unchecked(at, dtype, identity, &wide(dtype))
        })?;
        let elem = self.i64(dtype_size(rt.dtype) as i64);
        let strides = if k == 0 { vec![self.i64(0), elem] } else { vec![elem, self.i64(0)] };
        let sink = Sink::Fold { out, out_t: *rt, strides, r };
        self.nest_into(cx, &sink, shape, array, leaves)?;
        if r == Reduction::Mean {
            self.divide_each(cx, out, rt, shape[kept], shape[k])?;
        }
        Ok(())
    }

    /// Whether numpy iterates 2-D operands column by column: its "K" order, which follows
    /// memory. Each 2-D array leaf whose two axes both have more than one element and
    /// non-zero strides votes for the axis of smaller stride as the inner one; numpy goes by
    /// columns only when some vote for it and none against (disagreement keeps C order).
    fn numpy_column_major(&self, leaves: &HashMap<ExprId, Leaf<'ctx>>) -> Cg<IntValue<'ctx>> {
        let bool_t = self.ctx.bool_type();
        let (mut for_columns, mut against) = (bool_t.const_zero(), bool_t.const_zero());
        for leaf in leaves.values() {
            let Leaf::Array(a, a_t) = leaf else { continue };
            if a_t.ndim != 2 {
                continue;
            }
            let abs = |this: &Self, v: IntValue<'ctx>| -> Cg<IntValue<'ctx>> {
                let neg = this.b.build_int_compare(IntPredicate::SLT, v, this.i64(0), "")?;
                Ok(this.b.build_select(neg, this.b.build_int_neg(v, "")?, v, "")?.into_int_value())
            };
            let s0 = abs(self, self.stride(*a, a_t, 0)?)?;
            let s1 = abs(self, self.stride(*a, a_t, 1)?)?;
            let mut votes = bool_t.const_all_ones();
            for (j, s) in [s0, s1].into_iter().enumerate() {
                let n = self.dim(*a, SHAPE, j)?;
                let long = self.b.build_int_compare(IntPredicate::SGT, n, self.i64(1), "")?;
                let moves = self.b.build_int_compare(IntPredicate::NE, s, self.i64(0), "")?;
                votes = self.b.build_and(votes, self.b.build_and(long, moves, "")?, "")?;
            }
            let columns = self.b.build_int_compare(IntPredicate::ULT, s0, s1, "")?;
            let rows = self.b.build_int_compare(IntPredicate::ULT, s1, s0, "")?;
            for_columns =
                self.b.build_or(for_columns, self.b.build_and(votes, columns, "")?, "")?;
            against = self.b.build_or(against, self.b.build_and(votes, rows, "")?, "")?;
        }
        Ok(self.b.build_and(for_columns, self.b.build_not(against, "")?, "")?)
    }

    /// Float sums (and means) along axis `k` of a 2-D expression, pairwise per line, as numpy.
    #[allow(clippy::too_many_arguments)]
    fn line_sums(
        &mut self,
        cx: &mut FnCx<'ctx>,
        out: StructValue<'ctx>,
        rt: &ArrayType,
        shape: &[IntValue<'ctx>],
        array: &Expr,
        leaves: &HashMap<ExprId, Leaf<'ctx>>,
        r: Reduction,
        k: usize,
    ) -> Cg<()> {
        let kept = 1 - k;
        let out_data = self.field(out, DATA)?.into_pointer_value();
        let leaves = leaves.clone();
        self.for_each_index(cx, shape[kept], |this, cx, i| {
            // Line i of each leaf along axis k: a 1-D view (a leaf of length 1 along the kept
            // axis serves every line; a 1-D leaf lies along axis 1).
            let mut lines = HashMap::new();
            for (id, leaf) in &leaves {
                let line = match leaf {
                    Leaf::Array(a, a_t) => {
                        // The leaf's axes, aligned on the right of the expression's two.
                        let axis_of = |d: usize| (d + a_t.ndim).checked_sub(2);
                        let data = this.field(*a, DATA)?.into_pointer_value();
                        let data = match axis_of(kept) {
                            Some(j) => {
                                let n = this.dim(*a, SHAPE, j)?;
                                let s = this.stride(*a, a_t, j)?;
                                let one = this.b.build_int_compare(
                                    IntPredicate::EQ,
                                    n,
                                    this.i64(1),
                                    "",
                                )?;
                                let s = this.b.build_select(one, this.i64(0), s, "")?;
                                let offset = this.b.build_int_mul(i, s.into_int_value(), "")?;
                                unsafe {
                                    this.b.build_gep(this.ctx.i8_type(), data, &[offset], "")?
                                }
                            }
                            None => data,
                        };
                        let (n, s) = match axis_of(k) {
                            Some(j) => (this.dim(*a, SHAPE, j)?, this.stride(*a, a_t, j)?),
                            None => (this.i64(1), this.i64(0)),
                        };
                        let view = this.make_array(
                            data,
                            &[n],
                            &[s],
                            this.field(*a, super::layout::OWNER)?.into_pointer_value(),
                            this.field(*a, WRITABLE)?.into_int_value(),
                        )?;
                        let contiguous = a_t.contiguous && axis_of(k) == Some(a_t.ndim - 1);
                        Leaf::Array(view, ArrayType { ndim: 1, contiguous, ..*a_t })
                    }
                    other => *other,
                };
                lines.insert(*id, line);
            }
            let sum = this.sum_1d(cx, shape[k], array, &lines, rt.dtype)?;
            let sum = this.b.build_float_add(this.f64(0.0), sum, "")?;
            let sum = this.narrow(sum.into(), rt.dtype)?.into_float_value();
            let v = if r == Reduction::Mean {
                let n = this.b.build_signed_int_to_float(shape[k], this.ctx.f64_type(), "")?;
                let n = this.narrow(n.into(), rt.dtype)?.into_float_value();
                this.narrow(this.b.build_float_div(sum, n, "")?.into(), rt.dtype)?
            } else {
                sum.into()
            };
            let bytes = this.i64(dtype_size(rt.dtype) as i64);
            let at = unsafe {
                this.b.build_gep(
                    this.ctx.i8_type(),
                    out_data,
                    &[this.b.build_int_mul(i, bytes, "")?],
                    "",
                )?
            };
            this.store_element_unchecked(at, rt.dtype, v, &Type::Float)
        })
    }

    /// Each element of a 1-D float array divided by `n` (a mean from a sum), in its dtype.
    fn divide_each(
        &mut self,
        cx: &mut FnCx<'ctx>,
        out: StructValue<'ctx>,
        rt: &ArrayType,
        len: IntValue<'ctx>,
        n: IntValue<'ctx>,
    ) -> Cg<()> {
        let data = self.field(out, DATA)?.into_pointer_value();
        let n = self.b.build_signed_int_to_float(n, self.ctx.f64_type(), "")?;
        let n = self.narrow(n.into(), rt.dtype)?.into_float_value();
        self.for_each_index(cx, len, |this, _cx, i| {
            let bytes = this.i64(dtype_size(rt.dtype) as i64);
            let at = unsafe {
                this.b.build_gep(
                    this.ctx.i8_type(),
                    data,
                    &[this.b.build_int_mul(i, bytes, "")?],
                    "",
                )?
            };
            let x = this.load_element(at, rt.dtype)?.into_float_value();
            let q = this.narrow(this.b.build_float_div(x, n, "")?.into(), rt.dtype)?;
            this.store_element_unchecked(at, rt.dtype, q, &Type::Float)
        })
    }

    /// `body(i)` for i in 0..n, a counted loop.
    fn for_each_index(
        &mut self,
        cx: &mut FnCx<'ctx>,
        n: IntValue<'ctx>,
        mut body: impl FnMut(&mut Self, &mut FnCx<'ctx>, IntValue<'ctx>) -> Cg<()>,
    ) -> Cg<()> {
        let i64t = self.ctx.i64_type();
        let slot = self.entry_alloca(cx, i64t.into(), "k")?;
        self.b.build_store(slot, self.i64(0))?;
        let head = self.append(cx.func, "each.head");
        let step = self.append(cx.func, "each.body");
        let done = self.append(cx.func, "each.done");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let i = self.b.build_load(i64t, slot, "")?.into_int_value();
        let more = self.b.build_int_compare(IntPredicate::SLT, i, n, "")?;
        self.b.build_conditional_branch(more, step, done)?;
        self.b.position_at_end(step);
        body(self, cx, i)?;
        self.b.build_store(slot, self.b.build_int_add(i, self.i64(1), "")?)?;
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(done);
        Ok(())
    }

    /// `np.sum` / `np.mean` of floats, summed as numpy does: pairwise over the elements in C
    /// order, in the array's own float type (see `pairwise`); an expression of 2-D or more
    /// is computed into a C-ordered temporary first, as numpy computes it before summing.
    fn float_sum(
        &mut self,
        cx: &mut FnCx<'ctx>,
        r: Reduction,
        array: &Expr,
        at: &ArrayType,
        shape: &[IntValue<'ctx>],
        mut leaves: HashMap<ExprId, Leaf<'ctx>>,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let mut size = self.i64(1);
        for n in shape {
            size = self.b.build_int_mul(size, *n, "")?;
        }
        let mut scratch = None;
        if at.ndim > 1 {
            // numpy's temporary is laid out as its operands are (order "K"), and summed in
            // memory order: a 2-D one column-major where they are.
            let temp_t = ArrayType { contiguous: true, ..*at };
            let (temp, raw) = self.temporary(cx, &temp_t, shape, !self.may_raise(cx, array))?;
            scratch = raw;
            let temp = if at.ndim == 2 {
                let by_columns = self.numpy_column_major(&leaves)?;
                let elem = self.i64(dtype_size(at.dtype) as i64);
                let down = self.b.build_int_mul(elem, shape[0], "")?;
                let s0 = self.b.build_select(
                    by_columns,
                    elem,
                    self.b.build_int_mul(elem, shape[1], "")?,
                    "",
                )?;
                let s1 = self.b.build_select(by_columns, down, elem, "")?;
                self.make_array(
                    self.field(temp, DATA)?.into_pointer_value(),
                    shape,
                    &[s0.into_int_value(), s1.into_int_value()],
                    self.ptr_type().const_null(),
                    self.ctx.bool_type().const_all_ones(),
                )?
            } else {
                temp
            };
            let temp_t = ArrayType { contiguous: at.ndim != 2, ..temp_t };
            self.nest(cx, temp, &temp_t, shape, array, None, &leaves)?;
            let bytes = self.i64(dtype_size(at.dtype) as i64);
            let flat = self.make_array(
                self.field(temp, DATA)?.into_pointer_value(),
                &[size],
                &[bytes],
                self.ptr_type().const_null(),
                self.ctx.bool_type().const_zero(),
            )?;
            leaves =
                HashMap::from([(array.id, Leaf::Array(flat, ArrayType { ndim: 1, ..temp_t }))]);
        }
        let sum = self.sum_1d(cx, size, array, &leaves, at.dtype)?;
        if let Some(raw) = scratch {
            capi::call(self, "free", &[raw.into()])?;
        }
        // The reduction starts from its identity: 0.0 + sum (a sum of -0.0 is 0.0).
        let sum = self.b.build_float_add(self.f64(0.0), sum, "")?;
        let sum = self.narrow(sum.into(), at.dtype)?.into_float_value();
        if r == Reduction::Sum {
            return Ok(sum.into());
        }
        let n = self.b.build_signed_int_to_float(size, self.ctx.f64_type(), "")?;
        let n = self.narrow(n.into(), at.dtype)?.into_float_value();
        let mean = self.b.build_float_div(sum, n, "")?;
        self.narrow(mean.into(), at.dtype)
    }

    /// numpy's pairwise sum of the `n` elements of a 1-D expression (leaves 1-D or numbers),
    /// not yet added to the reduction's 0.0.
    fn sum_1d(
        &mut self,
        cx: &mut FnCx<'ctx>,
        size: IntValue<'ctx>,
        array: &Expr,
        leaves: &HashMap<ExprId, Leaf<'ctx>>,
        d: Scalar,
    ) -> Cg<FloatValue<'ctx>> {
        // As in `nest_into`: arrays read with their own strides where none stretches a single
        // element (then the blocks vectorize), else with stride 0 for those that do.
        let mut no_broadcast = self.ctx.bool_type().const_all_ones();
        for leaf in leaves.values() {
            if let Leaf::Array(a, a_t) = leaf {
                let m = self.dim(*a, SHAPE, a_t.ndim - 1)?;
                let same = self.b.build_int_compare(IntPredicate::EQ, m, size, "")?;
                no_broadcast = self.b.build_and(no_broadcast, same, "")?;
            }
        }
        let sum = if no_broadcast.get_zero_extended_constant() == Some(1) {
            self.pairwise(cx, size, array, leaves, d, false)?
        } else {
            let plain_bb = self.append(cx.func, "sum.same_shapes");
            let stretch_bb = self.append(cx.func, "sum.broadcast");
            let done = self.append(cx.func, "sum.done");
            self.b.build_conditional_branch(no_broadcast, plain_bb, stretch_bb)?;
            self.b.position_at_end(plain_bb);
            let a = self.pairwise(cx, size, array, leaves, d, false)?;
            let a_end = self.b.get_insert_block().ok_or_else(|| CgError("no block".into()))?;
            self.b.build_unconditional_branch(done)?;
            self.b.position_at_end(stretch_bb);
            let b = self.pairwise(cx, size, array, leaves, d, true)?;
            let b_end = self.b.get_insert_block().ok_or_else(|| CgError("no block".into()))?;
            self.b.build_unconditional_branch(done)?;
            self.b.position_at_end(done);
            let phi = self.b.build_phi(self.ctx.f64_type(), "sum")?;
            phi.add_incoming(&[(&a, a_end), (&b, b_end)]);
            phi.as_basic_value().into_float_value()
        };
        Ok(sum)
    }

    /// numpy's pairwise summation of the `n` elements of a 1-D expression (`value`, its
    /// leaves 1-D arrays or numbers), every addition rounded to `d`: blocks of at most 128
    /// elements summed by eight accumulators, `((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))` plus the
    /// rest one by one; a longer range split in two at half its length rounded down to a
    /// multiple of 8, each half summed so, then added. The recursion runs on an explicit stack
    /// of ranges (its depth is at most twice log2(n)).
    fn pairwise(
        &mut self,
        cx: &mut FnCx<'ctx>,
        n: IntValue<'ctx>,
        value: &Expr,
        leaves: &HashMap<ExprId, Leaf<'ctx>>,
        d: Scalar,
        stretch: bool,
    ) -> Cg<FloatValue<'ctx>> {
        const DEPTH: u32 = 256;
        let i64t = self.ctx.i64_type();
        let f64t = self.ctx.f64_type();
        let stack_t = i64t.array_type(DEPTH);
        let lo_stack = self.entry_alloca(cx, stack_t.into(), "pw.lo")?;
        let n_stack = self.entry_alloca(cx, stack_t.into(), "pw.n")?;
        let results = self.entry_alloca(cx, f64t.array_type(DEPTH).into(), "pw.sums")?;
        let tasks = self.entry_alloca(cx, i64t.into(), "pw.tasks")?;
        let sums = self.entry_alloca(cx, i64t.into(), "pw.nsums")?;
        let at = |this: &Self,
                  base: PointerValue<'ctx>,
                  t: inkwell::types::BasicTypeEnum<'ctx>,
                  k: IntValue<'ctx>|
         -> Cg<PointerValue<'ctx>> {
            Ok(unsafe { this.b.build_gep(t.array_type(DEPTH), base, &[this.i64(0), k], "")? })
        };
        // A task (lo, n): n >= 0 sums the range; -1 - n adds the last two sums.
        let push_task = |this: &Self, lo: IntValue<'ctx>, cnt: IntValue<'ctx>| -> Cg<()> {
            let k = this.b.build_load(i64t, tasks, "")?.into_int_value();
            this.b.build_store(at(this, lo_stack, i64t.into(), k)?, lo)?;
            this.b.build_store(at(this, n_stack, i64t.into(), k)?, cnt)?;
            this.b.build_store(tasks, this.b.build_int_add(k, this.i64(1), "")?)?;
            Ok(())
        };
        let push_sum = |this: &Self, v: FloatValue<'ctx>| -> Cg<()> {
            let k = this.b.build_load(i64t, sums, "")?.into_int_value();
            this.b.build_store(at(this, results, f64t.into(), k)?, v)?;
            this.b.build_store(sums, this.b.build_int_add(k, this.i64(1), "")?)?;
            Ok(())
        };
        let pop_sum = |this: &Self| -> Cg<FloatValue<'ctx>> {
            let k = this.b.build_load(i64t, sums, "")?.into_int_value();
            let k = this.b.build_int_sub(k, this.i64(1), "")?;
            this.b.build_store(sums, k)?;
            Ok(this.b.build_load(f64t, at(this, results, f64t.into(), k)?, "")?.into_float_value())
        };
        self.b.build_store(tasks, self.i64(0))?;
        self.b.build_store(sums, self.i64(0))?;
        push_task(self, self.i64(0), n)?;
        let head = self.append(cx.func, "pw.head");
        let body = self.append(cx.func, "pw.task");
        let combine = self.append(cx.func, "pw.combine");
        let range = self.append(cx.func, "pw.range");
        let split = self.append(cx.func, "pw.split");
        let block = self.append(cx.func, "pw.block");
        let exit = self.append(cx.func, "pw.done");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let k = self.b.build_load(i64t, tasks, "")?.into_int_value();
        let more = self.b.build_int_compare(IntPredicate::SGT, k, self.i64(0), "")?;
        self.b.build_conditional_branch(more, body, exit)?;
        self.b.position_at_end(body);
        let k = self.b.build_int_sub(k, self.i64(1), "")?;
        self.b.build_store(tasks, k)?;
        let lo =
            self.b.build_load(i64t, at(self, lo_stack, i64t.into(), k)?, "lo")?.into_int_value();
        let cnt =
            self.b.build_load(i64t, at(self, n_stack, i64t.into(), k)?, "n")?.into_int_value();
        let is_combine = self.b.build_int_compare(IntPredicate::SLT, cnt, self.i64(0), "")?;
        self.b.build_conditional_branch(is_combine, combine, range)?;
        self.b.position_at_end(combine);
        let right = pop_sum(self)?;
        let left = pop_sum(self)?;
        let both = self.b.build_float_add(left, right, "")?;
        push_sum(self, self.narrow(both.into(), d)?.into_float_value())?;
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(range);
        let small = self.b.build_int_compare(IntPredicate::SLE, cnt, self.i64(128), "")?;
        self.b.build_conditional_branch(small, block, split)?;
        self.b.position_at_end(split);
        let half = self.b.build_int_signed_div(cnt, self.i64(2), "")?;
        let half = self.b.build_int_sub(half, self.b.build_and(half, self.i64(7), "")?, "")?;
        push_task(self, lo, self.i64(-1))?;
        push_task(self, self.b.build_int_add(lo, half, "")?, self.b.build_int_sub(cnt, half, "")?)?;
        push_task(self, lo, half)?;
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(block);
        let v = self.pairwise_block(cx, lo, cnt, value, leaves, d, stretch)?;
        push_sum(self, v.into_float_value())?;
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(exit);
        // n == 0 leaves the one block's -0.0.
        let zero = self.b.build_int_compare(IntPredicate::EQ, n, self.i64(0), "")?;
        let last = self
            .b
            .build_load(f64t, at(self, results, f64t.into(), self.i64(0))?, "")?
            .into_float_value();
        Ok(self.b.build_select(zero, self.f64(-0.0), last, "")?.into_float_value())
    }

    /// One block of `pairwise`: at most 128 elements from `lo`.
    fn pairwise_block(
        &mut self,
        cx: &mut FnCx<'ctx>,
        lo: IntValue<'ctx>,
        cnt: IntValue<'ctx>,
        value: &Expr,
        leaves: &HashMap<ExprId, Leaf<'ctx>>,
        d: Scalar,
        stretch: bool,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let i64t = self.ctx.i64_type();
        let f64t = self.ctx.f64_type();
        // Each array leaf's stride along the one axis (`stretch`: 0 where it broadcasts a
        // single element).
        let mut arrays = Vec::new();
        for (id, leaf) in leaves {
            if let Leaf::Array(a, at) = leaf {
                let mut s = self.stride(*a, at, at.ndim - 1)?;
                if stretch {
                    let m = self.dim(*a, SHAPE, at.ndim - 1)?;
                    let one = self.b.build_int_compare(IntPredicate::EQ, m, self.i64(1), "")?;
                    s = self.b.build_select(one, self.i64(0), s, "")?.into_int_value();
                }
                arrays.push((*id, *a, at.dtype, s));
            }
        }
        let element =
            |this: &mut Self, cx: &mut FnCx<'ctx>, i: IntValue<'ctx>| -> Cg<FloatValue<'ctx>> {
                let mut current = HashMap::new();
                for (id, leaf) in leaves {
                    if let Leaf::Number(v, nd) = leaf {
                        current.insert(*id, Current::Number(*v, *nd));
                    }
                }
                for (id, a, dt, s) in &arrays {
                    current.insert(*id, Current::At(this.address(*a, &[*s], &[i])?, *dt));
                }
                let (v, vd) = this.element(cx, value, &current)?;
                Ok(this.cast_element(v, vd, d)?.into_float_value())
            };
        let r: Vec<PointerValue> = (0..8)
            .map(|j| self.entry_alloca(cx, f64t.into(), &format!("pw.r{j}")))
            .collect::<Cg<_>>()?;
        for slot in &r {
            self.b.build_store(*slot, self.f64(-0.0))?;
        }
        let i_slot = self.entry_alloca(cx, i64t.into(), "pw.i")?;
        self.b.build_store(i_slot, self.i64(0))?;
        let limit = self.b.build_int_sub(cnt, self.b.build_and(cnt, self.i64(7), "")?, "")?;
        let eights = self.append(cx.func, "pw.eights");
        let eights_body = self.append(cx.func, "pw.eights.body");
        let rest = self.append(cx.func, "pw.rest");
        let rest_body = self.append(cx.func, "pw.rest.body");
        let done = self.append(cx.func, "pw.block.done");
        self.b.build_unconditional_branch(eights)?;
        self.b.position_at_end(eights);
        let i = self.b.build_load(i64t, i_slot, "")?.into_int_value();
        let more = self.b.build_int_compare(IntPredicate::SLT, i, limit, "")?;
        self.b.build_conditional_branch(more, eights_body, rest)?;
        self.b.position_at_end(eights_body);
        for (j, slot) in r.iter().enumerate() {
            let k =
                self.b.build_int_add(lo, self.b.build_int_add(i, self.i64(j as i64), "")?, "")?;
            let x = element(self, cx, k)?;
            let old = self.b.build_load(f64t, *slot, "")?.into_float_value();
            let new = self.narrow(self.b.build_float_add(old, x, "")?.into(), d)?;
            self.b.build_store(*slot, new)?;
        }
        self.b.build_store(i_slot, self.b.build_int_add(i, self.i64(8), "")?)?;
        self.b.build_unconditional_branch(eights)?;
        self.b.position_at_end(rest);
        let load = |this: &Self, j: usize| -> Cg<FloatValue<'ctx>> {
            Ok(this.b.build_load(f64t, r[j], "")?.into_float_value())
        };
        let add = |this: &Self, a: FloatValue<'ctx>, b: FloatValue<'ctx>| -> Cg<FloatValue<'ctx>> {
            Ok(this.narrow(this.b.build_float_add(a, b, "")?.into(), d)?.into_float_value())
        };
        let p01 = add(self, load(self, 0)?, load(self, 1)?)?;
        let p23 = add(self, load(self, 2)?, load(self, 3)?)?;
        let p45 = add(self, load(self, 4)?, load(self, 5)?)?;
        let p67 = add(self, load(self, 6)?, load(self, 7)?)?;
        let res = add(self, add(self, p01, p23)?, add(self, p45, p67)?)?;
        let res_slot = self.entry_alloca(cx, f64t.into(), "pw.res")?;
        self.b.build_store(res_slot, res)?;
        let tail = self.append(cx.func, "pw.tail");
        self.b.build_unconditional_branch(tail)?;
        self.b.position_at_end(tail);
        let i = self.b.build_load(i64t, i_slot, "")?.into_int_value();
        let more = self.b.build_int_compare(IntPredicate::SLT, i, cnt, "")?;
        self.b.build_conditional_branch(more, rest_body, done)?;
        self.b.position_at_end(rest_body);
        let x = element(self, cx, self.b.build_int_add(lo, i, "")?)?;
        let old = self.b.build_load(f64t, res_slot, "")?.into_float_value();
        self.b.build_store(res_slot, add(self, old, x)?)?;
        self.b.build_store(i_slot, self.b.build_int_add(i, self.i64(1), "")?)?;
        self.b.build_unconditional_branch(tail)?;
        self.b.position_at_end(done);
        Ok(self.b.build_load(f64t, res_slot, "")?)
    }

    /// The current element of `e`: its value (as bool, int64 or float64) and its dtype.
    fn element(
        &mut self,
        cx: &mut FnCx<'ctx>,
        e: &Expr,
        current: &HashMap<ExprId, Current<'ctx>>,
    ) -> Cg<(BasicValueEnum<'ctx>, Scalar)> {
        match current.get(&e.id) {
            Some(Current::At(ptr, d)) => return Ok((self.load_element(*ptr, *d)?, *d)),
            Some(Current::Number(v, d)) => return Ok((*v, *d)),
            None => {}
        }
        let result = match self.ty(cx, e) {
            Type::Array(at) => at.dtype,
            _ => return Err(CgError("element of a non-array node".into())),
        };
        match &e.kind {
            ExprKind::Binary(op, l, r) => {
                let (lv, ld) = self.element(cx, l, current)?;
                let (rv, rd) = self.element(cx, r, current)?;
                let (lt, rt) = (self.ty(cx, l), self.ty(cx, r));
                let lo = Operand::of(&lt, Some(l)).ok_or_else(|| CgError("operand".into()))?;
                let ro = Operand::of(&rt, Some(r)).ok_or_else(|| CgError("operand".into()))?;
                let (v, d) = self.apply_binary(cx, *op, (lv, ld, lo), (rv, rd, ro))?;
                debug_assert_eq!(d, result);
                Ok((v, d))
            }
            ExprKind::Compare(l, rest) => {
                let (op, r) = (&rest[0].0, &rest[0].1);
                let (lv, ld) = self.element(cx, l, current)?;
                let (rv, rd) = self.element(cx, r, current)?;
                let (lt, rt) = (self.ty(cx, l), self.ty(cx, r));
                let operands = [
                    Operand::of(&lt, Some(l)).ok_or_else(|| CgError("operand".into()))?,
                    Operand::of(&rt, Some(r)).ok_or_else(|| CgError("operand".into()))?,
                ];
                let c = elementwise::common(&operands).ok_or_else(|| CgError("common".into()))?;
                let x = self.cast_element(lv, ld, c)?;
                let y = self.cast_element(rv, rd, c)?;
                Ok((self.compare_elements(*op, x, y, c)?.into(), Scalar::Bool))
            }
            ExprKind::Unary(op, x) => {
                let (v, d) = self.element(cx, x, current)?;
                let v = self.cast_element(v, d, result)?;
                let v: BasicValueEnum = match (op, v) {
                    (UnaryOp::Neg, BasicValueEnum::FloatValue(f)) => {
                        self.b.build_float_neg(f, "")?.into()
                    }
                    (UnaryOp::Neg, BasicValueEnum::IntValue(i)) => {
                        self.b.build_int_sub(i.get_type().const_zero(), i, "")?.into()
                    }
                    (UnaryOp::Invert, BasicValueEnum::IntValue(i)) => {
                        self.b.build_not(i, "")?.into()
                    }
                    (_, v) => v,
                };
                Ok((self.narrow(v, result)?, result))
            }
            ExprKind::Ufunc(u, _, args) => {
                let mut vals = Vec::new();
                let mut operands = Vec::new();
                let types: Vec<Type> = args.iter().map(|a| self.ty(cx, a)).collect();
                for (a, t) in args.iter().zip(&types) {
                    vals.push(self.element(cx, a, current)?);
                    operands
                        .push(Operand::of(t, Some(a)).ok_or_else(|| CgError("operand".into()))?);
                }
                let (c, r) = elementwise::ufunc_dtypes(*u, &operands)
                    .ok_or_else(|| CgError("ufunc dtypes".into()))?;
                if *u == crate::hir::Ufunc::Where {
                    let cond = self.cast_element(vals[0].0, vals[0].1, Scalar::Bool)?;
                    let x = self.cast_element(vals[1].0, vals[1].1, c)?;
                    let y = self.cast_element(vals[2].0, vals[2].1, c)?;
                    let v = self.b.build_select(cond.into_int_value(), x, y, "")?;
                    return Ok((v, r));
                }
                let cast: Vec<BasicValueEnum> =
                    vals.iter().map(|(v, d)| self.cast_element(*v, *d, c)).collect::<Cg<_>>()?;
                let wide_types = vec![wide(c); cast.len()];
                let v = self.ufunc(cx, *u, &cast, &wide_types, &wide(r))?;
                Ok((self.narrow(v, r)?, r))
            }
            // numpy's cast (a float into an int: truncated, or x86's INT_MIN where it does
            // not fit; an int into a narrower one: wrapped).
            ExprKind::AsType(x, ..) => {
                let (v, d) = self.element(cx, x, current)?;
                let v = match (wide(d), wide(result)) {
                    (Type::Float, Type::Int) => {
                        let i = self.float_to_int_as_numpy(v.into_float_value(), result)?;
                        self.narrow(i.into(), result)?
                    }
                    _ => self.cast_element(v, d, result)?,
                };
                Ok((v, result))
            }
            _ => Err(CgError("not an element-wise node".into())),
        }
    }

    /// `x op y` of two elements with numpy's semantics, in the dtype their operands give.
    fn apply_binary(
        &mut self,
        cx: &mut FnCx<'ctx>,
        op: BinOp,
        (lv, ld, lo): (BasicValueEnum<'ctx>, Scalar, Operand),
        (rv, rd, ro): (BasicValueEnum<'ctx>, Scalar, Operand),
    ) -> Cg<(BasicValueEnum<'ctx>, Scalar)> {
        let (c, result) = elementwise::binary_dtypes(op, lo, ro)
            .ok_or_else(|| CgError("binary dtypes".into()))?;
        let x = self.cast_element(lv, ld, c)?;
        let y = self.cast_element(rv, rd, c)?;
        let v: BasicValueEnum = if is_float(result) {
            let x = self.cast_element(x, c, result)?.into_float_value();
            let y = self.cast_element(y, c, result)?.into_float_value();
            let b = &self.b;
            match op {
                BinOp::Add => b.build_float_add(x, y, "")?.into(),
                BinOp::Sub => b.build_float_sub(x, y, "")?.into(),
                BinOp::Mul => b.build_float_mul(x, y, "")?.into(),
                BinOp::Div => b.build_float_div(x, y, "")?.into(),
                BinOp::FloorDiv | BinOp::Mod => {
                    // numpy: by zero, `//` is x / 0 (inf or nan) and `%` fmod's nan.
                    let zero =
                        self.b.build_float_compare(FloatPredicate::OEQ, y, self.f64(0.0), "")?;
                    let (q, m) = self.float_divmod(x, y)?;
                    if op == BinOp::Mod {
                        m.into()
                    } else {
                        let by_zero = self.b.build_float_div(x, y, "")?;
                        self.b.build_select(zero, by_zero, q, "")?
                    }
                }
                BinOp::Pow => self.fcall("llvm.pow", &[x, y])?.into(),
                _ => return Err(CgError(format!("`{}` on float elements", op.symbol()))),
            }
        } else if result == Scalar::Bool {
            let (x, y) = (x.into_int_value(), y.into_int_value());
            match op {
                BinOp::BitAnd => self.b.build_and(x, y, "")?.into(),
                BinOp::BitOr => self.b.build_or(x, y, "")?.into(),
                BinOp::BitXor => self.b.build_xor(x, y, "")?.into(),
                _ => return Err(CgError(format!("`{}` on bool elements", op.symbol()))),
            }
        } else {
            let (x, y) = (x.into_int_value(), y.into_int_value());
            let b = &self.b;
            match op {
                BinOp::Add => b.build_int_add(x, y, "")?.into(),
                BinOp::Sub => b.build_int_sub(x, y, "")?.into(),
                BinOp::Mul => b.build_int_mul(x, y, "")?.into(),
                BinOp::BitAnd => b.build_and(x, y, "")?.into(),
                BinOp::BitOr => b.build_or(x, y, "")?.into(),
                BinOp::BitXor => b.build_xor(x, y, "")?.into(),
                BinOp::FloorDiv | BinOp::Mod => {
                    // numpy: by zero, both give 0 (with a warning pyaot does not give).
                    let zero = self.i64(0);
                    let by_zero = self.b.build_int_compare(IntPredicate::EQ, y, zero, "")?;
                    let safe = self.b.build_select(by_zero, self.i64(1), y, "")?.into_int_value();
                    let (q, m) = self.int_divmod(x, safe)?;
                    let v = if op == BinOp::Mod { m } else { q };
                    self.b.build_select(by_zero, zero, v, "")?
                }
                BinOp::Pow => {
                    let ok = self.b.build_int_compare(IntPredicate::SGE, y, self.i64(0), "")?;
                    self.guard(
                        cx,
                        ok,
                        "ValueError",
                        "Integers to negative integer powers are not allowed.",
                    )?;
                    self.ipow(x, y)?.0.into()
                }
                _ => return Err(CgError(format!("`{}` on int elements", op.symbol()))),
            }
        };
        Ok((self.narrow(v, result)?, result))
    }

    fn compare_elements(
        &self,
        op: CmpOp,
        x: BasicValueEnum<'ctx>,
        y: BasicValueEnum<'ctx>,
        c: Scalar,
    ) -> Cg<IntValue<'ctx>> {
        if is_float(c) {
            let pred = match op {
                CmpOp::Lt => FloatPredicate::OLT,
                CmpOp::LtE => FloatPredicate::OLE,
                CmpOp::Gt => FloatPredicate::OGT,
                CmpOp::GtE => FloatPredicate::OGE,
                CmpOp::Eq => FloatPredicate::OEQ,
                CmpOp::NotEq => FloatPredicate::UNE,
                _ => return Err(CgError("comparison".into())),
            };
            return Ok(self.b.build_float_compare(
                pred,
                x.into_float_value(),
                y.into_float_value(),
                "",
            )?);
        }
        let unsigned = c == Scalar::Bool;
        let pred = match (op, unsigned) {
            (CmpOp::Lt, false) => IntPredicate::SLT,
            (CmpOp::LtE, false) => IntPredicate::SLE,
            (CmpOp::Gt, false) => IntPredicate::SGT,
            (CmpOp::GtE, false) => IntPredicate::SGE,
            (CmpOp::Lt, true) => IntPredicate::ULT,
            (CmpOp::LtE, true) => IntPredicate::ULE,
            (CmpOp::Gt, true) => IntPredicate::UGT,
            (CmpOp::GtE, true) => IntPredicate::UGE,
            (CmpOp::Eq, _) => IntPredicate::EQ,
            (CmpOp::NotEq, _) => IntPredicate::NE,
            _ => return Err(CgError("comparison".into())),
        };
        Ok(self.b.build_int_compare(pred, x.into_int_value(), y.into_int_value(), "")?)
    }

    /// An element of dtype `from` (held as bool, int64 or float64) converted to dtype `to`, as
    /// numpy casts it, and held the same way.
    fn cast_element(
        &self,
        v: BasicValueEnum<'ctx>,
        from: Scalar,
        to: Scalar,
    ) -> Cg<BasicValueEnum<'ctx>> {
        if from == to {
            return Ok(v);
        }
        let v = match (wide(from), wide(to)) {
            (Type::Bool, Type::Int) => {
                self.b.build_int_z_extend(v.into_int_value(), self.ctx.i64_type(), "")?.into()
            }
            (Type::Bool, Type::Float) => self
                .b
                .build_unsigned_int_to_float(v.into_int_value(), self.ctx.f64_type(), "")?
                .into(),
            (Type::Int, Type::Float) => self
                .b
                .build_signed_int_to_float(v.into_int_value(), self.ctx.f64_type(), "")?
                .into(),
            (Type::Int, Type::Bool) => {
                let i = v.into_int_value();
                self.b.build_int_compare(IntPredicate::NE, i, i.get_type().const_zero(), "")?.into()
            }
            (Type::Float, Type::Bool) => self
                .b
                .build_float_compare(FloatPredicate::UNE, v.into_float_value(), self.f64(0.0), "")?
                .into(),
            (Type::Float, Type::Int) => {
                return Err(CgError("a float element cast to int inside an expression".into()))
            }
            _ => v,
        };
        self.narrow(v, to)
    }

    /// A float converted to an int as numpy's C cast does on x86-64: truncated toward zero;
    /// NaN, infinities and values beyond int64 (int32 for narrower dtypes) give INT_MIN.
    fn float_to_int_as_numpy(&self, v: FloatValue<'ctx>, d: Scalar) -> Cg<IntValue<'ctx>> {
        let bits = if d == Scalar::Int64 { 63 } else { 31 };
        let limit = (1u64 << bits) as f64;
        let low = self.b.build_float_compare(FloatPredicate::OGE, v, self.f64(-limit), "")?;
        let high = self.b.build_float_compare(FloatPredicate::OLT, v, self.f64(limit), "")?;
        let fits = self.b.build_and(low, high, "")?;
        let sat = inkwell::intrinsics::Intrinsic::find("llvm.fptosi.sat")
            .ok_or_else(|| CgError("no fptosi.sat".into()))?;
        let f = sat
            .get_declaration(
                &self.module,
                &[self.ctx.i64_type().into(), self.ctx.f64_type().into()],
            )
            .ok_or_else(|| CgError("fptosi.sat".into()))?;
        let i = self.b.build_call(f, &[v.into()], "")?.value()?.into_int_value();
        let indefinite = self.i64(if bits == 63 { i64::MIN } else { i32::MIN as i64 });
        Ok(self.b.build_select(fits, i, indefinite, "")?.into_int_value())
    }

    /// Rounds a value held wide to what dtype `d` holds (float32's precision, int32's wrap).
    fn narrow(&self, v: BasicValueEnum<'ctx>, d: Scalar) -> Cg<BasicValueEnum<'ctx>> {
        Ok(match d {
            Scalar::Float32 => {
                let f = self.b.build_float_trunc(v.into_float_value(), self.ctx.f32_type(), "")?;
                self.b.build_float_ext(f, self.ctx.f64_type(), "")?.into()
            }
            Scalar::Int8 | Scalar::Int16 | Scalar::Int32 => {
                let narrow = self.dtype_type(d).into_int_type();
                let i = self.b.build_int_truncate(v.into_int_value(), narrow, "")?;
                self.b.build_int_s_extend(i, self.ctx.i64_type(), "")?.into()
            }
            _ => v,
        })
    }
}
