//! numpy functions that numpy itself computes but pyaot types: `np.dot(m, v)`, `a @ b`,
//! `np.linalg.norm(x)`, `x.reshape(n, m)`, `np.linspace(0, 1, n)`, `np.concatenate((a, b))`,
//! `np.cumsum(x)`, `x.std()`, `np.array([1.0, 2.0])`, `np.random.rand(n)`, and the reductions
//! pyaot does not compute natively (a float sum of a 2-D array as it is, the mean of ints, an
//! axis of a 3-D array). They are called through Python as before; what changes is the type of
//! the result: a native array or number, by numpy's rules, instead of a Python object that
//! would make every later line talk to the interpreter too.
//!
//! Takes the callee and the types of the arguments; gives the result's [`Type`], or `None`
//! where pyaot does not know numpy's answer statically (the call's result stays an object).
//! codegen/numpy_result.rs converts numpy's result to that type, and raises TypeError if numpy
//! ever returns something else: a wrong rule here is an exception, never a wrong answer.

use super::data::{ArrayType, Type};
use super::elementwise::{fused_operands, promote, reduction, reduction_along};
use crate::export_spec::Scalar;
use crate::hir::{Const, Expr, ExprKind, Reduction};

/// What a call calls, as far as these rules go.
pub enum Callee<'a> {
    /// A function of the numpy module, by its path under it: `dot`, `linalg.norm`, `random.rand`.
    Numpy(String),
    /// `a @ b` (lowered to `operator.matmul(a, b)`: Python's own semantics for any operands).
    MatMul,
    /// A method of a native array (the array, its type, the name): `x.reshape(...)`.
    Method(&'a Expr, ArrayType, &'a str),
}

/// The callee of `f(...)` when `f` is a numpy function or `operator.matmul`.
pub fn callee_of(f: &Expr) -> Option<Callee<'static>> {
    match &f.kind {
        ExprKind::Global(p) if p.module == "operator" && p.attrs == ["matmul"] => {
            Some(Callee::MatMul)
        }
        ExprKind::Global(p) => numpy_path(&p.module, &p.attrs).map(Callee::Numpy),
        ExprKind::GetAttr(value, name) => match &value.kind {
            ExprKind::Global(p) => {
                let mut attrs = p.attrs.clone();
                attrs.push(name.clone());
                numpy_path(&p.module, &attrs).map(Callee::Numpy)
            }
            _ => None,
        },
        _ => None,
    }
}

/// The callee of `obj.name(...)`: a method of a native array, or a function of a numpy
/// submodule (`np.linalg.norm(x)`, `np.random.rand(n)`).
pub fn method_callee<'a>(obj: &'a Expr, obj_type: &Type, name: &'a str) -> Option<Callee<'a>> {
    match (&obj.kind, obj_type) {
        (_, Type::Array(at)) => Some(Callee::Method(obj, *at, name)),
        (ExprKind::Global(p), _) => {
            let mut attrs = p.attrs.clone();
            attrs.push(name.to_string());
            numpy_path(&p.module, &attrs).map(Callee::Numpy)
        }
        _ => None,
    }
}

/// `numpy.linalg` + `["norm"]` → `linalg.norm`.
fn numpy_path(module: &str, attrs: &[String]) -> Option<String> {
    let mut parts: Vec<&str> = match module {
        "numpy" => vec![],
        m => vec![m.strip_prefix("numpy.")?],
    };
    parts.extend(attrs.iter().map(|a| a.as_str()));
    (!parts.is_empty()).then(|| parts.join("."))
}

/// How a call's arguments look to the rules: their types, and the expressions where a rule reads
/// them (`np.array([1.0, 2.0])`, `dtype=np.float32`, `axis=1`).
pub struct Args<'a> {
    pub positional: Vec<(&'a Expr, Type)>,
    pub keywords: Vec<(&'a str, &'a Expr, Type)>,
    /// The type of any expression (items of a list argument).
    pub ty: &'a dyn Fn(&Expr) -> Type,
}

