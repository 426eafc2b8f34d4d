//! Complex numbers in native code, computed the way CPython's complexobject.c does (so results
//! agree bit for bit): Smith's division, `c_powi` by repeated squaring for small integer
//! exponents and the polar formula otherwise, `abs` through libm's hypot.
//! A complex value is `{ double re, double im }`.

use super::basics::FunctionParams;
use super::capi;
use super::state::{Cg, Codegen, FnCx};
use crate::hir::BinOp;
use crate::types::Type;
use inkwell::types::StructType;
use inkwell::values::{BasicValueEnum, FloatValue, StructValue};
use inkwell::{FloatPredicate, IntPredicate};

impl<'ctx> Codegen<'ctx, '_> {
    pub(super) fn complex_type(&self) -> StructType<'ctx> {
        self.ctx.struct_type(&[self.ctx.f64_type().into(), self.ctx.f64_type().into()], false)
    }

    pub(super) fn make_complex(
        &self,
        re: FloatValue<'ctx>,
        im: FloatValue<'ctx>,
    ) -> Cg<StructValue<'ctx>> {
        let v = self.b.build_insert_value(self.complex_type().get_undef(), re, 0, "")?;
        Ok(self.b.build_insert_value(v, im, 1, "")?.into_struct_value())
    }

    pub(super) fn parts(&self, z: StructValue<'ctx>) -> Cg<(FloatValue<'ctx>, FloatValue<'ctx>)> {
        Ok((
            self.b.build_extract_value(z, 0, "re")?.into_float_value(),
            self.b.build_extract_value(z, 1, "im")?.into_float_value(),
        ))
    }

    /// Any number as a complex value.
    pub(super) fn to_complex(&self, v: BasicValueEnum<'ctx>, t: &Type) -> Cg<StructValue<'ctx>> {
        if *t == Type::Complex {
            return Ok(v.into_struct_value());
        }
        let re = self.convert(v, t, &Type::Float)?.into_float_value();
        self.make_complex(re, self.f64(0.0))
    }

    pub(super) fn complex_binary(
        &mut self,
        cx: &mut FnCx<'ctx>,
        op: BinOp,
        a: StructValue<'ctx>,
        b: StructValue<'ctx>,
    ) -> Cg<StructValue<'ctx>> {
        let (ar, ai) = self.parts(a)?;
        let (br, bi) = self.parts(b)?;
        let bld = &self.b;
        match op {
            BinOp::Add => self
                .make_complex(bld.build_float_add(ar, br, "")?, bld.build_float_add(ai, bi, "")?),
            BinOp::Sub => self
                .make_complex(bld.build_float_sub(ar, br, "")?, bld.build_float_sub(ai, bi, "")?),
            BinOp::Mul => self.complex_mul(a, b),
            BinOp::Div => {
                let zero = self.f64(0.0);
                let br_zero = bld.build_float_compare(FloatPredicate::OEQ, br, zero, "")?;
                let bi_zero = bld.build_float_compare(FloatPredicate::OEQ, bi, zero, "")?;
                let ok = bld.build_not(bld.build_and(br_zero, bi_zero, "")?, "")?;
                self.guard(cx, ok, "ZeroDivisionError", "complex division by zero")?;
                self.complex_div(a, b)
            }
            BinOp::Pow => self.complex_pow(cx, a, b),
            _ => Err(super::state::CgError(format!("`{}` on complex numbers", op.symbol()))),
        }
    }

    fn complex_mul(&self, a: StructValue<'ctx>, b: StructValue<'ctx>) -> Cg<StructValue<'ctx>> {
        let (ar, ai) = self.parts(a)?;
        let (br, bi) = self.parts(b)?;
        let bld = &self.b;
        let re = bld.build_float_sub(
            bld.build_float_mul(ar, br, "")?,
            bld.build_float_mul(ai, bi, "")?,
            "",
        )?;
        let im = bld.build_float_add(
            bld.build_float_mul(ar, bi, "")?,
            bld.build_float_mul(ai, br, "")?,
            "",
        )?;
        self.make_complex(re, im)
    }

    /// CPython's `_Py_c_quot` (Smith's method); the caller has ruled out a zero divisor.
    fn complex_div(&self, a: StructValue<'ctx>, b: StructValue<'ctx>) -> Cg<StructValue<'ctx>> {
        let (ar, ai) = self.parts(a)?;
        let (br, bi) = self.parts(b)?;
        let bld = &self.b;
        let abs_br = self.fcall("llvm.fabs", &[br])?;
        let abs_bi = self.fcall("llvm.fabs", &[bi])?;
        let real_larger = bld.build_float_compare(FloatPredicate::OGE, abs_br, abs_bi, "")?;
        // |b.real| >= |b.imag|
        let ratio1 = bld.build_float_div(bi, br, "")?;
        let denom1 = bld.build_float_add(br, bld.build_float_mul(bi, ratio1, "")?, "")?;
        let re1 = bld.build_float_div(
            bld.build_float_add(ar, bld.build_float_mul(ai, ratio1, "")?, "")?,
            denom1,
            "",
        )?;
        let im1 = bld.build_float_div(
            bld.build_float_sub(ai, bld.build_float_mul(ar, ratio1, "")?, "")?,
            denom1,
            "",
        )?;
        // |b.imag| > |b.real| (and NaNs, which end up NaN either way)
        let ratio2 = bld.build_float_div(br, bi, "")?;
        let denom2 = bld.build_float_add(bld.build_float_mul(br, ratio2, "")?, bi, "")?;
        let re2 = bld.build_float_div(
            bld.build_float_add(bld.build_float_mul(ar, ratio2, "")?, ai, "")?,
            denom2,
            "",
        )?;
        let im2 = bld.build_float_div(
            bld.build_float_sub(bld.build_float_mul(ai, ratio2, "")?, ar, "")?,
            denom2,
            "",
        )?;
        let re = bld.build_select(real_larger, re1, re2, "")?.into_float_value();
        let im = bld.build_select(real_larger, im1, im2, "")?.into_float_value();
        self.make_complex(re, im)
    }

    /// CPython's complex_pow: integral exponents up to 100 by repeated squaring (`c_powi`),
    /// others by the polar formula (`c_pow`); 0 to a negative or complex power is an error.
    fn complex_pow(
        &mut self,
        cx: &mut FnCx<'ctx>,
        a: StructValue<'ctx>,
        b: StructValue<'ctx>,
    ) -> Cg<StructValue<'ctx>> {
        let (ar, ai) = self.parts(a)?;
        let (br, bi) = self.parts(b)?;
        let zero = self.f64(0.0);
        let a_zero = self.b.build_and(
            self.b.build_float_compare(FloatPredicate::OEQ, ar, zero, "")?,
            self.b.build_float_compare(FloatPredicate::OEQ, ai, zero, "")?,
            "",
        )?;
        let b_bad = self.b.build_or(
            self.b.build_float_compare(FloatPredicate::UNE, bi, zero, "")?,
            self.b.build_float_compare(FloatPredicate::OLT, br, zero, "")?,
            "",
        )?;
        let ok = self.b.build_not(self.b.build_and(a_zero, b_bad, "")?, "")?;
        self.guard(cx, ok, "ZeroDivisionError", "0.0 to a negative or complex power")?;
        let f = self.complex_pow_fn()?;
        let call = self.b.build_call(f, &[ar.into(), ai.into(), br.into(), bi.into()], "")?;
        Ok(call
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| super::state::CgError("cpow returned void".into()))?
            .into_struct_value())
    }

    /// `pyaot.cpow(ar, ai, br, bi) -> {re, im}`.
    fn complex_pow_fn(&mut self) -> Cg<inkwell::values::FunctionValue<'ctx>> {
        let f64t = self.ctx.f64_type();
        let ty = self
            .complex_type()
            .fn_type(&[f64t.into(), f64t.into(), f64t.into(), f64t.into()], false);
        capi::in_new_function(self, "pyaot.cpow", ty, |cg, f| {
            let p = |i: u32| f.param(i).map(|v| v.into_float_value());
            let (ar, ai, br, bi) = (p(0)?, p(1)?, p(2)?, p(3)?);
            let zero = cg.f64(0.0);
            let one = cg.f64(1.0);
            let a = cg.make_complex(ar, ai)?;
            let powi = cg.append(f, "powi");
            let general = cg.append(f, "general");
            // Integral exponent with |n| <= 100 and no imaginary part: repeated squaring.
            let fl = cg.fcall("llvm.floor", &[br])?;
            let integral = cg.b.build_float_compare(FloatPredicate::OEQ, fl, br, "")?;
            let small = cg.b.build_float_compare(
                FloatPredicate::OLE,
                cg.fcall("llvm.fabs", &[br])?,
                cg.f64(100.0),
                "",
            )?;
            let real_exp = cg.b.build_float_compare(FloatPredicate::OEQ, bi, zero, "")?;
            let use_powi = cg.b.build_and(cg.b.build_and(integral, small, "")?, real_exp, "")?;
            cg.b.build_conditional_branch(use_powi, powi, general)?;

            cg.b.position_at_end(powi);
            let n = cg.b.build_float_to_signed_int(br, cg.ctx.i64_type(), "n")?;
            let negative = cg.b.build_int_compare(IntPredicate::SLT, n, cg.i64(0), "")?;
            let m =
                cg.b.build_select(negative, cg.b.build_int_sub(cg.i64(0), n, "")?, n, "")?
                    .into_int_value();
            // c_powu: r = 1; p = a; for each bit of m (low to high): if set, r *= p; p *= p.
            let head = cg.append(f, "powu.head");
            let body = cg.append(f, "powu.body");
            let done = cg.append(f, "powu.done");
            let r_slot = cg.b.build_alloca(cg.complex_type(), "r")?;
            let p_slot = cg.b.build_alloca(cg.complex_type(), "p")?;
            let mask_slot = cg.b.build_alloca(cg.ctx.i64_type(), "mask")?;
            cg.b.build_store(r_slot, cg.make_complex(one, zero)?)?;
            cg.b.build_store(p_slot, a)?;
            cg.b.build_store(mask_slot, cg.i64(1))?;
            cg.b.build_unconditional_branch(head)?;
            cg.b.position_at_end(head);
            let mask = cg.b.build_load(cg.ctx.i64_type(), mask_slot, "")?.into_int_value();
            let more = cg.b.build_and(
                cg.b.build_int_compare(IntPredicate::SGT, mask, cg.i64(0), "")?,
                cg.b.build_int_compare(IntPredicate::SGE, m, mask, "")?,
                "",
            )?;
            cg.b.build_conditional_branch(more, body, done)?;
            cg.b.position_at_end(body);
            let r = cg.b.build_load(cg.complex_type(), r_slot, "")?.into_struct_value();
            let pv = cg.b.build_load(cg.complex_type(), p_slot, "")?.into_struct_value();
            let bit = cg.b.build_int_compare(
                IntPredicate::NE,
                cg.b.build_and(m, mask, "")?,
                cg.i64(0),
                "",
            )?;
            let rp = cg.complex_mul(r, pv)?;
            let r2 = cg.b.build_select(bit, rp, r, "")?;
            cg.b.build_store(r_slot, r2)?;
            cg.b.build_store(p_slot, cg.complex_mul(pv, pv)?)?;
            cg.b.build_store(mask_slot, cg.b.build_left_shift(mask, cg.i64(1), "")?)?;
            cg.b.build_unconditional_branch(head)?;
            cg.b.position_at_end(done);
            let r = cg.b.build_load(cg.complex_type(), r_slot, "")?.into_struct_value();
            // A negative exponent: 1 / a**|n| (c_quot, as CPython).
            let inverse = cg.complex_div(cg.make_complex(one, zero)?, r)?;
            let result = cg.b.build_select(negative, inverse, r, "")?;
            cg.b.build_return(Some(&result))?;

            cg.b.position_at_end(general);
            let b_zero = cg.b.build_and(
                real_exp,
                cg.b.build_float_compare(FloatPredicate::OEQ, br, zero, "")?,
                "",
            )?;
            let vabs = cg.libm("hypot", &[ar, ai])?;
            let len = cg.pow(vabs, br)?;
            let at = cg.libm("atan2", &[ai, ar])?;
            let phase = cg.b.build_float_mul(at, br, "")?;
            let imag_exp = cg.b.build_not(real_exp, "")?;
            let len2 = cg.b.build_float_div(
                len,
                cg.fcall("llvm.exp", &[cg.b.build_float_mul(at, bi, "")?])?,
                "",
            )?;
            let phase2 = cg.b.build_float_add(
                phase,
                cg.b.build_float_mul(bi, cg.fcall("llvm.log", &[vabs])?, "")?,
                "",
            )?;
            let len = cg.b.build_select(imag_exp, len2, len, "")?.into_float_value();
            let phase = cg.b.build_select(imag_exp, phase2, phase, "")?.into_float_value();
            let re = cg.b.build_float_mul(len, cg.fcall("llvm.cos", &[phase])?, "")?;
            let im = cg.b.build_float_mul(len, cg.fcall("llvm.sin", &[phase])?, "")?;
            let polar = cg.make_complex(re, im)?;
            // b == 0: 1 (even for 0 ** 0); a == 0 (with b > 0 real): 0.
            let a_zero = cg.b.build_and(
                cg.b.build_float_compare(FloatPredicate::OEQ, ar, zero, "")?,
                cg.b.build_float_compare(FloatPredicate::OEQ, ai, zero, "")?,
                "",
            )?;
            let result = cg.b.build_select(a_zero, cg.make_complex(zero, zero)?, polar, "")?;
            let result = cg.b.build_select(
                b_zero,
                cg.make_complex(one, zero)?,
                result.into_struct_value(),
                "",
            )?;
            cg.b.build_return(Some(&result))?;
            Ok(())
        })
    }

    /// `abs(z)`: hypot of the parts, OverflowError when finite parts give an infinite result.
    pub(super) fn complex_abs(
        &mut self,
        cx: &mut FnCx<'ctx>,
        z: StructValue<'ctx>,
    ) -> Cg<FloatValue<'ctx>> {
        let (re, im) = self.parts(z)?;
        let r = self.libm("hypot", &[re, im])?;
        let overflow = self.b.build_and(
            self.is_inf(r)?,
            self.b.build_and(self.is_finite(re)?, self.is_finite(im)?, "")?,
            "",
        )?;
        let ok = self.b.build_not(overflow, "")?;
        self.guard(cx, ok, "OverflowError", "absolute value too large")?;
        Ok(r)
    }

    pub(super) fn complex_eq(
        &self,
        a: StructValue<'ctx>,
        b: StructValue<'ctx>,
    ) -> Cg<inkwell::values::IntValue<'ctx>> {
        let (ar, ai) = self.parts(a)?;
        let (br, bi) = self.parts(b)?;
        let re = self.b.build_float_compare(FloatPredicate::OEQ, ar, br, "")?;
        let im = self.b.build_float_compare(FloatPredicate::OEQ, ai, bi, "")?;
        Ok(self.b.build_and(re, im, "")?)
    }
}
