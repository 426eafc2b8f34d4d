//! The state codegen works on, shared by every room of it: [`Codegen`] (the module being
//! generated), [`FnCx`] (the function being generated), the loop and the per-function data the
//! strategy emitters keep, and the error type. Leaf of the codegen modules: it imports none of
//! them, so the rooms depend on it and never on each other in a circle.

use crate::hir::{self, CmpOp, Const, LocalId, PyPath, Stmt};
use crate::plan::Plan;
use crate::types::{InstanceId, Program};
use inkwell::basic_block::BasicBlock;
use inkwell::builder::{Builder, BuilderError};
use inkwell::context::Context;
use inkwell::debug_info::{DICompileUnit, DIScope, DebugInfoBuilder};
use inkwell::module::Module;
use inkwell::types::BasicTypeEnum;
use inkwell::values::{BasicValueEnum, FunctionValue, IntValue, MetadataValue, PointerValue};
use inkwell::{FloatPredicate, IntPredicate};
use std::collections::HashMap;

/// An internal failure of the code generator (never the user's fault).
#[derive(Debug)]
pub struct CgError(pub String);

impl From<BuilderError> for CgError {
    fn from(e: BuilderError) -> Self {
        CgError(format!("LLVM builder: {e}"))
    }
}

pub type Cg<T> = Result<T, CgError>;