impl Args<'_> {
    fn keyword(&self, name: &str) -> Option<(&Expr, &Type)> {
        self.keywords.iter().find(|(k, ..)| *k == name).map(|(_, e, t)| (*e, t))
    }

    /// Only these keywords are given (others could change the result's type).
    fn keywords_within(&self, allowed: &[&str]) -> bool {
        self.keywords.iter().all(|(k, ..)| allowed.contains(k))
    }

    fn array(&self, k: usize) -> Option<ArrayType> {
        match self.positional.get(k) {
            Some((_, Type::Array(at))) => Some(*at),
            _ => None,
        }
    }

    fn number(&self, k: usize) -> bool {
        matches!(self.positional.get(k), Some((_, t)) if t.is_number() && *t != Type::Complex)
    }

    /// A positional argument, or the keyword of the same meaning.
    fn arg(&self, k: usize, name: &str) -> Option<(&Expr, &Type)> {
        match self.positional.get(k) {
            Some((e, t)) => Some((*e, t)),
            None => self.keyword(name),
        }
    }
}

/// The type numpy's result has, where these rules know it.
pub fn result(callee: &Callee, args: &Args) -> Option<Type> {
    match callee {
        Callee::MatMul => product("matmul", args),
        Callee::Numpy(name) => function(name, args),
        Callee::Method(receiver, at, name) => {
            // The method is the function with the array first (`x.cumsum()` is `np.cumsum(x)`).
            let mut with_self = Args {
                positional: Vec::with_capacity(args.positional.len() + 1),
                keywords: args.keywords.clone(),
                ty: args.ty,
            };
            with_self.positional.push((receiver, Type::Array(*at)));
            with_self.positional.extend(args.positional.iter().cloned());
            method(at, name, args).or_else(|| match *name {
                "dot" | "cumsum" | "cumprod" | "argsort" | "ravel" | "transpose" | "diagonal"
                | "trace" | "sum" | "prod" | "mean" | "std" | "var" | "max" | "min" | "any"
                | "all" | "argmax" | "argmin" | "ptp" => function(name, &with_self),
                _ => None,
            })
        }
    }
}

fn array_of(dtype: Scalar, ndim: usize, contiguous: bool) -> Type {
    Type::Array(ArrayType { dtype, ndim, contiguous: contiguous || ndim == 0 })
}

/// The dtypes numpy's functions here give natively held results for.
fn real(d: Scalar) -> bool {
    !matches!(d, Scalar::Complex64 | Scalar::Complex128)
}

fn is_float(d: Scalar) -> bool {
    matches!(d, Scalar::Float32 | Scalar::Float64)
}

/// The dtypes pyaot holds natively element by element (`elementwise`'s own list).
fn is_signed_or_bool(d: Scalar) -> bool {
    super::elementwise::native(d)
}

/// The dtype of a sum or product (and their cumulative forms): bools and ints narrower than
/// int64 accumulate in int64, numpy's default integer.
fn accumulated(d: Scalar) -> Scalar {
    if is_float(d) {
        d
    } else {
        Scalar::Int64
    }
}

/// The float dtype of a mean, a standard deviation or a norm: float32 stays, ints give float64.
fn float_of(d: Scalar) -> Scalar {
    if d == Scalar::Float32 {
        Scalar::Float32
    } else {
        Scalar::Float64
    }
}

/// One number of a dtype, as compiled code holds it.
fn scalar(d: Scalar) -> Type {
    ArrayType { dtype: d, ndim: 0, contiguous: true }.elem()
}

/// A constant int argument (an axis).
fn const_int(e: &Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Const(Const::Int(i)) => Some(*i),
        _ => None,
    }
}

/// The number of axes of a shape argument: an int, or a tuple of ints.
fn shape_ndim(t: &Type) -> Option<usize> {
    match t {
        Type::Int | Type::Bool => Some(1),
        Type::Tuple(items) if items.iter().all(|i| matches!(i, Type::Int | Type::Bool)) => {
            Some(items.len())
        }
        _ => None,
    }
}

