//! Complex numbers in native code, computed the way CPython's complexobject.c does (so results
//! agree bit for bit): Smith's division, `c_powi` by repeated squaring for small integer
//! exponents and the polar formula otherwise, `abs` through libm's hypot.
//! A complex value is `{ double re, double im }`.

use super::{Cg, Codegen, FnCx};
use crate::hir::BinOp;
use crate::types::Type;
use inkwell::module::Linkage;
use inkwell::types::StructType;
use inkwell::values::{BasicValueEnum, FloatValue, StructValue};
use inkwell::{FloatPredicate, IntPredicate};

impl<'ctx> Codegen<'ctx, '_> {
    pub(super) fn complex_type(&self) -> StructType<'ctx> {
        self.ctx.struct_type(&[self.ctx.f64_type().into(), self.ctx.f64_type().into()], false)
    }

    pub(super) fn make_complex(&self, re: FloatValue<'ctx>, im: FloatValue<'ctx>) -> Cg<StructValue<'ctx>> {
        let v = self.b.build_insert_value(self.complex_type().get_undef(), re, 0, "")?;
        Ok(self.b.build_insert_value(v, im, 1, "")?.into_struct_value())
    }

    pub(super) fn parts(&self, z: StructValue<'ctx>) -> Cg<(FloatValue<'ctx>, FloatValue<'ctx>)> {
        Ok((self.b.build_extract_value(z, 0, "re")?.into_float_value(), self.b.build_extract_value(z, 1, "im")?.into_float_value()))
    }

    /// Any number as a complex value.
    pub(super) fn to_complex(&self, v: BasicValueEnum<'ctx>, t: &Type) -> Cg<StructValue<'ctx>> {
        if *t == Type::Complex {
            return Ok(v.into_struct_value());
        }
        let re = self.convert(v, t, &Type::Float)?.into_float_value();
        self.make_complex(re, self.f64(0.0))
    }

    pub(super) fn complex_binary(&mut self, cx: &mut FnCx<'ctx>, op: BinOp, a: StructValue<'ctx>, b: StructValue<'ctx>) -> Cg<StructValue<'ctx>> {
        let (ar, ai) = self.parts(a)?;
        let (br, bi) = self.parts(b)?;
        let bld = &self.b;
        match op {
            BinOp::Add => self.make_complex(bld.build_float_add(ar, br, "")?, bld.build_float_add(ai, bi, "")?),
            BinOp::Sub => self.make_complex(bld.build_float_sub(ar, br, "")?, bld.build_float_sub(ai, bi, "")?),
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
            _ => Err(super::CgError(format!("`{}` on complex numbers", op.symbol()))),
        }
    }

    fn complex_mul(&self, a: StructValue<'ctx>, b: StructValue<'ctx>) -> Cg<StructValue<'ctx>> {
        let (ar, ai) = self.parts(a)?;
        let (br, bi) = self.parts(b)?;
        let bld = &self.b;
        let re = bld.build_float_sub(bld.build_float_mul(ar, br, "")?, bld.build_float_mul(ai, bi, "")?, "")?;
        let im = bld.build_float_add(bld.build_float_mul(ar, bi, "")?, bld.build_float_mul(ai, br, "")?, "")?;
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
        let re1 = bld.build_float_div(bld.build_float_add(ar, bld.build_float_mul(ai, ratio1, "")?, "")?, denom1, "")?;
        let im1 = bld.build_float_div(bld.build_float_sub(ai, bld.build_float_mul(ar, ratio1, "")?, "")?, denom1, "")?;
        // |b.imag| > |b.real| (and NaNs, which end up NaN either way)
        let ratio2 = bld.build_float_div(br, bi, "")?;
        let denom2 = bld.build_float_add(bld.build_float_mul(br, ratio2, "")?, bi, "")?;
        let re2 = bld.build_float_div(bld.build_float_add(bld.build_float_mul(ar, ratio2, "")?, ai, "")?, denom2, "")?;
        let im2 = bld.build_float_div(bld.build_float_sub(bld.build_float_mul(ai, ratio2, "")?, ar, "")?, denom2, "")?;
        let re = bld.build_select(real_larger, re1, re2, "")?.into_float_value();
        let im = bld.build_select(real_larger, im1, im2, "")?.into_float_value();
        self.make_complex(re, im)
    }

    /// CPython's complex_pow: integral exponents up to 100 by repeated squaring (`c_powi`),
    /// others by the polar formula (`c_pow`); 0 to a negative or complex power is an error.
    fn complex_pow(&mut self, cx: &mut FnCx<'ctx>, a: StructValue<'ctx>, b: StructValue<'ctx>) -> Cg<StructValue<'ctx>> {
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
        Ok(call.try_as_basic_value().basic().ok_or_else(|| super::CgError("cpow returned void".into()))?.into_struct_value())
    }

    /// `pyaot.cpow(ar, ai, br, bi) -> {re, im}`.
    fn complex_pow_fn(&mut self) -> Cg<inkwell::values::FunctionValue<'ctx>> {
        if let Some(f) = self.module.get_function("pyaot.cpow") {
            return Ok(f);
        }
        let f64t = self.ctx.f64_type();
        let ty = self.complex_type().fn_type(&[f64t.into(), f64t.into(), f64t.into(), f64t.into()], false);
        let f = self.module.add_function("pyaot.cpow", ty, Some(Linkage::Internal));
        let here = self.b.get_insert_block();
        let loc = self.b.get_current_debug_location();
        let scope = self.glue_subprogram(f, "pyaot.cpow");
        let entry = self.append(f, "entry");
        self.b.position_at_end(entry);
        self.b.set_current_debug_location(self.di.create_debug_location(self.ctx, 0, 0, scope, None));
        let p = |i: u32| f.get_nth_param(i).unwrap().into_float_value();
        let (ar, ai, br, bi) = (p(0), p(1), p(2), p(3));
        let zero = self.f64(0.0);
        let one = self.f64(1.0);
        let a = self.make_complex(ar, ai)?;
        let powi = self.append(f, "powi");
        let general = self.append(f, "general");
        // Integral exponent with |n| <= 100 and no imaginary part: repeated squaring.
        let fl = self.fcall("llvm.floor", &[br])?;
        let integral = self.b.build_float_compare(FloatPredicate::OEQ, fl, br, "")?;
        let small = self.b.build_float_compare(FloatPredicate::OLE, self.fcall("llvm.fabs", &[br])?, self.f64(100.0), "")?;
        let real_exp = self.b.build_float_compare(FloatPredicate::OEQ, bi, zero, "")?;
        let use_powi = self.b.build_and(self.b.build_and(integral, small, "")?, real_exp, "")?;
        self.b.build_conditional_branch(use_powi, powi, general)?;

        self.b.position_at_end(powi);
        let n = self.b.build_float_to_signed_int(br, self.ctx.i64_type(), "n")?;
        let negative = self.b.build_int_compare(IntPredicate::SLT, n, self.i64(0), "")?;
        let m = self.b.build_select(negative, self.b.build_int_sub(self.i64(0), n, "")?, n, "")?.into_int_value();
        // c_powu: r = 1; p = a; for each bit of m (low to high): if set, r *= p; p *= p.
        let head = self.append(f, "powu.head");
        let body = self.append(f, "powu.body");
        let done = self.append(f, "powu.done");
        let r_slot = self.b.build_alloca(self.complex_type(), "r")?;
        let p_slot = self.b.build_alloca(self.complex_type(), "p")?;
        let mask_slot = self.b.build_alloca(self.ctx.i64_type(), "mask")?;
        self.b.build_store(r_slot, self.make_complex(one, zero)?)?;
        self.b.build_store(p_slot, a)?;
        self.b.build_store(mask_slot, self.i64(1))?;
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let mask = self.b.build_load(self.ctx.i64_type(), mask_slot, "")?.into_int_value();
        let more = self.b.build_and(
            self.b.build_int_compare(IntPredicate::SGT, mask, self.i64(0), "")?,
            self.b.build_int_compare(IntPredicate::SGE, m, mask, "")?,
            "",
        )?;
        self.b.build_conditional_branch(more, body, done)?;
        self.b.position_at_end(body);
        let r = self.b.build_load(self.complex_type(), r_slot, "")?.into_struct_value();
        let pv = self.b.build_load(self.complex_type(), p_slot, "")?.into_struct_value();
        let bit = self.b.build_int_compare(IntPredicate::NE, self.b.build_and(m, mask, "")?, self.i64(0), "")?;
        let rp = self.complex_mul(r, pv)?;
        let r2 = self.b.build_select(bit, rp, r, "")?;
        self.b.build_store(r_slot, r2)?;
        self.b.build_store(p_slot, self.complex_mul(pv, pv)?)?;
        self.b.build_store(mask_slot, self.b.build_left_shift(mask, self.i64(1), "")?)?;
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(done);
        let r = self.b.build_load(self.complex_type(), r_slot, "")?.into_struct_value();
        // A negative exponent: 1 / a**|n| (c_quot, as CPython).
        let inverse = self.complex_div(self.make_complex(one, zero)?, r)?;
        let result = self.b.build_select(negative, inverse, r, "")?;
        self.b.build_return(Some(&result))?;

        self.b.position_at_end(general);
        let b_zero = self.b.build_and(real_exp, self.b.build_float_compare(FloatPredicate::OEQ, br, zero, "")?, "")?;
        let vabs = self.libm("hypot", &[ar, ai])?;
        let len = self.fcall("llvm.pow", &[vabs, br])?;
        let at = self.libm("atan2", &[ai, ar])?;
        let phase = self.b.build_float_mul(at, br, "")?;
        let imag_exp = self.b.build_not(real_exp, "")?;
        let len2 = self.b.build_float_div(len, self.fcall("llvm.exp", &[self.b.build_float_mul(at, bi, "")?])?, "")?;
        let phase2 = self.b.build_float_add(phase, self.b.build_float_mul(bi, self.fcall("llvm.log", &[vabs])?, "")?, "")?;
        let len = self.b.build_select(imag_exp, len2, len, "")?.into_float_value();
        let phase = self.b.build_select(imag_exp, phase2, phase, "")?.into_float_value();
        let re = self.b.build_float_mul(len, self.fcall("llvm.cos", &[phase])?, "")?;
        let im = self.b.build_float_mul(len, self.fcall("llvm.sin", &[phase])?, "")?;
        let polar = self.make_complex(re, im)?;
        // b == 0: 1 (even for 0 ** 0); a == 0 (with b > 0 real): 0.
        let a_zero = self.b.build_and(
            self.b.build_float_compare(FloatPredicate::OEQ, ar, zero, "")?,
            self.b.build_float_compare(FloatPredicate::OEQ, ai, zero, "")?,
            "",
        )?;
        let result = self.b.build_select(a_zero, self.make_complex(zero, zero)?, polar, "")?;
        let result = self.b.build_select(b_zero, self.make_complex(one, zero)?, result.into_struct_value(), "")?;
        self.b.build_return(Some(&result))?;
        if let Some(h) = here {
            self.b.position_at_end(h);
        }
        if let Some(l) = loc {
            self.b.set_current_debug_location(l);
        }
        Ok(f)
    }

    /// `abs(z)`: hypot of the parts, OverflowError when finite parts give an infinite result.
    pub(super) fn complex_abs(&mut self, cx: &mut FnCx<'ctx>, z: StructValue<'ctx>) -> Cg<FloatValue<'ctx>> {
        let (re, im) = self.parts(z)?;
        let r = self.libm("hypot", &[re, im])?;
        let overflow = self.b.build_and(self.is_inf(r)?, self.b.build_and(self.is_finite(re)?, self.is_finite(im)?, "")?, "")?;
        let ok = self.b.build_not(overflow, "")?;
        self.guard(cx, ok, "OverflowError", "absolute value too large")?;
        Ok(r)
    }

    pub(super) fn complex_eq(&self, a: StructValue<'ctx>, b: StructValue<'ctx>) -> Cg<inkwell::values::IntValue<'ctx>> {
        let (ar, ai) = self.parts(a)?;
        let (br, bi) = self.parts(b)?;
        let re = self.b.build_float_compare(FloatPredicate::OEQ, ar, br, "")?;
        let im = self.b.build_float_compare(FloatPredicate::OEQ, ai, bi, "")?;
        Ok(self.b.build_and(re, im, "")?)
    }
}
