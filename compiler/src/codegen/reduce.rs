//! Reductions of whole arrays and element-wise expressions (`np.sum`, `np.mean`, `np.max`,
//! `np.any`, … and the methods), whole or along one axis of a 2-D operand, as
//! types/elementwise.rs typed them: loops over the elements (codegen/elementwise.rs), folded
//! into an accumulator or the result's elements. Float sums are numpy's to the bit: pairwise
//! summation (`pairwise`) in numpy's iterator order, which follows memory (`reduce_along`).

use super::capi;
use super::element::{is_float, wide, Current, Leaf};
use super::elementwise::Sink;
use super::layout::{dtype_size, DATA, SHAPE, WRITABLE};
use super::state::{Cg, CgError, Codegen, FnCx};
use crate::export_spec::Scalar;
use crate::hir::{Expr, ExprId, Reduction};
use crate::types::{ArrayType, Type};
use inkwell::types::BasicType;
use inkwell::values::{BasicValueEnum, FloatValue, IntValue, PointerValue, StructValue};
use inkwell::{FloatPredicate, IntPredicate};
use std::collections::BTreeMap;

impl<'ctx> Codegen<'ctx, '_> {
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
        let mut leaves = BTreeMap::new();
        let shape = self.leaves(cx, array, &mut leaves)?;
        self.set_loc(cx.scope, &e.span);
        if matches!(r, Reduction::Sum | Reduction::Mean) && is_float(at.dtype) {
            return self.float_sum(cx, r, array, &at, &shape, leaves);
        }
        let init: BasicValueEnum = match r {
            Reduction::Sum => self.i64(0).into(),
            Reduction::Any => self.ctx.bool_type().const_zero().into(),
            Reduction::All => self.ctx.bool_type().const_all_ones().into(),
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
                self.extreme(!max, at.dtype)
            }
            Reduction::Mean => return Err(CgError("mean of ints".into())),
            Reduction::ArgMax | Reduction::ArgMin => {
                return self.arg_best(cx, r == Reduction::ArgMax, array, &at, &shape, &leaves)
            }
        };
        let acc = self.entry_alloca(cx, init.get_type(), "acc")?;
        self.b.build_store(acc, init)?;
        let sink = Sink::Reduce { acc, r };
        self.nest_into(cx, &sink, &shape, array, &leaves)?;
        Ok(self.b.build_load(init.get_type(), acc, "")?)
    }

    /// The largest (`top`) or smallest value of dtype `d`, held wide: where a max (min)
    /// starts, as numpy's first element would (infinities for floats, a NaN still wins).
    fn extreme(&self, top: bool, d: Scalar) -> BasicValueEnum<'ctx> {
        match wide(d) {
            Type::Float => self.f64(if top { f64::INFINITY } else { f64::NEG_INFINITY }).into(),
            Type::Int => {
                let bits = 8 * dtype_size(d) as u32 - 1;
                let v = if top { (1i128 << bits) - 1 } else { -(1i128 << bits) };
                self.i64(v as i64).into()
            }
            _ => self.ctx.bool_type().const_int(top as u64, false).into(),
        }
    }

    /// Folds one element (`v` of dtype `d`) into a reduction's accumulator.
    pub(super) fn accumulate(
        &self,
        acc: PointerValue<'ctx>,
        r: Reduction,
        v: BasicValueEnum<'ctx>,
        d: Scalar,
    ) -> Cg<()> {
        let acc_d = match r {
            Reduction::Sum | Reduction::Mean => Scalar::Int64,
            Reduction::Any | Reduction::All => Scalar::Bool,
            Reduction::Max | Reduction::Min | Reduction::ArgMax | Reduction::ArgMin => d,
        };
        let old = self.b.build_load(self.llvm_type(&wide(acc_d)), acc, "")?;
        let new = self.fold_element(r, old, acc_d, v, d)?;
        self.b.build_store(acc, new)?;
        Ok(())
    }

    /// `old` (a partial result of dtype `acc_d`, held wide) with one more element `v` of dtype
    /// `d` folded in: sums add (floats rounded to `acc_d`), max and min as numpy's maximum
    /// and minimum (a NaN anywhere is the result), any and all as `or` and `and`.
    pub(super) fn fold_element(
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
            Reduction::ArgMax | Reduction::ArgMin => {
                return Err(CgError("argmax folds through arg_best".into()))
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

    /// `np.argmax(x)` / `np.argmin(x)` (`max`): the first index, in C order, of the largest
    /// (smallest) element, numpy's way: a NaN is the answer as soon as one comes; an empty
    /// array raises numpy's ValueError.
    fn arg_best(
        &mut self,
        cx: &mut FnCx<'ctx>,
        max: bool,
        array: &Expr,
        at: &ArrayType,
        shape: &[IntValue<'ctx>],
        leaves: &BTreeMap<ExprId, Leaf<'ctx>>,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let mut size = self.i64(1);
        for n in shape {
            size = self.b.build_int_mul(size, *n, "")?;
        }
        let some = self.b.build_int_compare(IntPredicate::SGT, size, self.i64(0), "")?;
        let message = format!(
            "attempt to get {} of an empty sequence",
            if max { "argmax" } else { "argmin" }
        );
        self.guard(cx, some, "ValueError", &message)?;
        let init = self.extreme(!max, at.dtype);
        let best = self.entry_alloca(cx, init.get_type(), "best")?;
        let at_slot = self.entry_alloca(cx, self.ctx.i64_type().into(), "best.at")?;
        let count = self.entry_alloca(cx, self.ctx.i64_type().into(), "count")?;
        self.b.build_store(best, init)?;
        self.b.build_store(at_slot, self.i64(0))?;
        self.b.build_store(count, self.i64(0))?;
        let sink = Sink::ArgBest { best, at: at_slot, count, max };
        self.nest_into(cx, &sink, shape, array, leaves)?;
        Ok(self.b.build_load(self.ctx.i64_type(), at_slot, "")?)
    }

    /// One element into `arg_best`'s slots: taken where it beats the best so far (numpy:
    /// `!(x <= best)` for argmax, so a NaN beats anything) unless the best is a NaN already.
    pub(super) fn arg_best_step(
        &self,
        (best, at, count, max): (PointerValue<'ctx>, PointerValue<'ctx>, PointerValue<'ctx>, bool),
        v: BasicValueEnum<'ctx>,
        d: Scalar,
    ) -> Cg<()> {
        let b = &self.b;
        let old = b.build_load(self.llvm_type(&wide(d)), best, "")?;
        let i = b.build_load(self.ctx.i64_type(), count, "")?.into_int_value();
        let take = match (old, v) {
            (BasicValueEnum::FloatValue(o), BasicValueEnum::FloatValue(x)) => {
                let pred = if max { FloatPredicate::OLE } else { FloatPredicate::OGE };
                let beaten = b.build_not(b.build_float_compare(pred, x, o, "")?, "")?;
                b.build_and(beaten, b.build_not(self.is_nan(o)?, "")?, "")?
            }
            (BasicValueEnum::IntValue(o), BasicValueEnum::IntValue(x)) => {
                let pred = match (max, d == Scalar::Bool) {
                    (true, false) => IntPredicate::SGT,
                    (false, false) => IntPredicate::SLT,
                    (true, true) => IntPredicate::UGT,
                    (false, true) => IntPredicate::ULT,
                };
                b.build_int_compare(pred, x, o, "")?
            }
            _ => return Err(CgError("argmax of mixed elements".into())),
        };
        b.build_store(best, b.build_select(take, v, old, "")?)?;
        let old_at = b.build_load(self.ctx.i64_type(), at, "")?.into_int_value();
        b.build_store(at, b.build_select(take, i, old_at, "")?)?;
        b.build_store(count, b.build_int_add(i, self.i64(1), "")?)?;
        Ok(())
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
        let mut leaves = BTreeMap::new();
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
    pub(super) fn fold_along(
        &mut self,
        cx: &mut FnCx<'ctx>,
        out: StructValue<'ctx>,
        rt: &ArrayType,
        shape: &[IntValue<'ctx>],
        array: &Expr,
        leaves: &BTreeMap<ExprId, Leaf<'ctx>>,
        r: Reduction,
        k: usize,
    ) -> Cg<()> {
        let kept = 1 - k;
        let identity: BasicValueEnum = match (r, wide(rt.dtype)) {
            (Reduction::Any, _) => self.ctx.bool_type().const_zero().into(),
            (Reduction::All, _) => self.ctx.bool_type().const_all_ones().into(),
            (Reduction::Max | Reduction::Min, _) => self.extreme(r == Reduction::Min, rt.dtype),
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
    pub(super) fn numpy_column_major(
        &self,
        leaves: &BTreeMap<ExprId, Leaf<'ctx>>,
    ) -> Cg<IntValue<'ctx>> {
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
    pub(super) fn line_sums(
        &mut self,
        cx: &mut FnCx<'ctx>,
        out: StructValue<'ctx>,
        rt: &ArrayType,
        shape: &[IntValue<'ctx>],
        array: &Expr,
        leaves: &BTreeMap<ExprId, Leaf<'ctx>>,
        r: Reduction,
        k: usize,
    ) -> Cg<()> {
        let kept = 1 - k;
        let out_data = self.field(out, DATA)?.into_pointer_value();
        let leaves = leaves.clone();
        self.for_each_index(cx, shape[kept], |this, cx, i| {
            // Line i of each leaf along axis k: a 1-D view (a leaf of length 1 along the kept
            // axis serves every line; a 1-D leaf lies along axis 1).
            let mut lines = BTreeMap::new();
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
    pub(super) fn divide_each(
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
    pub(super) fn for_each_index(
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
    pub(super) fn float_sum(
        &mut self,
        cx: &mut FnCx<'ctx>,
        r: Reduction,
        array: &Expr,
        at: &ArrayType,
        shape: &[IntValue<'ctx>],
        mut leaves: BTreeMap<ExprId, Leaf<'ctx>>,
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
                BTreeMap::from([(array.id, Leaf::Array(flat, ArrayType { ndim: 1, ..temp_t }))]);
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
    pub(super) fn sum_1d(
        &mut self,
        cx: &mut FnCx<'ctx>,
        size: IntValue<'ctx>,
        array: &Expr,
        leaves: &BTreeMap<ExprId, Leaf<'ctx>>,
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
    pub(super) fn pairwise(
        &mut self,
        cx: &mut FnCx<'ctx>,
        n: IntValue<'ctx>,
        value: &Expr,
        leaves: &BTreeMap<ExprId, Leaf<'ctx>>,
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
    pub(super) fn pairwise_block(
        &mut self,
        cx: &mut FnCx<'ctx>,
        lo: IntValue<'ctx>,
        cnt: IntValue<'ctx>,
        value: &Expr,
        leaves: &BTreeMap<ExprId, Leaf<'ctx>>,
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
                let mut current = BTreeMap::new();
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
}