/// A dtype written as an argument: `np.float32`, `'int32'`, `float`, `x.dtype`.
fn dtype_of(e: &Expr, ty: &dyn Fn(&Expr) -> Type) -> Option<Scalar> {
    match &e.kind {
        ExprKind::Global(p) if p.module == "numpy" && p.attrs.len() == 1 => {
            Scalar::from_name(&p.attrs[0]).filter(|_| p.attrs[0] != "float" && p.attrs[0] != "int")
        }
        ExprKind::Global(p) if p.module == "builtins" && p.attrs.len() == 1 => {
            match p.attrs[0].as_str() {
                "float" => Some(Scalar::Float64),
                "int" => Some(Scalar::Int64),
                "bool" => Some(Scalar::Bool),
                _ => None,
            }
        }
        ExprKind::Const(Const::Str(s)) => Scalar::from_name(s),
        ExprKind::GetAttr(x, name) if name == "dtype" => match ty(x) {
            Type::Array(at) => Some(at.dtype),
            _ => None,
        },
        _ => None,
    }
}

/// The optional `axis=` of a reduction (positional at `k`): `Ok(None)` for none, `Ok(Some(k))`
/// for a constant, `Err(())` for anything else.
fn axis_arg(args: &Args, k: usize) -> Result<Option<i64>, ()> {
    match args.arg(k, "axis") {
        None => Ok(None),
        Some((e, _)) if matches!(e.kind, ExprKind::Const(Const::None)) => Ok(None),
        Some((e, _)) => const_int(e).map(Some).ok_or(()),
    }
}

/// `axis` of an array of `ndim` axes, made non-negative; `None` when out of range.
fn normal_axis(axis: i64, ndim: usize) -> Option<usize> {
    let k = if axis < 0 { axis + ndim as i64 } else { axis };
    (0..ndim as i64).contains(&k).then_some(k as usize)
}

/// A reduction to one number, or along one axis (`keepdims` not given): `whole` is the number's
/// type, `dtype` the array's along an axis.
fn reduced(at: ArrayType, axis: Option<i64>, dtype: Scalar) -> Option<Type> {
    match axis {
        None => Some(scalar(dtype)),
        Some(a) => {
            normal_axis(a, at.ndim)?;
            Some(if at.ndim == 1 { scalar(dtype) } else { array_of(dtype, at.ndim - 1, false) })
        }
    }
}

/// `np.dot`, `np.matmul`, `@`: 1-D by 1-D is a number, otherwise an array (C order).
fn product(name: &str, args: &Args) -> Option<Type> {
    if args.positional.len() != 2 || !args.keywords.is_empty() {
        return None;
    }
    let (a, b) = (args.array(0)?, args.array(1)?);
    if !is_signed_or_bool(a.dtype) || !is_signed_or_bool(b.dtype) {
        return None;
    }
    let dtype = promote(a.dtype, b.dtype);
    match (a.ndim, b.ndim) {
        (1, 1) => Some(scalar(dtype)),
        (2, 1) | (1, 2) => Some(array_of(dtype, 1, true)),
        (2, 2) => Some(array_of(dtype, 2, true)),
        // matmul of stacks broadcasts; dot of more axes sums over others: both C order.
        (m, n) if name == "matmul" && m >= 2 && n >= 2 => Some(array_of(dtype, m.max(n), true)),
        _ => None,
    }
}

/// Arrays given as one sequence argument: a tuple of arrays, or a list written out.
fn sequence_of_arrays(e: &Expr, t: &Type, ty: &dyn Fn(&Expr) -> Type) -> Option<Vec<ArrayType>> {
    let items: Vec<Type> = match (t, &e.kind) {
        (Type::Tuple(items), _) => items.clone(),
        (_, ExprKind::List(items)) => items.iter().map(ty).collect(),
        _ => return None,
    };
    let arrays: Vec<ArrayType> = items
        .iter()
        .map(|i| match i {
            Type::Array(at) => Some(*at),
            _ => None,
        })
        .collect::<Option<_>>()?;
    (!arrays.is_empty()
        && arrays.iter().all(|a| a.ndim == arrays[0].ndim && is_signed_or_bool(a.dtype)))
    .then_some(arrays)
}

