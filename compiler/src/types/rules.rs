//! The type rules inference applies: the join of two types, the types of export specs and
//! constants, and the facts about expressions and bodies it asks (whether a value creates Python
//! objects, whether a body falls through its end, …).

use super::data::*;
use crate::export_spec::{Scalar, SpecType};
use crate::hir::*;

/// The one type of a tuple's items (Unknown ones aside), for indexing it by a variable; or, for
/// mixed items, the type to go on checking with (their join, else Unknown).
pub(crate) fn one_item_type(items: &[Type]) -> Result<Type, Type> {
    let known: Vec<&Type> = items.iter().filter(|t| **t != Type::Unknown).collect();
    match known.first() {
        None => Ok(Type::Unknown),
        Some(first) if known.iter().all(|t| t == first) => Ok((*first).clone()),
        Some(_) => Err(known
            .iter()
            .try_fold(Type::Unknown, |acc, t| join(&acc, t))
            .unwrap_or(Type::Unknown)),
    }
}

/// The least type holding both, or None when there is none (int and a tuple, say).
pub fn join(a: &Type, b: &Type) -> Option<Type> {
    use Type::*;
    Some(match (a, b) {
        (Unknown, t) | (t, Unknown) => t.clone(),
        (x, y) if x == y => x.clone(),
        (Bool, Int) | (Int, Bool) => Int,
        (Float, Bool | Int) | (Bool | Int, Float) => Float,
        (Complex, Bool | Int | Float) | (Bool | Int | Float, Complex) => Complex,
        (Tuple(xs), Tuple(ys)) if xs.len() == ys.len() => {
            tuple_type(xs.iter().zip(ys).map(|(x, y)| join(x, y)).collect::<Option<_>>()?)
        }
        (Array(x), Array(y)) if x.dtype == y.dtype && x.ndim == y.ndim => {
            Array(ArrayType { contiguous: x.contiguous && y.contiguous, ..*x })
        }
        // Native values meeting a Python object become objects (boxed).
        (Object, _) | (_, Object) => Object,
        _ => return Option::None,
    })
}

/// The native type a Python argument of this spec becomes, or a reason it cannot yet.
pub fn spec_to_type(spec: &SpecType) -> Result<Type, String> {
    match spec {
        SpecType::Scalar(Scalar::Bool) => Ok(Type::Bool),
        SpecType::Scalar(Scalar::Float32 | Scalar::Float64) => Ok(Type::Float),
        SpecType::Scalar(Scalar::Complex64 | Scalar::Complex128) => Ok(Type::Complex),
        SpecType::Scalar(_) => Ok(Type::Int),
        SpecType::Tuple(items) => {
            items.iter().map(spec_to_type).collect::<Result<_, _>>().map(tuple_type)
        }
        SpecType::Array { dtype, dims, contiguous } => {
            Ok(Type::Array(ArrayType { dtype: *dtype, ndim: dims.len(), contiguous: *contiguous }))
        }
        SpecType::Str
        | SpecType::Object
        | SpecType::List(_)
        | SpecType::Set(_)
        | SpecType::Dict(..) => Ok(Type::Object),
        // Pythran's `None` (in a tuple, or an argument that is always None): the value None.
        SpecType::NoneType => Ok(Type::None),
    }
}

/// The export type of a parameter's default value, where it has one (numbers and None).
pub(crate) fn const_spec(c: &Const) -> Option<SpecType> {
    Some(match c {
        Const::Int(_) => SpecType::Scalar(Scalar::Int64),
        Const::Float(_) => SpecType::Scalar(Scalar::Float64),
        Const::Bool(_) => SpecType::Scalar(Scalar::Bool),
        Const::Complex(..) => SpecType::Scalar(Scalar::Complex128),
        Const::None => SpecType::NoneType,
        Const::Str(_) | Const::Tuple(_) => return None,
    })
}

pub fn const_type(c: &Const) -> Type {
    match c {
        Const::Int(_) => Type::Int,
        Const::Float(_) => Type::Float,
        Const::Bool(_) => Type::Bool,
        Const::Complex(..) => Type::Complex,
        Const::None => Type::None,
        Const::Str(_) => Type::Object,
        Const::Tuple(items) => tuple_type(items.iter().map(const_type).collect()),
    }
}

/// A tuple holding a Python object is a Python tuple (native tuples hold native values only).
pub fn tuple_type(items: Vec<Type>) -> Type {
    if items.contains(&Type::Object) {
        Type::Object
    } else {
        Type::Tuple(items)
    }
}

/// Whether a function, or one it calls, creates numpy arrays (through numpy, so with the GIL).
pub(crate) fn creates_objects(module: &Module, func: FuncId) -> bool {
    let mut seen = vec![false; module.functions.len()];
    let mut stack = vec![func];
    while let Some(f) = stack.pop() {
        if std::mem::replace(&mut seen[f], true) {
            continue;
        }
        let mut found = false;
        for_each_expr(&module.functions[f].body, &mut |e| match &e.kind {
            ExprKind::NpCreate(..) | ExprKind::Copy(_) => found = true,
            ExprKind::Call(callee, _) => stack.push(*callee),
            _ => {}
        });
        if found {
            return true;
        }
    }
    false
}

pub(crate) fn contains_array(t: &Type) -> bool {
    match t {
        Type::Array(_) => true,
        Type::Tuple(items) => items.iter().any(contains_array),
        _ => false,
    }
}

