//! Python's arithmetic on native ints and floats: floor division and modulo signs,
//! ZeroDivisionError, int overflow (OverflowError past int64 unless `overflowcheck=False`),
//! powers, true division correctly rounded, float-to-int conversion errors, libm calls.

use super::basics::FunctionParams;
use super::capi;
use super::state::FnCx;
use super::state::{Cg, CgError, Codegen};
use crate::hir::{BinOp, Const, Expr, ExprKind};
use crate::types::Type;
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::intrinsics::Intrinsic;
use inkwell::module::Linkage;
use inkwell::values::{BasicValueEnum, FloatValue, FunctionValue, IntValue};
use inkwell::{FloatPredicate, IntPredicate};

/// The message of OverflowError for an int result beyond int64 (CPython's int would grow).
pub(super) const INT_OVERFLOW: &str = "int result does not fit in int64 (pyaot's int; CPython's would grow): use floats, or `# pyaot: overflowcheck=False` for wrapping arithmetic";

impl<'ctx> Codegen<'ctx, '_> {
    pub(super) fn intrinsic(
        &self,
        name: &str,
        args: &[BasicValueEnum<'ctx>],
    ) -> Cg<BasicValueEnum<'ctx>> {
        let intr = Intrinsic::find(name).ok_or_else(|| CgError(format!("no intrinsic {name}")))?;
        let ty = args[0].get_type();
        let f = intr
            .get_declaration(&self.module, &[ty])
            .ok_or_else(|| CgError(format!("cannot declare {name}")))?;
        let args: Vec<_> = args.iter().map(|a| (*a).into()).collect();
        let call = self.b.build_call(f, &args, "")?;
        call.try_as_basic_value().basic().ok_or_else(|| CgError(format!("{name} returned void")))
    }

    pub(super) fn fcall(&self, name: &str, args: &[FloatValue<'ctx>]) -> Cg<FloatValue<'ctx>> {
        let vals: Vec<BasicValueEnum> = args.iter().map(|a| (*a).into()).collect();
        Ok(self.intrinsic(name, &vals)?.into_float_value())
    }

    /// A libm function `double name(double...)`; errno is never read, so it is declared pure.
    pub(super) fn libm(&self, name: &str, args: &[FloatValue<'ctx>]) -> Cg<FloatValue<'ctx>> {
        let call = self.libm_call(name, args)?;
        Ok(call
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| CgError("libm returned void".into()))?
            .into_float_value())
    }

    pub(super) fn libm_call(
        &self,
        name: &str,
        args: &[FloatValue<'ctx>],
    ) -> Cg<inkwell::values::CallSiteValue<'ctx>> {
        let f = match self.module.get_function(name) {
            Some(f) => f,
            None => {
                let f64t = self.ctx.f64_type();
                let params: Vec<_> = args.iter().map(|_| f64t.into()).collect();
                let f = self.module.add_function(
                    name,
                    f64t.fn_type(&params, false),
                    Some(Linkage::External),
                );
                self.add_attr(f, "nounwind");
                self.add_attr(f, "willreturn");
                f.add_attribute(
                    AttributeLoc::Function,
                    self.ctx.create_enum_attribute(Attribute::get_named_enum_kind_id("memory"), 0),
                );
                f
            }
        };
        let vals: Vec<_> = args.iter().map(|a| (*a).into()).collect();
        Ok(self.b.build_call(f, &vals, "")?)
    }

    /// `pow(x, y)` as CPython computes `**` and `math.pow`. A constant exponent keeps
    /// `llvm.pow`, whose rewrites for it are exact (x ** 2 is x * x, x ** 0.5 a square root
    /// with pow's signed zeros and infinities). Any other exponent calls libm's pow marked
    /// `nobuiltin`: LLVM rewrites `llvm.pow`, without any fast-math flag, into `exp2(n * y)`
    /// when x turns out to be a constant 2**n (pow(2.0**40, 2.2) came out 1.5e-14 off).
    pub(super) fn pow(&self, x: FloatValue<'ctx>, y: FloatValue<'ctx>) -> Cg<FloatValue<'ctx>> {
        if y.is_const() {
            return self.fcall("llvm.pow", &[x, y]);
        }
        let call = self.libm_call("pow", &[x, y])?;
        call.add_attribute(
            AttributeLoc::Function,
            self.ctx.create_enum_attribute(Attribute::get_named_enum_kind_id("nobuiltin"), 0),
        );
        Ok(call
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| CgError("pow returned void".into()))?
            .into_float_value())
    }

    pub(super) fn is_nan(&self, x: FloatValue<'ctx>) -> Cg<IntValue<'ctx>> {
        Ok(self.b.build_float_compare(FloatPredicate::UNO, x, x, "")?)
    }

    pub(super) fn is_inf(&self, x: FloatValue<'ctx>) -> Cg<IntValue<'ctx>> {
        let a = self.fcall("llvm.fabs", &[x])?;
        Ok(self.b.build_float_compare(FloatPredicate::OEQ, a, self.f64(f64::INFINITY), "")?)
    }

    pub(super) fn is_finite(&self, x: FloatValue<'ctx>) -> Cg<IntValue<'ctx>> {
        let a = self.fcall("llvm.fabs", &[x])?;
        Ok(self.b.build_float_compare(FloatPredicate::OLT, a, self.f64(f64::INFINITY), "")?)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn binary(
        &mut self,
        cx: &mut FnCx<'ctx>,
        op: BinOp,
        l: BasicValueEnum<'ctx>,
        lt: &Type,
        r: BasicValueEnum<'ctx>,
        rt: &Type,
        right: &Expr,
    ) -> Cg<(BasicValueEnum<'ctx>, Type)> {
        if *lt == Type::Object || *rt == Type::Object {
            return Ok((self.object_binary(cx, op, l, lt, r, rt, false)?.into(), Type::Object));
        }
        if let (Type::Tuple(a), Type::Tuple(b)) = (lt, rt) {
            let all: Vec<Type> = a.iter().chain(b).cloned().collect();
            let t = Type::Tuple(all);
            let mut agg = self.llvm_type(&t).into_struct_type().get_undef();
            let mut k = 0;
            for (v, n) in [(l, a.len()), (r, b.len())] {
                for i in 0..n {
                    let item = self.b.build_extract_value(v.into_struct_value(), i as u32, "")?;
                    agg = self.b.build_insert_value(agg, item, k, "")?.into_struct_value();
                    k += 1;
                }
            }
            return Ok((agg.into(), t));
        }
        if *lt == Type::Complex || *rt == Type::Complex {
            let a = self.to_complex(l, lt)?;
            let b = self.to_complex(r, rt)?;
            return Ok((self.complex_binary(cx, op, a, b)?.into(), Type::Complex));
        }
        let bools = *lt == Type::Bool && *rt == Type::Bool;
        if bools && matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor) {
            let (x, y) = (l.into_int_value(), r.into_int_value());
            let v = match op {
                BinOp::BitAnd => self.b.build_and(x, y, "")?,
                BinOp::BitOr => self.b.build_or(x, y, "")?,
                _ => self.b.build_xor(x, y, "")?,
            };
            return Ok((v.into(), Type::Bool));
        }
        if op == BinOp::Div && lt.is_integral() && rt.is_integral() {
            let x = self.convert(l, lt, &Type::Int)?.into_int_value();
            let y = self.convert(r, rt, &Type::Int)?.into_int_value();
            return Ok((self.int_true_divide(cx, x, y)?.into(), Type::Float));
        }
        let floaty = *lt == Type::Float || *rt == Type::Float || op == BinOp::Div;
        let negative_const_exponent = matches!(right.kind, ExprKind::Const(Const::Int(k)) if k < 0);
        if floaty || (op == BinOp::Pow && negative_const_exponent) {
            let x = self.convert(l, lt, &Type::Float)?.into_float_value();
            let y = self.convert(r, rt, &Type::Float)?.into_float_value();
            let both_int = lt != &Type::Float && rt != &Type::Float;
            return Ok((self.float_binary(cx, op, x, y, both_int)?.into(), Type::Float));
        }
        let x = self.convert(l, lt, &Type::Int)?.into_int_value();
        let y = self.convert(r, rt, &Type::Int)?.into_int_value();
        Ok((self.int_binary(cx, op, x, y)?.into(), Type::Int))
    }

    /// `x / y` of ints, correctly rounded as CPython's: ints up to 2**53 convert exactly, so one
    /// float division rounds once; beyond, the quotient is worked out in 128 bits (the
    /// dividend shifted up so the quotient has 64 significant bits or more, a sticky bit for a
    /// nonzero remainder) and converted to a float once.
    pub(super) fn int_true_divide(
        &mut self,
        cx: &mut FnCx<'ctx>,
        x: IntValue<'ctx>,
        y: IntValue<'ctx>,
    ) -> Cg<FloatValue<'ctx>> {
        let nz = self.b.build_int_compare(IntPredicate::NE, y, self.i64(0), "")?;
        self.guard(cx, nz, "ZeroDivisionError", "division by zero")?;
        let f64t = self.ctx.f64_type();
        let limit = self.i64(1 << 53);
        let small = |this: &Self, v: IntValue<'ctx>| -> Cg<IntValue<'ctx>> {
            let shifted = this.b.build_int_add(v, limit, "")?;
            Ok(this.b.build_int_compare(IntPredicate::ULE, shifted, this.i64(1 << 54), "")?)
        };
        let both_small = self.b.build_and(small(self, x)?, small(self, y)?, "")?;
        let fast_bb = self.append(cx.func, "truediv.fast");
        let exact_bb = self.append(cx.func, "truediv.exact");
        let done = self.append(cx.func, "truediv.done");
        let br = self.b.build_conditional_branch(both_small, fast_bb, exact_bb)?;
        self.expect_true(br);
        self.b.position_at_end(fast_bb);
        let fx = self.b.build_signed_int_to_float(x, f64t, "")?;
        let fy = self.b.build_signed_int_to_float(y, f64t, "")?;
        let fast = self.b.build_float_div(fx, fy, "")?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(exact_bb);
        let i128t = self.ctx.custom_width_int_type(128);
        let magnitude = |this: &Self, v: IntValue<'ctx>| -> Cg<IntValue<'ctx>> {
            let wide = this.b.build_int_s_extend(v, i128t, "")?;
            let negative =
                this.b.build_int_compare(IntPredicate::SLT, wide, i128t.const_zero(), "")?;
            Ok(this
                .b
                .build_select(negative, this.b.build_int_neg(wide, "")?, wide, "")?
                .into_int_value())
        };
        let (a, b) = (magnitude(self, x)?, magnitude(self, y)?);
        // x == 0 with a large y: no shift, a quotient of 0, and 0.0 of the right sign below.
        let lead = self
            .intrinsic("llvm.ctlz", &[a.into(), self.ctx.bool_type().const_zero().into()])?
            .into_int_value();
        let shift = self
            .b
            .build_select(
                self.b.build_int_compare(IntPredicate::EQ, a, i128t.const_zero(), "")?,
                i128t.const_zero(),
                lead,
                "",
            )?
            .into_int_value();
        let n = self.b.build_left_shift(a, shift, "")?;
        let q = self.b.build_int_unsigned_div(n, b, "")?;
        let r = self.b.build_int_unsigned_rem(n, b, "")?;
        let sticky = self.b.build_int_z_extend(
            self.b.build_int_compare(IntPredicate::NE, r, i128t.const_zero(), "")?,
            i128t,
            "",
        )?;
        let q = self.b.build_or(q, sticky, "")?;
        let qf = self.b.build_unsigned_int_to_float(q, f64t, "")?;
        // Times 2**-shift (shift <= 127: a normal float, so the product is exact).
        let shift64 = self.b.build_int_truncate(shift, self.ctx.i64_type(), "")?;
        let exponent_bits = self.b.build_left_shift(
            self.b.build_int_sub(self.i64(1023), shift64, "")?,
            self.i64(52),
            "",
        )?;
        let scale = self.b.build_bit_cast(exponent_bits, f64t, "")?.into_float_value();
        let unsigned = self.b.build_float_mul(qf, scale, "")?;
        let negative = self.b.build_int_compare(
            IntPredicate::SLT,
            self.b.build_xor(x, y, "")?,
            self.i64(0),
            "",
        )?;
        let exact = self
            .b
            .build_select(negative, self.b.build_float_neg(unsigned, "")?, unsigned, "")?
            .into_float_value();
        let exact_end =
            self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        let phi = self.b.build_phi(f64t, "truediv")?;
        phi.add_incoming(&[(&fast, fast_bb), (&exact, exact_end)]);
        Ok(phi.as_basic_value().into_float_value())
    }

    pub(super) fn float_binary(
        &mut self,
        cx: &mut FnCx<'ctx>,
        op: BinOp,
        x: FloatValue<'ctx>,
        y: FloatValue<'ctx>,
        from_ints: bool,
    ) -> Cg<FloatValue<'ctx>> {
        let b = &self.b;
        Ok(match op {
            BinOp::Add => b.build_float_add(x, y, "")?,
            BinOp::Sub => b.build_float_sub(x, y, "")?,
            BinOp::Mul => b.build_float_mul(x, y, "")?,
            BinOp::Div => {
                let nz = b.build_float_compare(FloatPredicate::UNE, y, self.f64(0.0), "")?;
                self.guard(
                    cx,
                    nz,
                    "ZeroDivisionError",
                    if from_ints { "division by zero" } else { "float division by zero" },
                )?;
                self.b.build_float_div(x, y, "")?
            }
            BinOp::FloorDiv | BinOp::Mod => {
                let nz = b.build_float_compare(FloatPredicate::UNE, y, self.f64(0.0), "")?;
                self.guard(
                    cx,
                    nz,
                    "ZeroDivisionError",
                    if op == BinOp::Mod { "float modulo" } else { "float floor division by zero" },
                )?;
                let (q, m) = self.float_divmod(x, y)?;
                if op == BinOp::Mod {
                    m
                } else {
                    q
                }
            }
            BinOp::Pow => self.float_pow(cx, x, y)?,
            _ => return Err(CgError(format!("`{}` on floats", op.symbol()))),
        })
    }

    /// Python's float floor division and modulo (the sign of the modulo follows the divisor).
    pub(super) fn float_divmod(
        &self,
        x: FloatValue<'ctx>,
        y: FloatValue<'ctx>,
    ) -> Cg<(FloatValue<'ctx>, FloatValue<'ctx>)> {
        let b = &self.b;
        let zero = self.f64(0.0);
        let m0 = b.build_float_rem(x, y, "")?;
        let d0 = b.build_float_div(b.build_float_sub(x, m0, "")?, y, "")?;
        let m_nonzero = b.build_float_compare(FloatPredicate::UNE, m0, zero, "")?;
        let y_neg = b.build_float_compare(FloatPredicate::OLT, y, zero, "")?;
        let m_neg = b.build_float_compare(FloatPredicate::OLT, m0, zero, "")?;
        let differ = b.build_xor(y_neg, m_neg, "")?;
        let adjust = b.build_and(m_nonzero, differ, "")?;
        let m1 = b.build_select(adjust, b.build_float_add(m0, y, "")?, m0, "")?.into_float_value();
        let d1 = b
            .build_select(adjust, b.build_float_sub(d0, self.f64(1.0), "")?, d0, "")?
            .into_float_value();
        let signed_zero = self.fcall("llvm.copysign", &[zero, y])?;
        let m = b.build_select(m_nonzero, m1, signed_zero, "")?.into_float_value();
        let d_nonzero = b.build_float_compare(FloatPredicate::UNE, d1, zero, "")?;
        let fl = self.fcall("llvm.floor", &[d1])?;
        let frac = b.build_float_sub(d1, fl, "")?;
        let round_up = b.build_float_compare(FloatPredicate::OGT, frac, self.f64(0.5), "")?;
        let fl = b
            .build_select(round_up, b.build_float_add(fl, self.f64(1.0), "")?, fl, "")?
            .into_float_value();
        let q_zero = self.fcall("llvm.copysign", &[zero, b.build_float_div(x, y, "")?])?;
        let q = b.build_select(d_nonzero, fl, q_zero, "")?.into_float_value();
        Ok((q, m))
    }

    /// `x ** y` for floats with Python's errors (CPython returns a complex for a negative base
    /// and a fractional exponent; pyaot raises ValueError there, see docs/language.md).
    pub(super) fn float_pow(
        &mut self,
        cx: &mut FnCx<'ctx>,
        x: FloatValue<'ctx>,
        y: FloatValue<'ctx>,
    ) -> Cg<FloatValue<'ctx>> {
        let zero = self.f64(0.0);
        let x_zero = self.b.build_float_compare(FloatPredicate::OEQ, x, zero, "")?;
        let y_neg = self.b.build_float_compare(FloatPredicate::OLT, y, zero, "")?;
        let bad = self.b.build_and(x_zero, y_neg, "")?;
        let ok = self.b.build_not(bad, "")?;
        self.guard(cx, ok, "ZeroDivisionError", "0.0 cannot be raised to a negative power")?;
        // (-inf) ** 0.5 is inf, as in CPython: only a finite negative base gives a complex.
        let x_neg = self.b.build_and(
            self.b.build_float_compare(FloatPredicate::OLT, x, zero, "")?,
            self.is_finite(x)?,
            "",
        )?;
        let y_fin = self.is_finite(y)?;
        let fl = self.fcall("llvm.floor", &[y])?;
        let y_frac = self.b.build_float_compare(FloatPredicate::ONE, fl, y, "")?;
        let bad = self.b.build_and(self.b.build_and(x_neg, y_fin, "")?, y_frac, "")?;
        let ok = self.b.build_not(bad, "")?;
        self.guard(
            cx,
            ok,
            "ValueError",
            "negative number cannot be raised to a fractional power (the result would be complex)",
        )?;
        let r = self.pow(x, y)?;
        let overflow = self.b.build_and(
            self.is_inf(r)?,
            self.b.build_and(self.is_finite(x)?, self.is_finite(y)?, "")?,
            "",
        )?;
        let ok = self.b.build_not(overflow, "")?;
        self.guard(cx, ok, "OverflowError", "(34, 'Numerical result out of range')")?;
        Ok(r)
    }

    pub(super) fn int_binary(
        &mut self,
        cx: &mut FnCx<'ctx>,
        op: BinOp,
        x: IntValue<'ctx>,
        y: IntValue<'ctx>,
    ) -> Cg<IntValue<'ctx>> {
        let zero = self.i64(0);
        Ok(match op {
            // OverflowError where CPython's int would leave int64 (wraps with overflowcheck off).
            BinOp::Add => self.checked_int_op(cx, "llvm.sadd.with.overflow", x, y)?,
            BinOp::Sub => self.checked_int_op(cx, "llvm.ssub.with.overflow", x, y)?,
            BinOp::Mul => self.checked_int_op(cx, "llvm.smul.with.overflow", x, y)?,
            BinOp::BitAnd => self.b.build_and(x, y, "")?,
            BinOp::BitOr => self.b.build_or(x, y, "")?,
            BinOp::BitXor => self.b.build_xor(x, y, "")?,
            BinOp::FloorDiv | BinOp::Mod => {
                let nz = self.b.build_int_compare(IntPredicate::NE, y, zero, "")?;
                self.guard(cx, nz, "ZeroDivisionError", "integer division or modulo by zero")?;
                if op == BinOp::FloorDiv && self.overflow_checked(cx) {
                    // -2**63 // -1 is 2**63.
                    let min =
                        self.b.build_int_compare(IntPredicate::EQ, x, self.i64(i64::MIN), "")?;
                    let minus_one =
                        self.b.build_int_compare(IntPredicate::EQ, y, self.i64(-1), "")?;
                    let fits = self.b.build_not(self.b.build_and(min, minus_one, "")?, "")?;
                    self.guard(cx, fits, "OverflowError", INT_OVERFLOW)?;
                }
                let (q, m) = self.int_divmod(x, y)?;
                if op == BinOp::Mod {
                    m
                } else {
                    q
                }
            }
            BinOp::LShift if self.overflow_checked(cx) => {
                let neg = self.b.build_int_compare(IntPredicate::SGE, y, zero, "")?;
                self.guard(cx, neg, "ValueError", "negative shift count")?;
                // Fits when shifting back gives x (0 shifts by any count).
                let big = self.b.build_int_compare(IntPredicate::UGE, y, self.i64(64), "")?;
                let safe = self.b.build_select(big, self.i64(63), y, "")?.into_int_value();
                let v = self.b.build_left_shift(x, safe, "")?;
                let back = self.b.build_right_shift(v, safe, true, "")?;
                let kept = self.b.build_and(
                    self.b.build_int_compare(IntPredicate::EQ, back, x, "")?,
                    self.b.build_not(big, "")?,
                    "",
                )?;
                let fits = self.b.build_or(
                    kept,
                    self.b.build_int_compare(IntPredicate::EQ, x, zero, "")?,
                    "",
                )?;
                self.guard(cx, fits, "OverflowError", INT_OVERFLOW)?;
                self.b.build_select(big, zero, v, "")?.into_int_value()
            }
            BinOp::LShift | BinOp::RShift => {
                let neg = self.b.build_int_compare(IntPredicate::SGE, y, zero, "")?;
                self.guard(cx, neg, "ValueError", "negative shift count")?;
                // Shifting by 64 or more: << gives 0 (wrapped), >> gives the sign.
                let big = self.b.build_int_compare(IntPredicate::UGE, y, self.i64(64), "")?;
                let safe = self.b.build_select(big, self.i64(63), y, "")?.into_int_value();
                if op == BinOp::LShift {
                    let v = self.b.build_left_shift(x, safe, "")?;
                    self.b.build_select(big, zero, v, "")?.into_int_value()
                } else {
                    self.b.build_right_shift(x, safe, true, "")?
                }
            }
            BinOp::Pow => {
                let ok = self.b.build_int_compare(IntPredicate::SGE, y, zero, "")?;
                self.guard(cx, ok, "ValueError", "negative exponent in int ** int: pyaot computes int64 here; write float(a) ** b for a float result")?;
                let (power, overflowed) = self.ipow(x, y)?;
                if self.overflow_checked(cx) {
                    self.guard(
                        cx,
                        self.b.build_not(overflowed, "")?,
                        "OverflowError",
                        INT_OVERFLOW,
                    )?;
                }
                power
            }
            BinOp::Div => return Err(CgError("true division of ints is float".into())),
        })
    }

    /// Python's int floor division and modulo; `MIN // -1` wraps instead of trapping.
    pub(super) fn int_divmod(
        &self,
        x: IntValue<'ctx>,
        y: IntValue<'ctx>,
    ) -> Cg<(IntValue<'ctx>, IntValue<'ctx>)> {
        let b = &self.b;
        // By a power of two, floor division is an arithmetic shift and the (non-negative)
        // remainder a mask, for either sign of x: what `m % 2 == 0` and `m // 2` should cost.
        // LLVM does not fold the general form below back into these.
        if let Some(k) = y.get_sign_extended_constant().filter(|k| *k > 0 && k & (k - 1) == 0) {
            let q = b.build_right_shift(x, self.i64(k.trailing_zeros() as i64), true, "")?;
            let r = b.build_and(x, self.i64(k - 1), "")?;
            return Ok((q, r));
        }
        let zero = self.i64(0);
        let minus_one = b.build_int_compare(IntPredicate::EQ, y, self.i64(-1), "")?;
        let safe = b.build_select(minus_one, self.i64(1), y, "")?.into_int_value();
        let q = b.build_int_signed_div(x, safe, "")?;
        let r = b.build_int_signed_rem(x, safe, "")?;
        let q = b.build_select(minus_one, b.build_int_sub(zero, x, "")?, q, "")?.into_int_value();
        let r = b.build_select(minus_one, zero, r, "")?.into_int_value();
        let r_nz = b.build_int_compare(IntPredicate::NE, r, zero, "")?;
        let signs = b.build_int_compare(IntPredicate::SLT, b.build_xor(r, y, "")?, zero, "")?;
        let adjust = b.build_and(r_nz, signs, "")?;
        let q = b.build_int_sub(q, b.build_int_z_extend(adjust, self.ctx.i64_type(), "")?, "")?;
        let r = b.build_int_add(r, b.build_select(adjust, y, zero, "")?.into_int_value(), "")?;
        Ok((q, r))
    }

    /// Whether int results of the function being compiled are checked for overflow.
    pub(super) fn overflow_checked(&self, cx: &FnCx<'ctx>) -> bool {
        !cx.element_update
            && self.hir.functions[self.prog.instances[cx.inst].func].checks.overflowcheck
    }

    /// `current op v` for `a[i] op= v`: on an integer array it wraps as numpy's int64 does.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn element_binary(
        &mut self,
        cx: &mut FnCx<'ctx>,
        op: BinOp,
        current: BasicValueEnum<'ctx>,
        et: &Type,
        v: BasicValueEnum<'ctx>,
        vt: &Type,
        value: &Expr,
    ) -> Cg<(BasicValueEnum<'ctx>, Type)> {
        let before =
            std::mem::replace(&mut cx.element_update, *et == Type::Int && vt.is_integral());
        let r = self.binary(cx, op, current, et, v, vt, value);
        cx.element_update = before;
        r
    }

    /// `x op y` for `llvm.s{add,sub,mul}.with.overflow`: OverflowError where the result leaves
    /// int64 (LLVM drops the test where it knows the ranges, as for `i + 1` with `i < n`).
    pub(super) fn checked_int_op(
        &mut self,
        cx: &mut FnCx<'ctx>,
        intrinsic: &str,
        x: IntValue<'ctx>,
        y: IntValue<'ctx>,
    ) -> Cg<IntValue<'ctx>> {
        if !self.overflow_checked(cx) {
            return Ok(match intrinsic {
                "llvm.sadd.with.overflow" => self.b.build_int_add(x, y, "")?,
                "llvm.ssub.with.overflow" => self.b.build_int_sub(x, y, "")?,
                _ => self.b.build_int_mul(x, y, "")?,
            });
        }
        let r = self.intrinsic(intrinsic, &[x.into(), y.into()])?.into_struct_value();
        let overflowed = self.b.build_extract_value(r, 1, "")?.into_int_value();
        self.guard(cx, self.b.build_not(overflowed, "")?, "OverflowError", INT_OVERFLOW)?;
        Ok(self.b.build_extract_value(r, 0, "")?.into_int_value())
    }

    /// `-x` of an int: -(-2**63) is OverflowError (wraps with overflowcheck off).
    pub(super) fn int_negate(
        &mut self,
        cx: &mut FnCx<'ctx>,
        x: IntValue<'ctx>,
    ) -> Cg<IntValue<'ctx>> {
        self.checked_int_op(cx, "llvm.ssub.with.overflow", self.i64(0), x)
    }

    /// `base ** exp` (exp >= 0) wrapped to int64, and whether it left int64 (callers that wrap
    /// ignore that).
    pub(super) fn ipow(
        &mut self,
        base: IntValue<'ctx>,
        exp: IntValue<'ctx>,
    ) -> Cg<(IntValue<'ctx>, IntValue<'ctx>)> {
        let f = self.ipow_fn()?;
        let r = self.b.build_call(f, &[base.into(), exp.into()], "")?.try_as_basic_value().basic();
        let r = r.ok_or_else(|| CgError("ipow returned void".into()))?.into_struct_value();
        Ok((
            self.b.build_extract_value(r, 0, "")?.into_int_value(),
            self.b.build_extract_value(r, 1, "")?.into_int_value(),
        ))
    }

    /// `pyaot.ipow(base, exp) -> {i64, i1}`: base ** exp (exp >= 0) by squaring, and whether a
    /// product that counts left int64. (A square that overflows counts only if a later step
    /// multiplies it in.)
    pub(super) fn ipow_fn(&mut self) -> Cg<FunctionValue<'ctx>> {
        let i64t = self.ctx.i64_type();
        let bool_t = self.ctx.bool_type();
        let result = self.ctx.struct_type(&[i64t.into(), bool_t.into()], false);
        capi::in_new_function(
            self,
            "pyaot.ipow",
            result.fn_type(&[i64t.into(), i64t.into()], false),
            |cg, f| {
                let entry = f
                    .get_first_basic_block()
                    .ok_or_else(|| CgError("glue function without entry".into()))?;
                let head = cg.append(f, "head");
                let body = cg.append(f, "body");
                let exit = cg.append(f, "exit");
                let base0 = f.param(0)?.into_int_value();
                let exp0 = f.param(1)?.into_int_value();
                cg.b.build_unconditional_branch(head)?;
                cg.b.position_at_end(head);
                let acc = cg.b.build_phi(i64t, "acc")?;
                let base = cg.b.build_phi(i64t, "base")?;
                let exp = cg.b.build_phi(i64t, "exp")?;
                let over = cg.b.build_phi(bool_t, "overflowed")?;
                let base_over = cg.b.build_phi(bool_t, "base_overflowed")?;
                let more = cg.b.build_int_compare(
                    IntPredicate::NE,
                    exp.as_basic_value().into_int_value(),
                    cg.i64(0),
                    "",
                )?;
                cg.b.build_conditional_branch(more, body, exit)?;
                cg.b.position_at_end(body);
                let (a, bs, e) = (
                    acc.as_basic_value().into_int_value(),
                    base.as_basic_value().into_int_value(),
                    exp.as_basic_value().into_int_value(),
                );
                let (o, bo) = (
                    over.as_basic_value().into_int_value(),
                    base_over.as_basic_value().into_int_value(),
                );
                let odd = cg.b.build_int_truncate(e, bool_t, "")?;
                let product = cg
                    .intrinsic("llvm.smul.with.overflow", &[a.into(), bs.into()])?
                    .into_struct_value();
                let p = cg.b.build_extract_value(product, 0, "")?.into_int_value();
                let p_over = cg.b.build_or(
                    cg.b.build_extract_value(product, 1, "")?.into_int_value(),
                    bo,
                    "",
                )?;
                let acc2 = cg.b.build_select(odd, p, a, "")?.into_int_value();
                let o2 = cg.b.build_or(o, cg.b.build_and(odd, p_over, "")?, "")?;
                let square = cg
                    .intrinsic("llvm.smul.with.overflow", &[bs.into(), bs.into()])?
                    .into_struct_value();
                let base2 = cg.b.build_extract_value(square, 0, "")?.into_int_value();
                let bo2 = cg.b.build_or(
                    bo,
                    cg.b.build_extract_value(square, 1, "")?.into_int_value(),
                    "",
                )?;
                let exp2 = cg.b.build_right_shift(e, cg.i64(1), false, "")?;
                cg.b.build_unconditional_branch(head)?;
                let no = bool_t.const_zero();
                acc.add_incoming(&[(&cg.i64(1), entry), (&acc2, body)]);
                base.add_incoming(&[(&base0, entry), (&base2, body)]);
                exp.add_incoming(&[(&exp0, entry), (&exp2, body)]);
                over.add_incoming(&[(&no, entry), (&o2, body)]);
                base_over.add_incoming(&[(&no, entry), (&bo2, body)]);
                cg.b.position_at_end(exit);
                let r = cg.b.build_insert_value(result.get_undef(), acc.as_basic_value(), 0, "")?;
                let r = cg.b.build_insert_value(r, over.as_basic_value(), 1, "")?;
                cg.b.build_return(Some(&r.into_struct_value()))?;
                Ok(())
            },
        )
    }

    /// Float to int64 as Python's `int()` would, raising where Python would (or where the
    /// value does not fit in int64, where Python would give a big int).
    pub(super) fn float_to_int(
        &mut self,
        cx: &mut FnCx<'ctx>,
        x: FloatValue<'ctx>,
    ) -> Cg<IntValue<'ctx>> {
        // One comparison pair on the hot path (false for NaN and infinities too); the cold path
        // works out which error Python would raise.
        // |x| < 2**63 (false for NaN): a single comparison; -2**63 itself goes to the cold path,
        // which converts it after all.
        let magnitude = self.fcall("llvm.fabs", &[x])?;
        let fits = self.b.build_float_compare(
            FloatPredicate::OLT,
            magnitude,
            self.f64(9223372036854775808.0),
            "",
        )?;
        let ok = self.append(cx.func, "to_int");
        let bad = self.append(cx.func, "to_int.error");
        let br = self.b.build_conditional_branch(fits, ok, bad)?;
        self.expect_true(br);
        self.b.position_at_end(bad);
        let not_nan = self.b.build_float_compare(FloatPredicate::ORD, x, x, "")?;
        self.guard(cx, not_nan, "ValueError", "cannot convert float NaN to integer")?;
        let finite = self.is_finite(x)?;
        self.guard(cx, finite, "OverflowError", "cannot convert float infinity to integer")?;
        let is_min = self.b.build_float_compare(
            FloatPredicate::OEQ,
            x,
            self.f64(-9223372036854775808.0),
            "",
        )?;
        self.guard(cx, is_min, "OverflowError", "float too large for int64")?;
        self.b.build_unconditional_branch(ok)?;
        self.b.position_at_end(ok);
        Ok(self.b.build_float_to_signed_int(x, self.ctx.i64_type(), "")?)
    }
}