/// `np.array([...])` of numbers written out (nested lists of equal lengths for more axes).
fn literal_array(e: &Expr, ty: &dyn Fn(&Expr) -> Type) -> Option<(Scalar, usize)> {
    fn walk(e: &Expr, ty: &dyn Fn(&Expr) -> Type, kinds: &mut Vec<Type>) -> Option<Vec<usize>> {
        match &e.kind {
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                let mut shape: Option<Vec<usize>> = None;
                for i in items {
                    let s = walk(i, ty, kinds)?;
                    match &shape {
                        None => shape = Some(s),
                        Some(prev) if *prev == s => {}
                        _ => return None,
                    }
                }
                let mut out = vec![items.len()];
                out.extend(shape.unwrap_or_default());
                Some(out)
            }
            _ => {
                let t = ty(e);
                matches!(t, Type::Bool | Type::Int | Type::Float).then(|| kinds.push(t))?;
                Some(vec![])
            }
        }
    }
    if !matches!(e.kind, ExprKind::List(_) | ExprKind::Tuple(_)) {
        return None;
    }
    let mut kinds = Vec::new();
    let shape = walk(e, ty, &mut kinds)?;
    // An empty list is float64, numpy's default.
    let dtype = if kinds.contains(&Type::Float) || kinds.is_empty() {
        Scalar::Float64
    } else if kinds.contains(&Type::Int) {
        Scalar::Int64
    } else {
        Scalar::Bool
    };
    Some((dtype, shape.len()))
}

/// The size argument of numpy's random functions: none (a number), an int or a tuple of ints.
fn random(args: &Args, size_at: usize, dtype: Scalar) -> Option<Type> {
    if !args.keywords_within(&["size"]) || args.positional.len() > size_at + 1 {
        return None;
    }
    if !(0..size_at.min(args.positional.len())).all(|k| args.number(k)) {
        return None;
    }
    match args.arg(size_at, "size") {
        None => Some(scalar(dtype)),
        Some((e, _)) if matches!(e.kind, ExprKind::Const(Const::None)) => Some(scalar(dtype)),
        Some((_, t)) => Some(array_of(dtype, shape_ndim(t)?, true)),
    }
}