/// Operands of an operator that numpy evaluates: an array with a number or another array.
pub(crate) fn numpy_operands(a: &Type, b: &Type) -> bool {
    let array_or_number = |t: &Type| t.is_number() || matches!(t, Type::Array(_));
    (matches!(a, Type::Array(_)) || matches!(b, Type::Array(_)))
        && array_or_number(a)
        && array_or_number(b)
}

/// Operands whose `is` pyaot answers as CPython does: objects (compared as pointers), `None`
/// against anything (a native value is never None), and bools (True and False are singletons,
/// so identity is equality). Numbers, tuples and arrays held natively have no identity.
pub(crate) fn identity_comparable(a: &Type, b: &Type) -> bool {
    matches!(a, Type::Object | Type::None | Type::Unknown)
        || matches!(b, Type::Object | Type::None | Type::Unknown)
        || (*a == Type::Bool && *b == Type::Bool)
}

pub(crate) fn comparable_eq(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::Tuple(x), Type::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| comparable_eq(p, q))
        }
        (x, y) => x.is_number() && y.is_number(),
    }
}

pub(crate) fn attr_name(a: ArrayAttr) -> &'static str {
    match a {
        ArrayAttr::Shape => "shape",
        ArrayAttr::Ndim => "ndim",
        ArrayAttr::Size => "size",
        ArrayAttr::T => "T",
        ArrayAttr::Real => "real",
        ArrayAttr::Imag => "imag",
    }
}

pub fn builtin_name(b: Builtin) -> &'static str {
    match b {
        Builtin::Abs => "abs",
        Builtin::Min => "min",
        Builtin::Max => "max",
        Builtin::Int => "int",
        Builtin::Float => "float",
        Builtin::Bool => "bool",
        Builtin::Round => "round",
        Builtin::DivMod => "divmod",
        Builtin::Pow => "pow",
        Builtin::Len => "len",
        Builtin::Complex => "complex",
        Builtin::Conjugate => "conjugate",
        Builtin::Math(m) => m.name(),
    }
}

/// Whether control can reach the end of this block (then the function returns None there).
pub fn falls_through(stmts: &[Stmt]) -> bool {
    match stmts.last() {
        None => true,
        Some(s) => match &s.kind {
            StmtKind::Return(_)
            | StmtKind::Raise { .. }
            | StmtKind::RaiseObject(..)
            | StmtKind::Reraise => false,
            StmtKind::Try { body, handlers, orelse, finalbody } => {
                falls_through(finalbody)
                    && ((falls_through(body) && falls_through(orelse))
                        || handlers.iter().any(|h| falls_through(&h.body)))
            }
            StmtKind::If { then, orelse, .. } => falls_through(then) || falls_through(orelse),
            // `while True` (or `while 1`) without a `break` never falls through.
            StmtKind::While { cond, body, .. } => !always_true(cond) || has_break(body),
            _ => true,
        },
    }
}

/// A constant condition that is true: `True`, `1`, `"x"`, a nonempty tuple.
pub(crate) fn always_true(cond: &Expr) -> bool {
    fn truthy(c: &Const) -> bool {
        match c {
            Const::Bool(b) => *b,
            Const::Int(k) => *k != 0,
            Const::Float(f) => *f != 0.0,
            Const::Complex(re, im) => *re != 0.0 || *im != 0.0,
            Const::None => false,
            Const::Tuple(items) => !items.is_empty(),
            Const::Str(text) => !text.is_empty(),
        }
    }
    matches!(&cond.kind, ExprKind::Const(c) if truthy(c))
}

pub(crate) fn has_return(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| {
        matches!(s.kind, StmtKind::Return(_)) || s.kind.blocks().into_iter().any(has_return)
    })
}

/// Whether a loop body has a `break` for this loop (not for a nested one).
pub(crate) fn has_break(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match &s.kind {
        StmtKind::Break => true,
        StmtKind::If { .. } | StmtKind::Try { .. } => s.kind.blocks().into_iter().any(has_break),
        _ => false,
    })
}

/// The native type of a numpy function of numbers (see `hir::Ufunc`), or None when only numpy's
/// own function gives the answer (bools, complex, arrays, objects; `np.floor` of an int, whose
/// type changed between numpy versions).
pub(crate) fn ufunc_type(u: Ufunc, args: &[Type]) -> Option<Type> {
    use Ufunc::*;
    if args.contains(&Type::Unknown) {
        return Some(Type::Unknown);
    }
    if !args.iter().all(|t| matches!(t, Type::Int | Type::Float)) {
        return None;
    }
    let ints = args.iter().all(|t| *t == Type::Int);
    Some(match u {
        // numpy's where of numbers is a 0-d array: numpy's own.
        Where => return None,
        Floor | Ceil | Trunc if ints => return None,
        Square | Abs | Sign | Minimum | Maximum | Fmin | Fmax | Power | Clip if ints => Type::Int,
        Isnan | Isinf | Isfinite => Type::Bool,
        _ => Type::Float,
    })
}

/// An index numpy must apply itself: an array, or a Python object computed as a mask or index
/// array (a comparison, `&` `|` `~` `not` of such, a call: `b < lo`, `np.isnan(a)`). A Python
/// object read from a variable (an int from a list) is indexed natively, as an int.
pub fn numpy_index(e: &Expr, t: &Type) -> bool {
    match t {
        Type::Array(_) => true,
        Type::Object => matches!(
            e.kind,
            ExprKind::Compare(..)
                | ExprKind::BoolOp(..)
                | ExprKind::Binary(..)
                | ExprKind::Unary(..)
                | ExprKind::Ufunc(..)
                | ExprKind::CallObject(..)
                | ExprKind::CallMethod(..)
        ),
        _ => false,
    }
}
