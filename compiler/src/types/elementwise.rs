//! numpy's rules for element-wise operations on whole arrays (`a * b + 1.0`, `x > 0.5`,
//! `np.sqrt(a)`, `-a`): which ones pyaot computes natively, and the dtype of each result.
//! Takes the operands' types; gives the result's [`ArrayType`], or `None` where numpy itself
//! must do it (through Python, as an object: unsigned and complex dtypes, shifts, arithmetic on
//! bool arrays, ufuncs numpy gives a half-float for, chained comparisons).
//!
//! The dtypes follow numpy 2 (NEP 50): two arrays promote to the smallest dtype holding both
//! (int32 with float32 is float64, int8 with float32 float32); a Python number meets an array
//! "weakly", taking the array's dtype where its kind allows (float32 array times 2.5 stays
//! float32; an int32 array plus 1 stays int32), so a Python int goes with a narrow int array
//! only as a constant that fits (numpy raises OverflowError for one that does not).
//! codegen/elementwise.rs computes what these rules type, one fused loop nest per expression.

use super::data::{ArrayType, Type};
use crate::export_spec::Scalar;
use crate::hir::{BinOp, CmpOp, Const, Expr, ExprKind, Index, Reduction, Ufunc, UnaryOp};

/// The dtypes computed natively element by element.
pub(super) fn native(d: Scalar) -> bool {
    matches!(
        d,
        Scalar::Bool
            | Scalar::Int8
            | Scalar::Int16
            | Scalar::Int32
            | Scalar::Int64
            | Scalar::Float32
            | Scalar::Float64
    )
}

fn is_float(d: Scalar) -> bool {
    matches!(d, Scalar::Float32 | Scalar::Float64)
}

fn is_int(d: Scalar) -> bool {
    matches!(d, Scalar::Int8 | Scalar::Int16 | Scalar::Int32 | Scalar::Int64)
}

fn rank(d: Scalar) -> u8 {
    match d {
        Scalar::Bool => 0,
        Scalar::Int8 => 1,
        Scalar::Int16 => 2,
        Scalar::Int32 => 3,
        Scalar::Float32 => 4,
        _ => 5,
    }
}

/// The dtype two arrays promote to (numpy's `result_type` of two native dtypes).
pub fn promote(a: Scalar, b: Scalar) -> Scalar {
    match (is_float(a), is_float(b)) {
        (false, false) | (true, true) => {
            if rank(a) >= rank(b) {
                a
            } else {
                b
            }
        }
        _ => {
            let (f, i) = if is_float(a) { (a, b) } else { (b, a) };
            // float32 holds int8 and int16 exactly, not int32 or int64.
            if f == Scalar::Float32 && matches!(i, Scalar::Bool | Scalar::Int8 | Scalar::Int16) {
                Scalar::Float32
            } else {
                Scalar::Float64
            }
        }
    }
}

/// One operand of an element-wise operation: an array's dtype, or a Python number met weakly.
#[derive(Clone, Copy)]
pub enum Operand<'a> {
    Array(Scalar),
    Number(&'a Type, Option<&'a Expr>),
}

impl<'a> Operand<'a> {
    /// The operand of type `t` (the expression, where known, for the value of a constant).
    pub fn of(t: &'a Type, e: Option<&'a Expr>) -> Option<Operand<'a>> {
        match t {
            Type::Array(at) if native(at.dtype) => Some(Operand::Array(at.dtype)),
            Type::Bool | Type::Int | Type::Float => Some(Operand::Number(t, e)),
            _ => None,
        }
    }
}

/// A Python number's dtype next to an array of dtype `a`.
fn weak(a: Scalar, t: &Type, e: Option<&Expr>) -> Option<Scalar> {
    match t {
        Type::Bool => Some(a),
        Type::Int if a == Scalar::Bool => Some(Scalar::Int64),
        Type::Int if is_int(a) && a != Scalar::Int64 => {
            let fits = |k: i64| match a {
                Scalar::Int8 => i8::try_from(k).is_ok(),
                Scalar::Int16 => i16::try_from(k).is_ok(),
                _ => i32::try_from(k).is_ok(),
            };
            match e.map(|e| &e.kind) {
                Some(ExprKind::Const(Const::Int(k))) if fits(*k) => Some(a),
                Some(ExprKind::Unary(UnaryOp::Neg, x)) if matches!(x.kind, ExprKind::Const(Const::Int(k)) if fits(-k)) => {
                    Some(a)
                }
                _ => None,
            }
        }
        Type::Int => Some(a),
        Type::Float if is_float(a) => Some(a),
        Type::Float => Some(Scalar::Float64),
        _ => None,
    }
}