fn function(name: &str, args: &Args) -> Option<Type> {
    let n = args.positional.len();
    let ty = args.ty;
    match name {
        "dot" | "matmul" | "inner" if name != "inner" || args.array(0)?.ndim == 1 => {
            product(name, args)
        }
        "outer" if n == 2 && args.keywords.is_empty() => {
            let (a, b) = (args.array(0)?, args.array(1)?);
            (is_signed_or_bool(a.dtype) && is_signed_or_bool(b.dtype))
                .then(|| array_of(promote(a.dtype, b.dtype), 2, true))
        }
        "linalg.norm" if n == 1 && args.keywords_within(&["axis"]) => {
            let at = args.array(0)?;
            if !is_signed_or_bool(at.dtype) {
                return None;
            }
            match axis_arg(args, 99).ok()? {
                None => Some(Type::Float),
                Some(a) => reduced(at, Some(a), float_of(at.dtype)),
            }
        }
        "linalg.det" if n == 1 && args.keywords.is_empty() => {
            let at = args.array(0)?;
            (at.ndim == 2 && is_signed_or_bool(at.dtype) && at.dtype != Scalar::Bool)
                .then_some(Type::Float)
        }
        "linalg.inv" | "linalg.solve" if args.keywords.is_empty() => {
            let a = args.array(0)?;
            let dims_ok = a.ndim == 2
                && match name {
                    "linalg.inv" => n == 1,
                    _ => n == 2 && matches!(args.array(1), Some(b) if b.ndim <= 2),
                };
            let dtypes: Vec<Scalar> =
                (0..n).map(|k| args.array(k).map(|a| a.dtype)).collect::<Option<_>>()?;
            if !dims_ok || !dtypes.iter().all(|d| is_signed_or_bool(*d) && *d != Scalar::Bool) {
                return None;
            }
            let dtype = if dtypes.iter().all(|d| *d == Scalar::Float32) {
                Scalar::Float32
            } else {
                Scalar::Float64
            };
            let ndim = if name == "linalg.inv" { 2 } else { args.array(1)?.ndim };
            Some(array_of(dtype, ndim, false))
        }
        "linspace" | "logspace"
            if (2..=3).contains(&n)
                && (0..n).all(|k| args.number(k))
                && args.keywords_within(&["num", "endpoint"]) =>
        {
            Some(array_of(Scalar::Float64, 1, true))
        }
        "concatenate" | "stack" | "vstack" | "row_stack" | "hstack" | "column_stack" if n == 1 => {
            let (e, t) = (args.positional[0].0, &args.positional[0].1);
            let arrays = sequence_of_arrays(e, t, ty)?;
            let dtype = arrays.iter().skip(1).fold(arrays[0].dtype, |d, a| promote(d, a.dtype));
            let ndim = arrays[0].ndim;
            let axis_ok = |extra: usize| match axis_arg(args, 99) {
                Ok(None) => true,
                Ok(Some(a)) => normal_axis(a, ndim + extra).is_some(),
                Err(()) => false,
            };
            match name {
                "concatenate" if args.keywords_within(&["axis"]) => {
                    // `axis=None` flattens.
                    let flat = matches!(args.keyword("axis"), Some((e, _)) if matches!(e.kind, ExprKind::Const(Const::None)));
                    if flat {
                        return Some(array_of(dtype, 1, true));
                    }
                    (ndim >= 1 && axis_ok(0)).then(|| array_of(dtype, ndim, ndim == 1))
                }
                "stack" if args.keywords_within(&["axis"]) && axis_ok(1) => {
                    Some(array_of(dtype, ndim + 1, false))
                }
                "vstack" | "row_stack" if args.keywords.is_empty() && ndim >= 1 => {
                    Some(array_of(dtype, ndim.max(2), false))
                }
                "hstack" if args.keywords.is_empty() && ndim >= 1 => {
                    Some(array_of(dtype, ndim, ndim == 1))
                }
                "column_stack" if args.keywords.is_empty() && (1..=2).contains(&ndim) => {
                    Some(array_of(dtype, 2, false))
                }
                _ => None,
            }
        }
        "cumsum" | "cumprod" if (1..=2).contains(&n) && args.keywords_within(&["axis"]) => {
            let at = args.array(0)?;
            if !is_signed_or_bool(at.dtype) {
                return None;
            }
            match axis_arg(args, 1).ok()? {
                None => Some(array_of(accumulated(at.dtype), 1, true)),
                Some(a) => {
                    normal_axis(a, at.ndim)?;
                    Some(array_of(accumulated(at.dtype), at.ndim, at.ndim == 1))
                }
            }
        }
        "sum" | "prod" | "mean" | "std" | "var" | "max" | "min" | "amax" | "amin" | "any"
        | "all" | "argmax" | "argmin" | "ptp" | "nansum" | "nanprod" | "nanmean" | "nanstd"
        | "nanvar" | "nanmax" | "nanmin" => reduction_call(name, args),
        "median" | "average" if (1..=2).contains(&n) && args.keywords_within(&["axis"]) => {
            let at = args.array(0)?;
            (is_signed_or_bool(at.dtype) && at.dtype != Scalar::Bool).then_some(())?;
            reduced(at, axis_arg(args, 1).ok()?, float_of(at.dtype))
        }
        "trace" if n == 1 && args.keywords.is_empty() => {
            let at = args.array(0)?;
            (at.ndim == 2 && is_signed_or_bool(at.dtype)).then(|| scalar(accumulated(at.dtype)))
        }
        "count_nonzero" if n == 1 && args.keywords.is_empty() => args.array(0).map(|_| Type::Int),
        "allclose" | "array_equal" if n == 2 && args.keywords_within(&["rtol", "atol"]) => {
            (args.array(0).is_some() || args.array(1).is_some()).then_some(Type::Bool)
        }
        "sort" | "argsort" | "flip" | "diff" if n == 1 && args.keywords.is_empty() => {
            let at = args.array(0)?;
            real(at.dtype).then_some(())?;
            if name == "diff" && !is_signed_or_bool(at.dtype) {
                return None;
            }
            let dtype = if name == "argsort" { Scalar::Int64 } else { at.dtype };
            Some(array_of(dtype, at.ndim, at.ndim == 1 && name != "flip"))
        }
        "roll" if n == 2 && args.keywords.is_empty() && args.positional[1].1 == Type::Int => {
            let at = args.array(0)?;
            Some(array_of(at.dtype, at.ndim, at.ndim == 1))
        }
        "unique" if n == 1 && args.keywords.is_empty() => {
            let at = args.array(0)?;
            real(at.dtype).then(|| array_of(at.dtype, 1, true))
        }
        "reshape" if n == 2 && args.keywords.is_empty() => {
            let at = args.array(0)?;
            Some(array_of(at.dtype, shape_ndim(&args.positional[1].1)?, false))
        }
        "ravel" | "transpose" if n == 1 && args.keywords.is_empty() => {
            let at = args.array(0)?;
            let ndim = if name == "ravel" { 1 } else { at.ndim };
            Some(array_of(at.dtype, ndim, false))
        }
        "diagonal" if n == 1 && args.keywords.is_empty() => {
            let at = args.array(0)?;
            (at.ndim == 2).then(|| array_of(at.dtype, 1, false))
        }
        "copy" | "array" | "asarray" | "ascontiguousarray" if n == 1 => {
            let dtype = match args.keyword("dtype") {
                Some((e, _)) => Some(dtype_of(e, ty)?),
                None => None,
            };
            if !args.keywords_within(&["dtype"]) || (name == "copy" && dtype.is_some()) {
                return None;
            }
            let (e, t) = (args.positional[0].0, &args.positional[0].1);
            match t {
                Type::Array(at) => {
                    let d = dtype.unwrap_or(at.dtype);
                    if dtype.is_some() && !(is_signed_or_bool(d) && is_signed_or_bool(at.dtype)) {
                        return None;
                    }
                    let contiguous = at.ndim == 1 || name == "ascontiguousarray";
                    Some(array_of(d, at.ndim, contiguous))
                }
                _ if name == "array" || name == "asarray" => {
                    let (written, ndim) = literal_array(e, ty)?;
                    let d = dtype.unwrap_or(written);
                    if !is_signed_or_bool(d) {
                        return None;
                    }
                    // A float written into an int array truncates; numpy allows that.
                    Some(array_of(d, ndim, true))
                }
                _ => None,
            }
        }
        "eye" | "identity" if n == 1 && args.positional[0].1 == Type::Int => {
            let dtype = match args.keyword("dtype") {
                Some((e, _)) => dtype_of(e, ty)?,
                None => Scalar::Float64,
            };
            (args.keywords_within(&["dtype"]) && is_signed_or_bool(dtype))
                .then(|| array_of(dtype, 2, true))
        }
        "interp" if n == 3 && args.keywords.is_empty() => {
            let (xp, fp) = (args.array(1)?, args.array(2)?);
            if xp.ndim != 1
                || fp.ndim != 1
                || !is_signed_or_bool(xp.dtype)
                || !is_signed_or_bool(fp.dtype)
            {
                return None;
            }
            match &args.positional[0].1 {
                Type::Array(x) if is_signed_or_bool(x.dtype) => {
                    Some(array_of(Scalar::Float64, x.ndim, true))
                }
                t if t.is_number() && *t != Type::Complex => Some(Type::Float),
                _ => None,
            }
        }
        "searchsorted" if n == 2 && args.keywords.is_empty() => {
            let a = args.array(0)?;
            (a.ndim == 1 && is_signed_or_bool(a.dtype)).then_some(())?;
            match &args.positional[1].1 {
                Type::Array(v) => Some(array_of(Scalar::Int64, v.ndim, v.ndim == 1)),
                t if t.is_number() && *t != Type::Complex => Some(Type::Int),
                _ => None,
            }
        }
        "bincount" if n == 1 && args.keywords.is_empty() => {
            let at = args.array(0)?;
            (at.ndim == 1 && !is_float(at.dtype) && is_signed_or_bool(at.dtype))
                .then(|| array_of(Scalar::Int64, 1, true))
        }
        "copyto" if n == 2 && args.keywords.is_empty() => args.array(0).map(|_| Type::None),
        "random.rand" | "random.randn" if args.keywords.is_empty() => {
            if !args.positional.iter().all(|(_, t)| matches!(t, Type::Int)) {
                return None;
            }
            Some(if n == 0 { Type::Float } else { array_of(Scalar::Float64, n, true) })
        }
        "random.random" | "random.random_sample" | "random.sample" | "random.standard_normal" => {
            random(args, 0, Scalar::Float64)
        }
        "random.uniform" | "random.normal" => random(args, 2, Scalar::Float64),
        "random.randint"
            if n >= 1
                && args.number(0)
                && !args.positional.iter().take(2).any(|(_, t)| *t == Type::Float) =>
        {
            random(args, 2, Scalar::Int64)
        }
        "random.seed" if n <= 1 && args.keywords.is_empty() => Some(Type::None),
        // numpy's scalar types of a number: held as Python numbers, as array elements are
        // (numpy converts: `np.float32(0.1)` is rounded, `np.int8(300)` raises).
        _ if n == 1 && args.keywords.is_empty() && args.number(0) => {
            match Scalar::from_name(name.strip_suffix('_').unwrap_or(name)) {
                Some(d) if is_signed_or_bool(d) && name != "float" && name != "int" => {
                    Some(scalar(d))
                }
                _ => match name {
                    "double" | "single" => Some(Type::Float),
                    _ => None,
                },
            }
        }
        _ => None,
    }
}

