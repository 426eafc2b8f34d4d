//! Types: infers a native type for every local and expression, one instance per
//! (function, argument types).
//!
//! Takes the HIR module; gives a [`Program`]: the instances reachable from the export
//! signatures (helpers are instantiated once per distinct argument types, recursion included),
//! each with the types of its locals and expressions, its return type and the instance each
//! call goes to; and for each export, its signatures in order. Locals get one type each, the
//! join of everything assigned to them (bool < int < float, tuples item by item), computed by
//! a fixpoint; return types by a fixpoint over all instances. Type errors are reported only
//! once the fixpoint has settled, so no error comes from a half-known type.
//!
//! The data lives in [`data`], the rules in [`rules`], inference in [`infer`]; all re-exported.
//! numpy's rules for whole-array operations are in [`elementwise`]; the types of numpy's
//! results where numpy computes them (`np.dot`, `x.reshape`, …) in [`numpy_calls`].

mod data;
pub mod elementwise;
mod infer;
pub mod numpy_calls;
mod rules;

pub use data::*;
pub use infer::infer;
pub use rules::{
    builtin_name, const_type, falls_through, join, numpy_index, spec_to_type, tuple_type,
};
