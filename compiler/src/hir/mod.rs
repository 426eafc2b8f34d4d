//! HIR: lowers the rustpython AST into a small resolved tree that the later passes walk.
//!
//! Takes the parsed module; gives [`Module`]: its functions with every name resolved (local,
//! module constant folded to a value, user function, builtin, `math` member), call arguments
//! bound to parameters (keywords and defaults resolved here), chained comparisons and augmented
//! assignment kept explicit, `for` over `range` made its own statement, and a span on every node.
//! Constructs pyaot does not compile become diagnostics that name the construct; lowering
//! goes on, so one run reports every problem in the file.

//!
//! The data lives in [`data`] (re-exported here), lowering in [`lower`], walkers in [`walk`].

mod data;
mod lower;
mod walk;

pub use data::*;
pub use lower::lower;
pub(crate) use walk::local_writes;
pub use walk::{for_each_expr, walk_expr};
