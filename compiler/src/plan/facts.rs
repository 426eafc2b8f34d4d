//! What the planners of one instance read: its typed HIR and module-wide facts ([`Facts`]).
//! The planners (plan/*.rs) are methods on it or take it; codegen builds one to ask the same
//! questions while it emits what was planned.

use crate::hir::{self, LocalId};
use crate::types::{Instance, InstanceId, Program, Type};

/// What the planners of one instance see: its typed HIR and module-wide facts. No LLVM.
pub(crate) struct Facts<'a> {
    pub(crate) hir: &'a hir::Module,
    pub(crate) prog: &'a Program,
    pub(crate) inst: InstanceId,
    /// Some function of the module has a parallel loop: another thread may write any array.
    pub(crate) has_parallel_loops: bool,
    pub(crate) fresh: &'a [LocalId],
}

impl<'a> Facts<'a> {
    pub(crate) fn instance(&self) -> &'a Instance {
        &self.prog.instances[self.inst]
    }

    pub(crate) fn function(&self) -> &'a hir::Function {
        &self.hir.functions[self.instance().func]
    }

    pub(crate) fn ty(&self, e: &hir::Expr) -> Type {
        self.instance().exprs[e.id].clone()
    }

    pub(crate) fn local_ty(&self, l: LocalId) -> Type {
        self.instance().locals[l].clone()
    }

    pub(crate) fn is_fresh(&self, l: LocalId) -> bool {
        self.fresh.contains(&l)
    }
}
