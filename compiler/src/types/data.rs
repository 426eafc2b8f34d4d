//! The types' data: [`Type`] and [`ArrayType`], and what inference gives: each [`Instance`]
//! (a function at given argument types), the export [`Signature`]s, the [`Program`]. A leaf.

use crate::diagnostics::Span;
use crate::export_spec::{Scalar, SpecType};
use crate::hir::*;
use std::collections::HashMap;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// Not known yet (the bottom of the lattice while inferring).
    Unknown,
    Bool,
    Int,
    Float,
    /// complex128.
    Complex,
    None,
    Tuple(Vec<Type>),
    Array(ArrayType),
    /// Any Python object (the top of the lattice): the object fallback handles it through the
    /// C API, with the GIL held. Native values that meet it are boxed.
    Object,
}

/// A strided array: its element type, number of dimensions, and whether it is known to be
/// C-contiguous (`T[..., ::1]`, or created by pyaot).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArrayType {
    pub dtype: Scalar,
    pub ndim: usize,
    pub contiguous: bool,
}

impl ArrayType {
    /// The type of one element once loaded: bool, int (every integer dtype) or float.
    pub fn elem(self) -> Type {
        match self.dtype {
            Scalar::Bool => Type::Bool,
            Scalar::Float32 | Scalar::Float64 => Type::Float,
            Scalar::Complex64 | Scalar::Complex128 => Type::Complex,
            _ => Type::Int,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Unknown => write!(f, "unknown"),
            Type::Bool => write!(f, "bool"),
            Type::Int => write!(f, "int"),
            Type::Float => write!(f, "float"),
            Type::Complex => write!(f, "complex"),
            Type::None => write!(f, "None"),
            Type::Object => write!(f, "object"),
            Type::Array(a) => {
                let dims: Vec<&str> = (0..a.ndim)
                    .map(|i| if a.contiguous && i + 1 == a.ndim { "::1" } else { ":" })
                    .collect();
                write!(
                    f,
                    "{}[{}]",
                    if a.dtype == Scalar::Float64 {
                        "float64"
                    } else if a.dtype == Scalar::Int64 {
                        "int64"
                    } else {
                        a.dtype.name()
                    },
                    dims.join(", ")
                )
            }
            Type::Tuple(items) => {
                write!(f, "(")?;
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{t}")?;
                }
                if items.len() == 1 {
                    write!(f, ",")?;
                }
                write!(f, ")")
            }
        }
    }
}

impl Type {
    /// A real number (complex numbers are not ordered, nor valid in `range`, `math`, …).
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Bool | Type::Int | Type::Float)
    }
    /// Any number, complex included.
    pub fn is_number(&self) -> bool {
        self.is_numeric() || *self == Type::Complex
    }
    pub fn is_integral(&self) -> bool {
        matches!(self, Type::Bool | Type::Int)
    }
}

pub type InstanceId = usize;

pub struct Instance {
    pub func: FuncId,
    pub params: Vec<Type>,
    pub locals: Vec<Type>,
    pub exprs: Vec<Type>,
    pub ret: Type,
    pub calls: HashMap<ExprId, InstanceId>,
    /// Conditions whose truth the types decide (`n is None` where `n` is always None, or never
    /// is): by the condition's expression. Only the branch taken is typed and compiled, as
    /// Pythran does; the other is dead in this instance.
    pub decided: HashMap<ExprId, bool>,
    /// Where each local first became a Python object (the root cause the report names).
    pub object_origins: Vec<Option<Span>>,
}

/// One exported signature: the Python-facing argument specs and the instance it calls.
pub struct Signature {
    pub args: Vec<SpecType>,
    pub instance: InstanceId,
    /// The same function compiled for C-contiguous arrays, where the signature's arrays may be
    /// strided: the wrapper calls it when every array argument turns out contiguous, so inner
    /// loops get constant strides (and vectorize). Numba specializes on layout the same way.
    pub contiguous_instance: Option<InstanceId>,
}

pub struct ExportedFunction {
    pub func: FuncId,
    pub signatures: Vec<Signature>,
}

pub struct Program {
    pub instances: Vec<Instance>,
    pub exports: Vec<ExportedFunction>,
    /// The `<module>` function computing module-level values, run at import.
    pub init: Option<InstanceId>,
}
