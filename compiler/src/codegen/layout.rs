//! How arrays are laid out in native code, for every room that reads one: the fields of the
//! array value `{ ptr data, [n x i64] shape, [n x i64] strides (bytes), ptr owner, i1 writable }`
//! and the size and numpy name of each dtype. A leaf: it imports no other codegen module.

use crate::export_spec::Scalar;

/// The fields of an array value, in order.
pub const DATA: u32 = 0;
pub const SHAPE: u32 = 1;
pub const STRIDES: u32 = 2;
pub const OWNER: u32 = 3;
pub const WRITABLE: u32 = 4;

/// Bytes per element.
pub fn dtype_size(d: Scalar) -> u64 {
    match d {
        Scalar::Bool | Scalar::Int8 | Scalar::UInt8 => 1,
        Scalar::Int16 | Scalar::UInt16 => 2,
        Scalar::Int32 | Scalar::UInt32 | Scalar::Float32 => 4,
        Scalar::Int64 | Scalar::UInt64 | Scalar::Float64 | Scalar::Complex64 => 8,
        Scalar::Complex128 => 16,
    }
}

/// numpy's name for a dtype (what `np.dtype(name)` accepts).
pub fn numpy_name(d: Scalar) -> &'static str {
    match d {
        Scalar::Int64 => "int64",
        Scalar::Float64 => "float64",
        Scalar::Complex128 => "complex128",
        other => other.name(),
    }
}
