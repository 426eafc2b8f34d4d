//! One element of a whole-array expression, with numpy's semantics (codegen/elementwise.rs
//! builds the loops around it): the element of each node computed from its operands' in the
//! dtype numpy computes it in, held wide (bool, int64, float64) and rounded to the node's own
//! dtype after each operation, so float32 and int32 results are numpy's to the bit; ints wrap,
//! `//` and `%` by zero give 0, float division by zero gives inf or nan, casts are numpy's.
//! The leaf of the three element-wise rooms: the values they share are defined here.

use super::basics::CallResult;
use super::state::{Cg, CgError, Codegen, FnCx};
use crate::export_spec::Scalar;
use crate::hir::{BinOp, CmpOp, Expr, ExprId, ExprKind, UnaryOp};
use crate::types::elementwise::{self, Operand};
use crate::types::{ArrayType, Type};
use inkwell::values::{BasicValueEnum, FloatValue, IntValue, PointerValue, StructValue};
use inkwell::{FloatPredicate, IntPredicate};
use std::collections::BTreeMap;

/// A leaf of a fused expression, evaluated before the nest.
#[derive(Clone, Copy)]
pub(super) enum Leaf<'ctx> {
    Array(StructValue<'ctx>, ArrayType),
    Number(BasicValueEnum<'ctx>, Scalar),
}

/// Inside the nest: where each array leaf's current element is, and each number's value.
pub(super) enum Current<'ctx> {
    At(PointerValue<'ctx>, Scalar),
    Number(BasicValueEnum<'ctx>, Scalar),
}

/// The dtype a Python number stands for once it is computed with (it converts to the
/// operation's dtype there).
pub(super) fn number_dtype(t: &Type) -> Scalar {
    match t {
        Type::Bool => Scalar::Bool,
        Type::Int => Scalar::Int64,
        _ => Scalar::Float64,
    }
}

pub(super) fn is_float(d: Scalar) -> bool {
    matches!(d, Scalar::Float32 | Scalar::Float64)
}

/// The native type an element of dtype `d` is computed as (bool, int64, float64).
pub(super) fn wide(d: Scalar) -> Type {
    match d {
        Scalar::Bool => Type::Bool,
        d if is_float(d) => Type::Float,
        _ => Type::Int,
    }
}

impl<'ctx> Codegen<'ctx, '_> {
    /// The current element of `e`: its value (as bool, int64 or float64) and its dtype.
    pub(super) fn element(
        &mut self,
        cx: &mut FnCx<'ctx>,
        e: &Expr,
        current: &BTreeMap<ExprId, Current<'ctx>>,
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
    pub(super) fn apply_binary(
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

    pub(super) fn compare_elements(
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
    pub(super) fn cast_element(
        &self,
        v: BasicValueEnum<'ctx>,
        from: Scalar,
        to: Scalar,
    ) -> Cg<BasicValueEnum<'ctx>> {
        if from == to {
            return Ok(v);
        }
        // Widening is Python's (`convert`), to bool is truth; a float never becomes an int
        // here (astype does that, numpy's way: `float_to_int_as_numpy`).
        let (f, t) = (wide(from), wide(to));
        let v = match (&f, &t) {
            (Type::Int | Type::Float, Type::Bool) => self.truthy(v, &f)?.into(),
            (Type::Float, Type::Int) => {
                return Err(CgError("a float element cast to int inside an expression".into()))
            }
            _ => self.convert(v, &f, &t)?,
        };
        self.narrow(v, to)
    }

    /// A float converted to an int as numpy's C cast does on x86-64: truncated toward zero;
    /// NaN, infinities and values beyond int64 (int32 for narrower dtypes) give INT_MIN.
    pub(super) fn float_to_int_as_numpy(
        &self,
        v: FloatValue<'ctx>,
        d: Scalar,
    ) -> Cg<IntValue<'ctx>> {
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
    pub(super) fn narrow(&self, v: BasicValueEnum<'ctx>, d: Scalar) -> Cg<BasicValueEnum<'ctx>> {
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
