//! Arrays in native code: element access with numpy's wraparound and bounds checks (IndexError
//! naming the index, the axis and the size), stores with numpy's casts, views (`a[i]`, slices,
//! `.T`), attributes, and arrays created through numpy itself (`np.zeros`, `.copy()`, …).
//!
//! An array value is `{ ptr data, [n x i64] shape, [n x i64] strides (bytes), ptr owner, i1 writable }`.
//! `owner` is the Python object whose buffer holds the data. Arrays a function creates are
//! owned by its arena (a Python list released when the function leaves); a native function
//! that returns an array hands its caller one reference to the owner, which the caller adopts.

use super::basics::CallResult;
use super::capi;
use super::cpython;
use super::layout::{dtype_size, DATA, OWNER, SHAPE, STRIDES, WRITABLE};
use super::state::{Cg, CgError, Codegen, FnCx};
use crate::export_spec::Scalar;
use crate::hir::{ArrayAttr, Expr, Index, NpFn};
use crate::plan::escape::has_array;
use crate::types::{ArrayType, Type};
use inkwell::types::{BasicTypeEnum, StructType};
use inkwell::values::{BasicValueEnum, FloatValue, IntValue, PointerValue, StructValue};
use inkwell::{FloatPredicate, IntPredicate};

/// An evaluated index: one position, or a slice with its optional parts.
pub enum IndexValue<'ctx> {
    At(IntValue<'ctx>),
    /// `None` / `np.newaxis`: a new axis of length 1.
    NewAxis,
    Slice(Option<IntValue<'ctx>>, Option<IntValue<'ctx>>, Option<IntValue<'ctx>>),
}

impl<'ctx> Codegen<'ctx, '_> {
    pub(super) fn array_struct(&self, ndim: usize) -> StructType<'ctx> {
        let i64s = self.ctx.i64_type().array_type(ndim as u32);
        self.ctx.struct_type(
            &[
                self.ptr_type().into(),
                i64s.into(),
                i64s.into(),
                self.ptr_type().into(),
                self.ctx.bool_type().into(),
            ],
            false,
        )
    }

    pub(super) fn dtype_type(&self, d: Scalar) -> BasicTypeEnum<'ctx> {
        match d {
            Scalar::Bool | Scalar::Int8 | Scalar::UInt8 => self.ctx.i8_type().into(),
            Scalar::Int16 | Scalar::UInt16 => self.ctx.i16_type().into(),
            Scalar::Int32 | Scalar::UInt32 => self.ctx.i32_type().into(),
            Scalar::Float32 => self.ctx.f32_type().into(),
            Scalar::Float64 => self.ctx.f64_type().into(),
            Scalar::Complex64 => self
                .ctx
                .struct_type(&[self.ctx.f32_type().into(), self.ctx.f32_type().into()], false)
                .into(),
            Scalar::Complex128 => self.complex_type().into(),
            _ => self.ctx.i64_type().into(),
        }
    }

    pub(super) fn field(&self, arr: StructValue<'ctx>, field: u32) -> Cg<BasicValueEnum<'ctx>> {
        Ok(self.b.build_extract_value(arr, field, "")?)
    }

    pub(super) fn dim(&self, arr: StructValue<'ctx>, field: u32, k: usize) -> Cg<IntValue<'ctx>> {
        let dims = self.field(arr, field)?.into_array_value();
        Ok(self.b.build_extract_value(dims, k as u32, "")?.into_int_value())
    }

    /// The stride of axis k: a constant for the last axis of a C-contiguous array, which lets
    /// LLVM vectorize loops over it.
    pub(super) fn stride(
        &self,
        arr: StructValue<'ctx>,
        at: &ArrayType,
        k: usize,
    ) -> Cg<IntValue<'ctx>> {
        if at.contiguous && k + 1 == at.ndim {
            Ok(self.i64(dtype_size(at.dtype) as i64))
        } else {
            self.dim(arr, STRIDES, k)
        }
    }

    /// Wraps a negative index and checks bounds, raising IndexError like numpy.
    fn checked_index(
        &mut self,
        cx: &mut FnCx<'ctx>,
        i: IntValue<'ctx>,
        n: IntValue<'ctx>,
        axis: usize,
    ) -> Cg<IntValue<'ctx>> {
        if cx.checks_pass {
            // A speculative loop's checked run found every index in range (negative ones too
            // would have failed it).
            return Ok(i);
        }
        let checks = self.hir.functions[self.prog.instances[cx.inst].func].checks;
        if !checks.boundscheck {
            if !checks.wraparound {
                return Ok(i);
            }
            let neg = self.b.build_int_compare(IntPredicate::SLT, i, self.i64(0), "")?;
            return Ok(self
                .b
                .build_select(neg, self.b.build_int_add(i, n, "")?, i, "")?
                .into_int_value());
        }
        // One unsigned comparison covers both `< 0` and `>= n`: the common case (an index in
        // range) costs a compare and a branch predicted taken.
        let inside = self.b.build_int_compare(IntPredicate::ULT, i, n, "")?;
        let ok = self.append(cx.func, "in_bounds");
        let fail = self.append(cx.func, "out_of_bounds");
        let from = self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        let index = if checks.wraparound {
            // Negative indexes count from the end; only reached when the index is not already in
            // range, so wrapping costs nothing on the common path. `i + n` is in range exactly
            // when -n <= i < 0 (for i >= n it stays >= n or wraps around to a huge unsigned value).
            let negative = self.append(cx.func, "negative_index");
            let br = self.b.build_conditional_branch(inside, ok, negative)?;
            self.expect_true(br);
            self.b.position_at_end(negative);
            let wrapped = self.b.build_int_add(i, n, "wrapped")?;
            let inside_wrapped = self.b.build_int_compare(IntPredicate::ULT, wrapped, n, "")?;
            let br = self.b.build_conditional_branch(inside_wrapped, ok, fail)?;
            self.expect_true(br);
            self.b.position_at_end(ok);
            let phi = self.b.build_phi(self.ctx.i64_type(), "index")?;
            phi.add_incoming(&[(&i, from), (&wrapped, negative)]);
            phi.as_basic_value().into_int_value()
        } else {
            let br = self.b.build_conditional_branch(inside, ok, fail)?;
            self.expect_true(br);
            i
        };
        self.b.position_at_end(fail);
        let raise = cpython::index_error_fn(self)?;
        let axis_v = self.ctx.i32_type().const_int(axis as u64, false);
        let call = self.b.build_call(raise, &[i.into(), axis_v.into(), n.into()], "")?;
        self.keep_apart(call);
        let unwind = self.unwind_block(cx)?;
        self.b.build_unconditional_branch(unwind)?;
        self.b.position_at_end(ok);
        Ok(index)
    }

    /// The address of `arr[idx...]` for indexes known to be in bounds.
    pub(super) fn unchecked_element_ptr(
        &mut self,
        arr: StructValue<'ctx>,
        at: &ArrayType,
        idx: &[IntValue<'ctx>],
    ) -> Cg<PointerValue<'ctx>> {
        let mut offset = self.i64(0);
        for (k, i) in idx.iter().enumerate() {
            let s = self.stride(arr, at, k)?;
            offset = self.b.build_int_add(offset, self.b.build_int_mul(*i, s, "")?, "")?;
        }
        let data = self.field(arr, DATA)?.into_pointer_value();
        Ok(unsafe { self.b.build_gep(self.ctx.i8_type(), data, &[offset], "elem")? })
    }

    /// The address of `arr[idx...]` (one index per dimension).
    pub(super) fn element_ptr(
        &mut self,
        cx: &mut FnCx<'ctx>,
        arr: StructValue<'ctx>,
        at: &ArrayType,
        idx: &[IntValue<'ctx>],
    ) -> Cg<PointerValue<'ctx>> {
        let mut checked = Vec::with_capacity(idx.len());
        for (k, i) in idx.iter().enumerate() {
            let n = self.dim(arr, SHAPE, k)?;
            checked.push(self.checked_index(cx, *i, n, k)?);
        }
        self.unchecked_element_ptr(arr, at, &checked)
    }

    /// Loads an element and widens it to its native type (int64, float64 or bool).
    pub(super) fn load_element(
        &self,
        ptr: PointerValue<'ctx>,
        d: Scalar,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let raw = self.b.build_load(self.dtype_type(d), ptr, "")?;
        let i64t = self.ctx.i64_type();
        Ok(match d {
            Scalar::Bool => self
                .b
                .build_int_compare(
                    IntPredicate::NE,
                    raw.into_int_value(),
                    self.ctx.i8_type().const_zero(),
                    "",
                )?
                .into(),
            Scalar::Float32 => {
                self.b.build_float_ext(raw.into_float_value(), self.ctx.f64_type(), "")?.into()
            }
            Scalar::Complex64 => {
                let re =
                    self.b.build_extract_value(raw.into_struct_value(), 0, "")?.into_float_value();
                let im =
                    self.b.build_extract_value(raw.into_struct_value(), 1, "")?.into_float_value();
                let f64t = self.ctx.f64_type();
                self.make_complex(
                    self.b.build_float_ext(re, f64t, "")?,
                    self.b.build_float_ext(im, f64t, "")?,
                )?
                .into()
            }
            Scalar::Float64 | Scalar::Int64 | Scalar::UInt64 | Scalar::Complex128 => raw,
            Scalar::UInt8 | Scalar::UInt16 | Scalar::UInt32 => {
                self.b.build_int_z_extend(raw.into_int_value(), i64t, "")?.into()
            }
            _ => self.b.build_int_s_extend(raw.into_int_value(), i64t, "")?.into(),
        })
    }

    /// Stores a native value into an element with numpy's casts (truncation toward zero for
    /// float to int, wrap-around for narrow ints).
    pub(super) fn store_element(
        &mut self,
        cx: &mut FnCx<'ctx>,
        arr: StructValue<'ctx>,
        ptr: PointerValue<'ctx>,
        d: Scalar,
        v: BasicValueEnum<'ctx>,
        vt: &Type,
    ) -> Cg<()> {
        let writable = self.field(arr, WRITABLE)?.into_int_value();
        self.guard(cx, writable, "ValueError", "assignment destination is read-only")?;
        if *vt == Type::Float && d.is_integer() {
            self.check_float_fits(cx, v.into_float_value(), d)?;
        }
        self.store_element_unchecked(ptr, d, v, vt)
    }

    /// A float stored into an integer element raises as numpy does for a Python float: NaN is
    /// ValueError, infinity and values whose integer part the dtype cannot hold OverflowError
    /// (never a wrapped or saturated number). One pair of compares on the common path.
    fn check_float_fits(&mut self, cx: &mut FnCx<'ctx>, f: FloatValue<'ctx>, d: Scalar) -> Cg<()> {
        // Truncation toward zero fits exactly when below < f < above (all exact in float64).
        let (below, above, out_of_bounds) = match d {
            Scalar::Int8 => (-129.0, 128.0, "float out of bounds for int8"),
            Scalar::Int16 => (-32769.0, 32768.0, "float out of bounds for int16"),
            Scalar::Int32 => (-2147483649.0, 2147483648.0, "float out of bounds for int32"),
            Scalar::UInt8 => (-1.0, 256.0, "float out of bounds for uint8"),
            Scalar::UInt16 => (-1.0, 65536.0, "float out of bounds for uint16"),
            Scalar::UInt32 => (-1.0, 4294967296.0, "float out of bounds for uint32"),
            Scalar::UInt64 => (-1.0, 18446744073709551616.0, "float out of bounds for uint64"),
            // -2**63 - 1 is not a float64: the lowest fitting float is -2**63 itself.
            _ => (
                -9223372036854775808.0 - 2048.0,
                9223372036854775808.0,
                "float out of bounds for int64",
            ),
        };
        let f64t = self.ctx.f64_type();
        let above_low =
            self.b.build_float_compare(FloatPredicate::OGT, f, f64t.const_float(below), "")?;
        let below_high =
            self.b.build_float_compare(FloatPredicate::OLT, f, f64t.const_float(above), "")?;
        let fits = self.b.build_and(above_low, below_high, "")?;
        let suspicious = self.b.build_not(fits, "")?;
        // Loops whose checks ran alone first (`FnCx::checks_pass`) skipped this one (the value
        // is not stored there): it is tested here for real. Raising at the store leaves the
        // earlier stores done, as in Python.
        let checks_passed = std::mem::replace(&mut cx.checks_pass, false);
        let checked = self.rarely(cx, suspicious, |cg| {
            let not_nan = cg.b.build_float_compare(FloatPredicate::ORD, f, f, "")?;
            let magnitude = cg.intrinsic("llvm.fabs", &[f.into()])?.into_float_value();
            let finite = cg.b.build_float_compare(
                FloatPredicate::ONE,
                magnitude,
                f64t.const_float(f64::INFINITY),
                "",
            )?;
            let finite = cg.b.build_or(finite, cg.b.build_not(not_nan, "")?, "")?;
            Ok(vec![
                (not_nan, "ValueError", "cannot convert float NaN to integer"),
                (finite, "OverflowError", "cannot convert float infinity to integer"),
                (fits, "OverflowError", out_of_bounds),
            ])
        });
        cx.checks_pass = checks_passed;
        checked
    }

    /// The store itself, once writability is settled.
    pub(super) fn store_element_unchecked(
        &mut self,
        ptr: PointerValue<'ctx>,
        d: Scalar,
        v: BasicValueEnum<'ctx>,
        vt: &Type,
    ) -> Cg<()> {
        let target = self.dtype_type(d);
        let stored: BasicValueEnum = match (d, vt) {
            (Scalar::Complex128, _) => self.to_complex(v, vt)?.into(),
            (Scalar::Complex64, _) => {
                let (re, im) = self.parts(self.to_complex(v, vt)?)?;
                let f32t = self.ctx.f32_type();
                let narrow = target.into_struct_type().get_undef();
                let narrow = self.b.build_insert_value(
                    narrow,
                    self.b.build_float_trunc(re, f32t, "")?,
                    0,
                    "",
                )?;
                self.b
                    .build_insert_value(narrow, self.b.build_float_trunc(im, f32t, "")?, 1, "")?
                    .into_struct_value()
                    .into()
            }
            (Scalar::Bool, _) => {
                let t = self.truthy(v, vt)?;
                self.b.build_int_z_extend(t, self.ctx.i8_type(), "")?.into()
            }
            (Scalar::Float32 | Scalar::Float64, _) => {
                let f = self.convert(v, vt, &Type::Float)?.into_float_value();
                if d == Scalar::Float32 {
                    self.b.build_float_trunc(f, self.ctx.f32_type(), "")?.into()
                } else {
                    f.into()
                }
            }
            (_, Type::Float) => {
                // Saturating, so a value `check_float_fits` refuses is never LLVM poison (a
                // speculative loop computes it before its checks are looked at).
                let name = if d == Scalar::UInt64 { "llvm.fptoui.sat" } else { "llvm.fptosi.sat" };
                let sat = inkwell::intrinsics::Intrinsic::find(name)
                    .ok_or_else(|| CgError("no fptosi.sat".into()))?;
                let f = sat
                    .get_declaration(
                        &self.module,
                        &[self.ctx.i64_type().into(), self.ctx.f64_type().into()],
                    )
                    .ok_or_else(|| CgError("fptosi.sat".into()))?;
                let mut i = self.b.build_call(f, &[v.into()], "")?.value()?.into_int_value();
                if d.is_integer()
                    && !matches!(
                        d,
                        Scalar::UInt8 | Scalar::UInt16 | Scalar::UInt32 | Scalar::UInt64
                    )
                {
                    // What checks let through (an array's NaN, infinity or huge value stored
                    // into an int array, which numpy does with a warning) becomes what numpy
                    // gives on x86-64: the C cast's "integer indefinite", INT_MIN of int64 for
                    // int64 and of int32 (then truncated) for narrower ints.
                    let bits = if d == Scalar::Int64 { 63 } else { 31 };
                    let limit = (1u64 << bits) as f64;
                    let fits_low = self.b.build_float_compare(
                        inkwell::FloatPredicate::OGE,
                        v.into_float_value(),
                        self.f64(-limit),
                        "",
                    )?;
                    let fits_high = self.b.build_float_compare(
                        inkwell::FloatPredicate::OLT,
                        v.into_float_value(),
                        self.f64(limit),
                        "",
                    )?;
                    let fits = self.b.build_and(fits_low, fits_high, "")?;
                    let indefinite = self.i64(if bits == 63 { i64::MIN } else { i32::MIN as i64 });
                    i = self.b.build_select(fits, i, indefinite, "")?.into_int_value();
                }
                self.b.build_int_truncate_or_bit_cast(i, target.into_int_type(), "")?.into()
            }
            _ => {
                let i = self.convert(v, vt, &Type::Int)?.into_int_value();
                self.b.build_int_truncate_or_bit_cast(i, target.into_int_type(), "")?.into()
            }
        };
        self.b.build_store(ptr, stored)?;
        Ok(())
    }

    pub(super) fn index_values(
        &mut self,
        cx: &mut FnCx<'ctx>,
        indices: &[Index],
    ) -> Cg<Vec<IndexValue<'ctx>>> {
        let mut out = Vec::new();
        for ix in indices {
            out.push(match ix {
                ix if crate::types::elementwise::new_axis(ix) => IndexValue::NewAxis,
                Index::At(e) if self.ty(cx, e) == Type::Object => {
                    let obj = self.expr(cx, e)?.into_pointer_value();
                    IndexValue::At(self.unbox_index(cx, obj)?)
                }
                Index::At(e) => IndexValue::At(self.int_expr(cx, e)?),
                Index::Slice(a, b, c) => {
                    let mut part =
                        |this: &mut Self, e: &Option<Box<Expr>>| -> Cg<Option<IntValue<'ctx>>> {
                            match e {
                                Some(x) => Ok(Some(this.int_expr(cx, x)?)),
                                None => Ok(None),
                            }
                        };
                    let (lo, hi, st) = (part(self, a)?, part(self, b)?, part(self, c)?);
                    IndexValue::Slice(lo, hi, st)
                }
            });
        }
        Ok(out)
    }

    pub(super) fn int_expr(&mut self, cx: &mut FnCx<'ctx>, e: &Expr) -> Cg<IntValue<'ctx>> {
        Ok(self.operand(cx, e, &Type::Int)?.into_int_value())
    }

    /// `arr[indices]` as a view (when it has fewer positions than dimensions, or slices).
    pub(super) fn view(
        &mut self,
        cx: &mut FnCx<'ctx>,
        arr: StructValue<'ctx>,
        at: &ArrayType,
        indices: &[IndexValue<'ctx>],
    ) -> Cg<StructValue<'ctx>> {
        let zero = self.i64(0);
        let one = self.i64(1);
        let mut offset = zero;
        let mut shape = Vec::new();
        let mut strides = Vec::new();
        let mut k = 0;
        for ix in indices.iter().map(Some).chain(std::iter::repeat(None)) {
            if ix.is_none() && k >= at.ndim {
                break;
            }
            if let Some(IndexValue::NewAxis) = ix {
                shape.push(one);
                strides.push(zero);
                continue;
            }
            let n = self.dim(arr, SHAPE, k)?;
            let s = self.stride(arr, at, k)?;
            k += 1;
            match ix {
                Some(IndexValue::At(i)) => {
                    let i = self.checked_index(cx, *i, n, k - 1)?;
                    offset = self.b.build_int_add(offset, self.b.build_int_mul(i, s, "")?, "")?;
                }
                None => {
                    shape.push(n);
                    strides.push(s);
                }
                Some(IndexValue::Slice(lo, hi, step)) => {
                    let step = match step {
                        Some(st) => {
                            let nz = self.b.build_int_compare(IntPredicate::NE, *st, zero, "")?;
                            self.guard(cx, nz, "ValueError", "slice step cannot be zero")?;
                            *st
                        }
                        None => one,
                    };
                    let (start, len) = self.slice_bounds(n, *lo, *hi, step)?;
                    offset =
                        self.b.build_int_add(offset, self.b.build_int_mul(start, s, "")?, "")?;
                    shape.push(len);
                    strides.push(self.b.build_int_mul(s, step, "")?);
                }
                Some(IndexValue::NewAxis) => {}
            }
        }
        let data = self.field(arr, DATA)?.into_pointer_value();
        let data = unsafe { self.b.build_gep(self.ctx.i8_type(), data, &[offset], "view")? };
        self.make_array(
            data,
            &shape,
            &strides,
            self.field(arr, OWNER)?.into_pointer_value(),
            self.field(arr, WRITABLE)?.into_int_value(),
        )
    }

    /// Python's slice.indices(n) then the length: (start, len) for `lo:hi:step` on n items.
    fn slice_bounds(
        &self,
        n: IntValue<'ctx>,
        lo: Option<IntValue<'ctx>>,
        hi: Option<IntValue<'ctx>>,
        step: IntValue<'ctx>,
    ) -> Cg<(IntValue<'ctx>, IntValue<'ctx>)> {
        let b = &self.b;
        let zero = self.i64(0);
        let minus_one = self.i64(-1);
        let n1 = b.build_int_sub(n, self.i64(1), "")?;
        let up = b.build_int_compare(IntPredicate::SGT, step, zero, "")?;
        // Clamp a bound into [lower, upper] after adding n to negatives.
        let clamp = |v: IntValue<'ctx>,
                     lower: IntValue<'ctx>,
                     upper: IntValue<'ctx>|
         -> Cg<IntValue<'ctx>> {
            let neg = b.build_int_compare(IntPredicate::SLT, v, zero, "")?;
            let v = b.build_select(neg, b.build_int_add(v, n, "")?, v, "")?.into_int_value();
            let below = b.build_int_compare(IntPredicate::SLT, v, lower, "")?;
            let v = b.build_select(below, lower, v, "")?.into_int_value();
            let above = b.build_int_compare(IntPredicate::SGT, v, upper, "")?;
            Ok(b.build_select(above, upper, v, "")?.into_int_value())
        };
        let lower = b.build_select(up, zero, minus_one, "")?.into_int_value();
        let upper = b.build_select(up, n, n1, "")?.into_int_value();
        let start = match lo {
            Some(v) => clamp(v, lower, upper)?,
            None => b.build_select(up, zero, n1, "")?.into_int_value(),
        };
        let stop = match hi {
            Some(v) => clamp(v, lower, upper)?,
            None => b.build_select(up, n, minus_one, "")?.into_int_value(),
        };
        // len = (stop - start - 1) / step + 1 when the range is non-empty in the step's direction.
        let up_len = b.build_int_add(
            b.build_int_signed_div(
                b.build_int_sub(b.build_int_sub(stop, start, "")?, self.i64(1), "")?,
                step,
                "",
            )?,
            self.i64(1),
            "",
        )?;
        let down_len = b.build_int_add(
            b.build_int_signed_div(
                b.build_int_sub(b.build_int_sub(start, stop, "")?, self.i64(1), "")?,
                b.build_int_sub(zero, step, "")?,
                "",
            )?,
            self.i64(1),
            "",
        )?;
        let up_nonempty = b.build_int_compare(IntPredicate::SLT, start, stop, "")?;
        let down_nonempty = b.build_int_compare(IntPredicate::SGT, start, stop, "")?;
        let up_len = b.build_select(up_nonempty, up_len, zero, "")?.into_int_value();
        let down_len = b.build_select(down_nonempty, down_len, zero, "")?.into_int_value();
        let len = b.build_select(up, up_len, down_len, "")?.into_int_value();
        Ok((start, len))
    }

    /// Tells LLVM that sizes are never negative (true of every array), which lets it prove
    /// `i + 1 < n`-style bounds from loop conditions like `i < n - 1`.
    pub(super) fn assume_valid_shape(&self, arr: StructValue<'ctx>, ndim: usize) -> Cg<()> {
        let assume = inkwell::intrinsics::Intrinsic::find("llvm.assume")
            .ok_or_else(|| CgError("no llvm.assume".into()))?;
        let f = assume
            .get_declaration(&self.module, &[])
            .ok_or_else(|| CgError("llvm.assume".into()))?;
        for k in 0..ndim {
            let n = self.dim(arr, SHAPE, k)?;
            let nonneg = self.b.build_int_compare(IntPredicate::SGE, n, self.i64(0), "")?;
            self.b.build_call(f, &[nonneg.into()], "")?;
        }
        Ok(())
    }

    /// Whether an array's strides are C order (axes of size 0 or 1 may have any stride).
    pub(super) fn is_c_contiguous(
        &self,
        arr: StructValue<'ctx>,
        at: &ArrayType,
    ) -> Cg<IntValue<'ctx>> {
        let mut ok = self.ctx.bool_type().const_all_ones();
        let mut expected = self.i64(dtype_size(at.dtype) as i64);
        for k in (0..at.ndim).rev() {
            let n = self.dim(arr, SHAPE, k)?;
            let s = self.dim(arr, STRIDES, k)?;
            let same = self.b.build_int_compare(IntPredicate::EQ, s, expected, "")?;
            let trivial = self.b.build_int_compare(IntPredicate::SLE, n, self.i64(1), "")?;
            ok = self.b.build_and(ok, self.b.build_or(same, trivial, "")?, "")?;
            expected = self.b.build_int_mul(expected, n, "")?;
        }
        Ok(ok)
    }

    pub(super) fn make_array(
        &self,
        data: PointerValue<'ctx>,
        shape: &[IntValue<'ctx>],
        strides: &[IntValue<'ctx>],
        owner: PointerValue<'ctx>,
        writable: IntValue<'ctx>,
    ) -> Cg<StructValue<'ctx>> {
        let ty = self.array_struct(shape.len());
        let i64s = self.ctx.i64_type().array_type(shape.len() as u32);
        let mut sh = i64s.get_undef();
        let mut st = i64s.get_undef();
        for (k, (n, s)) in shape.iter().zip(strides).enumerate() {
            sh = self.b.build_insert_value(sh, *n, k as u32, "")?.into_array_value();
            st = self.b.build_insert_value(st, *s, k as u32, "")?.into_array_value();
        }
        let mut v = ty.get_undef();
        for (i, field) in [data.into(), sh.into(), st.into(), owner.into(), writable.into()]
            .into_iter()
            .enumerate()
        {
            let field: BasicValueEnum = field;
            v = self.b.build_insert_value(v, field, i as u32, "")?.into_struct_value();
        }
        Ok(v)
    }

    /// `t[i]` for a tuple whose items share one type: Python's wraparound and IndexError, then
    /// a chain of selects (small tuples; folded away once a loop over the tuple is unrolled).
    fn tuple_item(
        &mut self,
        cx: &mut FnCx<'ctx>,
        tuple: StructValue<'ctx>,
        items: &[Type],
        i: IntValue<'ctx>,
        result: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let n = self.i64(items.len() as i64);
        let negative = self.b.build_int_compare(IntPredicate::SLT, i, self.i64(0), "")?;
        let j =
            self.b.build_select(negative, self.b.build_int_add(i, n, "")?, i, "")?.into_int_value();
        let inside = self.b.build_int_compare(IntPredicate::ULT, j, n, "")?;
        self.guard(cx, inside, "IndexError", "tuple index out of range")?;
        let last = items.len() - 1;
        let mut item = self.b.build_extract_value(tuple, last as u32, "")?;
        for k in (0..last).rev() {
            let is_k = self.b.build_int_compare(IntPredicate::EQ, j, self.i64(k as i64), "")?;
            let candidate = self.b.build_extract_value(tuple, k as u32, "")?;
            item = self.b.build_select(is_k, candidate, item, "")?;
        }
        self.convert(item, &items[0], result)
    }

    /// `x[...]` for tuples (constant index, or a variable over items of one type) and arrays
    /// (element or view).
    pub(super) fn subscript(
        &mut self,
        cx: &mut FnCx<'ctx>,
        value: &Expr,
        indices: &[Index],
        result: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let v = self.expr(cx, value)?;
        match self.ty(cx, value) {
            Type::Tuple(items) => {
                let at = match indices.first() {
                    Some(Index::At(Expr {
                        kind: crate::hir::ExprKind::Const(crate::hir::Const::Int(k)),
                        ..
                    })) => {
                        let j = if *k < 0 { *k + items.len() as i64 } else { *k };
                        let item =
                            self.b.build_extract_value(v.into_struct_value(), j as u32, "")?;
                        return self.convert(item, &items[j as usize], result);
                    }
                    Some(Index::At(at)) => at,
                    _ => return Err(CgError("tuple index is not one value".into())),
                };
                let i = self.operand(cx, at, &Type::Int)?.into_int_value();
                self.tuple_item(cx, v.into_struct_value(), &items, i, result)
            }
            Type::Array(at) => {
                let idx = self.index_values(cx, indices)?;
                let arr = v.into_struct_value();
                if let Type::Array(_) = result {
                    return Ok(self.view(cx, arr, &at, &idx)?.into());
                }
                let positions: Vec<IntValue> = idx
                    .iter()
                    .map(|i| match i {
                        IndexValue::At(v) => Ok(*v),
                        _ => Err(CgError("slice in an element access".into())),
                    })
                    .collect::<Cg<_>>()?;
                if let Some(spec) = &cx.spec {
                    let elem = if spec.checked_ahead(value, indices) {
                        let ptr = self.unchecked_element_ptr(arr, &at, &positions)?;
                        let elem = self.load_element(ptr, at.dtype)?;
                        self.tag_element_access(cx, value, ptr);
                        elem
                    } else {
                        self.speculative_element(cx, value, arr, &at, &positions)?
                    };
                    return self.convert(elem, &at.elem(), result);
                }
                let ptr = self.element_ptr(cx, arr, &at, &positions)?;
                let elem = self.load_element(ptr, at.dtype)?;
                self.tag_element_access(cx, value, ptr);
                self.convert(elem, &at.elem(), result)
            }
            other => Err(CgError(format!("subscript of {other}"))),
        }
    }

    /// The address of the element `array[indices]` names, for stores.
    pub(super) fn item_address(
        &mut self,
        cx: &mut FnCx<'ctx>,
        array: &Expr,
        indices: &[Index],
    ) -> Cg<(StructValue<'ctx>, ArrayType, PointerValue<'ctx>)> {
        let v = self.expr(cx, array)?.into_struct_value();
        let Type::Array(at) = self.ty(cx, array) else {
            return Err(CgError("store into a non-array".into()));
        };
        let idx = self.index_values(cx, indices)?;
        let positions: Vec<IntValue> = idx
            .iter()
            .map(|i| match i {
                IndexValue::At(v) => Ok(*v),
                _ => Err(CgError("slice in an element store".into())),
            })
            .collect::<Cg<_>>()?;
        let ptr = self.element_ptr(cx, v, &at, &positions)?;
        Ok((v, at, ptr))
    }

    pub(super) fn array_attr(
        &mut self,
        cx: &mut FnCx<'ctx>,
        value: &Expr,
        attr: ArrayAttr,
        result: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let v = self.expr(cx, value)?.into_struct_value();
        let Type::Array(at) = self.ty(cx, value) else {
            return Err(CgError("attribute of a non-array".into()));
        };
        Ok(match attr {
            ArrayAttr::Ndim => self.i64(at.ndim as i64).into(),
            ArrayAttr::Size => {
                let mut size = self.i64(1);
                for k in 0..at.ndim {
                    size = self.b.build_int_mul(size, self.dim(v, SHAPE, k)?, "")?;
                }
                size.into()
            }
            ArrayAttr::Shape => {
                let mut agg = self.llvm_type(result).into_struct_type().get_undef();
                for k in 0..at.ndim {
                    agg = self
                        .b
                        .build_insert_value(agg, self.dim(v, SHAPE, k)?, k as u32, "")?
                        .into_struct_value();
                }
                agg.into()
            }
            ArrayAttr::Real | ArrayAttr::Imag => {
                return Err(CgError("`.real`/`.imag` of an array".into()))
            }
            ArrayAttr::T => {
                let mut shape = Vec::new();
                let mut strides = Vec::new();
                for k in (0..at.ndim).rev() {
                    shape.push(self.dim(v, SHAPE, k)?);
                    strides.push(self.stride(v, &at, k)?);
                }
                self.make_array(
                    self.field(v, DATA)?.into_pointer_value(),
                    &shape,
                    &strides,
                    self.field(v, OWNER)?.into_pointer_value(),
                    self.field(v, WRITABLE)?.into_int_value(),
                )?
                .into()
            }
        })
    }

    /// Takes ownership of a new reference: the arena keeps `obj` alive until the function leaves.
    pub(super) fn adopt(&mut self, cx: &mut FnCx<'ctx>, obj: PointerValue<'ctx>) -> Cg<()> {
        let slot = cx
            .arena
            .ok_or_else(|| CgError("array created in a function without an arena".into()))?;
        let list = cpython::arena_add(self, slot, obj)?;
        let ok = self.b.build_int_compare(
            IntPredicate::EQ,
            list,
            self.ctx.i32_type().const_zero(),
            "",
        )?;
        let cont = self.append(cx.func, "adopted");
        let unwind = self.unwind_block(cx)?;
        self.b.build_conditional_branch(ok, cont, unwind)?;
        self.b.position_at_end(cont);
        Ok(())
    }

    /// Adopts the array owners inside a value a native call returned (each carries a reference).
    pub(super) fn adopt_returned(
        &mut self,
        cx: &mut FnCx<'ctx>,
        v: BasicValueEnum<'ctx>,
        t: &Type,
    ) -> Cg<()> {
        match t {
            Type::Array(_) => {
                let owner = self.field(v.into_struct_value(), OWNER)?.into_pointer_value();
                self.adopt(cx, owner)
            }
            Type::Tuple(items) => {
                for (i, it) in items.iter().enumerate() {
                    let item = self.b.build_extract_value(v.into_struct_value(), i as u32, "")?;
                    self.adopt_returned(cx, item, it)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn retain_each(&self, v: BasicValueEnum<'ctx>, t: &Type) -> Cg<()> {
        match t {
            Type::Array(_) => {
                capi::incref(self, self.field(v.into_struct_value(), OWNER)?.into_pointer_value())
            }
            Type::Tuple(items) => {
                for (i, it) in items.iter().enumerate() {
                    let item = self.b.build_extract_value(v.into_struct_value(), i as u32, "")?;
                    self.retain_each(item, it)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Releases the arena (and every array the function created but did not return).
    pub(super) fn release_arena(&self, cx: &FnCx<'ctx>) -> Cg<()> {
        self.retain_and_release(cx, None)
    }

    /// Gives one reference to each array owner in `returned` (a value that leaves the function)
    /// and then releases the arena, under one hold of the GIL: taking it is the costly part.
    pub(super) fn retain_and_release(
        &self,
        cx: &FnCx<'ctx>,
        returned: Option<(BasicValueEnum<'ctx>, &Type)>,
    ) -> Cg<()> {
        let returned = returned.filter(|(_, t)| has_array(t));
        if returned.is_none() && cx.arena.is_none() {
            return Ok(());
        }
        capi::with_gil(self, || {
            if let Some((v, t)) = returned {
                self.retain_each(v, t)?;
            }
            if let Some(slot) = cx.arena {
                let list = self.b.build_load(self.ptr_type(), slot, "")?.into_pointer_value();
                capi::decref(self, list)?;
            }
            Ok(())
        })
    }

    /// `np.empty/zeros/ones/full(...)`, the `*_like` forms and `np.arange`, through numpy itself.
    pub(super) fn np_create(
        &mut self,
        cx: &mut FnCx<'ctx>,
        f: NpFn,
        args: &[Expr],
        result: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let Type::Array(at) = result else {
            return Err(CgError("np creation of a non-array".into()));
        };
        let mut vals = Vec::new();
        let mut types = Vec::new();
        for a in args {
            vals.push(self.expr(cx, a)?);
            types.push(self.ty(cx, a));
        }
        let shape: Vec<IntValue<'ctx>> = match f {
            NpFn::EmptyLike | NpFn::ZerosLike | NpFn::OnesLike | NpFn::FullLike => {
                let like = vals[0].into_struct_value();
                (0..at.ndim).map(|k| self.dim(like, SHAPE, k)).collect::<Cg<_>>()?
            }
            NpFn::Arange => vec![],
            _ => match &types[0] {
                Type::Tuple(items) => (0..items.len())
                    .map(|k| {
                        let item = self.b.build_extract_value(
                            vals[0].into_struct_value(),
                            k as u32,
                            "",
                        )?;
                        Ok(self.convert(item, &items[k], &Type::Int)?.into_int_value())
                    })
                    .collect::<Cg<_>>()?,
                t => vec![self.convert(vals[0], t, &Type::Int)?.into_int_value()],
            },
        };
        let function = match f {
            NpFn::Empty | NpFn::EmptyLike => "empty",
            NpFn::Zeros | NpFn::ZerosLike => "zeros",
            NpFn::Ones | NpFn::OnesLike => "ones",
            NpFn::Full | NpFn::FullLike => "full",
            NpFn::Arange => "arange",
        };
        let mut call_args: Vec<(BasicValueEnum<'ctx>, Type)> = Vec::new();
        match f {
            NpFn::Arange => {
                // Always (start, stop, step) so that the dtype can follow positionally.
                let given: Vec<(BasicValueEnum<'ctx>, Type)> =
                    vals.iter().cloned().zip(types.iter().cloned()).collect();
                let zero = (self.i64(0).into(), Type::Int);
                let one = (self.i64(1).into(), Type::Int);
                match given.len() {
                    1 => call_args.extend([zero, given[0].clone(), one]),
                    2 => call_args.extend([given[0].clone(), given[1].clone(), one]),
                    _ => call_args.extend(given),
                }
            }
            NpFn::Full | NpFn::FullLike => call_args.push((vals[1], types[1].clone())),
            _ => {}
        }
        let obj = cpython::numpy_call(self, cx, function, &shape, &call_args, at.dtype)?;
        self.adopt(cx, obj)?;
        let arr = self.array_from_object(cx, obj, at)?;
        if f == NpFn::Arange {
            return Ok(arr);
        }
        Ok(self.with_known_layout(arr.into_struct_value(), at, &shape)?.into())
    }

    /// A new C-ordered array with the shape pyaot asked numpy for: states that shape and the
    /// strides it implies in the IR, so LLVM can prove indexes in range and drop the checks.
    pub(super) fn with_known_layout(
        &self,
        arr: StructValue<'ctx>,
        at: &ArrayType,
        shape: &[IntValue<'ctx>],
    ) -> Cg<StructValue<'ctx>> {
        // numpy accepted these sizes, so none is negative.
        self.assume_valid_shape(
            self.make_array(
                self.field(arr, DATA)?.into_pointer_value(),
                shape,
                shape,
                self.ptr_type().const_null(),
                self.ctx.bool_type().const_zero(),
            )?,
            at.ndim,
        )?;
        let mut strides = vec![self.i64(0); at.ndim];
        let mut step = self.i64(dtype_size(at.dtype) as i64);
        for k in (0..at.ndim).rev() {
            strides[k] = step;
            step = self.b.build_int_mul(step, shape[k], "")?;
        }
        self.make_array(
            self.field(arr, DATA)?.into_pointer_value(),
            shape,
            &strides,
            self.field(arr, OWNER)?.into_pointer_value(),
            self.ctx.bool_type().const_all_ones(),
        )
    }

    /// Reads data, shape and strides of a freshly created numpy array (writable, right ndim).
    pub(super) fn array_from_object(
        &mut self,
        cx: &mut FnCx<'ctx>,
        obj: PointerValue<'ctx>,
        at: &ArrayType,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let reader = cpython::read_new_array_fn(self, at.ndim)?;
        let r = self.b.build_call(reader, &[obj.into()], "")?.value()?.into_struct_value();
        let v = self.check_failed(cx, r)?;
        Ok(v)
    }

    /// `a.copy()`: a new C-ordered array with the same elements.
    pub(super) fn copy_array(
        &mut self,
        cx: &mut FnCx<'ctx>,
        value: &Expr,
        result: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let src = self.expr(cx, value)?.into_struct_value();
        let Type::Array(src_t) = self.ty(cx, value) else {
            return Err(CgError("copy of a non-array".into()));
        };
        let Type::Array(dst_t) = result else { return Err(CgError("copy type".into())) };
        let shape: Vec<IntValue> =
            (0..src_t.ndim).map(|k| self.dim(src, SHAPE, k)).collect::<Cg<_>>()?;
        let obj = cpython::numpy_call(self, cx, "empty", &shape, &[], src_t.dtype)?;
        self.adopt(cx, obj)?;
        let dst = self.array_from_object(cx, obj, dst_t)?.into_struct_value();
        let dst = self.with_known_layout(dst, dst_t, &shape)?;
        // A loop nest over every index, copying element by element (raw bytes of the dtype).
        let n = src_t.ndim;
        let elem_ty = self.dtype_type(src_t.dtype);
        let counters: Vec<PointerValue> = (0..n)
            .map(|k| self.entry_alloca(cx, self.ctx.i64_type().into(), &format!("c{k}")))
            .collect::<Cg<_>>()?;
        let heads: Vec<_> = (0..n).map(|_| self.append(cx.func, "copy.head")).collect();
        let bodies: Vec<_> = (0..n).map(|_| self.append(cx.func, "copy.body")).collect();
        let latches: Vec<_> = (0..n).map(|_| self.append(cx.func, "copy.next")).collect();
        let exit = self.append(cx.func, "copy.done");
        self.b.build_store(counters[0], self.i64(0))?;
        self.b.build_unconditional_branch(heads[0])?;
        for k in 0..n {
            self.b.position_at_end(heads[k]);
            let i = self.b.build_load(self.ctx.i64_type(), counters[k], "")?.into_int_value();
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
            } else {
                let mut src_off = self.i64(0);
                let mut dst_off = self.i64(0);
                for (j, counter) in counters.iter().enumerate() {
                    let i = self.b.build_load(self.ctx.i64_type(), *counter, "")?.into_int_value();
                    src_off = self.b.build_int_add(
                        src_off,
                        self.b.build_int_mul(i, self.stride(src, &src_t, j)?, "")?,
                        "",
                    )?;
                    dst_off = self.b.build_int_add(
                        dst_off,
                        self.b.build_int_mul(i, self.stride(dst, dst_t, j)?, "")?,
                        "",
                    )?;
                }
                let sp = unsafe {
                    self.b.build_gep(
                        self.ctx.i8_type(),
                        self.field(src, DATA)?.into_pointer_value(),
                        &[src_off],
                        "",
                    )?
                };
                let dp = unsafe {
                    self.b.build_gep(
                        self.ctx.i8_type(),
                        self.field(dst, DATA)?.into_pointer_value(),
                        &[dst_off],
                        "",
                    )?
                };
                let x = self.b.build_load(elem_ty, sp, "")?;
                self.b.build_store(dp, x)?;
                self.b.build_unconditional_branch(latches[k])?;
            }
            self.b.position_at_end(latches[k]);
            let i = self.b.build_load(self.ctx.i64_type(), counters[k], "")?.into_int_value();
            self.b.build_store(counters[k], self.b.build_int_add(i, self.i64(1), "")?)?;
            self.b.build_unconditional_branch(heads[k])?;
        }
        self.b.position_at_end(exit);
        Ok(dst.into())
    }
}