/// Methods whose arguments differ from the function's (`x.reshape(n, m)`), or that have no
/// function of the same name (`x.flatten()`, `x.fill(v)`).
fn method(at: &ArrayType, name: &str, args: &Args) -> Option<Type> {
    let n = args.positional.len();
    match name {
        "reshape" if n >= 1 && args.keywords.is_empty() => {
            let ndim = if n == 1 {
                shape_ndim(&args.positional[0].1)?
            } else {
                args.positional.iter().all(|(_, t)| *t == Type::Int).then_some(n)?
            };
            Some(array_of(at.dtype, ndim, false))
        }
        "flatten" if n == 0 && args.keywords.is_empty() => Some(array_of(at.dtype, 1, true)),
        "transpose" if args.keywords.is_empty() && n > 0 => {
            // `x.transpose(1, 0)` or `x.transpose((1, 0))`: a permutation of the axes.
            let count = if n == 1 { shape_ndim(&args.positional[0].1)? } else { n };
            (count == at.ndim).then(|| array_of(at.dtype, at.ndim, false))
        }
        "swapaxes" if n == 2 && args.keywords.is_empty() => {
            (args.positional.iter().all(|(_, t)| *t == Type::Int))
                .then(|| array_of(at.dtype, at.ndim, false))
        }
        "fill" if n == 1 && args.keywords.is_empty() && args.number(0) => Some(Type::None),
        "sort" if n == 0 && args.keywords.is_empty() => Some(Type::None),
        _ => None,
    }
}