pub struct Codegen<'ctx, 'a> {
    pub ctx: &'ctx Context,
    pub module: Module<'ctx>,
    pub(super) b: Builder<'ctx>,
    pub(super) hir: &'a hir::Module,
    pub(super) prog: &'a Program,
    /// How each statement is lowered when not as written, and per-instance facts (plan/).
    pub(super) plan: &'a Plan<'a>,
    pub(super) di: DebugInfoBuilder<'ctx>,
    pub(super) cu: DICompileUnit<'ctx>,
    pub(super) line_starts: Vec<usize>,
    pub(super) natives: Vec<FunctionValue<'ctx>>,
    pub(super) strings: HashMap<String, PointerValue<'ctx>>,
    /// The module has parallel loops: it links the runtime, and errors check for regions.
    pub(super) has_parallel_loops: bool,
    /// Where the original function of a directly recursive instance sends its own calls.
    pub(super) self_calls: HashMap<InstanceId, FunctionValue<'ctx>>,
    /// Recursive instances that fail by jumping back to their entry (see [`escape`]): their
    /// bodies, here; `natives` holds their entries.
    pub(super) escape_bodies: HashMap<InstanceId, FunctionValue<'ctx>>,
    /// Python objects created when the module is imported (strings, constants, imports).
    pub(super) module_objects: Vec<(ModuleObject, inkwell::values::GlobalValue<'ctx>)>,
    /// Exceptions that escaping functions raise by jumping to their entry (see [`escape`]):
    /// (exception, message), the entry raising number k when the escape says
    /// `escape::FIRST_RAISE + k`.
    pub(super) escape_raises: Vec<(String, Option<String>)>,
    /// `PYAOT_DEBUG_GIL=1` when building: every C-API call first checks that this thread holds
    /// the GIL and stops the process with the call's name if not (the suite runs under it).
    pub(super) debug_gil: bool,
}

/// The predicate of a comparison of two ints (signed) or two floats (NaN compares unequal and
/// unordered, as in Python), for `==`, `!=`, `<`, `<=`, `>`, `>=`.
pub(super) fn int_predicate(op: CmpOp) -> IntPredicate {
    match op {
        CmpOp::Eq => IntPredicate::EQ,
        CmpOp::NotEq => IntPredicate::NE,
        CmpOp::Lt => IntPredicate::SLT,
        CmpOp::LtE => IntPredicate::SLE,
        CmpOp::Gt => IntPredicate::SGT,
        _ => IntPredicate::SGE,
    }
}

pub(super) fn float_predicate(op: CmpOp) -> FloatPredicate {
    match op {
        CmpOp::Eq => FloatPredicate::OEQ,
        CmpOp::NotEq => FloatPredicate::UNE,
        CmpOp::Lt => FloatPredicate::OLT,
        CmpOp::LtE => FloatPredicate::OLE,
        CmpOp::Gt => FloatPredicate::OGT,
        _ => FloatPredicate::OGE,
    }
}

/// A `for` loop over a range, its bounds evaluated (see [`Codegen::counted_loop`]).
#[derive(Clone, Copy)]
pub(super) struct CountedLoop<'ctx, 'h> {
    pub(super) s: &'h Stmt,
    pub(super) target: hir::LocalId,
    pub(super) start: IntValue<'ctx>,
    pub(super) stop: IntValue<'ctx>,
    pub(super) step: IntValue<'ctx>,
    /// The trip count, for steps other than 1.
    pub(super) count: IntValue<'ctx>,
    pub(super) unit_step: bool,
}

/// The state of the function being generated.
pub(super) struct FnCx<'ctx> {
    pub(super) inst: InstanceId,
    /// Computing `a[i] op= v` of an integer array: the int arithmetic wraps as numpy's does
    /// there (CPython adds numpy scalars), not OverflowError.
    pub(super) element_update: bool,
    pub(super) func: FunctionValue<'ctx>,
    pub(super) scope: DIScope<'ctx>,
    pub(super) locals: Vec<PointerValue<'ctx>>,
    /// (continue target, break target, temporaries alive at the loop's start) of the enclosing
    /// loops, innermost last: `break` and `continue` release the temporaries above (an
    /// exception being handled, when they leave an `except` block).
    pub(super) loops: Vec<(BasicBlock<'ctx>, BasicBlock<'ctx>, usize, usize)>,
    pub(super) unwind: Option<BasicBlock<'ctx>>,
    /// Where a failed call goes when nothing needs handling: like `unwind`, without storing the
    /// flag (the callee did), so LLVM sees `f2 ? poison : a + b` and folds it to `a + b`.
    pub(super) propagate: Option<BasicBlock<'ctx>>,
    /// The `failed` flag this function reports through (see the module doc); in a function
    /// that fails by escape, its own flag for the calls it makes.
    pub(super) failed: PointerValue<'ctx>,
    /// In a function that fails by escape (see [`escape`]): the jump buffer of its entry.
    pub(super) escape: Option<PointerValue<'ctx>>,
    /// The arena (a Python list) owning the arrays this call created, once one exists.
    pub(super) arena: Option<PointerValue<'ctx>>,
    /// Recursive instances count their depth (an extra argument), so runaway recursion raises
    /// RecursionError instead of overflowing the C stack.
    pub(super) counts_depth: bool,
    /// The outlined body of a parallel loop: failing returns i32 1 to the runtime.
    pub(super) parallel_body: bool,
    /// Where this function's calls to its own instance go (the twin's go to the original).
    pub(super) self_call: Option<FunctionValue<'ctx>>,
    /// Python objects evaluated and not yet consumed: released if the function fails (or
    /// returns from inside a loop over objects, whose iterators are here).
    pub(super) temps: Vec<PointerValue<'ctx>>,
    /// The items of the current loops over objects, until their loop's first statement reads them.
    pub(super) each_items: HashMap<hir::ExprId, PointerValue<'ctx>>,
    /// Where errors go inside `try` blocks (innermost last), with the temporaries alive when
    /// the `try` began (the handler releases only those above).
    pub(super) handlers: Vec<(BasicBlock<'ctx>, usize)>,
    /// The exceptions being handled by the enclosing `except` blocks (type, value, traceback),
    /// for a bare `raise`.
    pub(super) handling: Vec<[PointerValue<'ctx>; 3]>,
    /// Inside a speculative loop (see [`speculate`]).
    pub(super) spec: Option<Speculation<'ctx>>,
    /// Inside the run of a speculative loop that stores, after its checks all passed: checks
    /// emit nothing.
    pub(super) checks_pass: bool,
    /// The `finally` blocks a `return` must run first, innermost last.
    pub(super) finally_stack: Vec<FinallyTarget<'ctx>>,
    /// Where a `return` through `finally` keeps its value meanwhile (an object slot is
    /// released if the function fails instead).
    pub(super) ret_slot: Option<PointerValue<'ctx>>,
    /// The arrays this function made that nothing else can alias (see [`fresh`]).
    pub(super) fresh: FreshArrays<'ctx>,
}

/// An undefined value of `ty`: what a failing native function returns (no one reads it).
pub(super) fn poison(ty: BasicTypeEnum<'_>) -> BasicValueEnum<'_> {
    match ty {
        BasicTypeEnum::IntType(t) => t.get_poison().into(),
        BasicTypeEnum::FloatType(t) => t.get_poison().into(),
        BasicTypeEnum::PointerType(t) => t.get_poison().into(),
        BasicTypeEnum::StructType(t) => t.get_poison().into(),
        BasicTypeEnum::ArrayType(t) => t.get_poison().into(),
        BasicTypeEnum::VectorType(t) => t.get_poison().into(),
        BasicTypeEnum::ScalableVectorType(t) => t.get_poison().into(),
    }
}

/// Points `locals` at `slots` (one each), so the statements generated next read and write
/// those: a lane's or a copy's own locals (lockstep.rs, jam.rs), or the function's again.
pub(super) fn point_locals_at<'ctx>(
    cx: &mut FnCx<'ctx>,
    locals: &[hir::LocalId],
    slots: &[PointerValue<'ctx>],
) {
    for (l, slot) in locals.iter().zip(slots) {
        cx.locals[*l] = *slot;
    }
}

/// The state of a speculative loop being generated.
pub(super) struct Speculation<'ctx> {
    /// Cleared by any check that fails.
    pub(super) flag: PointerValue<'ctx>,
    /// Inside an `if`: when the branch being computed is the one taken.
    pub(super) predicate: Option<IntValue<'ctx>>,
    /// Locals assigned without keeping their old value (see [`Codegen::loop_temporaries`]).
    pub(super) temporaries: Vec<LocalId>,
    /// The loop variable of a step-1 loop, and the locals the body assigns: a read indexed by
    /// the loop variable plus a constant, or by what the body does not assign, is checked
    /// before the loop, once for all iterations.
    pub(super) target: Option<LocalId>,
    pub(super) assigned: Vec<LocalId>,
    /// Whether reads may have been checked before (a loop); straight-line code collects all.
    pub(super) ahead: bool,
}

/// The scoped-noalias tags of one LLVM function: one scope per fresh array.
#[derive(Clone, Default)]
pub(super) struct FreshArrays<'ctx> {
    /// Each fresh local's (`!alias.scope` list, `!noalias` list of the other fresh arrays).
    pub(super) own: HashMap<LocalId, (MetadataValue<'ctx>, Option<MetadataValue<'ctx>>)>,
    /// `!noalias` for every other element access: all the scopes.
    pub(super) all: Option<MetadataValue<'ctx>>,
}

/// A `finally` that a `return` inside its `try` must run first.
#[derive(Clone, Copy)]
pub(super) struct FinallyTarget<'ctx> {
    /// The `finally` code of the normal path.
    pub(super) block: inkwell::basic_block::BasicBlock<'ctx>,
    /// Why the `finally` runs (an i8): 0 falling through, 1 a `return` passing through (the
    /// value waits in `FnCx::ret_slot`), 2 a `break`, 3 a `continue`.
    pub(super) why: PointerValue<'ctx>,
    /// Temporaries alive when the `try` began.
    pub(super) depth: usize,
}

/// A Python object the module creates once, when it is imported.
#[derive(Clone, Debug, PartialEq)]
pub enum ModuleObject {
    /// An interned str (string constants, attribute and keyword names).
    Str(String),
    /// A boxed constant (an int default of an object parameter, a tuple of numbers).
    Const(Const),
    /// An imported module or one of its attributes.
    Import(PyPath),
    /// A compiled lambda (an instance of its function, how many leading parameters are
    /// captured values) as a Python callable.
    Function(crate::types::InstanceId, usize),
    /// A module function used as a value (an instance of it with object parameters): a
    /// Python callable taking arguments by position or name.
    FunctionValue(crate::types::InstanceId),
}
