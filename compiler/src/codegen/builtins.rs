//! Builtins and `math` on native values: `abs`, `min`/`max`, `int`/`float`/`bool`, `round`
//! (correctly rounded; beyond 22 digits through the runtime), `pow` with a modulus (and its
//! modular inverse), `divmod`, and the `math` functions with CPython's domain and range errors.

use super::layout;
use super::state::FnCx;
use super::state::{Cg, CgError, Codegen};
use crate::hir::{BinOp, Builtin, CmpOp, Expr, MathFn, Ufunc};
use crate::types::Type;
use inkwell::values::{BasicValueEnum, FloatValue, IntValue};
use inkwell::{FloatPredicate, IntPredicate};

impl<'ctx> Codegen<'ctx, '_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn builtin(
        &mut self,
        cx: &mut FnCx<'ctx>,
        b: Builtin,
        vals: &[BasicValueEnum<'ctx>],
        types: &[Type],
        args: &[Expr],
        t: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let as_float = |this: &Self, i: usize| -> Cg<FloatValue<'ctx>> {
            Ok(this.convert(vals[i], &types[i], &Type::Float)?.into_float_value())
        };
        let as_int = |this: &Self, i: usize| -> Cg<IntValue<'ctx>> {
            Ok(this.convert(vals[i], &types[i], &Type::Int)?.into_int_value())
        };
        Ok(match b {
            Builtin::Abs if types[0] == Type::Complex => {
                self.complex_abs(cx, vals[0].into_struct_value())?.into()
            }
            Builtin::Complex => {
                // complex(a, b) = a + b*1j, for complex a and b too.
                let a = self.to_complex(vals[0], &types[0])?;
                if vals.len() == 1 {
                    a.into()
                } else {
                    let b = self.to_complex(vals[1], &types[1])?;
                    let (ar, ai) = self.parts(a)?;
                    let (br, bi) = self.parts(b)?;
                    self.make_complex(
                        self.b.build_float_sub(ar, bi, "")?,
                        self.b.build_float_add(ai, br, "")?,
                    )?
                    .into()
                }
            }
            Builtin::Conjugate => match &types[0] {
                Type::Complex => {
                    let (re, im) = self.parts(vals[0].into_struct_value())?;
                    self.make_complex(re, self.b.build_float_neg(im, "")?)?.into()
                }
                other => self.convert(vals[0], other, t)?,
            },
            Builtin::Abs => match t {
                Type::Float => self.fcall("llvm.fabs", &[as_float(self, 0)?])?.into(),
                _ => {
                    let x = as_int(self, 0)?;
                    let neg = self.b.build_int_compare(IntPredicate::SLT, x, self.i64(0), "")?;
                    if self.overflow_checked(cx) {
                        let fits = self.b.build_int_compare(
                            IntPredicate::NE,
                            x,
                            self.i64(i64::MIN),
                            "",
                        )?;
                        self.guard(cx, fits, "OverflowError", super::numbers::INT_OVERFLOW)?;
                    }
                    self.b.build_select(neg, self.b.build_int_sub(self.i64(0), x, "")?, x, "")?
                }
            },
            Builtin::Min | Builtin::Max => {
                let items: Vec<(BasicValueEnum<'ctx>, Type)> = match types {
                    [Type::Tuple(ts)] => {
                        let mut out = Vec::new();
                        for (i, it) in ts.iter().enumerate() {
                            out.push((
                                self.b.build_extract_value(
                                    vals[0].into_struct_value(),
                                    i as u32,
                                    "",
                                )?,
                                it.clone(),
                            ));
                        }
                        out
                    }
                    _ => vals.iter().cloned().zip(types.iter().cloned()).collect(),
                };
                // Python keeps the first extreme: replace only when strictly smaller (larger).
                let op = if b == Builtin::Min { CmpOp::Lt } else { CmpOp::Gt };
                let mut best = self.convert(items[0].0, &items[0].1, t)?;
                for (v, vt) in &items[1..] {
                    let v = self.convert(*v, vt, t)?;
                    let better = self.compare(op, v, t, best, t)?;
                    best = self.b.build_select(better, v, best, "")?;
                }
                best
            }
            Builtin::Int => match &types[0] {
                Type::Float => self.float_to_int(cx, vals[0].into_float_value())?.into(),
                _ => as_int(self, 0)?.into(),
            },
            Builtin::Float => as_float(self, 0)?.into(),
            Builtin::Bool => self.truthy(vals[0], &types[0])?.into(),
            Builtin::Round => self.round(cx, vals, types)?,
            Builtin::DivMod => {
                let Type::Tuple(items) = t else { return Err(CgError("divmod type".into())) };
                let (q, m): (BasicValueEnum, BasicValueEnum) = if items[0] == Type::Float {
                    let (x, y) = (as_float(self, 0)?, as_float(self, 1)?);
                    let nz =
                        self.b.build_float_compare(FloatPredicate::UNE, y, self.f64(0.0), "")?;
                    self.guard(cx, nz, "ZeroDivisionError", "float divmod()")?;
                    let (q, m) = self.float_divmod(x, y)?;
                    (q.into(), m.into())
                } else {
                    let (x, y) = (as_int(self, 0)?, as_int(self, 1)?);
                    let nz = self.b.build_int_compare(IntPredicate::NE, y, self.i64(0), "")?;
                    self.guard(cx, nz, "ZeroDivisionError", "integer division or modulo by zero")?;
                    let (q, m) = self.int_divmod(x, y)?;
                    (q.into(), m.into())
                };
                let ty = self.llvm_type(t).into_struct_type();
                let agg = self.b.build_insert_value(ty.get_undef(), q, 0, "")?;
                self.b.build_insert_value(agg, m, 1, "")?.into_struct_value().into()
            }
            Builtin::Pow if vals.len() == 3 => {
                self.mod_pow(cx, as_int(self, 0)?, as_int(self, 1)?, as_int(self, 2)?)?.into()
            }
            Builtin::Pow => {
                let (v, vt) =
                    self.binary(cx, BinOp::Pow, vals[0], &types[0], vals[1], &types[1], &args[1])?;
                self.convert(v, &vt, t)?
            }
            Builtin::Len => match &types[0] {
                Type::Tuple(items) => self.i64(items.len() as i64).into(),
                Type::Array(_) => self.dim(vals[0].into_struct_value(), layout::SHAPE, 0)?.into(),
                _ => return Err(CgError("len of a non-sequence".into())),
            },
            Builtin::Math(m) => self.math(cx, m, vals, types)?,
        })
    }

    pub(super) fn round(
        &mut self,
        cx: &mut FnCx<'ctx>,
        vals: &[BasicValueEnum<'ctx>],
        types: &[Type],
    ) -> Cg<BasicValueEnum<'ctx>> {
        let ndigits = if vals.len() == 2 {
            Some(self.convert(vals[1], &types[1], &Type::Int)?.into_int_value())
        } else {
            None
        };
        match (&types[0], ndigits) {
            (Type::Float, None) => {
                let r = self.fcall("llvm.roundeven", &[vals[0].into_float_value()])?;
                Ok(self.float_to_int(cx, r)?.into())
            }
            (Type::Float, Some(n)) => self.round_float(cx, vals[0].into_float_value(), n),
            (_, None) => self.convert(vals[0], &types[0], &Type::Int),
            (_, Some(n)) => self.round_int(
                cx,
                self.convert(vals[0], &types[0], &Type::Int)?.into_int_value(),
                n,
            ),
        }
    }

    /// `round(x, n)` of a float, as CPython's float.__round__: inline where 10**|n| is a float
    /// (|n| <= 22, `round_scaled`), else through the runtime's exact decimal rounding; NaN and
    /// infinities round to themselves, n > 323 leaves x, n < -308 gives a zero of x's sign, and
    /// a result beyond the float range is OverflowError.
    pub(super) fn round_float(
        &mut self,
        cx: &mut FnCx<'ctx>,
        x: FloatValue<'ctx>,
        n: IntValue<'ctx>,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let scaled_exactly = |k: i64| (-22..=22).contains(&k);
        if n.get_sign_extended_constant().is_some_and(scaled_exactly) {
            return self.round_scaled(cx, x, n);
        }
        let in_range = self.b.build_int_compare(
            IntPredicate::ULE,
            self.b.build_int_add(n, self.i64(22), "")?,
            self.i64(44),
            "",
        )?;
        let scaled_bb = self.append(cx.func, "round.scaled");
        let exact_bb = self.append(cx.func, "round.exact");
        let call_bb = self.append(cx.func, "round.digits");
        let done = self.append(cx.func, "round.done");
        self.b.build_conditional_branch(in_range, scaled_bb, exact_bb)?;
        self.b.position_at_end(scaled_bb);
        let scaled = self.round_scaled(cx, x, n)?;
        let scaled_end =
            self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        self.b.build_unconditional_branch(done)?;
        // Settled without rounding: not finite or zero (x), n > 323 (x), n < -308 (0.0 * x).
        self.b.position_at_end(exact_bb);
        let finite = self.is_finite(x)?;
        let nonzero = self.b.build_float_compare(FloatPredicate::ONE, x, self.f64(0.0), "")?;
        let too_fine = self.b.build_int_compare(IntPredicate::SGT, n, self.i64(323), "")?;
        let too_coarse = self.b.build_int_compare(IntPredicate::SLT, n, self.i64(-308), "")?;
        let rounds = self.b.build_and(
            self.b.build_and(finite, nonzero, "")?,
            self.b.build_not(self.b.build_or(too_fine, too_coarse, "")?, "")?,
            "",
        )?;
        let zero_like = self.b.build_float_mul(self.f64(0.0), x, "")?;
        let coarse = self.b.build_and(finite, too_coarse, "")?;
        let settled = self.b.build_select(coarse, zero_like, x, "")?;
        self.b.build_conditional_branch(rounds, call_bb, done)?;
        self.b.position_at_end(call_bb);
        let overflow = self.entry_alloca(cx, self.ctx.bool_type().into(), "round.overflow")?;
        self.b.build_store(overflow, self.ctx.bool_type().const_zero())?;
        let digits = self.b.build_call(
            self.runtime_fn("pyaot_rt_round_digits"),
            &[x.into(), n.into(), overflow.into()],
            "",
        )?;
        let digits = digits
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| CgError("pyaot_rt_round_digits returns no value".into()))?;
        let overflowed = self.b.build_load(self.ctx.bool_type(), overflow, "")?.into_int_value();
        self.guard(
            cx,
            self.b.build_not(overflowed, "")?,
            "OverflowError",
            "rounded value too large to represent",
        )?;
        let call_end =
            self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        let phi = self.b.build_phi(self.ctx.f64_type(), "round")?;
        phi.add_incoming(&[(&scaled, scaled_end), (&settled, exact_bb), (&digits, call_end)]);
        Ok(phi.as_basic_value())
    }

    /// `round(x, n)` for -22 <= n <= 22.
    pub(super) fn round_scaled(
        &mut self,
        cx: &mut FnCx<'ctx>,
        x: FloatValue<'ctx>,
        n: IntValue<'ctx>,
    ) -> Cg<BasicValueEnum<'ctx>> {
        // round(x, n) correctly rounded like CPython's: scale by p = 10**|n| (exact up to
        // 10**22), round half to even, and settle binary ties with the exact residual of
        // the scaling (an fma), since 2.675 is really 2.67499999… and must round down.
        let zero = self.i64(0);
        let neg = self.b.build_int_compare(IntPredicate::SLT, n, zero, "")?;
        let k =
            self.b.build_select(neg, self.b.build_int_sub(zero, n, "")?, n, "")?.into_int_value();
        let kf = self.b.build_signed_int_to_float(k, self.ctx.f64_type(), "")?;
        let p = self.fcall("llvm.pow", &[self.f64(10.0), kf])?;
        let mul = self.b.build_float_mul(x, p, "")?;
        let div = self.b.build_float_div(x, p, "")?;
        let y = self.b.build_select(neg, div, mul, "")?.into_float_value();
        let neg_y = self.b.build_float_neg(y, "")?;
        let err_mul = self.fcall("llvm.fma", &[x, p, neg_y])?;
        let err_div = self.fcall("llvm.fma", &[neg_y, p, x])?;
        let err = self.b.build_select(neg, err_div, err_mul, "")?.into_float_value();
        let z = self.fcall("llvm.roundeven", &[y])?;
        let fl = self.fcall("llvm.floor", &[y])?;
        let frac = self.b.build_float_sub(y, fl, "")?;
        let tie = self.b.build_float_compare(FloatPredicate::OEQ, frac, self.f64(0.5), "")?;
        let below = self.b.build_and(
            tie,
            self.b.build_float_compare(FloatPredicate::OLT, err, self.f64(0.0), "")?,
            "",
        )?;
        let above = self.b.build_and(
            tie,
            self.b.build_float_compare(FloatPredicate::OGT, err, self.f64(0.0), "")?,
            "",
        )?;
        let z = self.b.build_select(below, fl, z, "")?.into_float_value();
        let z = self
            .b
            .build_select(above, self.b.build_float_add(fl, self.f64(1.0), "")?, z, "")?
            .into_float_value();
        let back_mul = self.b.build_float_mul(z, p, "")?;
        let back_div = self.b.build_float_div(z, p, "")?;
        let back = self.b.build_select(neg, back_mul, back_div, "")?;
        // Scaling overflowed (huge n or x): CPython gives x back.
        let ok = self.is_finite(y)?;
        let ok = self.b.build_and(ok, self.is_finite(p)?, "")?;
        // |x| / 10**-n >= 2**53: a unit in the last place of x is at least 10**-n, so rounding
        // moves x by at most half of it and CPython gives x back. (There the scaled value has
        // lost its fraction, and z * p or z / p would not be x.)
        let ay = self.fcall("llvm.fabs", &[y])?;
        let keep = self.b.build_float_compare(
            FloatPredicate::OGE,
            ay,
            self.f64(9007199254740992.0),
            "",
        )?;
        let ok = self.b.build_and(ok, self.b.build_not(keep, "")?, "")?;
        // Rounding up past the largest float (round(1.7976931348623157e308, -1)).
        let back_finite = self.is_finite(back.into_float_value())?;
        let fits = self.b.build_or(
            back_finite,
            self.b.build_not(self.b.build_and(ok, self.is_finite(x)?, "")?, "")?,
            "",
        )?;
        self.guard(cx, fits, "OverflowError", "rounded value too large to represent")?;
        Ok(self.b.build_select(ok, back, x.into(), "")?)
    }

    /// `round(x, n)` of an int: n >= 0 leaves x; n < 0 rounds half to even at 10**-n, and a
    /// result beyond int64 is OverflowError.
    pub(super) fn round_int(
        &mut self,
        cx: &mut FnCx<'ctx>,
        x: IntValue<'ctx>,
        n: IntValue<'ctx>,
    ) -> Cg<BasicValueEnum<'ctx>> {
        // In 128 bits: 10**19 and the rounded value may be beyond int64. Past 10**19 every int64
        // rounds to 0 (|x| < 2**63 < 10**20 / 2).
        let i128t = self.ctx.custom_width_int_type(128);
        let zero = self.i64(0);
        let neg = self.b.build_int_compare(IntPredicate::SLT, n, zero, "")?;
        let vanishes = self.b.build_int_compare(IntPredicate::SLT, n, self.i64(-19), "")?;
        // 10**m for m = -n clamped to 0..=18 (ipow's range), 10**19 set apart.
        let m = self
            .b
            .build_select(neg, self.b.build_int_sub(zero, n, "")?, zero, "")?
            .into_int_value();
        let m = self.b.build_select(vanishes, zero, m, "")?.into_int_value();
        let m19 = self.b.build_int_compare(IntPredicate::EQ, m, self.i64(19), "")?;
        let m = self.b.build_select(m19, zero, m, "")?.into_int_value();
        let (p, _) = self.ipow(self.i64(10), m)?;
        let p = self.b.build_int_s_extend(p, i128t, "")?;
        let p = self
            .b
            .build_select(m19, i128t.const_int(10_000_000_000_000_000_000, false), p, "")?
            .into_int_value();
        let x128 = self.b.build_int_s_extend(x, i128t, "")?;
        // Floor division (p > 0), then half to even.
        let q = self.b.build_int_signed_div(x128, p, "")?;
        let r = self.b.build_int_signed_rem(x128, p, "")?;
        let below = self.b.build_int_compare(IntPredicate::SLT, r, i128t.const_zero(), "")?;
        let q = self
            .b
            .build_select(below, self.b.build_int_sub(q, i128t.const_int(1, false), "")?, q, "")?
            .into_int_value();
        let r =
            self.b.build_select(below, self.b.build_int_add(r, p, "")?, r, "")?.into_int_value();
        let twice = self.b.build_int_mul(r, i128t.const_int(2, false), "")?;
        let above = self.b.build_int_compare(IntPredicate::SGT, twice, p, "")?;
        let tie = self.b.build_int_compare(IntPredicate::EQ, twice, p, "")?;
        let odd = self.b.build_int_truncate(q, self.ctx.bool_type(), "")?;
        let up = self.b.build_or(above, self.b.build_and(tie, odd, "")?, "")?;
        let q = self.b.build_int_add(q, self.b.build_int_z_extend(up, i128t, "")?, "")?;
        let rounded = self.b.build_int_mul(q, p, "")?;
        let narrow = self.b.build_int_truncate(rounded, self.ctx.i64_type(), "")?;
        let fits = self.b.build_int_compare(
            IntPredicate::EQ,
            self.b.build_int_s_extend(narrow, i128t, "")?,
            rounded,
            "",
        )?;
        let fits = self.b.build_or(
            fits,
            self.b.build_or(self.b.build_not(neg, "")?, vanishes, "")?,
            "",
        )?;
        self.guard(cx, fits, "OverflowError", "the rounded int does not fit in int64")?;
        let rounded = self.b.build_select(vanishes, zero, narrow, "")?;
        Ok(self.b.build_select(neg, rounded, x.into(), "")?)
    }

    /// `pow(b, e, m)` for ints, with the result's sign following `m` as in Python.
    pub(super) fn mod_pow(
        &mut self,
        cx: &mut FnCx<'ctx>,
        base: IntValue<'ctx>,
        exp: IntValue<'ctx>,
        m: IntValue<'ctx>,
    ) -> Cg<IntValue<'ctx>> {
        let zero = self.i64(0);
        let nz = self.b.build_int_compare(IntPredicate::NE, m, zero, "")?;
        self.guard(cx, nz, "ValueError", "pow() 3rd argument cannot be 0")?;
        let i128t = self.ctx.custom_width_int_type(128);
        let wide = |this: &Self, v: IntValue<'ctx>| this.b.build_int_s_extend(v, i128t, "");
        let mw = wide(self, m)?;
        // A negative exponent: the inverse of base modulo |m| to the power -exp (the loop below
        // reads the exponent as unsigned, so -(-2**63) is 2**63).
        let negative = self.b.build_int_compare(IntPredicate::SLT, exp, zero, "")?;
        let from = self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        let invert = self.append(cx.func, "modpow.invert");
        let start = self.append(cx.func, "modpow.start");
        self.b.build_conditional_branch(negative, invert, start)?;
        self.b.position_at_end(invert);
        let inverse = self.mod_inverse(cx, wide(self, base)?, mw)?;
        let inverse = self.b.build_int_truncate(inverse, self.ctx.i64_type(), "")?;
        let positive_exp = self.b.build_int_sub(zero, exp, "")?;
        let invert_end =
            self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        self.b.build_unconditional_branch(start)?;
        self.b.position_at_end(start);
        let base_phi = self.b.build_phi(self.ctx.i64_type(), "base")?;
        base_phi.add_incoming(&[(&base, from), (&inverse, invert_end)]);
        let exp_phi = self.b.build_phi(self.ctx.i64_type(), "exp")?;
        exp_phi.add_incoming(&[(&exp, from), (&positive_exp, invert_end)]);
        let (base, exp) =
            (base_phi.as_basic_value().into_int_value(), exp_phi.as_basic_value().into_int_value());
        // Loop: acc = 1; b = base mod m; while e: if e & 1: acc = acc*b mod m; b = b*b mod m; e >>= 1
        let acc = self.entry_alloca(cx, i128t.into(), "acc")?;
        let bs = self.entry_alloca(cx, i128t.into(), "b")?;
        let es = self.entry_alloca(cx, self.ctx.i64_type().into(), "e")?;
        let b0 = self.b.build_int_signed_rem(wide(self, base)?, mw, "")?;
        self.b.build_store(acc, i128t.const_int(1, false))?;
        self.b.build_store(bs, b0)?;
        self.b.build_store(es, exp)?;
        let head = self.append(cx.func, "modpow");
        let body = self.append(cx.func, "modpow.body");
        let done = self.append(cx.func, "modpow.end");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let e = self.b.build_load(self.ctx.i64_type(), es, "")?.into_int_value();
        let more = self.b.build_int_compare(IntPredicate::NE, e, zero, "")?;
        self.b.build_conditional_branch(more, body, done)?;
        self.b.position_at_end(body);
        let a = self.b.build_load(i128t, acc, "")?.into_int_value();
        let bv = self.b.build_load(i128t, bs, "")?.into_int_value();
        let odd = self.b.build_int_truncate(e, self.ctx.bool_type(), "")?;
        let prod = self.b.build_int_signed_rem(self.b.build_int_mul(a, bv, "")?, mw, "")?;
        let a2 = self.b.build_select(odd, prod, a, "")?;
        self.b.build_store(acc, a2)?;
        let sq = self.b.build_int_signed_rem(self.b.build_int_mul(bv, bv, "")?, mw, "")?;
        self.b.build_store(bs, sq)?;
        self.b.build_store(es, self.b.build_right_shift(e, self.i64(1), false, "")?)?;
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(done);
        let a = self.b.build_load(i128t, acc, "")?.into_int_value();
        let a = self.b.build_int_signed_rem(a, mw, "")?;
        let r = self.b.build_int_truncate(a, self.ctx.i64_type(), "")?;
        // Python's sign convention: the result has the sign of m.
        let (_, md) = self.int_divmod(r, m)?;
        Ok(md)
    }

    /// The inverse of `a` modulo |m| (extended Euclid, 128 bits), in 0..|m|; ValueError as
    /// CPython's when there is none.
    pub(super) fn mod_inverse(
        &mut self,
        cx: &mut FnCx<'ctx>,
        a: IntValue<'ctx>,
        m: IntValue<'ctx>,
    ) -> Cg<IntValue<'ctx>> {
        let i128t = a.get_type();
        let zero = i128t.const_zero();
        let negative_m = self.b.build_int_compare(IntPredicate::SLT, m, zero, "")?;
        let n =
            self.b.build_select(negative_m, self.b.build_int_neg(m, "")?, m, "")?.into_int_value();
        let floor_mod = |this: &Self, v: IntValue<'ctx>| -> Cg<IntValue<'ctx>> {
            let r = this.b.build_int_signed_rem(v, n, "")?;
            let below = this.b.build_int_compare(IntPredicate::SLT, r, zero, "")?;
            Ok(this.b.build_select(below, this.b.build_int_add(r, n, "")?, r, "")?.into_int_value())
        };
        let a0 = floor_mod(self, a)?;
        let from = self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        let head = self.append(cx.func, "invmod");
        let step = self.append(cx.func, "invmod.step");
        let done = self.append(cx.func, "invmod.end");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        // (old_r, r) = (a0, n), (old_s, s) = (1, 0); old_s * a0 == old_r (mod n) throughout.
        let [old_r, r, old_s, s] =
            [0, 1, 2, 3].map(|_| self.b.build_phi(i128t, "").map_err(CgError::from));
        let (old_r, r, old_s, s) = (old_r?, r?, old_s?, s?);
        let more = self.b.build_int_compare(
            IntPredicate::NE,
            r.as_basic_value().into_int_value(),
            zero,
            "",
        )?;
        self.b.build_conditional_branch(more, step, done)?;
        self.b.position_at_end(step);
        let (or_v, r_v) =
            (old_r.as_basic_value().into_int_value(), r.as_basic_value().into_int_value());
        let (os_v, s_v) =
            (old_s.as_basic_value().into_int_value(), s.as_basic_value().into_int_value());
        let q = self.b.build_int_signed_div(or_v, r_v, "")?;
        let next_r = self.b.build_int_sub(or_v, self.b.build_int_mul(q, r_v, "")?, "")?;
        let next_s = self.b.build_int_sub(os_v, self.b.build_int_mul(q, s_v, "")?, "")?;
        self.b.build_unconditional_branch(head)?;
        old_r.add_incoming(&[(&a0, from), (&r_v, step)]);
        r.add_incoming(&[(&n, from), (&next_r, step)]);
        old_s.add_incoming(&[(&i128t.const_int(1, false), from), (&s_v, step)]);
        s.add_incoming(&[(&zero, from), (&next_s, step)]);
        self.b.position_at_end(done);
        let gcd_one = self.b.build_int_compare(
            IntPredicate::EQ,
            old_r.as_basic_value().into_int_value(),
            i128t.const_int(1, false),
            "",
        )?;
        // |m| == 1: every base has the inverse 0 (CPython returns 0 before asking).
        let unit = self.b.build_int_compare(IntPredicate::EQ, n, i128t.const_int(1, false), "")?;
        self.guard(
            cx,
            self.b.build_or(gcd_one, unit, "")?,
            "ValueError",
            "base is not invertible for the given modulus",
        )?;
        floor_mod(self, old_s.as_basic_value().into_int_value())
    }

    /// A numpy function of ints and floats, with numpy's semantics: no exception where numpy
    /// gives NaN or an infinity (`np.sqrt(-1.0)`, `np.log(0.0)`), NaN through `minimum` and
    /// `maximum` and not through `fmin`/`fmax` (numpy's own formulas, signed zeros included),
    /// int results wrapping as numpy's int64 (`np.square`, `np.abs`, `np.power`). The C
    /// library computes the transcendental functions (numpy's own SIMD versions, on CPUs that
    /// have them, may differ in the last bit).
    pub(super) fn ufunc(
        &mut self,
        cx: &mut FnCx<'ctx>,
        u: Ufunc,
        vals: &[BasicValueEnum<'ctx>],
        types: &[Type],
        t: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        use Ufunc::*;
        if *t == Type::Int {
            let x = vals[0].into_int_value();
            let zero = self.i64(0);
            return Ok(match u {
                Square => self.b.build_int_mul(x, x, "")?.into(),
                Abs => {
                    let negative = self.b.build_int_compare(IntPredicate::SLT, x, zero, "")?;
                    let minus = self.b.build_int_sub(zero, x, "")?;
                    self.b.build_select(negative, minus, x, "")?
                }
                Sign => {
                    let pos = self.b.build_int_compare(IntPredicate::SGT, x, zero, "")?;
                    let neg = self.b.build_int_compare(IntPredicate::SLT, x, zero, "")?;
                    let pos = self.b.build_int_z_extend(pos, self.ctx.i64_type(), "")?;
                    let neg = self.b.build_int_z_extend(neg, self.ctx.i64_type(), "")?;
                    self.b.build_int_sub(pos, neg, "")?.into()
                }
                Power => {
                    let y = vals[1].into_int_value();
                    let ok = self.b.build_int_compare(IntPredicate::SGE, y, zero, "")?;
                    self.guard(
                        cx,
                        ok,
                        "ValueError",
                        "Integers to negative integer powers are not allowed.",
                    )?;
                    self.ipow(x, y)?.0.into()
                }
                Clip => {
                    // maximum(x, lo), then minimum(that, hi).
                    let (lo, hi) = (vals[1].into_int_value(), vals[2].into_int_value());
                    let above = self.b.build_int_compare(IntPredicate::SGT, x, lo, "")?;
                    let m = self.b.build_select(above, x, lo, "")?.into_int_value();
                    let below = self.b.build_int_compare(IntPredicate::SLT, m, hi, "")?;
                    self.b.build_select(below, m, hi, "")?
                }
                _ => {
                    // minimum, maximum, fmin, fmax of ints.
                    let y = vals[1].into_int_value();
                    let pred = if matches!(u, Minimum | Fmin) {
                        IntPredicate::SLT
                    } else {
                        IntPredicate::SGT
                    };
                    let first = self.b.build_int_compare(pred, x, y, "")?;
                    self.b.build_select(first, x, y, "")?
                }
            });
        }
        let f: Vec<FloatValue<'ctx>> = vals
            .iter()
            .zip(types)
            .map(|(v, t)| Ok(self.convert(*v, t, &Type::Float)?.into_float_value()))
            .collect::<Cg<_>>()?;
        let x = f[0];
        let lt = |this: &Self, a, b| this.b.build_float_compare(FloatPredicate::OLT, a, b, "");
        let gt = |this: &Self, a, b| this.b.build_float_compare(FloatPredicate::OGT, a, b, "");
        Ok(match u {
            Sqrt => self.fcall("llvm.sqrt", &[x])?.into(),
            Exp => self.fcall("llvm.exp", &[x])?.into(),
            Exp2 => self.fcall("llvm.exp2", &[x])?.into(),
            Log => self.fcall("llvm.log", &[x])?.into(),
            Log2 => self.fcall("llvm.log2", &[x])?.into(),
            Log10 => self.fcall("llvm.log10", &[x])?.into(),
            Sin => self.fcall("llvm.sin", &[x])?.into(),
            Cos => self.fcall("llvm.cos", &[x])?.into(),
            Floor => self.fcall("llvm.floor", &[x])?.into(),
            Ceil => self.fcall("llvm.ceil", &[x])?.into(),
            Trunc => self.fcall("llvm.trunc", &[x])?.into(),
            Rint => self.fcall("llvm.rint", &[x])?.into(),
            Fabs | Abs => self.fcall("llvm.fabs", &[x])?.into(),
            Copysign => self.fcall("llvm.copysign", &[x, f[1]])?.into(),
            Log1p | Expm1 | Tan | Arcsin | Arccos | Arctan | Sinh | Cosh | Tanh | Arcsinh
            | Arccosh | Arctanh | Cbrt | Arctan2 | Hypot => {
                let name = match u {
                    Log1p => "log1p",
                    Expm1 => "expm1",
                    Tan => "tan",
                    Arcsin => "asin",
                    Arccos => "acos",
                    Arctan => "atan",
                    Sinh => "sinh",
                    Cosh => "cosh",
                    Tanh => "tanh",
                    Arcsinh => "asinh",
                    Arccosh => "acosh",
                    Arctanh => "atanh",
                    Cbrt => "cbrt",
                    Arctan2 => "atan2",
                    _ => "hypot",
                };
                self.libm(name, &f)?.into()
            }
            Deg2rad => {
                let k = self.f64(std::f64::consts::PI / 180.0);
                self.b.build_float_mul(x, k, "")?.into()
            }
            Rad2deg => {
                let k = self.f64(180.0 / std::f64::consts::PI);
                self.b.build_float_mul(x, k, "")?.into()
            }
            Square => self.b.build_float_mul(x, x, "")?.into(),
            Power => self.pow(x, f[1])?.into(),
            // NaN stays NaN, and every zero gives +0.0, as numpy's sign does.
            Sign => {
                let zero = self.f64(0.0);
                let one = self.f64(1.0);
                let minus_one = self.f64(-1.0);
                let pos = gt(self, x, zero)?;
                let neg = lt(self, x, zero)?;
                let nan = self.is_nan(x)?;
                let s = self.b.build_select(neg, minus_one, zero, "")?;
                let s = self.b.build_select(pos, one, s.into_float_value(), "")?;
                self.b.build_select(nan, x, s.into_float_value(), "")?
            }
            Isnan => self.is_nan(x)?.into(),
            Isinf => self.is_inf(x)?.into(),
            Isfinite => self.is_finite(x)?.into(),
            // numpy: minimum(a, b) = a < b or a is NaN ? a : b (maximum with >).
            Minimum | Maximum => {
                let y = f[1];
                let better = if u == Minimum { lt(self, x, y)? } else { gt(self, x, y)? };
                let pick = self.b.build_or(better, self.is_nan(x)?, "")?;
                self.b.build_select(pick, x, y, "")?
            }
            // numpy: clip(a, lo, hi) = minimum(maximum(a, lo), hi), NaN anywhere propagating.
            Clip => {
                let (lo, hi) = (f[1], f[2]);
                let pick = self.b.build_or(gt(self, x, lo)?, self.is_nan(x)?, "")?;
                let m = self.b.build_select(pick, x, lo, "")?.into_float_value();
                let pick = self.b.build_or(lt(self, m, hi)?, self.is_nan(m)?, "")?;
                self.b.build_select(pick, m, hi, "")?
            }
            Where => return Err(CgError("np.where of numbers is numpy's own".into())),
            // numpy: fmin(a, b) = a <= b or b is NaN ? a : b (fmax with >=).
            Fmin | Fmax => {
                let y = f[1];
                let pred = if u == Fmin { FloatPredicate::OLE } else { FloatPredicate::OGE };
                let better = self.b.build_float_compare(pred, x, y, "")?;
                let pick = self.b.build_or(better, self.is_nan(y)?, "")?;
                self.b.build_select(pick, x, y, "")?
            }
        })
    }

    pub(super) fn math(
        &mut self,
        cx: &mut FnCx<'ctx>,
        m: MathFn,
        vals: &[BasicValueEnum<'ctx>],
        types: &[Type],
    ) -> Cg<BasicValueEnum<'ctx>> {
        use MathFn::*;
        if matches!(m, Floor | Ceil | Trunc) && types[0] != Type::Float {
            return self.convert(vals[0], &types[0], &Type::Int);
        }
        let f: Vec<FloatValue<'ctx>> = vals
            .iter()
            .zip(types)
            .map(|(v, t)| Ok(self.convert(*v, t, &Type::Float)?.into_float_value()))
            .collect::<Cg<_>>()?;
        let x = f[0];
        // CPython's rule for one-argument functions: NaN from non-NaN is a domain error,
        // an infinity from a finite argument is a range error (or a domain error for most).
        // Only a NaN or an infinity can be an error: one test of the result on the hot path.
        let checked = |this: &mut Self,
                       cx: &mut FnCx<'ctx>,
                       r: FloatValue<'ctx>,
                       can_overflow: bool|
         -> Cg<BasicValueEnum<'ctx>> {
            let suspicious = this.b.build_not(this.is_finite(r)?, "")?;
            this.rarely(cx, suspicious, |this| {
                let nan_from_number = this.b.build_and(
                    this.is_nan(r)?,
                    this.b.build_not(this.is_nan(x)?, "")?,
                    "",
                )?;
                let inf_from_finite = this.b.build_and(this.is_inf(r)?, this.is_finite(x)?, "")?;
                let overflow = if can_overflow { "OverflowError" } else { "ValueError" };
                let message = if can_overflow { "math range error" } else { "math domain error" };
                Ok(vec![
                    (this.b.build_not(nan_from_number, "")?, "ValueError", "math domain error"),
                    (this.b.build_not(inf_from_finite, "")?, overflow, message),
                ])
            })?;
            Ok(r.into())
        };
        // sqrt and log fail exactly for arguments below (or at) zero: checking the argument
        // is cheaper than checking the result, and LLVM can often prove it (x*x >= 0).
        let domain = |this: &mut Self, cx: &mut FnCx<'ctx>, pred: FloatPredicate| -> Cg<()> {
            let bad = this.b.build_float_compare(pred, x, this.f64(0.0), "")?;
            let ok = this.b.build_not(bad, "")?;
            this.guard(cx, ok, "ValueError", "math domain error")
        };
        Ok(match m {
            Sqrt => {
                domain(self, cx, FloatPredicate::OLT)?;
                self.fcall("llvm.sqrt", &[x])?.into()
            }
            Log if f.len() == 1 => {
                domain(self, cx, FloatPredicate::OLE)?;
                self.fcall("llvm.log", &[x])?.into()
            }
            Log10 | Log2 => {
                domain(self, cx, FloatPredicate::OLE)?;
                self.fcall(if m == Log10 { "llvm.log10" } else { "llvm.log2" }, &[x])?.into()
            }
            // exp and exp2 give NaN only for NaN: the one error is overflow (an infinity from a
            // finite argument).
            Exp | Exp2 => {
                // They never give -inf: the hot path tests the result against +inf only.
                let r = self.fcall(if m == Exp { "llvm.exp" } else { "llvm.exp2" }, &[x])?;
                let suspicious = self.b.build_float_compare(
                    FloatPredicate::OEQ,
                    r,
                    self.f64(f64::INFINITY),
                    "",
                )?;
                self.rarely(cx, suspicious, |this| {
                    Ok(vec![(
                        this.b.build_not(this.is_finite(x)?, "")?,
                        "OverflowError",
                        "math range error",
                    )])
                })?;
                r.into()
            }
            Expm1 => {
                let r = self.libm("expm1", &[x])?;
                checked(self, cx, r, true)?
            }
            Log => {
                let a = self.fcall("llvm.log", &[x])?;
                checked(self, cx, a, false)?;
                let base = f[1];
                let lb = self.fcall("llvm.log", &[base])?;
                let nan_from_number = self.b.build_and(
                    self.is_nan(lb)?,
                    self.b.build_not(self.is_nan(base)?, "")?,
                    "",
                )?;
                let inf_from_finite =
                    self.b.build_and(self.is_inf(lb)?, self.is_finite(base)?, "")?;
                let bad = self.b.build_or(nan_from_number, inf_from_finite, "")?;
                let ok = self.b.build_not(bad, "")?;
                self.guard(cx, ok, "ValueError", "math domain error")?;
                let nz = self.b.build_float_compare(FloatPredicate::UNE, lb, self.f64(0.0), "")?;
                self.guard(cx, nz, "ZeroDivisionError", "float division by zero")?;
                self.b.build_float_div(a, lb, "")?.into()
            }
            Log1p => {
                let r = self.libm("log1p", &[x])?;
                checked(self, cx, r, false)?
            }
            // sin and cos fail exactly for infinite arguments (NaN from a number) and never give
            // an infinity: the hot path tests the result for NaN (the argument, a call later, is
            // no longer in a register).
            Sin | Cos => {
                let r = self.fcall(if m == Sin { "llvm.sin" } else { "llvm.cos" }, &[x])?;
                let suspicious = self.is_nan(r)?;
                self.rarely(cx, suspicious, |this| {
                    Ok(vec![(
                        this.b.build_not(this.is_inf(x)?, "")?,
                        "ValueError",
                        "math domain error",
                    )])
                })?;
                r.into()
            }
            Tan | Asin | Acos | Atan | Asinh | Acosh | Atanh => {
                let r = self.libm(m.name(), &[x])?;
                checked(self, cx, r, false)?
            }
            Sinh | Cosh => {
                let r = self.libm(m.name(), &[x])?;
                checked(self, cx, r, true)?
            }
            Tanh => self.libm("tanh", &[x])?.into(),
            Fabs => self.fcall("llvm.fabs", &[x])?.into(),
            Degrees => {
                self.b.build_float_mul(x, self.f64(180.0 / std::f64::consts::PI), "")?.into()
            }
            Radians => {
                self.b.build_float_mul(x, self.f64(std::f64::consts::PI / 180.0), "")?.into()
            }
            Floor | Ceil | Trunc => {
                let name = match m {
                    Floor => "llvm.floor",
                    Ceil => "llvm.ceil",
                    _ => "llvm.trunc",
                };
                let r = self.fcall(name, &[x])?;
                self.float_to_int(cx, r)?.into()
            }
            Atan2 => self.libm("atan2", &[x, f[1]])?.into(),
            Copysign => self.fcall("llvm.copysign", &[x, f[1]])?.into(),
            Hypot => {
                let (r, y) = (self.libm("hypot", &[x, f[1]])?, f[1]);
                let suspicious = self.is_inf(r)?;
                self.rarely(cx, suspicious, |this| {
                    let both_finite =
                        this.b.build_and(this.is_finite(x)?, this.is_finite(y)?, "")?;
                    Ok(vec![(
                        this.b.build_not(both_finite, "")?,
                        "OverflowError",
                        "math range error",
                    )])
                })?;
                r.into()
            }
            Fmod => {
                let y = f[1];
                // fmod(x, 0) and fmod(inf, y) are domain errors unless x or y is NaN (then the
                // result is NaN, as CPython's); fmod(x, inf) is x.
                let y_zero =
                    self.b.build_float_compare(FloatPredicate::OEQ, y, self.f64(0.0), "")?;
                let x_inf = self.is_inf(x)?;
                let any_nan = self.b.build_or(self.is_nan(x)?, self.is_nan(y)?, "")?;
                let bad = self.b.build_and(
                    self.b.build_or(y_zero, x_inf, "")?,
                    self.b.build_not(any_nan, "")?,
                    "",
                )?;
                let ok = self.b.build_not(bad, "")?;
                self.guard(cx, ok, "ValueError", "math domain error")?;
                self.b.build_float_rem(x, y, "")?.into()
            }
            Pow => {
                let y = f[1];
                let r = self.pow(x, y)?;
                // NaN from non-NaN arguments and an infinity from finite ones: CPython's math.pow
                // rules, looked at only when the result is not a finite number.
                let suspicious = self.b.build_not(self.is_finite(r)?, "")?;
                self.rarely(cx, suspicious, |this| {
                    let any_nan = this.b.build_or(this.is_nan(x)?, this.is_nan(y)?, "")?;
                    let domain =
                        this.b.build_and(this.is_nan(r)?, this.b.build_not(any_nan, "")?, "")?;
                    let both_finite =
                        this.b.build_and(this.is_finite(x)?, this.is_finite(y)?, "")?;
                    let inf = this.b.build_and(this.is_inf(r)?, both_finite, "")?;
                    let x_zero =
                        this.b.build_float_compare(FloatPredicate::OEQ, x, this.f64(0.0), "")?;
                    let zero_neg = this.b.build_and(inf, x_zero, "")?;
                    Ok(vec![
                        (this.b.build_not(domain, "")?, "ValueError", "math domain error"),
                        (this.b.build_not(zero_neg, "")?, "ValueError", "math domain error"),
                        (this.b.build_not(inf, "")?, "OverflowError", "math range error"),
                    ])
                })?;
                r.into()
            }
            IsNan => self.is_nan(x)?.into(),
            IsInf => self.is_inf(x)?.into(),
            IsFinite => self.is_finite(x)?.into(),
        })
    }
}