/// The axes a reduction's `axis` argument (positional at `k`) removes from `ndim` axes: all of
/// them (none given, or None), one, or a tuple of distinct constants; `None` for anything else.
fn reduced_axes(args: &Args, k: usize, ndim: usize) -> Option<Vec<usize>> {
    let one = |e: &Expr| normal_axis(const_int(e)?, ndim);
    let mut axes = match args.arg(k, "axis") {
        None => (0..ndim).collect(),
        Some((e, _)) => match &e.kind {
            ExprKind::Const(Const::None) => (0..ndim).collect(),
            ExprKind::Const(Const::Tuple(items)) => items
                .iter()
                .map(|c| match c {
                    Const::Int(i) => normal_axis(*i, ndim),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()?,
            ExprKind::Tuple(items) => items.iter().map(one).collect::<Option<Vec<_>>>()?,
            _ => vec![one(e)?],
        },
    };
    let count = axes.len();
    axes.sort_unstable();
    axes.dedup();
    (axes.len() == count).then_some(axes)
}

/// `np.sum(x, axis=(0, 2), keepdims=True, dtype=np.float32)` and the other reductions with
/// keywords pyaot does not compute natively (numpy's own result, held natively).
fn reduction_call(name: &str, args: &Args) -> Option<Type> {
    let at = args.array(0)?;
    let n = args.positional.len();
    if !is_signed_or_bool(at.dtype) || !(1..=2).contains(&n) {
        return None;
    }
    let base = name.strip_prefix("nan").unwrap_or(name);
    let arg = matches!(base, "argmax" | "argmin");
    let with_dtype = matches!(base, "sum" | "prod" | "mean" | "std" | "var");
    let mut allowed = vec!["axis", "keepdims"];
    if with_dtype {
        allowed.push("dtype");
    }
    if matches!(base, "std" | "var") {
        allowed.push("ddof");
    }
    if !args.keywords_within(&allowed) {
        return None;
    }
    if let Some((_, t)) = args.keyword("ddof") {
        matches!(t, Type::Int | Type::Bool).then_some(())?;
    }
    let keepdims = match args.keyword("keepdims") {
        None => false,
        Some((e, _)) => match e.kind {
            ExprKind::Const(Const::Bool(b)) => b,
            _ => return None,
        },
    };
    let given = match args.keyword("dtype") {
        None => None,
        Some((e, _)) => Some(dtype_of(e, args.ty).filter(|d| is_signed_or_bool(*d))?),
    };
    let dtype = match base {
        _ if given.is_some() => given?,
        "sum" | "prod" => accumulated(at.dtype),
        "mean" | "std" | "var" if at.dtype == Scalar::Bool && name.starts_with("nan") => {
            return None
        }
        "mean" | "std" | "var" => float_of(at.dtype),
        "max" | "min" | "amax" | "amin" | "ptp" => at.dtype,
        "any" | "all" => Scalar::Bool,
        "argmax" | "argmin" => Scalar::Int64,
        _ => return None,
    };
    let removed = reduced_axes(args, 1, at.ndim)?;
    // argmax/argmin take one axis (or none: the flat index).
    if arg
        && args.arg(1, "axis").is_some_and(|(e, _)| {
            matches!(e.kind, ExprKind::Tuple(_) | ExprKind::Const(Const::Tuple(_)))
        })
    {
        return None;
    }
    let ndim = if keepdims { at.ndim } else { at.ndim - removed.len() };
    Some(if ndim == 0 && !keepdims { scalar(dtype) } else { array_of(dtype, ndim, false) })
}

/// The type of a reduction numpy computes for pyaot (`reduction`/`reduction_along` said it is
/// not native): a float sum of a 2-D array as it is, the mean of ints, an axis of 3 or more.
pub fn numpy_reduction(r: Reduction, t: &Type, axis: Option<i64>) -> Option<Type> {
    let Type::Array(at) = t else { return None };
    if !is_signed_or_bool(at.dtype) {
        return None;
    }
    let dtype = match r {
        Reduction::Sum => accumulated(at.dtype),
        Reduction::Mean if at.dtype == Scalar::Bool => return None,
        Reduction::Mean => float_of(at.dtype),
        Reduction::Max | Reduction::Min => at.dtype,
        Reduction::Any | Reduction::All => Scalar::Bool,
        Reduction::ArgMax | Reduction::ArgMin => Scalar::Int64,
    };
    reduced(*at, axis, dtype)
}

/// Whether `e`, typed natively, is computed by numpy through Python (these rules typed it):
/// its code needs the GIL and holds the result's owner in the function's arena.
pub fn through_numpy(e: &Expr, ty: &dyn Fn(&Expr) -> Type) -> bool {
    let t = ty(e);
    if t == Type::Object || t == Type::Unknown {
        return false;
    }
    match &e.kind {
        ExprKind::CallObject(..) | ExprKind::CallMethod(..) => true,
        ExprKind::Reduce(r, array, _, axis) => {
            let at = ty(array);
            let fused = fused_operands(array, ty).is_some();
            let native = match axis {
                None => reduction(*r, &at, fused),
                Some(a) => reduction_along(*r, &at, fused, a.value),
            };
            native.is_none()
        }
        _ => false,
    }
}

/// How an error message names the call `e` (`numpy.dot`, `ndarray.reshape`, `@`).
pub fn call_name(e: &Expr) -> String {
    match &e.kind {
        ExprKind::CallObject(f, ..) => match callee_of(f) {
            Some(Callee::MatMul) => "`@` (numpy.matmul)".into(),
            Some(Callee::Numpy(name)) => format!("numpy.{name}"),
            _ => "a call".into(),
        },
        ExprKind::CallMethod(obj, name, ..) => match &obj.kind {
            ExprKind::Global(p) => format!("{}.{name}", p.dotted()),
            _ => format!("ndarray.{name}"),
        },
        ExprKind::Reduce(r, ..) => format!("numpy.{}", r.name()),
        _ => "a call".into(),
    }
}