/// The dtype operands are computed in (at least one is an array).
pub fn common(operands: &[Operand]) -> Option<Scalar> {
    let arrays: Vec<Scalar> = operands
        .iter()
        .filter_map(|o| match o {
            Operand::Array(d) => Some(*d),
            Operand::Number(..) => None,
        })
        .collect();
    let mut d = *arrays.first()?;
    for a in &arrays[1..] {
        d = promote(d, *a);
    }
    for o in operands {
        if let Operand::Number(t, e) = o {
            d = weak(d, t, *e)?;
        }
    }
    Some(d)
}

/// The ndim of a result: the most of its array operands (numpy broadcasts the others).
fn ndim(types: &[&Type]) -> usize {
    types
        .iter()
        .map(|t| match t {
            Type::Array(at) => at.ndim,
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

fn fresh(dtype: Scalar, types: &[&Type]) -> Type {
    Type::Array(ArrayType { dtype, ndim: ndim(types), contiguous: true })
}

/// `l op r` with at least one whole array: the dtype the operation computes in, and its result.
pub fn binary_dtypes(op: BinOp, l: Operand, r: Operand) -> Option<(Scalar, Scalar)> {
    let c = common(&[l, r])?;
    let result = match op {
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::FloorDiv | BinOp::Mod | BinOp::Pow
            if c != Scalar::Bool =>
        {
            c
        }
        BinOp::Div if is_float(c) => c,
        BinOp::Div => return Some((Scalar::Float64, Scalar::Float64)),
        BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor if !is_float(c) => c,
        _ => return None,
    };
    Some((c, result))
}

/// The type of `l op r` where numpy's element-wise operation runs natively.
pub fn binary(op: BinOp, l: &Type, r: &Type, left: Option<&Expr>, right: &Expr) -> Option<Type> {
    if !matches!(l, Type::Array(_)) && !matches!(r, Type::Array(_)) {
        return None;
    }
    let (_, d) = binary_dtypes(op, Operand::of(l, left)?, Operand::of(r, Some(right))?)?;
    Some(fresh(d, &[l, r]))
}

/// `l op r` for one comparison with at least one whole array: a bool array.
pub fn compare(op: CmpOp, l: (&Type, &Expr), r: (&Type, &Expr)) -> Option<Type> {
    if !matches!(l.0, Type::Array(_)) && !matches!(r.0, Type::Array(_)) {
        return None;
    }
    if !matches!(op, CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE | CmpOp::Eq | CmpOp::NotEq) {
        return None;
    }
    common(&[Operand::of(l.0, Some(l.1))?, Operand::of(r.0, Some(r.1))?])?;
    Some(fresh(Scalar::Bool, &[l.0, r.0]))
}

/// `-a`, `+a`, `~a` of a whole array.
pub fn unary(op: UnaryOp, t: &Type) -> Option<Type> {
    let Type::Array(at) = t else { return None };
    let ok = match op {
        UnaryOp::Neg | UnaryOp::Pos => native(at.dtype) && at.dtype != Scalar::Bool,
        UnaryOp::Invert => native(at.dtype) && !is_float(at.dtype),
        UnaryOp::Not => false,
    };
    ok.then(|| fresh(at.dtype, &[t]))
}

/// The dtype numpy gives a float function of integers: float64 from int32 and int64 (from
/// int8 and bool a half float, from int16 a float32: not native).
fn float_of(d: Scalar) -> Option<Scalar> {
    match d {
        Scalar::Float32 | Scalar::Float64 => Some(d),
        Scalar::Int32 | Scalar::Int64 => Some(Scalar::Float64),
        Scalar::Int16 => Some(Scalar::Float32),
        _ => None,
    }
}

/// A numpy function of at least one whole array: (the dtype it computes in, its result's).
pub fn ufunc_dtypes(u: Ufunc, operands: &[Operand]) -> Option<(Scalar, Scalar)> {
    use Ufunc::*;
    if u == Where {
        // The condition is any array or number; the result takes the two values' dtype (two
        // Python numbers: numpy's default dtype of their kind).
        let values = &operands[1..];
        let c = common(values).or_else(|| {
            let default = |o: &Operand| match o {
                Operand::Number(Type::Bool, _) => Some(Scalar::Bool),
                Operand::Number(Type::Int, _) => Some(Scalar::Int64),
                Operand::Number(Type::Float, _) => Some(Scalar::Float64),
                _ => None,
            };
            Some(promote(default(&values[0])?, default(&values[1])?))
        })?;
        return Some((c, c));
    }
    let c = common(operands)?;
    let result = match u {
        Isnan | Isinf | Isfinite => return Some((c, Scalar::Bool)),
        Square | Abs | Sign | Minimum | Maximum | Fmin | Fmax | Power | Clip if is_int(c) => c,
        Clip if is_float(c) => c,
        Clip => return None,
        Floor | Ceil | Trunc | Rint if !is_float(c) => return None,
        _ => {
            let f = float_of(c)?;
            return Some((f, f));
        }
    };
    Some((c, result))
}

/// The type of a numpy function applied to whole arrays, where it runs natively.
pub fn ufunc(u: Ufunc, types: &[Type], args: &[Expr]) -> Option<Type> {
    if !types.iter().any(|t| matches!(t, Type::Array(_))) {
        return None;
    }
    let operands: Vec<Operand> =
        types.iter().zip(args).map(|(t, e)| Operand::of(t, Some(e))).collect::<Option<_>>()?;
    let (_, d) = ufunc_dtypes(u, &operands)?;
    let refs: Vec<&Type> = types.iter().collect();
    Some(fresh(d, &refs))
}

/// The operands of an element-wise expression node pyaot fuses: `e` typed as an array by the
/// rules above (a binary or unary operation, one comparison, a numpy function). Any other
/// expression is a leaf of the loop nest: evaluated once, before it.
pub fn fused_operands<'e>(e: &'e Expr, ty: &dyn Fn(&Expr) -> Type) -> Option<Vec<&'e Expr>> {
    if !matches!(ty(e), Type::Array(_)) {
        return None;
    }
    match &e.kind {
        ExprKind::Binary(_, l, r) => Some(vec![l, r]),
        ExprKind::Unary(UnaryOp::Neg | UnaryOp::Pos | UnaryOp::Invert, x) => Some(vec![x]),
        ExprKind::Compare(l, rest) if rest.len() == 1 => Some(vec![l, &rest[0].1]),
        ExprKind::Ufunc(_, _, args) => Some(args.iter().collect()),
        ExprKind::AsType(x, ..) => Some(vec![x]),
        _ => None,
    }
}

/// `target op= value` in place on an array: numpy casts the result back into the target's
/// dtype when the kinds allow it ("same_kind": float64 into float32, int64 into int32), and
/// refuses float into int.
pub fn in_place(target: Scalar, result: Scalar) -> bool {
    !(is_float(result) && !is_float(target)) && !(target == Scalar::Bool && result != Scalar::Bool)
}

/// Whether `view op= value` (`op` None: `view[...] = value`) is computed natively: numbers or
/// native arrays of no more dimensions, an update numpy allows in place. Anything else (a list,
/// a complex array, a Python object) is numpy's own assignment, through Python.
pub fn native_store(view: &ArrayType, value: &Type, op: Option<(BinOp, &Expr)>) -> bool {
    let operand = native(view.dtype)
        && match value {
            v if v.is_numeric() => true,
            Type::Array(vt) => native(vt.dtype) && vt.ndim <= view.ndim,
            _ => false,
        };
    operand
        && match op {
            None => true,
            Some((op, value_expr)) => matches!(
                binary(op, &Type::Array(*view), value, None, value_expr),
                Some(Type::Array(rt)) if in_place(view.dtype, rt.dtype)
            ),
        }
}

/// A store through `a[indices]` that writes a view (a slice, or fewer indices than
/// dimensions), not one element.
pub fn stores_view(at: &ArrayType, indices: &[Index]) -> bool {
    let positions = indices.iter().filter(|ix| matches!(ix, Index::At(_)) && !new_axis(ix)).count();
    positions < at.ndim || indices.iter().any(|ix| matches!(ix, Index::Slice(..)) || new_axis(ix))
}

/// `None` (or `np.newaxis`) among the indices: a new axis of length 1 (`x[:, None]`).
pub fn new_axis(ix: &Index) -> bool {
    matches!(ix, Index::At(Expr { kind: ExprKind::Const(Const::None), .. }))
}

/// The type of the view `a[indices]` (fewer positions than dimensions, or slices). It stays
/// C-contiguous when whole leading indices are followed by at most one step-less slice:
/// `a[i]`, `a[i, 2:5]`, `a[1:-1]`.
pub fn view_type(at: &ArrayType, indices: &[Index]) -> ArrayType {
    let added = indices.iter().filter(|ix| new_axis(ix)).count();
    if added > 0 {
        let ats = indices.iter().filter(|ix| matches!(ix, Index::At(_))).count() - added;
        return ArrayType { ndim: at.ndim - ats + added, contiguous: false, dtype: at.dtype };
    }
    let ats = indices.iter().filter(|ix| matches!(ix, Index::At(_))).count();
    let first_slice =
        indices.iter().position(|ix| matches!(ix, Index::Slice(..))).unwrap_or(indices.len());
    let tail_ok = matches!(&indices[first_slice..], [] | [Index::Slice(_, _, None)]);
    let leading_ats = indices[..first_slice].iter().all(|ix| matches!(ix, Index::At(_)));
    ArrayType {
        ndim: at.ndim - ats,
        contiguous: at.contiguous && tail_ok && leading_ats,
        dtype: at.dtype,
    }
}

/// The type of `np.sum(x)`, `x.max()`, … where pyaot reduces natively (`fused`: `x` is an
/// element-wise expression, not an array read as it is). Sums of ints and bools are int64 (as
/// numpy's default), max and min keep the element's type, any and all are bools. Float sums
/// and means follow numpy's pairwise summation over the elements in order, which pyaot
/// matches for 1-D arrays and expressions of any ndim (computed into a C-ordered temporary
/// first, as numpy does); a float sum of a 2-D array as it is stays numpy's (its order
/// follows the memory layout). Means of ints (numpy sums them in float64 chunks) stay numpy's.
pub fn reduction(r: Reduction, t: &Type, fused: bool) -> Option<Type> {
    let Type::Array(at) = t else { return None };
    if !native(at.dtype) {
        return None;
    }
    let float = is_float(at.dtype);
    let ordered = at.ndim == 1 || fused;
    Some(match r {
        Reduction::Sum if !float => Type::Int,
        Reduction::Sum | Reduction::Mean if float && ordered => Type::Float,
        Reduction::Sum | Reduction::Mean => return None,
        Reduction::Max | Reduction::Min => at.elem(),
        Reduction::Any | Reduction::All => Type::Bool,
        Reduction::ArgMax | Reduction::ArgMin => Type::Int,
    })
}

/// The type of `np.sum(x, axis=k)`, `x.max(axis=k)`, …: of a 1-D array, the whole reduction;
/// of a 2-D one, a 1-D array (int and bool sums int64, max and min the dtype, any and all
/// bools). Float sums and means follow numpy's order (codegen/elementwise.rs `reduce_along`).
pub fn reduction_along(r: Reduction, t: &Type, fused: bool, axis: i64) -> Option<Type> {
    let Type::Array(at) = t else { return None };
    let k = if axis < 0 { axis + at.ndim as i64 } else { axis };
    if !native(at.dtype) || !(0..at.ndim as i64).contains(&k) {
        return None;
    }
    if at.ndim == 1 {
        return reduction(r, t, fused);
    }
    if at.ndim != 2 {
        return None;
    }
    let float = is_float(at.dtype);
    let dtype = match r {
        Reduction::Sum if !float => Scalar::Int64,
        Reduction::Sum => at.dtype,
        // numpy's mean of ints sums them in float64 buffer chunks: numpy's own.
        Reduction::Mean if float => at.dtype,
        Reduction::Mean => return None,
        Reduction::Max | Reduction::Min => at.dtype,
        Reduction::Any | Reduction::All => Scalar::Bool,
        Reduction::ArgMax | Reduction::ArgMin => return None,
    };
    Some(Type::Array(ArrayType { dtype, ndim: 1, contiguous: true }))
}

/// The type of `x.astype(dtype)` where it is native: a new array of a native dtype from one.
pub fn astype(t: &Type, dtype: Scalar) -> Option<Type> {
    let Type::Array(at) = t else { return None };
    (native(at.dtype) && native(dtype)).then_some(Type::Array(ArrayType {
        dtype,
        ndim: at.ndim,
        contiguous: true,
    }))
}
