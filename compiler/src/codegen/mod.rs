//! Codegen: typed HIR to LLVM IR through inkwell.
//!
//! Takes the HIR module and the inferred [`Program`]; gives an LLVM module holding one native
//! function per instance and, from [`cpython`], the CPython entry point and argument wrappers.
//! Python's semantics are spelled out here (floor division and modulo signs, ZeroDivisionError,
//! float-to-int overflow, `math` domain errors) and left to LLVM to optimize away where it can
//! prove them. Every instruction carries a debug location (file:line:col) for the report.
//!
//! A native function returns its value and takes, as its last argument, a pointer to a `failed`
//! flag owned by the wrapper that entered compiled code. On failure the Python error is already
//! set (through `pyaot.raise`), the function stores 1 there and returns poison; every caller
//! checks the flag after a call and passes the failure up until a wrapper returns NULL. (A flag
//! in memory rather than a `{value, failed}` return lets LLVM see `return f(a) + f(b)` as plain
//! arithmetic on the callee's result, so tail-recursion elimination applies.) The flag is 0
//! whenever compiled code is entered; an `except` or `finally` that catches a failure clears it.

mod aligned;
mod arrays;
mod complex;
mod cpython;
mod escape;
mod fresh;
mod ifconvert;
pub(crate) mod jam;
pub(crate) mod lockstep;
mod objects;
mod overwrite;
mod parallel;
mod speculate;
pub(crate) mod unroll;

use crate::diagnostics::Span;
use crate::hir::{
    self, Arg, BinOp, BoolOpKind, Builtin, CmpOp, Const, Expr, ExprKind, MathFn, Stmt, StmtKind,
    Target, UnaryOp,
};
use crate::plan::{Plan, Strategy};
use crate::types::{const_type, falls_through, InstanceId, Program, Type};
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::basic_block::BasicBlock;
use inkwell::builder::{Builder, BuilderError};
use inkwell::context::Context;
use inkwell::debug_info::{
    AsDIScope, DICompileUnit, DIFlags, DIFlagsConstants, DIScope, DWARFEmissionKind,
    DWARFSourceLanguage, DebugInfoBuilder,
};
use inkwell::intrinsics::Intrinsic;
use inkwell::module::{FlagBehavior, Linkage, Module};
use inkwell::types::{BasicType, BasicTypeEnum, StructType};
use inkwell::values::{
    BasicValueEnum, FloatValue, FunctionValue, IntValue, PointerValue, StructValue,
};
use inkwell::{AddressSpace, FloatPredicate, IntPredicate};
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
    b: Builder<'ctx>,
    hir: &'a hir::Module,
    prog: &'a Program,
    /// How each statement is lowered when not as written, and per-instance facts (plan/).
    plan: &'a Plan<'a>,
    di: DebugInfoBuilder<'ctx>,
    cu: DICompileUnit<'ctx>,
    line_starts: Vec<usize>,
    natives: Vec<FunctionValue<'ctx>>,
    strings: HashMap<String, PointerValue<'ctx>>,
    /// The module has parallel loops: it links the runtime, and errors check for regions.
    has_parallel_loops: bool,
    /// Where the original function of a directly recursive instance sends its own calls.
    self_calls: HashMap<InstanceId, FunctionValue<'ctx>>,
    /// Recursive instances that fail by jumping back to their entry (see [`escape`]): their
    /// bodies, here; `natives` holds their entries.
    escape_bodies: HashMap<InstanceId, FunctionValue<'ctx>>,
    /// Python objects created when the module is imported (strings, constants, imports).
    module_objects: Vec<(objects::ModuleObject, inkwell::values::GlobalValue<'ctx>)>,
    /// Exceptions that escaping functions raise by jumping to their entry (see [`escape`]):
    /// (exception, message), the entry raising number k when the escape says
    /// `escape::FIRST_RAISE + k`.
    escape_raises: Vec<(String, Option<String>)>,
    /// `PYAOT_DEBUG_GIL=1` when building: every C-API call first checks that this thread holds
    /// the GIL and stops the process with the call's name if not (the suite runs under it).
    debug_gil: bool,
}

/// The predicate of a comparison of two ints (signed) or two floats (NaN compares unequal and
/// unordered, as in Python), for `==`, `!=`, `<`, `<=`, `>`, `>=`.
fn int_predicate(op: CmpOp) -> IntPredicate {
    match op {
        CmpOp::Eq => IntPredicate::EQ,
        CmpOp::NotEq => IntPredicate::NE,
        CmpOp::Lt => IntPredicate::SLT,
        CmpOp::LtE => IntPredicate::SLE,
        CmpOp::Gt => IntPredicate::SGT,
        _ => IntPredicate::SGE,
    }
}

fn float_predicate(op: CmpOp) -> FloatPredicate {
    match op {
        CmpOp::Eq => FloatPredicate::OEQ,
        CmpOp::NotEq => FloatPredicate::UNE,
        CmpOp::Lt => FloatPredicate::OLT,
        CmpOp::LtE => FloatPredicate::OLE,
        CmpOp::Gt => FloatPredicate::OGT,
        _ => FloatPredicate::OGE,
    }
}

/// Iterations per block of a speculative loop that stores (`Codegen::speculative_blocks`):
/// three float64 arrays of a block (24 KB) stay in the 32 KB L1 cache between its two runs.
const STORE_BLOCK: i64 = 1024;

/// A `for` loop over a range, its bounds evaluated (see [`Codegen::counted_loop`]).
#[derive(Clone, Copy)]
struct CountedLoop<'ctx, 'h> {
    s: &'h Stmt,
    target: hir::LocalId,
    start: IntValue<'ctx>,
    stop: IntValue<'ctx>,
    step: IntValue<'ctx>,
    /// The trip count, for steps other than 1.
    count: IntValue<'ctx>,
    unit_step: bool,
}

/// The state of the function being generated.
struct FnCx<'ctx> {
    inst: InstanceId,
    /// Computing `a[i] op= v` of an integer array: the int arithmetic wraps as numpy's does
    /// there (CPython adds numpy scalars), not OverflowError.
    element_update: bool,
    func: FunctionValue<'ctx>,
    scope: DIScope<'ctx>,
    locals: Vec<PointerValue<'ctx>>,
    /// (continue target, break target, temporaries alive at the loop's start) of the enclosing
    /// loops, innermost last: `break` and `continue` release the temporaries above (an
    /// exception being handled, when they leave an `except` block).
    loops: Vec<(BasicBlock<'ctx>, BasicBlock<'ctx>, usize, usize)>,
    unwind: Option<BasicBlock<'ctx>>,
    /// Where a failed call goes when nothing needs handling: like `unwind`, without storing the
    /// flag (the callee did), so LLVM sees `f2 ? poison : a + b` and folds it to `a + b`.
    propagate: Option<BasicBlock<'ctx>>,
    /// The `failed` flag this function reports through (see the module doc); in a function
    /// that fails by escape, its own flag for the calls it makes.
    failed: PointerValue<'ctx>,
    /// In a function that fails by escape (see [`escape`]): the jump buffer of its entry.
    escape: Option<PointerValue<'ctx>>,
    /// The arena (a Python list) owning the arrays this call created, once one exists.
    arena: Option<PointerValue<'ctx>>,
    /// Recursive instances count their depth (an extra argument), so runaway recursion raises
    /// RecursionError instead of overflowing the C stack.
    counts_depth: bool,
    /// The outlined body of a parallel loop: failing returns i32 1 to the runtime.
    parallel_body: bool,
    /// Where this function's calls to its own instance go (the twin's go to the original).
    self_call: Option<FunctionValue<'ctx>>,
    /// Python objects evaluated and not yet consumed: released if the function fails (or
    /// returns from inside a loop over objects, whose iterators are here).
    temps: Vec<PointerValue<'ctx>>,
    /// The items of the current loops over objects, until their loop's first statement reads them.
    each_items: HashMap<hir::ExprId, PointerValue<'ctx>>,
    /// Where errors go inside `try` blocks (innermost last), with the temporaries alive when
    /// the `try` began (the handler releases only those above).
    handlers: Vec<(BasicBlock<'ctx>, usize)>,
    /// The exceptions being handled by the enclosing `except` blocks (type, value, traceback),
    /// for a bare `raise`.
    handling: Vec<[PointerValue<'ctx>; 3]>,
    /// Inside a speculative loop (see [`speculate`]).
    spec: Option<speculate::Speculation<'ctx>>,
    /// Inside the run of a speculative loop that stores, after its checks all passed: checks
    /// emit nothing.
    checks_pass: bool,
    /// The `finally` blocks a `return` must run first, innermost last.
    finally_stack: Vec<objects::FinallyTarget<'ctx>>,
    /// Where a `return` through `finally` keeps its value meanwhile (an object slot is
    /// released if the function fails instead).
    ret_slot: Option<PointerValue<'ctx>>,
    /// The arrays this function made that nothing else can alias (see [`fresh`]).
    fresh: fresh::FreshArrays<'ctx>,
}

/// Deepest recursion of compiled functions before RecursionError (about 100 bytes of C stack a
/// frame, well inside the 8 MiB main and thread stacks).
const MAX_RECURSION_DEPTH: i64 = 20_000;

/// Copies of a directly recursive function, calling each other in a ring (see `generate`).
const RECURSION_COPIES: usize = 3;

/// An undefined value of `ty`: what a failing native function returns (no one reads it).
fn poison(ty: BasicTypeEnum<'_>) -> BasicValueEnum<'_> {
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
fn point_locals_at<'ctx>(
    cx: &mut FnCx<'ctx>,
    locals: &[hir::LocalId],
    slots: &[PointerValue<'ctx>],
) {
    for (l, slot) in locals.iter().zip(slots) {
        cx.locals[*l] = *slot;
    }
}

/// The message of OverflowError for an int result beyond int64 (CPython's int would grow).
const INT_OVERFLOW: &str = "int result does not fit in int64 (pyaot's int; CPython's would grow): use floats, or `# pyaot: overflowcheck=False` for wrapping arithmetic";

/// Generates the whole LLVM module for a type-checked program, as planned.
pub fn generate<'ctx, 'a>(
    ctx: &'ctx Context,
    hir: &'a hir::Module,
    prog: &'a Program,
    plan: &'a Plan<'a>,
    source: &str,
    file_name: &str,
) -> Cg<Module<'ctx>> {
    let module = ctx.create_module(&hir.name);
    let (dir, file) = match file_name.rsplit_once('/') {
        Some((d, f)) => (d.to_string(), f.to_string()),
        None => (".".to_string(), file_name.to_string()),
    };
    let (di, cu) = module.create_debug_info_builder(
        true,
        DWARFSourceLanguage::Python,
        &file,
        &dir,
        "pyaot",
        true,
        "",
        0,
        "",
        DWARFEmissionKind::LineTablesOnly,
        0,
        false,
        false,
        "",
        "",
    );
    module.add_basic_value_flag(
        "Debug Info Version",
        FlagBehavior::Warning,
        ctx.i32_type().const_int(3, false),
    );
    let mut line_starts = vec![0];
    line_starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
    let has_parallel_loops = crate::plan::has_parallel_loops(hir, prog);
    let mut cg = Codegen {
        ctx,
        module,
        b: ctx.create_builder(),
        hir,
        prog,
        plan,
        di,
        cu,
        line_starts,
        natives: Vec::new(),
        strings: HashMap::new(),
        has_parallel_loops,
        self_calls: HashMap::new(),
        escape_bodies: HashMap::new(),
        module_objects: Vec::new(),
        escape_raises: Vec::new(),
        debug_gil: std::env::var_os("PYAOT_DEBUG_GIL").is_some_and(|v| v == "1"),
    };
    for (i, inst) in prog.instances.iter().enumerate() {
        let f = &hir.functions[inst.func];
        let mut params: Vec<_> = inst.params.iter().map(|t| cg.llvm_type(t).into()).collect();
        if cg.is_recursive(i) {
            // Recursive instances take their call depth (see MAX_RECURSION_DEPTH).
            params.push(cg.ctx.i64_type().into());
        }
        params.push(cg.ptr_type().into());
        let name = format!("{}.{}", f.name, i);
        let func = cg.module.add_function(
            &name,
            cg.llvm_type(&inst.ret).fn_type(&params, false),
            Some(Linkage::Internal),
        );
        // Nothing else points at the flag (it lives in the wrapper's frame).
        let flag = params.len() as u32 - 1;
        for attr in ["noalias", "nocapture", "nonnull", "noundef"] {
            let kind = Attribute::get_named_enum_kind_id(attr);
            func.add_attribute(AttributeLoc::Param(flag), cg.ctx.create_enum_attribute(kind, 0));
        }
        cg.natives.push(func);
        if cg.plan.instances[i].fails_by_escape {
            let body = escape::declare_body(&cg, func, &name, &inst.ret, &params);
            cg.escape_bodies.insert(i, body);
        }
    }
    for i in 0..prog.instances.len() {
        // A directly recursive instance gets copies that call each other in a ring for their own
        // recursion: LLVM, which never inlines a function into itself, inlines the copies and
        // does several levels of recursion per call, as GCC's recursive inlining does.
        if !cg.calls_itself(i) {
            cg.define_native(i, None)?;
            continue;
        }
        let original = cg.body_fn(i);
        let name = original.get_name().to_str().unwrap_or("f").to_string();
        let twins: Vec<FunctionValue> = (1..RECURSION_COPIES)
            .map(|k| {
                cg.module.add_function(
                    &format!("{name}.copy{k}"),
                    original.get_type(),
                    Some(Linkage::Internal),
                )
            })
            .collect();
        // original -> copy1 -> copy2 -> ... -> original
        cg.self_calls.insert(i, twins[0]);
        cg.define_native(i, None)?;
        for (k, twin) in twins.iter().enumerate() {
            let next = twins.get(k + 1).copied().unwrap_or(original);
            cg.define_native(i, Some((*twin, next)))?;
        }
    }
    for (&i, &body) in &cg.escape_bodies.clone() {
        let entry = cg.natives[i];
        escape::define_entry(&mut cg, entry, body)?;
    }
    cpython::generate_entry(&mut cg)?;
    cg.di.finalize();
    cg.module.verify().map_err(|e| CgError(format!("invalid LLVM IR: {}", e.to_string())))?;
    Ok(cg.module)
}

impl<'ctx> Codegen<'ctx, '_> {
    fn llvm_type(&self, t: &Type) -> BasicTypeEnum<'ctx> {
        match t {
            Type::Bool => self.ctx.bool_type().into(),
            Type::Int | Type::Unknown => self.ctx.i64_type().into(),
            Type::Float => self.ctx.f64_type().into(),
            Type::Complex => self.complex_type().into(),
            Type::None => self.ctx.struct_type(&[], false).into(),
            Type::Tuple(items) => {
                let fields: Vec<_> = items.iter().map(|i| self.llvm_type(i)).collect();
                self.ctx.struct_type(&fields, false).into()
            }
            Type::Array(a) => self.array_struct(a.ndim).into(),
            Type::Object => self.ptr_type().into(),
        }
    }

    /// `{ T, i1 failed }`: what the unboxing helpers return (native functions use the flag).
    fn ret_type(&self, t: &Type) -> StructType<'ctx> {
        self.ctx.struct_type(&[self.llvm_type(t), self.ctx.bool_type().into()], false)
    }

    fn i64(&self, v: i64) -> IntValue<'ctx> {
        self.ctx.i64_type().const_int(v as u64, true)
    }

    fn f64(&self, v: f64) -> FloatValue<'ctx> {
        self.ctx.f64_type().const_float(v)
    }

    fn ptr_type(&self) -> inkwell::types::PointerType<'ctx> {
        self.ctx.ptr_type(AddressSpace::default())
    }

    /// A NUL-terminated string constant, shared between uses.
    fn cstr(&mut self, s: &str) -> Cg<PointerValue<'ctx>> {
        if let Some(p) = self.strings.get(s) {
            return Ok(*p);
        }
        let bytes = s.as_bytes();
        let value = self.ctx.const_string(bytes, true);
        let g =
            self.module.add_global(value.get_type(), None, &format!("str.{}", self.strings.len()));
        g.set_initializer(&value);
        g.set_constant(true);
        g.set_linkage(Linkage::Private);
        g.set_unnamed_addr(true);
        let p = g.as_pointer_value();
        self.strings.insert(s.to_string(), p);
        Ok(p)
    }

    fn line_col(&self, offset: usize) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let col = offset - self.line_starts[line - 1] + 1;
        (line as u32, col as u32)
    }

    fn set_loc(&self, scope: DIScope<'ctx>, span: &Span) {
        let (line, col) = self.line_col(span.start);
        let loc = self.di.create_debug_location(self.ctx, line, col, scope, None);
        self.b.set_current_debug_location(loc);
    }

    /// Attaches a debug subprogram to `func`, starting at `span`.
    fn subprogram(&self, func: FunctionValue<'ctx>, name: &str, span: &Span) -> DIScope<'ctx> {
        let (line, _) = self.line_col(span.start);
        let file = self.cu.get_file();
        let ty = self.di.create_subroutine_type(file, None, &[], DIFlags::PUBLIC);
        let sp = self.di.create_function(
            self.cu.as_debug_info_scope(),
            name,
            None,
            file,
            line,
            ty,
            true,
            true,
            line,
            DIFlags::PUBLIC,
            true,
        );
        func.set_subprogram(sp);
        sp.as_debug_info_scope()
    }

    /// A debug subprogram at line 0 for pyaot's generated helpers (names start with `pyaot.`).
    fn glue_subprogram(&self, func: FunctionValue<'ctx>, name: &str) -> DIScope<'ctx> {
        let file = self.cu.get_file();
        let ty = self.di.create_subroutine_type(file, None, &[], DIFlags::PUBLIC);
        let sp = self.di.create_function(
            self.cu.as_debug_info_scope(),
            name,
            None,
            file,
            0,
            ty,
            true,
            true,
            0,
            DIFlags::ARTIFICIAL,
            true,
        );
        func.set_subprogram(sp);
        sp.as_debug_info_scope()
    }

    fn add_attr(&self, func: FunctionValue<'ctx>, name: &str) {
        let kind = Attribute::get_named_enum_kind_id(name);
        func.add_attribute(AttributeLoc::Function, self.ctx.create_enum_attribute(kind, 0));
    }

    fn append(&self, func: FunctionValue<'ctx>, name: &str) -> BasicBlock<'ctx> {
        self.ctx.append_basic_block(func, name)
    }

    /// Continues in a fresh block after a terminator, so the builder always has an open block.
    fn open_dead_block(&self, func: FunctionValue<'ctx>) {
        let bb = self.append(func, "dead");
        self.b.position_at_end(bb);
    }

    /// Generates an instance's body into its function, or (`twin`: (copy, next)) into a copy
    /// whose own recursive calls go to `next`.
    fn define_native(
        &mut self,
        id: InstanceId,
        twin: Option<(FunctionValue<'ctx>, FunctionValue<'ctx>)>,
    ) -> Cg<()> {
        let inst = &self.prog.instances[id];
        let f = &self.hir.functions[inst.func];
        let func = twin.map_or(self.body_fn(id), |(t, _)| t);
        let scope = self.subprogram(func, &f.name, &f.span);
        let entry = self.append(func, "entry");
        self.b.position_at_end(entry);
        self.set_loc(scope, &f.span);
        let mut locals = Vec::new();
        for (i, l) in f.locals.iter().enumerate() {
            let ty = self.llvm_type(&inst.locals[i]);
            let slot = self.b.build_alloca(ty, &l.name)?;
            // Zero-initialized: reading a local before any assignment gives 0 (see docs/language.md);
            // an object local is NULL until assigned (reading it raises UnboundLocalError).
            self.b.build_store(slot, ty.const_zero())?;
            locals.push(slot);
        }
        let counts_depth = self.is_recursive(id);
        let uses_arena = self.creates_arrays(id);
        let self_call = twin.map(|(_, original)| original);
        let last = func
            .get_last_param()
            .ok_or_else(|| CgError("native without its failed flag".into()))?
            .into_pointer_value();
        let (failed, escape) = if self.escape_bodies.contains_key(&id) {
            (self.failed_flag()?, Some(last))
        } else {
            (last, None)
        };
        let mut cx = FnCx {
            inst: id,
            element_update: false,
            func,
            scope,
            locals,
            loops: Vec::new(),
            unwind: None,
            propagate: None,
            failed,
            escape,
            arena: None,
            counts_depth,
            parallel_body: false,
            self_call,
            temps: Vec::new(),
            each_items: HashMap::new(),
            handlers: Vec::new(),
            handling: Vec::new(),
            spec: None,
            checks_pass: false,
            finally_stack: Vec::new(),
            ret_slot: None,
            fresh: fresh::FreshArrays::new(self, func, f, &self.plan.instances[id].fresh),
        };
        for (i, _) in f.params.iter().enumerate() {
            let v =
                func.get_nth_param(i as u32).ok_or_else(|| CgError("missing parameter".into()))?;
            if let Type::Array(at) = &inst.params[i] {
                self.assume_valid_shape(v.into_struct_value(), at.ndim)?;
            }
            // Object arguments are borrowed: the local takes its own reference.
            if inst.params[i] == Type::Object {
                self.obj_incref(v.into_pointer_value())?;
            }
            let v = self.coerce(&mut cx, v, &inst.params[i], &inst.locals[i])?;
            self.b.build_store(cx.locals[i], v)?;
        }
        if uses_arena {
            let slot = self.b.build_alloca(self.ptr_type(), "arena")?;
            self.b.build_store(slot, self.ptr_type().const_null())?;
            cx.arena = Some(slot);
        }
        // The copies of a directly recursive function leave the check to the original, which
        // every cycle of the ring passes through (a few levels of slack, fewer branches).
        if counts_depth && twin.is_none() {
            let depth = self.depth_param(&cx)?;
            let ok = self.b.build_int_compare(
                IntPredicate::SLE,
                depth,
                self.i64(MAX_RECURSION_DEPTH),
                "",
            )?;
            match cx.escape {
                // No Python error set here (that would be a side effect, and LLVM could no
                // longer merge equal calls): the entry raises RecursionError.
                Some(jump_buffer) => escape::guard_depth(self, &cx, ok, jump_buffer)?,
                None => self.guard(
                    &mut cx,
                    ok,
                    "RecursionError",
                    "maximum recursion depth exceeded in compiled code",
                )?,
            }
        }
        self.block(&mut cx, &f.body)?;
        self.set_loc(scope, &f.span);
        if falls_through(&f.body) {
            let none = self.ctx.struct_type(&[], false).const_zero();
            let ret = inst.ret.clone();
            let none = self.coerce(&mut cx, none.into(), &Type::None, &ret)?;
            self.return_value(&cx, none)?;
        } else {
            self.b.build_unreachable()?;
        }
        Ok(())
    }

    fn creates_arrays(&self, id: InstanceId) -> bool {
        crate::plan::escape::creates_arrays(self.hir, self.prog, id)
    }

    fn is_recursive(&self, id: InstanceId) -> bool {
        crate::plan::escape::is_recursive(self.prog, id)
    }

    /// Whether the wrapper releases the GIL around an instance: when it or something it calls
    /// loops or recurses, so the release (some 20 ns) buys other threads time instead of only
    /// costing. Compiled code takes the GIL back (PyGILState) for every Python call it makes:
    /// raising, creating arrays through numpy, its arena.
    pub(super) fn runs_without_gil(&self, id: InstanceId) -> bool {
        if self.uses_objects(id) {
            return false;
        }
        fn has_loop(stmts: &[Stmt]) -> bool {
            stmts.iter().any(|s| match &s.kind {
                StmtKind::While { .. } | StmtKind::ForRange { .. } => true,
                other => other.blocks().into_iter().any(has_loop),
            })
        }
        let mut seen = vec![false; self.prog.instances.len()];
        let mut stack = vec![id];
        let mut long_running = false;
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            long_running |= has_loop(&self.hir.functions[self.prog.instances[i].func].body)
                || self.is_recursive(i);
            stack.extend(self.prog.instances[i].calls.values().copied());
        }
        long_running
    }

    /// Whether an instance calls itself directly.
    fn calls_itself(&self, id: InstanceId) -> bool {
        self.prog.instances[id].calls.values().any(|&c| c == id)
    }

    /// The depth argument of a recursive instance (before the flag): carried in registers,
    /// so counting costs nothing like a memory (or thread-local) counter would.
    fn depth_param(&self, cx: &FnCx<'ctx>) -> Cg<IntValue<'ctx>> {
        let n = cx.func.count_params();
        Ok(cx
            .func
            .get_nth_param(n - 2)
            .ok_or_else(|| CgError("recursive instance without depth".into()))?
            .into_int_value())
    }

    /// The depth argument for a call of `callee`: one more than ours if we count, else 0. In a
    /// ring of copies (see `generate`) the original adds the ring's length and the copies pass
    /// their depth on, so every call leaving a body with its copies inlined gets the same depth
    /// and LLVM can merge equal calls of a function that has no side effects.
    fn depth_for_call(&self, cx: &FnCx<'ctx>, callee: InstanceId) -> Cg<Option<IntValue<'ctx>>> {
        if !self.is_recursive(callee) {
            return Ok(None);
        }
        if !cx.counts_depth {
            return Ok(Some(self.i64(0)));
        }
        let step = match (cx.self_call, self.self_calls.contains_key(&cx.inst)) {
            (Some(_), _) => 0,
            (None, true) => RECURSION_COPIES as i64,
            (None, false) => 1,
        };
        Ok(Some(self.b.build_int_nsw_add(self.depth_param(cx)?, self.i64(step), "")?))
    }

    fn return_value(&self, cx: &FnCx<'ctx>, v: BasicValueEnum<'ctx>) -> Cg<()> {
        let ret = &self.prog.instances[cx.inst].ret;
        self.release_objects(cx)?;
        self.retain_and_release(cx, Some((v, ret)))?;
        self.b.build_return(Some(&v))?;
        Ok(())
    }

    /// Releases what a function leaving holds: the temporaries (iterators of loops over
    /// objects) and the object locals.
    fn release_objects(&self, cx: &FnCx<'ctx>) -> Cg<()> {
        for t in &cx.temps {
            self.obj_decref(*t)?;
        }
        let inst = &self.prog.instances[cx.inst];
        if let (Some(slot), Type::Object) = (cx.ret_slot, &inst.ret) {
            // A return value waiting for a `finally` that failed.
            let v = self.b.build_load(self.ptr_type(), slot, "")?.into_pointer_value();
            self.obj_decref(v)?;
        }
        for (i, slot) in cx.locals.iter().enumerate() {
            if inst.locals[i] == Type::Object && !cx.parallel_body {
                let v = self.b.build_load(self.ptr_type(), *slot, "")?.into_pointer_value();
                // Py_DecRef accepts NULL (a local never assigned).
                self.obj_decref(v)?;
            }
        }
        Ok(())
    }

    /// The block that returns failure from the current function (the error is already set).
    /// With temporaries alive, a block releasing them first.
    fn unwind_block(&mut self, cx: &mut FnCx<'ctx>) -> Cg<BasicBlock<'ctx>> {
        // Inside a `try`: its handler, after releasing what was evaluated since it began.
        if let Some(&(handler, depth)) = cx.handlers.last() {
            if cx.temps.len() == depth {
                return Ok(handler);
            }
            let here = self.b.get_insert_block();
            let bb = self.append(cx.func, "unwind.temps");
            self.b.position_at_end(bb);
            for t in &cx.temps[depth..] {
                self.obj_decref(*t)?;
            }
            self.b.build_unconditional_branch(handler)?;
            if let Some(h) = here {
                self.b.position_at_end(h);
            }
            return Ok(bb);
        }
        if !cx.temps.is_empty() && !cx.parallel_body {
            let temps = std::mem::take(&mut cx.temps);
            let shared = self.unwind_block(cx)?;
            cx.temps = temps;
            let here = self.b.get_insert_block();
            let bb = self.append(cx.func, "unwind.temps");
            self.b.position_at_end(bb);
            for t in &cx.temps {
                self.obj_decref(*t)?;
            }
            self.b.build_unconditional_branch(shared)?;
            if let Some(h) = here {
                self.b.position_at_end(h);
            }
            return Ok(bb);
        }
        if let Some(bb) = cx.unwind {
            return Ok(bb);
        }
        let here = self.b.get_insert_block();
        let bb = self.append(cx.func, "unwind");
        self.b.position_at_end(bb);
        if let Some(jump_buffer) = cx.escape {
            // Holds nothing to release (see `fails_by_escape`): straight back to the entry.
            escape::escape(self, jump_buffer, escape::ERROR_SET)?;
            if let Some(h) = here {
                self.b.position_at_end(h);
            }
            cx.unwind = Some(bb);
            return Ok(bb);
        }
        if cx.parallel_body {
            self.b.build_return(Some(&self.ctx.i32_type().const_int(1, false)))?;
            if let Some(h) = here {
                self.b.position_at_end(h);
            }
            cx.unwind = Some(bb);
            return Ok(bb);
        }
        self.b.build_store(cx.failed, self.ctx.bool_type().const_all_ones())?;
        let propagate = self.propagate_block(cx)?;
        self.b.position_at_end(bb);
        self.b.build_unconditional_branch(propagate)?;
        if let Some(h) = here {
            self.b.position_at_end(h);
        }
        cx.unwind = Some(bb);
        Ok(bb)
    }

    /// The block that leaves the function after a failed call when nothing needs handling: the
    /// callee set the flag; releases what the function holds and returns poison.
    fn propagate_block(&mut self, cx: &mut FnCx<'ctx>) -> Cg<BasicBlock<'ctx>> {
        if cx.escape.is_some() {
            return self.unwind_block(cx);
        }
        if let Some(bb) = cx.propagate {
            return Ok(bb);
        }
        let here = self.b.get_insert_block();
        let bb = self.append(cx.func, "unwind.propagate");
        self.b.position_at_end(bb);
        self.release_objects(cx)?;
        self.release_arena(cx)?;
        let ret = self.llvm_type(&self.prog.instances[cx.inst].ret);
        self.b.build_return(Some(&poison(ret)))?;
        if let Some(h) = here {
            self.b.position_at_end(h);
        }
        cx.propagate = Some(bb);
        Ok(bb)
    }

    /// After a call of a native function: leaves (or goes to the handler) if it failed.
    fn check_native_call(&mut self, cx: &mut FnCx<'ctx>) -> Cg<()> {
        let failed = self.b.build_load(self.ctx.bool_type(), cx.failed, "failed")?.into_int_value();
        let direct = cx.handlers.is_empty() && cx.temps.is_empty() && !cx.parallel_body;
        let target = if direct { self.propagate_block(cx)? } else { self.unwind_block(cx)? };
        let cont = self.append(cx.func, "call.ok");
        let br = self.b.build_conditional_branch(failed, target, cont)?;
        self.expect_false(br);
        self.b.position_at_end(cont);
        Ok(())
    }

    /// Sets a Python exception and leaves the function with failure.
    fn raise(&mut self, cx: &mut FnCx<'ctx>, exception: &str, message: Option<&str>) -> Cg<()> {
        if let Some(jump_buffer) = cx.escape {
            // The entry raises it: the body calls nothing that writes memory, so LLVM still
            // sees it free of side effects (and merges equal calls, as in `fib`).
            let key = (exception.to_string(), message.map(str::to_string));
            let k = match self.escape_raises.iter().position(|r| *r == key) {
                Some(k) => k,
                None => {
                    self.escape_raises.push(key);
                    self.escape_raises.len() - 1
                }
            };
            escape::escape(self, jump_buffer, escape::FIRST_RAISE + k as u64)?;
            self.open_dead_block(cx.func);
            return Ok(());
        }
        let raise = cpython::raise_fn(self, exception)?;
        let msg = match message {
            Some(m) => self.cstr(m)?,
            None => self.ptr_type().const_null(),
        };
        let call = self.b.build_call(raise, &[msg.into()], "")?;
        self.keep_apart(call);
        let unwind = self.unwind_block(cx)?;
        self.b.build_unconditional_branch(unwind)?;
        self.open_dead_block(cx.func);
        Ok(())
    }

    /// Marks a raising call `nomerge`: LLVM would otherwise merge equal error calls of different
    /// lines into one at line 0, and the report would lose which lines can raise. Error paths
    /// are cold, so the copies cost only size.
    fn keep_apart(&self, call: inkwell::values::CallSiteValue<'ctx>) {
        let kind = Attribute::get_named_enum_kind_id("nomerge");
        call.add_attribute(AttributeLoc::Function, self.ctx.create_enum_attribute(kind, 0));
    }

    /// Continues when `ok` holds, else raises `exception(message)`.
    fn guard(
        &mut self,
        cx: &mut FnCx<'ctx>,
        ok: IntValue<'ctx>,
        exception: &str,
        message: &str,
    ) -> Cg<()> {
        if cx.spec.is_some() {
            return self.collect_check(cx, ok);
        }
        if cx.checks_pass {
            return Ok(());
        }
        let cont = self.append(cx.func, "ok");
        let fail = self.append(cx.func, "fail");
        let br = self.b.build_conditional_branch(ok, cont, fail)?;
        self.expect_true(br);
        self.b.position_at_end(fail);
        self.raise(cx, exception, Some(message))?;
        self.b.build_unconditional_branch(cont)?;
        self.b.position_at_end(cont);
        Ok(())
    }

    /// Checks that almost never fail, behind one cheap test of a result: where `suspicious` is
    /// false (the hot path) nothing more runs; where it is true, the checks `checks` computes
    /// (each: holds when fine, exception, message) work out whether Python raises. In a
    /// speculative loop, which must not branch, each check is collected as `ok or not suspicious`.
    fn rarely(
        &mut self,
        cx: &mut FnCx<'ctx>,
        suspicious: IntValue<'ctx>,
        checks: impl FnOnce(&mut Self) -> Cg<Vec<(IntValue<'ctx>, &'static str, &'static str)>>,
    ) -> Cg<()> {
        if cx.spec.is_some() || cx.checks_pass {
            let fine = self.b.build_not(suspicious, "")?;
            for (ok, exception, message) in checks(self)? {
                let ok = self.b.build_or(ok, fine, "")?;
                self.guard(cx, ok, exception, message)?;
            }
            return Ok(());
        }
        let cold = self.append(cx.func, "rare");
        let join = self.append(cx.func, "rare.done");
        let br = self.b.build_conditional_branch(suspicious, cold, join)?;
        self.expect_false(br);
        self.b.position_at_end(cold);
        for (ok, exception, message) in checks(self)? {
            self.guard(cx, ok, exception, message)?;
        }
        self.b.build_unconditional_branch(join)?;
        self.b.position_at_end(join);
        Ok(())
    }

    /// `then` where `c` holds, else `orelse`; both go on to `after` (the builder is left in a
    /// finished block: position it where the caller continues).
    fn branches(
        &mut self,
        cx: &mut FnCx<'ctx>,
        c: IntValue<'ctx>,
        then: &[Stmt],
        orelse: &[Stmt],
        after: BasicBlock<'ctx>,
    ) -> Cg<()> {
        let then_bb = self.append(cx.func, "then");
        let else_bb = self.append(cx.func, "else");
        self.b.build_conditional_branch(c, then_bb, else_bb)?;
        self.b.position_at_end(then_bb);
        self.block(cx, then)?;
        self.b.build_unconditional_branch(after)?;
        self.b.position_at_end(else_bb);
        self.block(cx, orelse)?;
        self.b.build_unconditional_branch(after)?;
        Ok(())
    }

    fn block(&mut self, cx: &mut FnCx<'ctx>, stmts: &[Stmt]) -> Cg<()> {
        for s in stmts {
            match self.plan.strategy(cx.inst, s) {
                // `out = np.zeros(...)` that the next loop overwrites (overwrite.rs).
                Some(Strategy::BorderOnly(overwrite)) => {
                    self.zeros_then_border(cx, s, overwrite)?
                }
                _ => self.stmt(cx, s)?,
            }
        }
        Ok(())
    }

    /// The plan stage's view of the instance being generated, for the analyses lowering reads.
    fn facts(&self, cx: &FnCx<'ctx>) -> crate::plan::Facts<'_> {
        crate::plan::Facts {
            hir: self.hir,
            prog: self.prog,
            inst: cx.inst,
            has_parallel_loops: self.has_parallel_loops,
            fresh: &self.plan.instances[cx.inst].fresh,
        }
    }

    fn ty(&self, cx: &FnCx<'ctx>, e: &Expr) -> Type {
        self.prog.instances[cx.inst].exprs[e.id].clone()
    }

    fn local_ty(&self, cx: &FnCx<'ctx>, l: hir::LocalId) -> Type {
        self.prog.instances[cx.inst].locals[l].clone()
    }

    fn store_target(
        &mut self,
        cx: &mut FnCx<'ctx>,
        target: &Target,
        v: BasicValueEnum<'ctx>,
        t: &Type,
    ) -> Cg<()> {
        match target {
            Target::Local(l, _) => {
                let lt = self.local_ty(cx, *l);
                let v = self.coerce(cx, v, t, &lt)?;
                self.store_local(cx, *l, v)?;
            }
            Target::Item(array, indices, span) if self.ty(cx, array) == Type::Object => {
                self.set_loc(cx.scope, span);
                self.set_item(cx, array, indices, v, t)?;
            }
            Target::Item(array, indices, span) => {
                let (v, t) = match t {
                    Type::Object => {
                        let Type::Array(at) = self.ty(cx, array) else {
                            return Err(CgError("item of a non-array".into()));
                        };
                        // Convert first: the element address is computed after (nothing can fail between).
                        (self.unbox_for_store(cx, v.into_pointer_value(), &at.elem())?, at.elem())
                    }
                    _ => (v, t.clone()),
                };
                let (arr, at, ptr) = self.item_address(cx, array, indices)?;
                self.set_loc(cx.scope, span);
                self.store_element(cx, arr, ptr, at.dtype, v, &t)?;
                self.tag_element_access(cx, array, ptr);
            }
            Target::Attr(value, name, span) => {
                self.set_loc(cx.scope, span);
                self.set_attr(cx, value, name, v, t)?;
            }
            Target::Global(name, span) => {
                self.set_loc(cx.scope, span);
                self.set_module_value(cx, name, v, t)?;
            }
            Target::Tuple(items, _) if *t == Type::Object => {
                let values = self.unpack(cx, v.into_pointer_value(), items.len())?;
                cx.temps.extend(values.iter().copied());
                for (item, value) in items.iter().zip(values) {
                    cx.temps.retain(|x| *x != value);
                    self.store_target(cx, item, value.into(), &Type::Object)?;
                }
            }
            Target::Tuple(items, _) => {
                let Type::Tuple(ts) = t else {
                    return Err(CgError("unpacking a non-tuple".into()));
                };
                // Read every item first: `a, b = b, a` must see the old values.
                let mut values = Vec::new();
                for i in 0..items.len() {
                    values.push(self.b.build_extract_value(v.into_struct_value(), i as u32, "")?);
                }
                for ((item, value), it) in items.iter().zip(values).zip(ts) {
                    self.store_target(cx, item, value, it)?;
                }
            }
        }
        Ok(())
    }

    /// Stores into a local; an object local releases the object it held.
    fn store_local(
        &mut self,
        cx: &mut FnCx<'ctx>,
        l: hir::LocalId,
        v: BasicValueEnum<'ctx>,
    ) -> Cg<()> {
        if self.local_ty(cx, l) == Type::Object {
            let old = self.b.build_load(self.ptr_type(), cx.locals[l], "")?.into_pointer_value();
            self.b.build_store(cx.locals[l], v)?;
            self.obj_decref(old)?;
        } else {
            self.b.build_store(cx.locals[l], v)?;
        }
        Ok(())
    }

    fn stmt(&mut self, cx: &mut FnCx<'ctx>, s: &Stmt) -> Cg<()> {
        if cx.spec.is_some() {
            return self.speculative_stmt(cx, s);
        }
        self.set_loc(cx.scope, &s.span);
        // An `if` planned to run as selects (ifconvert.rs).
        if let StmtKind::If { cond, then, orelse } = &s.kind {
            match self.plan.strategy(cx.inst, s) {
                Some(Strategy::IfSelect) => return self.conditional_update(cx, cond, then),
                Some(Strategy::SelectBranches(branches)) => {
                    return self.select_branches(cx, cond, then, orelse, branches)
                }
                _ => {}
            }
        }
        match &s.kind {
            // `a, b = x, y` holding objects: item by item (all read before any is stored).
            StmtKind::Assign {
                target: Target::Tuple(targets, _),
                value: value @ Expr { kind: ExprKind::Tuple(items), .. },
            } if targets.len() == items.len() && self.ty(cx, value) == Type::Object => {
                let mut values = Vec::new();
                for item in items {
                    let v = self.expr(cx, item)?;
                    let t = self.ty(cx, item);
                    if t == Type::Object {
                        cx.temps.push(v.into_pointer_value());
                    }
                    values.push((v, t));
                }
                self.set_loc(cx.scope, &s.span);
                for (target, (v, t)) in targets.iter().zip(values) {
                    if t == Type::Object {
                        let p = v.into_pointer_value();
                        cx.temps.retain(|x| *x != p);
                    }
                    self.store_target(cx, target, v, &t)?;
                }
            }
            StmtKind::Assign { target, value } => {
                let v = self.expr(cx, value)?;
                let t = self.ty(cx, value);
                self.set_loc(cx.scope, &s.span);
                self.store_target(cx, target, v, &t)?;
            }
            StmtKind::AugAssign { target, op, value, target_span }
                if self.local_ty(cx, *target) == Type::Object =>
            {
                let current = self.load_object_local(cx, *target)?;
                cx.temps.push(current);
                let v = self.expr(cx, value)?;
                let vt = self.ty(cx, value);
                cx.temps.pop();
                self.set_loc(cx.scope, target_span);
                let r = self.object_binary(cx, *op, current.into(), &Type::Object, v, &vt, true)?;
                self.store_local(cx, *target, r.into())?;
            }
            StmtKind::AugAssignItem { array, indices, target_span, op, value }
                if self.ty(cx, array) == Type::Object =>
            {
                self.set_loc(cx.scope, target_span);
                self.aug_assign_item(cx, array, indices, *op, value)?;
            }
            StmtKind::RaiseObject(e, cause) => {
                self.raise_object(cx, e, cause.as_ref())?;
            }
            StmtKind::ForRange { target, body, orelse, each: Some(holders), .. }
                if holders.iter().any(|h| self.local_ty(cx, *h) == Type::Object) =>
            {
                self.for_each_object(cx, *target, holders, body, orelse)?;
            }
            StmtKind::AugAssign { target, op, value, target_span } => {
                let lt = self.local_ty(cx, *target);
                let current = self.b.build_load(self.llvm_type(&lt), cx.locals[*target], "")?;
                let v = self.expr(cx, value)?;
                let vt = self.ty(cx, value);
                self.set_loc(cx.scope, target_span);
                let (r, rt) = self.binary(cx, *op, current, &lt, v, &vt, value)?;
                let r = self.convert(r, &rt, &lt)?;
                self.b.build_store(cx.locals[*target], r)?;
            }
            StmtKind::AugAssignItem { array, indices, target_span, op, value } => {
                let (arr, at, ptr) = self.item_address(cx, array, indices)?;
                let current = self.load_element(ptr, at.dtype)?;
                let v = self.expr(cx, value)?;
                let vt = self.ty(cx, value);
                self.set_loc(cx.scope, target_span);
                let (r, rt) = self.element_binary(cx, *op, current, &at.elem(), v, &vt, value)?;
                let (r, rt) = if rt == Type::Object {
                    (self.unbox_for_store(cx, r.into_pointer_value(), &at.elem())?, at.elem())
                } else {
                    (r, rt)
                };
                self.store_element(cx, arr, ptr, at.dtype, r, &rt)?;
                self.tag_element_access(cx, array, ptr);
            }
            StmtKind::Expr(e) => {
                let v = self.expr(cx, e)?;
                // The value is not kept: an object result is released.
                if self.ty(cx, e) == Type::Object {
                    self.obj_decref(v.into_pointer_value())?;
                }
            }
            StmtKind::If { cond, then, orelse } => {
                let c = self.condition(cx, cond)?;
                let after = self.append(cx.func, "endif");
                self.branches(cx, c, then, orelse, after)?;
                self.b.position_at_end(after);
            }
            StmtKind::While { cond, body, orelse } => {
                let head = self.append(cx.func, "while");
                let body_bb = self.append(cx.func, "body");
                let else_bb = self.append(cx.func, "while.else");
                let after = self.append(cx.func, "endwhile");
                self.b.build_unconditional_branch(head)?;
                self.b.position_at_end(head);
                let c = self.condition(cx, cond)?;
                self.b.build_conditional_branch(c, body_bb, else_bb)?;
                self.b.position_at_end(body_bb);
                cx.loops.push((head, after, cx.temps.len(), cx.finally_stack.len()));
                self.block(cx, body)?;
                cx.loops.pop();
                self.set_loc(cx.scope, &s.span);
                let back = self.b.build_unconditional_branch(head)?;
                self.mark_loop(back);
                self.b.position_at_end(else_bb);
                self.block(cx, orelse)?;
                self.b.build_unconditional_branch(after)?;
                self.b.position_at_end(after);
            }
            StmtKind::ForRange { target, start, stop, step, body, orelse, parallel, .. } => {
                self.for_range(
                    cx,
                    s,
                    *target,
                    start.as_ref(),
                    stop,
                    step.as_ref(),
                    body,
                    orelse,
                    parallel.as_deref(),
                )?;
            }
            StmtKind::Break | StmtKind::Continue => {
                self.leave_loop_body(cx, matches!(s.kind, StmtKind::Break))?;
                self.open_dead_block(cx.func);
            }
            StmtKind::Try { body, handlers, orelse, finalbody } => {
                self.try_stmt(cx, body, handlers, orelse, finalbody)?;
            }
            StmtKind::Reraise => {
                let [tp, value, tb] = *cx
                    .handling
                    .last()
                    .ok_or_else(|| CgError("bare raise outside a handler".into()))?;
                for o in [tp, value, tb] {
                    self.obj_xincref(o)?;
                }
                cpython::call(self, "PyErr_Restore", &[tp.into(), value.into(), tb.into()])?;
                let unwind = self.unwind_block(cx)?;
                self.b.build_unconditional_branch(unwind)?;
                self.open_dead_block(cx.func);
            }
            StmtKind::Return(value) => {
                let ret = self.prog.instances[cx.inst].ret.clone();
                let v = match value {
                    Some(e) => {
                        let v = self.expr(cx, e)?;
                        let t = self.ty(cx, e);
                        self.coerce(cx, v, &t, &ret)?
                    }
                    None => {
                        let none = self.ctx.struct_type(&[], false).const_zero().into();
                        self.coerce(cx, none, &Type::None, &ret)?
                    }
                };
                self.set_loc(cx.scope, &s.span);
                if cx.finally_stack.is_empty() {
                    self.return_value(cx, v)?;
                } else {
                    self.return_through_finally(cx, v)?;
                }
                self.open_dead_block(cx.func);
            }
            StmtKind::Raise { exception, message } => {
                self.raise(cx, exception, message.as_deref())?;
            }
            StmtKind::Assert { cond, message } => {
                let c = self.condition(cx, cond)?;
                let cont = self.append(cx.func, "assert.ok");
                let fail = self.append(cx.func, "assert.fail");
                self.b.build_conditional_branch(c, cont, fail)?;
                self.b.position_at_end(fail);
                self.raise(cx, "AssertionError", message.as_deref())?;
                self.b.build_unconditional_branch(cont)?;
                self.b.position_at_end(cont);
            }
        }
        Ok(())
    }

    /// `for target in range(start, stop, step)`: counts k = 0..len(range) and sets
    /// target = start + k*step, the shape LLVM's loop passes understand best; no overflow
    /// even for ranges that end near the int64 limits.
    #[allow(clippy::too_many_arguments)]
    fn for_range(
        &mut self,
        cx: &mut FnCx<'ctx>,
        s: &Stmt,
        target: hir::LocalId,
        start: Option<&Expr>,
        stop: &Expr,
        step: Option<&Expr>,
        body: &[Stmt],
        orelse: &[Stmt],
        parallel: Option<&hir::Parallel>,
    ) -> Cg<()> {
        let int = |this: &mut Self, cx: &mut FnCx<'ctx>, e: &Expr| -> Cg<IntValue<'ctx>> {
            Ok(this.operand(cx, e, &Type::Int)?.into_int_value())
        };
        let start_v = match start {
            Some(e) => int(self, cx, e)?,
            None => self.i64(0),
        };
        let stop_v = int(self, cx, stop)?;
        let step_const = match step.map(|e| &e.kind) {
            None => Some(1),
            Some(ExprKind::Const(Const::Int(k))) => Some(*k),
            _ => None,
        };
        let step_v = match step {
            Some(e) => int(self, cx, e)?,
            None => self.i64(1),
        };
        self.set_loc(cx.scope, &s.span);
        let zero = self.i64(0);
        let one = self.i64(1);
        if step_const.is_none() || step_const == Some(0) {
            let nz = self.b.build_int_compare(IntPredicate::NE, step_v, zero, "")?;
            self.guard(cx, nz, "ValueError", "range() arg 3 must not be zero")?;
        }
        // Trip count, computed in unsigned arithmetic: (distance - 1) / |step| + 1 when non-empty.
        let up_count = {
            let nonempty = self.b.build_int_compare(IntPredicate::SLT, start_v, stop_v, "")?;
            let dist = self.b.build_int_sub(stop_v, start_v, "")?;
            let n = if step_const == Some(1) {
                dist
            } else {
                let d1 = self.b.build_int_sub(dist, one, "")?;
                let q = self.b.build_int_unsigned_div(d1, step_v, "")?;
                self.b.build_int_add(q, one, "")?
            };
            self.b.build_select(nonempty, n, zero, "")?.into_int_value()
        };
        let down_count = |this: &mut Self| -> Cg<IntValue<'ctx>> {
            let nonempty = this.b.build_int_compare(IntPredicate::SGT, start_v, stop_v, "")?;
            let dist = this.b.build_int_sub(start_v, stop_v, "")?;
            let d1 = this.b.build_int_sub(dist, one, "")?;
            let mag = this.b.build_int_sub(zero, step_v, "")?;
            let q = this.b.build_int_unsigned_div(d1, mag, "")?;
            let n = this.b.build_int_add(q, one, "")?;
            Ok(this.b.build_select(nonempty, n, zero, "")?.into_int_value())
        };
        let count = match step_const {
            Some(k) if k > 0 => up_count,
            Some(k) if k < 0 => down_count(self)?,
            _ => {
                let dn = down_count(self)?;
                let pos = self.b.build_int_compare(IntPredicate::SGT, step_v, zero, "")?;
                self.b.build_select(pos, up_count, dn, "")?.into_int_value()
            }
        };
        // With step 1 (most loops) the counter is i itself, `i < stop`, `i += 1` without signed
        // overflow (i < stop <= MAX): the textbook form from which LLVM derives index ranges and
        // drops bounds checks. Other steps count k = 0..len(range) and compute start + k*step,
        // which cannot overflow either for k < len.
        // A parallel loop runs through the runtime (or serially when its `if` clause is false).
        let mut region_done = None;
        if let Some(p) = parallel {
            let region = self.append(cx.func, "parallel");
            let serial = self.append(cx.func, "serial");
            let done = self.append(cx.func, "parallel.done");
            match &p.condition {
                Some(c) => {
                    let go = self.condition(cx, c)?;
                    self.b.build_conditional_branch(go, region, serial)?;
                }
                None => {
                    self.b.build_unconditional_branch(region)?;
                }
            }
            self.b.position_at_end(region);
            // With a positive constant step, the body may restate where its indexes lie.
            let range = if step_const.is_some_and(|k| k > 0) { Some((start, stop)) } else { None };
            self.parallel_for(cx, s, target, start_v, step_v, count, body, p, range)?;
            self.b.build_unconditional_branch(done)?;
            self.b.position_at_end(serial);
            region_done = Some(done);
        }
        let unit_step = step_const == Some(1);
        let after = self.append(cx.func, "endfor");
        let lp =
            CountedLoop { s, target, start: start_v, stop: stop_v, step: step_v, count, unit_step };
        // The strategy the plan chose for this loop (plan/mod.rs lists them in order).
        let plan = self.plan;
        match plan.strategy(cx.inst, s) {
            Some(Strategy::Speculate(spec)) => self.speculative_loop(cx, &lp, spec, body, after)?,
            Some(Strategy::Lanes(lanes)) => {
                // Several iterations side by side (lockstep.rs).
                self.lockstep_loop(cx, &lp, lanes, body, after)?;
            }
            Some(Strategy::Jam(jam)) => {
                // Two iterations per round, their inner loops fused (jam.rs).
                self.jammed_loop(cx, &lp, jam, body, after)?;
            }
            Some(Strategy::Unroll(stored)) => {
                // Four iterations per loop test (unroll.rs).
                self.unrolled_loop(cx, &lp, body, stored, after)?;
            }
            _ => self.counted_loop(cx, &lp, body, after)?,
        }
        self.block(cx, orelse)?;
        self.b.build_unconditional_branch(after)?;
        self.b.position_at_end(after);
        if let Some(done) = region_done {
            self.b.build_unconditional_branch(done)?;
            self.b.position_at_end(done);
        }
        Ok(())
    }

    /// A loop planned to speculate (speculate.rs): first with the checks collected (a loop that
    /// stores: block by block, then the block's stores with the checks known to pass); again as
    /// written where one failed.
    fn speculative_loop(
        &mut self,
        cx: &mut FnCx<'ctx>,
        lp: &CountedLoop<'ctx, '_>,
        plan: &crate::plan::speculate::Plan,
        body: &[Stmt],
        after: BasicBlock<'ctx>,
    ) -> Cg<()> {
        let target = lp.target;
        let restored = self.facts(cx).locals_to_restore(target, body);
        let saved = self.load_locals(cx, &restored)?;
        let flag = self.entry_alloca(cx, self.ctx.bool_type().into(), "spec.ok")?;
        self.b.build_store(flag, self.ctx.bool_type().const_int(1, false))?;
        let spec = self.speculation(cx, flag, lp, body);
        // Reads (and stores) that stay in bounds for the whole loop are checked here, once;
        // when one does not, the loop runs as written straight away.
        let mut checked_ahead = self.check_reads_ahead(cx, &spec, lp, body)?;
        if let crate::plan::speculate::Plan::Stores { writes, reads, .. } = plan {
            let stores_ok = self.check_stores_ahead(cx, writes, reads)?;
            checked_ahead = self.b.build_and(checked_ahead, stores_ok, "")?;
        }
        let speculate_bb = self.append(cx.func, "spec");
        let rerun = self.append(cx.func, "spec.rerun");
        let br = self.b.build_conditional_branch(checked_ahead, speculate_bb, rerun)?;
        self.expect_true(br);
        self.b.position_at_end(speculate_bb);
        let done = self.append(cx.func, "spec.done");
        match plan {
            crate::plan::speculate::Plan::Stores { checks_in_loop: false, .. } => {
                // Everything was checked above: the stores run at once.
                self.loop_in_mode(cx, lp, body, after, None, true)?;
                self.b.build_unconditional_branch(done)?;
            }
            crate::plan::speculate::Plan::Stores { .. } => {
                self.speculative_blocks(cx, lp, body, after, flag, &restored, done)?
            }
            crate::plan::speculate::Plan::Pure => {
                self.loop_in_mode(cx, lp, body, after, Some(spec), false)?;
                let ok = self.b.build_load(self.ctx.bool_type(), flag, "")?.into_int_value();
                let br = self.b.build_conditional_branch(ok, done, rerun)?;
                self.expect_true(br);
            }
        }
        self.b.position_at_end(rerun);
        self.store_locals(cx, &saved)?;
        self.counted_loop(cx, lp, body, after)?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        Ok(())
    }

    /// A speculative loop that stores (`crate::plan::speculate::Plan::Stores`), a block of
    /// [`STORE_BLOCK`] iterations at a time: the block's checks, then, if they all passed, its
    /// stores with the checks known to pass, else the block as written; so each block's data
    /// is read from memory once. A block that fails raises where Python would, the blocks
    /// before it done. Ends by branching to `done`.
    #[allow(clippy::too_many_arguments)]
    fn speculative_blocks(
        &mut self,
        cx: &mut FnCx<'ctx>,
        lp: &CountedLoop<'ctx, '_>,
        body: &[Stmt],
        after: BasicBlock<'ctx>,
        flag: PointerValue<'ctx>,
        restored: &[hir::LocalId],
        done: BasicBlock<'ctx>,
    ) -> Cg<()> {
        let i64t = self.ctx.i64_type();
        let block_start = self.entry_alloca(cx, i64t.into(), "spec.block")?;
        self.b.build_store(block_start, lp.start)?;
        let head = self.append(cx.func, "spec.blocks");
        let block = self.append(cx.func, "spec.block.checks");
        let checked = self.append(cx.func, "spec.checked");
        let as_written = self.append(cx.func, "spec.block.rerun");
        let next = self.append(cx.func, "spec.block.next");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let from = self.b.build_load(i64t, block_start, "")?.into_int_value();
        let more = self.b.build_int_compare(IntPredicate::SLT, from, lp.stop, "")?;
        self.b.build_conditional_branch(more, block, done)?;
        self.b.position_at_end(block);
        // from < stop, so stop - from fits unsigned, and from + STORE_BLOCK cannot overflow
        // when it is below stop.
        let left = self.b.build_int_sub(lp.stop, from, "")?;
        let long = self.b.build_int_compare(IntPredicate::UGT, left, self.i64(STORE_BLOCK), "")?;
        let to = self
            .b
            .build_select(
                long,
                self.b.build_int_add(from, self.i64(STORE_BLOCK), "")?,
                lp.stop,
                "",
            )?
            .into_int_value();
        let part = CountedLoop { start: from, stop: to, ..*lp };
        let at_start = self.load_locals(cx, restored)?;
        self.b.build_store(flag, self.ctx.bool_type().const_int(1, false))?;
        let spec = self.speculation(cx, flag, &part, body);
        self.loop_in_mode(cx, &part, body, after, Some(spec), false)?;
        let ok = self.b.build_load(self.ctx.bool_type(), flag, "")?.into_int_value();
        let br = self.b.build_conditional_branch(ok, checked, as_written)?;
        self.expect_true(br);
        for (target, checks_pass) in [(checked, true), (as_written, false)] {
            self.b.position_at_end(target);
            self.store_locals(cx, &at_start)?;
            self.loop_in_mode(cx, &part, body, after, None, checks_pass)?;
            self.b.build_unconditional_branch(next)?;
        }
        self.b.position_at_end(next);
        self.b.build_store(block_start, to)?;
        let back = self.b.build_unconditional_branch(head)?;
        self.mark_loop(back);
        Ok(())
    }

    /// [`Self::counted_loop`] speculating (`spec`) or with every check known to pass.
    fn loop_in_mode(
        &mut self,
        cx: &mut FnCx<'ctx>,
        lp: &CountedLoop<'ctx, '_>,
        body: &[Stmt],
        after: BasicBlock<'ctx>,
        spec: Option<speculate::Speculation<'ctx>>,
        checks_pass: bool,
    ) -> Cg<()> {
        cx.spec = spec;
        cx.checks_pass = checks_pass;
        let looped = self.counted_loop(cx, lp, body, after);
        cx.spec = None;
        cx.checks_pass = false;
        looped
    }

    /// The current values of some (non-object) locals, to put back with [`Self::store_locals`].
    fn load_locals(
        &self,
        cx: &FnCx<'ctx>,
        locals: &[hir::LocalId],
    ) -> Cg<Vec<(hir::LocalId, BasicValueEnum<'ctx>)>> {
        locals
            .iter()
            .map(|l| {
                Ok((
                    *l,
                    self.b.build_load(self.llvm_type(&self.local_ty(cx, *l)), cx.locals[*l], "")?,
                ))
            })
            .collect()
    }

    fn store_locals(
        &self,
        cx: &FnCx<'ctx>,
        values: &[(hir::LocalId, BasicValueEnum<'ctx>)],
    ) -> Cg<()> {
        for (l, v) in values {
            self.b.build_store(cx.locals[*l], *v)?;
        }
        Ok(())
    }

    /// The loop itself: counter, test, body, increment. `break` goes to `after`; the builder is
    /// left where the loop ends normally (where `else` runs).
    fn counted_loop(
        &mut self,
        cx: &mut FnCx<'ctx>,
        lp: &CountedLoop<'ctx, '_>,
        body: &[Stmt],
        after: BasicBlock<'ctx>,
    ) -> Cg<()> {
        let (zero, one) = (self.i64(0), self.i64(1));
        let counter = self.entry_alloca(cx, self.ctx.i64_type().into(), "k")?;
        self.b.build_store(counter, if lp.unit_step { lp.start } else { zero })?;
        let head = self.append(cx.func, "for");
        let body_bb = self.append(cx.func, "for.body");
        let latch = self.append(cx.func, "for.next");
        let else_bb = self.append(cx.func, "for.else");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let k = self.b.build_load(self.ctx.i64_type(), counter, "k")?.into_int_value();
        let more = if lp.unit_step {
            self.b.build_int_compare(IntPredicate::SLT, k, lp.stop, "")?
        } else {
            self.b.build_int_compare(IntPredicate::ULT, k, lp.count, "")?
        };
        self.b.build_conditional_branch(more, body_bb, else_bb)?;
        self.b.position_at_end(body_bb);
        let i = if lp.unit_step {
            k
        } else {
            let offset = self.b.build_int_nsw_mul(k, lp.step, "")?;
            self.b.build_int_nsw_add(lp.start, offset, "i")?
        };
        let lt = self.local_ty(cx, lp.target);
        let iv = self.coerce(cx, i.into(), &Type::Int, &lt)?;
        self.store_local(cx, lp.target, iv)?;
        cx.loops.push((latch, after, cx.temps.len(), cx.finally_stack.len()));
        self.block(cx, body)?;
        cx.loops.pop();
        self.b.build_unconditional_branch(latch)?;
        self.b.position_at_end(latch);
        self.set_loc(cx.scope, &lp.s.span);
        let k = self.b.build_load(self.ctx.i64_type(), counter, "")?.into_int_value();
        let k1 = if lp.unit_step {
            self.b.build_int_nsw_add(k, one, "")?
        } else {
            self.b.build_int_add(k, one, "")?
        };
        self.b.build_store(counter, k1)?;
        let back = self.b.build_unconditional_branch(head)?;
        self.mark_loop(back);
        self.b.position_at_end(else_bb);
        Ok(())
    }

    /// Marks a branch whose condition is almost always true (the error path is the other one),
    /// so LLVM lays the hot path out straight and keeps error code out of loops.
    fn expect_true(&self, br: inkwell::values::InstructionValue<'ctx>) {
        self.branch_weights(br, 2000, 1);
    }

    fn expect_false(&self, br: inkwell::values::InstructionValue<'ctx>) {
        self.branch_weights(br, 1, 2000);
    }

    fn branch_weights(
        &self,
        br: inkwell::values::InstructionValue<'ctx>,
        taken: u64,
        not_taken: u64,
    ) {
        let i32t = self.ctx.i32_type();
        let node = self.ctx.metadata_node(&[
            self.ctx.metadata_string("branch_weights").into(),
            i32t.const_int(taken, false).into(),
            i32t.const_int(not_taken, false).into(),
        ]);
        // Only fails for a value that is not an instruction, which `br` always is.
        let _ = br.set_metadata(node, self.ctx.get_kind_id("prof"));
    }

    /// Gives a loop's back edge `!llvm.loop` metadata holding the loop statement's location, so
    /// LLVM's remarks about the loop name its line even after inlining moved it elsewhere.
    fn mark_loop(&self, back_edge: inkwell::values::InstructionValue<'ctx>) {
        use inkwell::values::AsValueRef;
        // SAFETY: plain LLVM-C metadata calls on values of this context; the temporary node is
        // replaced (and so freed) before the function returns.
        unsafe {
            let ctx = self.ctx.raw();
            let inst = back_edge.as_value_ref();
            let location = llvm_sys::debuginfo::LLVMInstructionGetDebugLoc(inst);
            if location.is_null() {
                return;
            }
            let placeholder =
                llvm_sys::debuginfo::LLVMTemporaryMDNode(ctx, std::ptr::null_mut(), 0);
            let mut items = [placeholder, location];
            let node = llvm_sys::core::LLVMMDNodeInContext2(ctx, items.as_mut_ptr(), items.len());
            llvm_sys::debuginfo::LLVMMetadataReplaceAllUsesWith(placeholder, node);
            let kind = llvm_sys::core::LLVMGetMDKindIDInContext(
                ctx,
                c"llvm.loop".as_ptr(),
                "llvm.loop".len() as u32,
            );
            llvm_sys::core::LLVMSetMetadata(
                inst,
                kind,
                llvm_sys::core::LLVMMetadataAsValue(ctx, node),
            );
        }
    }

    /// A fresh `failed` flag for calls into compiled code from here (a wrapper, a parallel
    /// body): a slot in the current function's entry block, cleared where the builder is.
    fn failed_flag(&self) -> Cg<PointerValue<'ctx>> {
        let here = self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        let func = here.get_parent().ok_or_else(|| CgError("block without a function".into()))?;
        let entry = func.get_first_basic_block().ok_or_else(|| CgError("no entry block".into()))?;
        let loc = self.b.get_current_debug_location();
        match entry.get_first_instruction() {
            Some(first) => self.b.position_before(&first),
            None => self.b.position_at_end(entry),
        }
        let slot = self.b.build_alloca(self.ctx.bool_type(), "failed.flag")?;
        self.b.position_at_end(here);
        if let Some(l) = loc {
            self.b.set_current_debug_location(l);
        }
        self.b.build_store(slot, self.ctx.bool_type().const_zero())?;
        Ok(slot)
    }

    /// An alloca in the entry block (where mem2reg can promote it).
    fn entry_alloca(
        &self,
        cx: &FnCx<'ctx>,
        ty: BasicTypeEnum<'ctx>,
        name: &str,
    ) -> Cg<PointerValue<'ctx>> {
        let here = self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        let entry =
            cx.func.get_first_basic_block().ok_or_else(|| CgError("no entry block".into()))?;
        // Positioning before an instruction takes its debug location: keep ours.
        let loc = self.b.get_current_debug_location();
        match entry.get_first_instruction() {
            Some(first) => self.b.position_before(&first),
            None => self.b.position_at_end(entry),
        }
        let slot = self.b.build_alloca(ty, name)?;
        self.b.position_at_end(here);
        if let Some(l) = loc {
            self.b.set_current_debug_location(l);
        }
        Ok(slot)
    }

    /// Converts a value between the types the lattice allows (bool → int → float, item-wise for tuples).
    fn convert(&self, v: BasicValueEnum<'ctx>, from: &Type, to: &Type) -> Cg<BasicValueEnum<'ctx>> {
        if from == to || *to == Type::Unknown {
            return Ok(v);
        }
        Ok(match (from, to) {
            (Type::Bool, Type::Int) => {
                self.b.build_int_z_extend(v.into_int_value(), self.ctx.i64_type(), "")?.into()
            }
            (Type::Bool, Type::Float) => self
                .b
                .build_unsigned_int_to_float(v.into_int_value(), self.ctx.f64_type(), "")?
                .into(),
            (Type::Int, Type::Float) => self
                .b
                .build_signed_int_to_float(v.into_int_value(), self.ctx.f64_type(), "")?
                .into(),
            (Type::Tuple(fs), Type::Tuple(ts)) if fs.len() == ts.len() => {
                let mut agg = self.llvm_type(to).into_struct_type().get_undef();
                for (i, (f, t)) in fs.iter().zip(ts).enumerate() {
                    let item = self.b.build_extract_value(v.into_struct_value(), i as u32, "")?;
                    let item = self.convert(item, f, t)?;
                    agg = self.b.build_insert_value(agg, item, i as u32, "")?.into_struct_value();
                }
                agg.into()
            }
            (Type::Array(a), Type::Array(b)) if a.ndim == b.ndim => v,
            (Type::Bool | Type::Int | Type::Float, Type::Complex) => {
                self.to_complex(v, from)?.into()
            }
            (Type::Unknown, t) => self.llvm_type(t).const_zero(),
            _ => return Err(CgError(format!("cannot convert {from} to {to}"))),
        })
    }

    /// Python truthiness as an i1.
    fn truthy(&self, v: BasicValueEnum<'ctx>, t: &Type) -> Cg<IntValue<'ctx>> {
        Ok(match t {
            Type::Bool => v.into_int_value(),
            Type::Int | Type::Unknown => {
                self.b.build_int_compare(IntPredicate::NE, v.into_int_value(), self.i64(0), "")?
            }
            Type::Float => self.b.build_float_compare(
                FloatPredicate::UNE,
                v.into_float_value(),
                self.f64(0.0),
                "",
            )?,
            Type::Complex => {
                let (re, im) = self.parts(v.into_struct_value())?;
                let re = self.b.build_float_compare(FloatPredicate::UNE, re, self.f64(0.0), "")?;
                let im = self.b.build_float_compare(FloatPredicate::UNE, im, self.f64(0.0), "")?;
                self.b.build_or(re, im, "")?
            }
            Type::None => self.ctx.bool_type().const_zero(),
            Type::Tuple(items) => self.ctx.bool_type().const_int(!items.is_empty() as u64, false),
            Type::Array(_) => return Err(CgError("truth value of an array".into())),
            Type::Object => {
                return Err(CgError("truth value of an object without a function context".into()))
            }
        })
    }

    fn condition(&mut self, cx: &mut FnCx<'ctx>, e: &Expr) -> Cg<IntValue<'ctx>> {
        let v = self.expr(cx, e)?;
        let t = self.ty(cx, e);
        if t == Type::Object {
            return self.object_truth(cx, v);
        }
        self.truthy(v, &t)
    }

    fn const_value(&self, c: &Const) -> BasicValueEnum<'ctx> {
        match c {
            Const::Int(i) => self.i64(*i).into(),
            Const::Float(f) => self.f64(*f).into(),
            Const::Bool(b) => self.ctx.bool_type().const_int(*b as u64, false).into(),
            Const::Complex(r, i) => self
                .complex_type()
                .const_named_struct(&[self.f64(*r).into(), self.f64(*i).into()])
                .into(),
            Const::None => self.ctx.struct_type(&[], false).const_zero().into(),
            // Strings are module objects (`objects::const_object`), never native values.
            Const::Str(_) => self.ptr_type().const_null().into(),
            Const::Tuple(items) => {
                let ty = self.llvm_type(&const_type(c)).into_struct_type();
                let vals: Vec<_> = items.iter().map(|i| self.const_value(i)).collect();
                ty.const_named_struct(&vals).into()
            }
        }
    }

    fn expr(&mut self, cx: &mut FnCx<'ctx>, e: &Expr) -> Cg<BasicValueEnum<'ctx>> {
        let t = self.ty(cx, e);
        if self.is_object_expr(cx, e) {
            self.set_loc(cx.scope, &e.span);
            return if t == Type::Object {
                Ok(self.object_expr(cx, e)?.into())
            } else {
                self.object_to_native_expr(cx, e)
            };
        }
        let v = match &e.kind {
            ExprKind::Const(c) => {
                let v = self.const_value(c);
                self.convert(v, &const_type(c), &t)?
            }
            ExprKind::Local(l) => {
                self.set_loc(cx.scope, &e.span);
                let lt = self.local_ty(cx, *l);
                self.b.build_load(self.llvm_type(&lt), cx.locals[*l], "")?
            }
            ExprKind::Tuple(items) => {
                let mut vals = Vec::new();
                for i in items {
                    vals.push(self.expr(cx, i)?);
                }
                self.set_loc(cx.scope, &e.span);
                let mut agg = self.llvm_type(&t).into_struct_type().get_undef();
                for (i, v) in vals.into_iter().enumerate() {
                    agg = self.b.build_insert_value(agg, v, i as u32, "")?.into_struct_value();
                }
                agg.into()
            }
            ExprKind::Unary(op, operand) => {
                let v = self.expr(cx, operand)?;
                let ot = self.ty(cx, operand);
                self.set_loc(cx.scope, &e.span);
                match op {
                    UnaryOp::Not => self.b.build_not(self.truthy(v, &ot)?, "")?.into(),
                    UnaryOp::Pos => self.convert(v, &ot, &t)?,
                    UnaryOp::Neg => match self.convert(v, &ot, &t)? {
                        BasicValueEnum::FloatValue(f) => self.b.build_float_neg(f, "")?.into(),
                        BasicValueEnum::StructValue(z) => {
                            let (re, im) = self.parts(z)?;
                            self.make_complex(
                                self.b.build_float_neg(re, "")?,
                                self.b.build_float_neg(im, "")?,
                            )?
                            .into()
                        }
                        other => self.int_negate(cx, other.into_int_value())?.into(),
                    },
                    UnaryOp::Invert => {
                        let i = self.convert(v, &ot, &Type::Int)?.into_int_value();
                        self.b.build_not(i, "")?.into()
                    }
                }
            }
            ExprKind::Binary(op, l, r) => {
                let lv = self.expr(cx, l)?;
                let rv = self.expr(cx, r)?;
                let (lt, rt) = (self.ty(cx, l), self.ty(cx, r));
                self.set_loc(cx.scope, &e.span);
                let (v, vt) = self.binary(cx, *op, lv, &lt, rv, &rt, r)?;
                self.convert(v, &vt, &t)?
            }
            ExprKind::Compare(first, rest) => self.compare_chain(cx, e, first, rest)?,
            ExprKind::BoolOp(kind, values) => self.bool_op(cx, e, *kind, values, &t)?,
            ExprKind::IfExp(cond, then, orelse) => {
                let slot = self.entry_alloca(cx, self.llvm_type(&t), "ifexp")?;
                let c = self.condition(cx, cond)?;
                let then_bb = self.append(cx.func, "ifexp.then");
                let else_bb = self.append(cx.func, "ifexp.else");
                let after = self.append(cx.func, "ifexp.end");
                self.b.build_conditional_branch(c, then_bb, else_bb)?;
                for (bb, branch) in [(then_bb, then), (else_bb, orelse)] {
                    self.b.position_at_end(bb);
                    let v = self.expr(cx, branch)?;
                    let bt = self.ty(cx, branch);
                    let v = self.coerce(cx, v, &bt, &t)?;
                    self.b.build_store(slot, v)?;
                    self.b.build_unconditional_branch(after)?;
                }
                self.b.position_at_end(after);
                self.b.build_load(self.llvm_type(&t), slot, "")?
            }
            ExprKind::Call(_, args) => {
                let target = *self.prog.instances[cx.inst]
                    .calls
                    .get(&e.id)
                    .ok_or_else(|| CgError("call without an instance".into()))?;
                let mut vals = Vec::new();
                let mut object_args = 0;
                let param_types = self.prog.instances[target].params.clone();
                for (a, pt) in args.iter().zip(&param_types) {
                    let v: BasicValueEnum = match a {
                        Arg::Given(x) => {
                            let xt = self.ty(cx, x);
                            let v = self.expr(cx, x)?;
                            self.coerce(cx, v, &xt, pt)?
                        }
                        Arg::Default(c) if *pt == Type::Object => {
                            let o = self.const_object(c)?;
                            self.obj_incref(o)?;
                            o.into()
                        }
                        Arg::Default(c) => self.const_value(c),
                    };
                    // Object arguments are lent to the callee and released after the call.
                    if *pt == Type::Object {
                        cx.temps.push(v.into_pointer_value());
                        object_args += 1;
                    }
                    vals.push(v.into());
                }
                self.set_loc(cx.scope, &e.span);
                if let Some(depth) = self.depth_for_call(cx, target)? {
                    vals.push(depth.into());
                }
                // From one function that fails by escape to another: straight to its body, with
                // the jump buffer; a failure never comes back here. Otherwise through the
                // callee's entry, with the flag, checked after the call.
                let escape_to = match (cx.escape, self.escape_bodies.get(&target)) {
                    (Some(jump_buffer), Some(body)) => Some((jump_buffer, *body)),
                    _ => None,
                };
                vals.push(escape_to.map_or(cx.failed, |(jump_buffer, _)| jump_buffer).into());
                let callee = match (
                    target == cx.inst,
                    cx.self_call,
                    self.self_calls.get(&target),
                    escape_to,
                ) {
                    (true, Some(original), _, _) => original,
                    (true, None, Some(twin), _) => *twin,
                    (_, _, _, Some((_, body))) => body,
                    _ => self.natives[target],
                };
                let call = self.b.build_call(callee, &vals, "")?;
                let v = call
                    .try_as_basic_value()
                    .basic()
                    .ok_or_else(|| CgError("native call returned void".into()))?;
                if escape_to.is_none() {
                    self.check_native_call(cx)?;
                }
                for _ in 0..object_args {
                    let arg = cx
                        .temps
                        .pop()
                        .ok_or_else(|| CgError("temporary stack underflow".into()))?;
                    self.obj_decref(arg)?;
                }
                let rt = self.prog.instances[target].ret.clone();
                self.adopt_returned(cx, v, &rt)?;
                self.coerce(cx, v, &rt, &t)?
            }
            ExprKind::Builtin(b, args) => {
                let mut vals = Vec::new();
                let mut types = Vec::new();
                for a in args {
                    vals.push(self.expr(cx, a)?);
                    types.push(self.ty(cx, a));
                }
                self.set_loc(cx.scope, &e.span);
                self.builtin(cx, *b, &vals, &types, args, &t)?
            }
            ExprKind::Subscript(value, indices) => {
                let v = self.subscript(cx, value, indices, &t)?;
                self.set_loc(cx.scope, &e.span);
                v
            }
            ExprKind::Attr(value, attr @ (hir::ArrayAttr::Real | hir::ArrayAttr::Imag)) => {
                let v = self.expr(cx, value)?;
                match self.ty(cx, value) {
                    Type::Complex => {
                        let (re, im) = self.parts(v.into_struct_value())?;
                        (if *attr == hir::ArrayAttr::Real { re } else { im }).into()
                    }
                    // A real number is its own real part; its imaginary part is 0.
                    vt if *attr == hir::ArrayAttr::Real => self.convert(v, &vt, &t)?,
                    _ => self.llvm_type(&t).const_zero(),
                }
            }
            ExprKind::Attr(value, attr) => self.array_attr(cx, value, *attr, &t)?,
            ExprKind::Copy(value) => {
                self.set_loc(cx.scope, &e.span);
                self.copy_array(cx, value, &t)?
            }
            ExprKind::NpCreate(f, args, _) => {
                self.set_loc(cx.scope, &e.span);
                self.np_create(cx, *f, args, &t)?
            }
            // An item of a loop over arrays: the element (or view) at the loop's index.
            ExprKind::EachItem(_, item) => self.expr(cx, item)?,
            ExprKind::Global(_)
            | ExprKind::List(_)
            | ExprKind::Set(_)
            | ExprKind::Dict(_)
            | ExprKind::GetAttr(..)
            | ExprKind::CallObject(..)
            | ExprKind::CallMethod(..)
            | ExprKind::FString(_)
            | ExprKind::Comprehension(..)
            | ExprKind::Lambda(..) => {
                return Err(CgError("an object expression typed as a native value".into()));
            }
        };
        Ok(v)
    }

    /// Extracts the value of a native call's `{value, failed}`, leaving the function on failure.
    fn check_failed(
        &mut self,
        cx: &mut FnCx<'ctx>,
        result: StructValue<'ctx>,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let failed = self.b.build_extract_value(result, 1, "failed")?.into_int_value();
        let unwind = self.unwind_block(cx)?;
        let cont = self.append(cx.func, "call.ok");
        let br = self.b.build_conditional_branch(failed, unwind, cont)?;
        self.expect_false(br);
        self.b.position_at_end(cont);
        Ok(self.b.build_extract_value(result, 0, "")?)
    }

    fn compare_chain(
        &mut self,
        cx: &mut FnCx<'ctx>,
        e: &Expr,
        first: &Expr,
        rest: &[(CmpOp, Expr)],
    ) -> Cg<BasicValueEnum<'ctx>> {
        let mut left = self.expr(cx, first)?;
        let mut lt = self.ty(cx, first);
        if rest.len() == 1 {
            let (op, right) = &rest[0];
            let rv = self.expr(cx, right)?;
            let rt = self.ty(cx, right);
            self.set_loc(cx.scope, &e.span);
            return Ok(self.compare(*op, left, &lt, rv, &rt)?.into());
        }
        // `0 <= k < n` with later operands that are plain names or constants: evaluating them
        // early cannot be observed, and one `and` of the comparisons lets LLVM fold a range
        // check into a single unsigned compare (the branchy form hides that from it).
        if rest[1..].iter().all(|(_, x)| matches!(x.kind, ExprKind::Local(_) | ExprKind::Const(_)))
        {
            let mut all = self.ctx.bool_type().const_all_ones();
            for (op, right) in rest {
                let rv = self.expr(cx, right)?;
                let rt = self.ty(cx, right);
                self.set_loc(cx.scope, &e.span);
                let c = self.compare(*op, left, &lt, rv, &rt)?;
                all = self.b.build_and(all, c, "")?;
                left = rv;
                lt = rt;
            }
            return Ok(all.into());
        }
        // `a < b < c`: stop at the first false comparison; each operand evaluated once.
        let slot = self.entry_alloca(cx, self.ctx.bool_type().into(), "cmp")?;
        self.b.build_store(slot, self.ctx.bool_type().const_zero())?;
        let after = self.append(cx.func, "cmp.end");
        for (i, (op, right)) in rest.iter().enumerate() {
            let rv = self.expr(cx, right)?;
            let rt = self.ty(cx, right);
            self.set_loc(cx.scope, &e.span);
            let c = self.compare(*op, left, &lt, rv, &rt)?;
            if i + 1 == rest.len() {
                self.b.build_store(slot, c)?;
                self.b.build_unconditional_branch(after)?;
            } else {
                let next = self.append(cx.func, "cmp.next");
                self.b.build_conditional_branch(c, next, after)?;
                self.b.position_at_end(next);
            }
            left = rv;
            lt = rt;
        }
        self.b.position_at_end(after);
        Ok(self.b.build_load(self.ctx.bool_type(), slot, "")?)
    }

    fn compare(
        &self,
        op: CmpOp,
        l: BasicValueEnum<'ctx>,
        lt: &Type,
        r: BasicValueEnum<'ctx>,
        rt: &Type,
    ) -> Cg<IntValue<'ctx>> {
        match op {
            // Native operands (types.rs allows only these): a native value is never None, and
            // True and False are singletons.
            CmpOp::Is | CmpOp::IsNot => {
                let same = match (lt, rt) {
                    (Type::None, _) | (_, Type::None) => {
                        self.ctx.bool_type().const_int((lt == rt) as u64, false)
                    }
                    (Type::Bool, Type::Bool) => self.b.build_int_compare(
                        IntPredicate::EQ,
                        l.into_int_value(),
                        r.into_int_value(),
                        "",
                    )?,
                    _ => return Err(CgError(format!("`is` between {lt} and {rt}"))),
                };
                Ok(if op == CmpOp::Is { same } else { self.b.build_not(same, "")? })
            }
            CmpOp::In | CmpOp::NotIn => {
                let Type::Tuple(items) = rt else {
                    return Err(CgError("`in` on a non-tuple".into()));
                };
                let mut found = self.ctx.bool_type().const_zero();
                for (i, it) in items.iter().enumerate() {
                    let item = self.b.build_extract_value(r.into_struct_value(), i as u32, "")?;
                    let eq = self.compare(CmpOp::Eq, l, lt, item, it)?;
                    found = self.b.build_or(found, eq, "")?;
                }
                Ok(if op == CmpOp::In { found } else { self.b.build_not(found, "")? })
            }
            _ => {
                if let (Type::Tuple(ls), Type::Tuple(rs)) = (lt, rt) {
                    let mut all = self.ctx.bool_type().const_all_ones();
                    for (i, (a, b)) in ls.iter().zip(rs).enumerate() {
                        let x = self.b.build_extract_value(l.into_struct_value(), i as u32, "")?;
                        let y = self.b.build_extract_value(r.into_struct_value(), i as u32, "")?;
                        let eq = self.compare(CmpOp::Eq, x, a, y, b)?;
                        all = self.b.build_and(all, eq, "")?;
                    }
                    return Ok(if op == CmpOp::Eq { all } else { self.b.build_not(all, "")? });
                }
                if *lt == Type::Complex || *rt == Type::Complex {
                    let eq = self.complex_eq(self.to_complex(l, lt)?, self.to_complex(r, rt)?)?;
                    return Ok(if op == CmpOp::Eq { eq } else { self.b.build_not(eq, "")? });
                }
                if *lt == Type::Float || *rt == Type::Float {
                    let x = self.convert(l, lt, &Type::Float)?.into_float_value();
                    let y = self.convert(r, rt, &Type::Float)?.into_float_value();
                    Ok(self.b.build_float_compare(float_predicate(op), x, y, "")?)
                } else {
                    let x = self.convert(l, lt, &Type::Int)?.into_int_value();
                    let y = self.convert(r, rt, &Type::Int)?.into_int_value();
                    Ok(self.b.build_int_compare(int_predicate(op), x, y, "")?)
                }
            }
        }
    }

    fn bool_op(
        &mut self,
        cx: &mut FnCx<'ctx>,
        e: &Expr,
        kind: BoolOpKind,
        values: &[Expr],
        t: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        // `a or b` is a if a is truthy, else b (and the reverse for `and`), evaluated lazily.
        let slot = self.entry_alloca(cx, self.llvm_type(t), "boolop")?;
        let after = self.append(cx.func, "boolop.end");
        for (i, v) in values.iter().enumerate() {
            let x = self.expr(cx, v)?;
            let xt = self.ty(cx, v);
            self.set_loc(cx.scope, &e.span);
            let converted = self.convert(x, &xt, t)?;
            self.b.build_store(slot, converted)?;
            if i + 1 == values.len() {
                self.b.build_unconditional_branch(after)?;
            } else {
                let truth = self.truthy(x, &xt)?;
                let next = self.append(cx.func, "boolop.next");
                match kind {
                    BoolOpKind::Or => self.b.build_conditional_branch(truth, after, next)?,
                    BoolOpKind::And => self.b.build_conditional_branch(truth, next, after)?,
                };
                self.b.position_at_end(next);
            }
        }
        self.b.position_at_end(after);
        Ok(self.b.build_load(self.llvm_type(t), slot, "")?)
    }

    pub(super) fn intrinsic(
        &self,
        name: &str,
        args: &[BasicValueEnum<'ctx>],
    ) -> Cg<BasicValueEnum<'ctx>> {
        let intr = Intrinsic::find(name).ok_or_else(|| CgError(format!("no intrinsic {name}")))?;
        let ty = args[0].get_type();
        let f = intr
            .get_declaration(&self.module, &[ty])
            .ok_or_else(|| CgError(format!("cannot declare {name}")))?;
        let args: Vec<_> = args.iter().map(|a| (*a).into()).collect();
        let call = self.b.build_call(f, &args, "")?;
        call.try_as_basic_value().basic().ok_or_else(|| CgError(format!("{name} returned void")))
    }

    fn fcall(&self, name: &str, args: &[FloatValue<'ctx>]) -> Cg<FloatValue<'ctx>> {
        let vals: Vec<BasicValueEnum> = args.iter().map(|a| (*a).into()).collect();
        Ok(self.intrinsic(name, &vals)?.into_float_value())
    }

    /// A libm function `double name(double...)`; errno is never read, so it is declared pure.
    fn libm(&self, name: &str, args: &[FloatValue<'ctx>]) -> Cg<FloatValue<'ctx>> {
        let call = self.libm_call(name, args)?;
        Ok(call
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| CgError("libm returned void".into()))?
            .into_float_value())
    }

    fn libm_call(
        &self,
        name: &str,
        args: &[FloatValue<'ctx>],
    ) -> Cg<inkwell::values::CallSiteValue<'ctx>> {
        let f = match self.module.get_function(name) {
            Some(f) => f,
            None => {
                let f64t = self.ctx.f64_type();
                let params: Vec<_> = args.iter().map(|_| f64t.into()).collect();
                let f = self.module.add_function(
                    name,
                    f64t.fn_type(&params, false),
                    Some(Linkage::External),
                );
                self.add_attr(f, "nounwind");
                self.add_attr(f, "willreturn");
                f.add_attribute(
                    AttributeLoc::Function,
                    self.ctx.create_enum_attribute(Attribute::get_named_enum_kind_id("memory"), 0),
                );
                f
            }
        };
        let vals: Vec<_> = args.iter().map(|a| (*a).into()).collect();
        Ok(self.b.build_call(f, &vals, "")?)
    }

    /// `pow(x, y)` as CPython computes `**` and `math.pow`. A constant exponent keeps
    /// `llvm.pow`, whose rewrites for it are exact (x ** 2 is x * x, x ** 0.5 a square root
    /// with pow's signed zeros and infinities). Any other exponent calls libm's pow marked
    /// `nobuiltin`: LLVM rewrites `llvm.pow`, without any fast-math flag, into `exp2(n * y)`
    /// when x turns out to be a constant 2**n (pow(2.0**40, 2.2) came out 1.5e-14 off).
    pub(super) fn pow(&self, x: FloatValue<'ctx>, y: FloatValue<'ctx>) -> Cg<FloatValue<'ctx>> {
        if y.is_const() {
            return self.fcall("llvm.pow", &[x, y]);
        }
        let call = self.libm_call("pow", &[x, y])?;
        call.add_attribute(
            AttributeLoc::Function,
            self.ctx.create_enum_attribute(Attribute::get_named_enum_kind_id("nobuiltin"), 0),
        );
        Ok(call
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| CgError("pow returned void".into()))?
            .into_float_value())
    }

    fn is_nan(&self, x: FloatValue<'ctx>) -> Cg<IntValue<'ctx>> {
        Ok(self.b.build_float_compare(FloatPredicate::UNO, x, x, "")?)
    }

    fn is_inf(&self, x: FloatValue<'ctx>) -> Cg<IntValue<'ctx>> {
        let a = self.fcall("llvm.fabs", &[x])?;
        Ok(self.b.build_float_compare(FloatPredicate::OEQ, a, self.f64(f64::INFINITY), "")?)
    }

    fn is_finite(&self, x: FloatValue<'ctx>) -> Cg<IntValue<'ctx>> {
        let a = self.fcall("llvm.fabs", &[x])?;
        Ok(self.b.build_float_compare(FloatPredicate::OLT, a, self.f64(f64::INFINITY), "")?)
    }

    #[allow(clippy::too_many_arguments)]
    fn binary(
        &mut self,
        cx: &mut FnCx<'ctx>,
        op: BinOp,
        l: BasicValueEnum<'ctx>,
        lt: &Type,
        r: BasicValueEnum<'ctx>,
        rt: &Type,
        right: &Expr,
    ) -> Cg<(BasicValueEnum<'ctx>, Type)> {
        if *lt == Type::Object || *rt == Type::Object {
            return Ok((self.object_binary(cx, op, l, lt, r, rt, false)?.into(), Type::Object));
        }
        if let (Type::Tuple(a), Type::Tuple(b)) = (lt, rt) {
            let all: Vec<Type> = a.iter().chain(b).cloned().collect();
            let t = Type::Tuple(all);
            let mut agg = self.llvm_type(&t).into_struct_type().get_undef();
            let mut k = 0;
            for (v, n) in [(l, a.len()), (r, b.len())] {
                for i in 0..n {
                    let item = self.b.build_extract_value(v.into_struct_value(), i as u32, "")?;
                    agg = self.b.build_insert_value(agg, item, k, "")?.into_struct_value();
                    k += 1;
                }
            }
            return Ok((agg.into(), t));
        }
        if *lt == Type::Complex || *rt == Type::Complex {
            let a = self.to_complex(l, lt)?;
            let b = self.to_complex(r, rt)?;
            return Ok((self.complex_binary(cx, op, a, b)?.into(), Type::Complex));
        }
        let bools = *lt == Type::Bool && *rt == Type::Bool;
        if bools && matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor) {
            let (x, y) = (l.into_int_value(), r.into_int_value());
            let v = match op {
                BinOp::BitAnd => self.b.build_and(x, y, "")?,
                BinOp::BitOr => self.b.build_or(x, y, "")?,
                _ => self.b.build_xor(x, y, "")?,
            };
            return Ok((v.into(), Type::Bool));
        }
        if op == BinOp::Div && lt.is_integral() && rt.is_integral() {
            let x = self.convert(l, lt, &Type::Int)?.into_int_value();
            let y = self.convert(r, rt, &Type::Int)?.into_int_value();
            return Ok((self.int_true_divide(cx, x, y)?.into(), Type::Float));
        }
        let floaty = *lt == Type::Float || *rt == Type::Float || op == BinOp::Div;
        let negative_const_exponent = matches!(right.kind, ExprKind::Const(Const::Int(k)) if k < 0);
        if floaty || (op == BinOp::Pow && negative_const_exponent) {
            let x = self.convert(l, lt, &Type::Float)?.into_float_value();
            let y = self.convert(r, rt, &Type::Float)?.into_float_value();
            let both_int = lt != &Type::Float && rt != &Type::Float;
            return Ok((self.float_binary(cx, op, x, y, both_int)?.into(), Type::Float));
        }
        let x = self.convert(l, lt, &Type::Int)?.into_int_value();
        let y = self.convert(r, rt, &Type::Int)?.into_int_value();
        Ok((self.int_binary(cx, op, x, y)?.into(), Type::Int))
    }

    /// `x / y` of ints, correctly rounded as CPython's: ints up to 2**53 convert exactly, so one
    /// float division rounds once; beyond, the quotient is worked out in 128 bits (the
    /// dividend shifted up so the quotient has 64 significant bits or more, a sticky bit for a
    /// nonzero remainder) and converted to a float once.
    fn int_true_divide(
        &mut self,
        cx: &mut FnCx<'ctx>,
        x: IntValue<'ctx>,
        y: IntValue<'ctx>,
    ) -> Cg<FloatValue<'ctx>> {
        let nz = self.b.build_int_compare(IntPredicate::NE, y, self.i64(0), "")?;
        self.guard(cx, nz, "ZeroDivisionError", "division by zero")?;
        let f64t = self.ctx.f64_type();
        let limit = self.i64(1 << 53);
        let small = |this: &Self, v: IntValue<'ctx>| -> Cg<IntValue<'ctx>> {
            let shifted = this.b.build_int_add(v, limit, "")?;
            Ok(this.b.build_int_compare(IntPredicate::ULE, shifted, this.i64(1 << 54), "")?)
        };
        let both_small = self.b.build_and(small(self, x)?, small(self, y)?, "")?;
        let fast_bb = self.append(cx.func, "truediv.fast");
        let exact_bb = self.append(cx.func, "truediv.exact");
        let done = self.append(cx.func, "truediv.done");
        let br = self.b.build_conditional_branch(both_small, fast_bb, exact_bb)?;
        self.expect_true(br);
        self.b.position_at_end(fast_bb);
        let fx = self.b.build_signed_int_to_float(x, f64t, "")?;
        let fy = self.b.build_signed_int_to_float(y, f64t, "")?;
        let fast = self.b.build_float_div(fx, fy, "")?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(exact_bb);
        let i128t = self.ctx.custom_width_int_type(128);
        let magnitude = |this: &Self, v: IntValue<'ctx>| -> Cg<IntValue<'ctx>> {
            let wide = this.b.build_int_s_extend(v, i128t, "")?;
            let negative =
                this.b.build_int_compare(IntPredicate::SLT, wide, i128t.const_zero(), "")?;
            Ok(this
                .b
                .build_select(negative, this.b.build_int_neg(wide, "")?, wide, "")?
                .into_int_value())
        };
        let (a, b) = (magnitude(self, x)?, magnitude(self, y)?);
        // x == 0 with a large y: no shift, a quotient of 0, and 0.0 of the right sign below.
        let lead = self
            .intrinsic("llvm.ctlz", &[a.into(), self.ctx.bool_type().const_zero().into()])?
            .into_int_value();
        let shift = self
            .b
            .build_select(
                self.b.build_int_compare(IntPredicate::EQ, a, i128t.const_zero(), "")?,
                i128t.const_zero(),
                lead,
                "",
            )?
            .into_int_value();
        let n = self.b.build_left_shift(a, shift, "")?;
        let q = self.b.build_int_unsigned_div(n, b, "")?;
        let r = self.b.build_int_unsigned_rem(n, b, "")?;
        let sticky = self.b.build_int_z_extend(
            self.b.build_int_compare(IntPredicate::NE, r, i128t.const_zero(), "")?,
            i128t,
            "",
        )?;
        let q = self.b.build_or(q, sticky, "")?;
        let qf = self.b.build_unsigned_int_to_float(q, f64t, "")?;
        // Times 2**-shift (shift <= 127: a normal float, so the product is exact).
        let shift64 = self.b.build_int_truncate(shift, self.ctx.i64_type(), "")?;
        let exponent_bits = self.b.build_left_shift(
            self.b.build_int_sub(self.i64(1023), shift64, "")?,
            self.i64(52),
            "",
        )?;
        let scale = self.b.build_bit_cast(exponent_bits, f64t, "")?.into_float_value();
        let unsigned = self.b.build_float_mul(qf, scale, "")?;
        let negative = self.b.build_int_compare(
            IntPredicate::SLT,
            self.b.build_xor(x, y, "")?,
            self.i64(0),
            "",
        )?;
        let exact = self
            .b
            .build_select(negative, self.b.build_float_neg(unsigned, "")?, unsigned, "")?
            .into_float_value();
        let exact_end =
            self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        let phi = self.b.build_phi(f64t, "truediv")?;
        phi.add_incoming(&[(&fast, fast_bb), (&exact, exact_end)]);
        Ok(phi.as_basic_value().into_float_value())
    }

    fn float_binary(
        &mut self,
        cx: &mut FnCx<'ctx>,
        op: BinOp,
        x: FloatValue<'ctx>,
        y: FloatValue<'ctx>,
        from_ints: bool,
    ) -> Cg<FloatValue<'ctx>> {
        let b = &self.b;
        Ok(match op {
            BinOp::Add => b.build_float_add(x, y, "")?,
            BinOp::Sub => b.build_float_sub(x, y, "")?,
            BinOp::Mul => b.build_float_mul(x, y, "")?,
            BinOp::Div => {
                let nz = b.build_float_compare(FloatPredicate::UNE, y, self.f64(0.0), "")?;
                self.guard(
                    cx,
                    nz,
                    "ZeroDivisionError",
                    if from_ints { "division by zero" } else { "float division by zero" },
                )?;
                self.b.build_float_div(x, y, "")?
            }
            BinOp::FloorDiv | BinOp::Mod => {
                let nz = b.build_float_compare(FloatPredicate::UNE, y, self.f64(0.0), "")?;
                self.guard(
                    cx,
                    nz,
                    "ZeroDivisionError",
                    if op == BinOp::Mod { "float modulo" } else { "float floor division by zero" },
                )?;
                let (q, m) = self.float_divmod(x, y)?;
                if op == BinOp::Mod {
                    m
                } else {
                    q
                }
            }
            BinOp::Pow => self.float_pow(cx, x, y)?,
            _ => return Err(CgError(format!("`{}` on floats", op.symbol()))),
        })
    }

    /// Python's float floor division and modulo (the sign of the modulo follows the divisor).
    fn float_divmod(
        &self,
        x: FloatValue<'ctx>,
        y: FloatValue<'ctx>,
    ) -> Cg<(FloatValue<'ctx>, FloatValue<'ctx>)> {
        let b = &self.b;
        let zero = self.f64(0.0);
        let m0 = b.build_float_rem(x, y, "")?;
        let d0 = b.build_float_div(b.build_float_sub(x, m0, "")?, y, "")?;
        let m_nonzero = b.build_float_compare(FloatPredicate::UNE, m0, zero, "")?;
        let y_neg = b.build_float_compare(FloatPredicate::OLT, y, zero, "")?;
        let m_neg = b.build_float_compare(FloatPredicate::OLT, m0, zero, "")?;
        let differ = b.build_xor(y_neg, m_neg, "")?;
        let adjust = b.build_and(m_nonzero, differ, "")?;
        let m1 = b.build_select(adjust, b.build_float_add(m0, y, "")?, m0, "")?.into_float_value();
        let d1 = b
            .build_select(adjust, b.build_float_sub(d0, self.f64(1.0), "")?, d0, "")?
            .into_float_value();
        let signed_zero = self.fcall("llvm.copysign", &[zero, y])?;
        let m = b.build_select(m_nonzero, m1, signed_zero, "")?.into_float_value();
        let d_nonzero = b.build_float_compare(FloatPredicate::UNE, d1, zero, "")?;
        let fl = self.fcall("llvm.floor", &[d1])?;
        let frac = b.build_float_sub(d1, fl, "")?;
        let round_up = b.build_float_compare(FloatPredicate::OGT, frac, self.f64(0.5), "")?;
        let fl = b
            .build_select(round_up, b.build_float_add(fl, self.f64(1.0), "")?, fl, "")?
            .into_float_value();
        let q_zero = self.fcall("llvm.copysign", &[zero, b.build_float_div(x, y, "")?])?;
        let q = b.build_select(d_nonzero, fl, q_zero, "")?.into_float_value();
        Ok((q, m))
    }

    /// `x ** y` for floats with Python's errors (CPython returns a complex for a negative base
    /// and a fractional exponent; pyaot raises ValueError there, see docs/language.md).
    fn float_pow(
        &mut self,
        cx: &mut FnCx<'ctx>,
        x: FloatValue<'ctx>,
        y: FloatValue<'ctx>,
    ) -> Cg<FloatValue<'ctx>> {
        let zero = self.f64(0.0);
        let x_zero = self.b.build_float_compare(FloatPredicate::OEQ, x, zero, "")?;
        let y_neg = self.b.build_float_compare(FloatPredicate::OLT, y, zero, "")?;
        let bad = self.b.build_and(x_zero, y_neg, "")?;
        let ok = self.b.build_not(bad, "")?;
        self.guard(cx, ok, "ZeroDivisionError", "0.0 cannot be raised to a negative power")?;
        // (-inf) ** 0.5 is inf, as in CPython: only a finite negative base gives a complex.
        let x_neg = self.b.build_and(
            self.b.build_float_compare(FloatPredicate::OLT, x, zero, "")?,
            self.is_finite(x)?,
            "",
        )?;
        let y_fin = self.is_finite(y)?;
        let fl = self.fcall("llvm.floor", &[y])?;
        let y_frac = self.b.build_float_compare(FloatPredicate::ONE, fl, y, "")?;
        let bad = self.b.build_and(self.b.build_and(x_neg, y_fin, "")?, y_frac, "")?;
        let ok = self.b.build_not(bad, "")?;
        self.guard(
            cx,
            ok,
            "ValueError",
            "negative number cannot be raised to a fractional power (the result would be complex)",
        )?;
        let r = self.pow(x, y)?;
        let overflow = self.b.build_and(
            self.is_inf(r)?,
            self.b.build_and(self.is_finite(x)?, self.is_finite(y)?, "")?,
            "",
        )?;
        let ok = self.b.build_not(overflow, "")?;
        self.guard(cx, ok, "OverflowError", "(34, 'Numerical result out of range')")?;
        Ok(r)
    }

    fn int_binary(
        &mut self,
        cx: &mut FnCx<'ctx>,
        op: BinOp,
        x: IntValue<'ctx>,
        y: IntValue<'ctx>,
    ) -> Cg<IntValue<'ctx>> {
        let zero = self.i64(0);
        Ok(match op {
            // OverflowError where CPython's int would leave int64 (wraps with overflowcheck off).
            BinOp::Add => self.checked_int_op(cx, "llvm.sadd.with.overflow", x, y)?,
            BinOp::Sub => self.checked_int_op(cx, "llvm.ssub.with.overflow", x, y)?,
            BinOp::Mul => self.checked_int_op(cx, "llvm.smul.with.overflow", x, y)?,
            BinOp::BitAnd => self.b.build_and(x, y, "")?,
            BinOp::BitOr => self.b.build_or(x, y, "")?,
            BinOp::BitXor => self.b.build_xor(x, y, "")?,
            BinOp::FloorDiv | BinOp::Mod => {
                let nz = self.b.build_int_compare(IntPredicate::NE, y, zero, "")?;
                self.guard(cx, nz, "ZeroDivisionError", "integer division or modulo by zero")?;
                if op == BinOp::FloorDiv && self.overflow_checked(cx) {
                    // -2**63 // -1 is 2**63.
                    let min =
                        self.b.build_int_compare(IntPredicate::EQ, x, self.i64(i64::MIN), "")?;
                    let minus_one =
                        self.b.build_int_compare(IntPredicate::EQ, y, self.i64(-1), "")?;
                    let fits = self.b.build_not(self.b.build_and(min, minus_one, "")?, "")?;
                    self.guard(cx, fits, "OverflowError", INT_OVERFLOW)?;
                }
                let (q, m) = self.int_divmod(x, y)?;
                if op == BinOp::Mod {
                    m
                } else {
                    q
                }
            }
            BinOp::LShift if self.overflow_checked(cx) => {
                let neg = self.b.build_int_compare(IntPredicate::SGE, y, zero, "")?;
                self.guard(cx, neg, "ValueError", "negative shift count")?;
                // Fits when shifting back gives x (0 shifts by any count).
                let big = self.b.build_int_compare(IntPredicate::UGE, y, self.i64(64), "")?;
                let safe = self.b.build_select(big, self.i64(63), y, "")?.into_int_value();
                let v = self.b.build_left_shift(x, safe, "")?;
                let back = self.b.build_right_shift(v, safe, true, "")?;
                let kept = self.b.build_and(
                    self.b.build_int_compare(IntPredicate::EQ, back, x, "")?,
                    self.b.build_not(big, "")?,
                    "",
                )?;
                let fits = self.b.build_or(
                    kept,
                    self.b.build_int_compare(IntPredicate::EQ, x, zero, "")?,
                    "",
                )?;
                self.guard(cx, fits, "OverflowError", INT_OVERFLOW)?;
                self.b.build_select(big, zero, v, "")?.into_int_value()
            }
            BinOp::LShift | BinOp::RShift => {
                let neg = self.b.build_int_compare(IntPredicate::SGE, y, zero, "")?;
                self.guard(cx, neg, "ValueError", "negative shift count")?;
                // Shifting by 64 or more: << gives 0 (wrapped), >> gives the sign.
                let big = self.b.build_int_compare(IntPredicate::UGE, y, self.i64(64), "")?;
                let safe = self.b.build_select(big, self.i64(63), y, "")?.into_int_value();
                if op == BinOp::LShift {
                    let v = self.b.build_left_shift(x, safe, "")?;
                    self.b.build_select(big, zero, v, "")?.into_int_value()
                } else {
                    self.b.build_right_shift(x, safe, true, "")?
                }
            }
            BinOp::Pow => {
                let ok = self.b.build_int_compare(IntPredicate::SGE, y, zero, "")?;
                self.guard(cx, ok, "ValueError", "negative exponent in int ** int: pyaot computes int64 here; write float(a) ** b for a float result")?;
                let (power, overflowed) = self.ipow(x, y)?;
                if self.overflow_checked(cx) {
                    self.guard(
                        cx,
                        self.b.build_not(overflowed, "")?,
                        "OverflowError",
                        INT_OVERFLOW,
                    )?;
                }
                power
            }
            BinOp::Div => return Err(CgError("true division of ints is float".into())),
        })
    }

    /// Python's int floor division and modulo; `MIN // -1` wraps instead of trapping.
    pub(super) fn int_divmod(
        &self,
        x: IntValue<'ctx>,
        y: IntValue<'ctx>,
    ) -> Cg<(IntValue<'ctx>, IntValue<'ctx>)> {
        let b = &self.b;
        // By a power of two, floor division is an arithmetic shift and the (non-negative)
        // remainder a mask, for either sign of x: what `m % 2 == 0` and `m // 2` should cost.
        // LLVM does not fold the general form below back into these.
        if let Some(k) = y.get_sign_extended_constant().filter(|k| *k > 0 && k & (k - 1) == 0) {
            let q = b.build_right_shift(x, self.i64(k.trailing_zeros() as i64), true, "")?;
            let r = b.build_and(x, self.i64(k - 1), "")?;
            return Ok((q, r));
        }
        let zero = self.i64(0);
        let minus_one = b.build_int_compare(IntPredicate::EQ, y, self.i64(-1), "")?;
        let safe = b.build_select(minus_one, self.i64(1), y, "")?.into_int_value();
        let q = b.build_int_signed_div(x, safe, "")?;
        let r = b.build_int_signed_rem(x, safe, "")?;
        let q = b.build_select(minus_one, b.build_int_sub(zero, x, "")?, q, "")?.into_int_value();
        let r = b.build_select(minus_one, zero, r, "")?.into_int_value();
        let r_nz = b.build_int_compare(IntPredicate::NE, r, zero, "")?;
        let signs = b.build_int_compare(IntPredicate::SLT, b.build_xor(r, y, "")?, zero, "")?;
        let adjust = b.build_and(r_nz, signs, "")?;
        let q = b.build_int_sub(q, b.build_int_z_extend(adjust, self.ctx.i64_type(), "")?, "")?;
        let r = b.build_int_add(r, b.build_select(adjust, y, zero, "")?.into_int_value(), "")?;
        Ok((q, r))
    }

    /// Whether int results of the function being compiled are checked for overflow.
    fn overflow_checked(&self, cx: &FnCx<'ctx>) -> bool {
        !cx.element_update
            && self.hir.functions[self.prog.instances[cx.inst].func].checks.overflowcheck
    }

    /// `current op v` for `a[i] op= v`: on an integer array it wraps as numpy's int64 does.
    #[allow(clippy::too_many_arguments)]
    fn element_binary(
        &mut self,
        cx: &mut FnCx<'ctx>,
        op: BinOp,
        current: BasicValueEnum<'ctx>,
        et: &Type,
        v: BasicValueEnum<'ctx>,
        vt: &Type,
        value: &Expr,
    ) -> Cg<(BasicValueEnum<'ctx>, Type)> {
        let before =
            std::mem::replace(&mut cx.element_update, *et == Type::Int && vt.is_integral());
        let r = self.binary(cx, op, current, et, v, vt, value);
        cx.element_update = before;
        r
    }

    /// `x op y` for `llvm.s{add,sub,mul}.with.overflow`: OverflowError where the result leaves
    /// int64 (LLVM drops the test where it knows the ranges, as for `i + 1` with `i < n`).
    fn checked_int_op(
        &mut self,
        cx: &mut FnCx<'ctx>,
        intrinsic: &str,
        x: IntValue<'ctx>,
        y: IntValue<'ctx>,
    ) -> Cg<IntValue<'ctx>> {
        if !self.overflow_checked(cx) {
            return Ok(match intrinsic {
                "llvm.sadd.with.overflow" => self.b.build_int_add(x, y, "")?,
                "llvm.ssub.with.overflow" => self.b.build_int_sub(x, y, "")?,
                _ => self.b.build_int_mul(x, y, "")?,
            });
        }
        let r = self.intrinsic(intrinsic, &[x.into(), y.into()])?.into_struct_value();
        let overflowed = self.b.build_extract_value(r, 1, "")?.into_int_value();
        self.guard(cx, self.b.build_not(overflowed, "")?, "OverflowError", INT_OVERFLOW)?;
        Ok(self.b.build_extract_value(r, 0, "")?.into_int_value())
    }

    /// `-x` of an int: -(-2**63) is OverflowError (wraps with overflowcheck off).
    fn int_negate(&mut self, cx: &mut FnCx<'ctx>, x: IntValue<'ctx>) -> Cg<IntValue<'ctx>> {
        self.checked_int_op(cx, "llvm.ssub.with.overflow", self.i64(0), x)
    }

    /// `base ** exp` (exp >= 0) wrapped to int64, and whether it left int64 (callers that wrap
    /// ignore that).
    fn ipow(
        &mut self,
        base: IntValue<'ctx>,
        exp: IntValue<'ctx>,
    ) -> Cg<(IntValue<'ctx>, IntValue<'ctx>)> {
        let f = self.ipow_fn()?;
        let r = self.b.build_call(f, &[base.into(), exp.into()], "")?.try_as_basic_value().basic();
        let r = r.ok_or_else(|| CgError("ipow returned void".into()))?.into_struct_value();
        Ok((
            self.b.build_extract_value(r, 0, "")?.into_int_value(),
            self.b.build_extract_value(r, 1, "")?.into_int_value(),
        ))
    }

    /// `pyaot.ipow(base, exp) -> {i64, i1}`: base ** exp (exp >= 0) by squaring, and whether a
    /// product that counts left int64. (A square that overflows counts only if a later step
    /// multiplies it in.)
    fn ipow_fn(&mut self) -> Cg<FunctionValue<'ctx>> {
        let i64t = self.ctx.i64_type();
        let bool_t = self.ctx.bool_type();
        let result = self.ctx.struct_type(&[i64t.into(), bool_t.into()], false);
        cpython::in_new_function(
            self,
            "pyaot.ipow",
            result.fn_type(&[i64t.into(), i64t.into()], false),
            |cg, f| {
                let entry = f
                    .get_first_basic_block()
                    .ok_or_else(|| CgError("glue function without entry".into()))?;
                let head = cg.append(f, "head");
                let body = cg.append(f, "body");
                let exit = cg.append(f, "exit");
                let base0 = f.get_nth_param(0).unwrap().into_int_value();
                let exp0 = f.get_nth_param(1).unwrap().into_int_value();
                cg.b.build_unconditional_branch(head)?;
                cg.b.position_at_end(head);
                let acc = cg.b.build_phi(i64t, "acc")?;
                let base = cg.b.build_phi(i64t, "base")?;
                let exp = cg.b.build_phi(i64t, "exp")?;
                let over = cg.b.build_phi(bool_t, "overflowed")?;
                let base_over = cg.b.build_phi(bool_t, "base_overflowed")?;
                let more = cg.b.build_int_compare(
                    IntPredicate::NE,
                    exp.as_basic_value().into_int_value(),
                    cg.i64(0),
                    "",
                )?;
                cg.b.build_conditional_branch(more, body, exit)?;
                cg.b.position_at_end(body);
                let (a, bs, e) = (
                    acc.as_basic_value().into_int_value(),
                    base.as_basic_value().into_int_value(),
                    exp.as_basic_value().into_int_value(),
                );
                let (o, bo) = (
                    over.as_basic_value().into_int_value(),
                    base_over.as_basic_value().into_int_value(),
                );
                let odd = cg.b.build_int_truncate(e, bool_t, "")?;
                let product = cg
                    .intrinsic("llvm.smul.with.overflow", &[a.into(), bs.into()])?
                    .into_struct_value();
                let p = cg.b.build_extract_value(product, 0, "")?.into_int_value();
                let p_over = cg.b.build_or(
                    cg.b.build_extract_value(product, 1, "")?.into_int_value(),
                    bo,
                    "",
                )?;
                let acc2 = cg.b.build_select(odd, p, a, "")?.into_int_value();
                let o2 = cg.b.build_or(o, cg.b.build_and(odd, p_over, "")?, "")?;
                let square = cg
                    .intrinsic("llvm.smul.with.overflow", &[bs.into(), bs.into()])?
                    .into_struct_value();
                let base2 = cg.b.build_extract_value(square, 0, "")?.into_int_value();
                let bo2 = cg.b.build_or(
                    bo,
                    cg.b.build_extract_value(square, 1, "")?.into_int_value(),
                    "",
                )?;
                let exp2 = cg.b.build_right_shift(e, cg.i64(1), false, "")?;
                cg.b.build_unconditional_branch(head)?;
                let no = bool_t.const_zero();
                acc.add_incoming(&[(&cg.i64(1), entry), (&acc2, body)]);
                base.add_incoming(&[(&base0, entry), (&base2, body)]);
                exp.add_incoming(&[(&exp0, entry), (&exp2, body)]);
                over.add_incoming(&[(&no, entry), (&o2, body)]);
                base_over.add_incoming(&[(&no, entry), (&bo2, body)]);
                cg.b.position_at_end(exit);
                let r = cg.b.build_insert_value(result.get_undef(), acc.as_basic_value(), 0, "")?;
                let r = cg.b.build_insert_value(r, over.as_basic_value(), 1, "")?;
                cg.b.build_return(Some(&r.into_struct_value()))?;
                Ok(())
            },
        )
    }

    /// Float to int64 as Python's `int()` would, raising where Python would (or where the
    /// value does not fit in int64, where Python would give a big int).
    fn float_to_int(&mut self, cx: &mut FnCx<'ctx>, x: FloatValue<'ctx>) -> Cg<IntValue<'ctx>> {
        // One comparison pair on the hot path (false for NaN and infinities too); the cold path
        // works out which error Python would raise.
        // |x| < 2**63 (false for NaN): a single comparison; -2**63 itself goes to the cold path,
        // which converts it after all.
        let magnitude = self.fcall("llvm.fabs", &[x])?;
        let fits = self.b.build_float_compare(
            FloatPredicate::OLT,
            magnitude,
            self.f64(9223372036854775808.0),
            "",
        )?;
        let ok = self.append(cx.func, "to_int");
        let bad = self.append(cx.func, "to_int.error");
        let br = self.b.build_conditional_branch(fits, ok, bad)?;
        self.expect_true(br);
        self.b.position_at_end(bad);
        let not_nan = self.b.build_float_compare(FloatPredicate::ORD, x, x, "")?;
        self.guard(cx, not_nan, "ValueError", "cannot convert float NaN to integer")?;
        let finite = self.is_finite(x)?;
        self.guard(cx, finite, "OverflowError", "cannot convert float infinity to integer")?;
        let is_min = self.b.build_float_compare(
            FloatPredicate::OEQ,
            x,
            self.f64(-9223372036854775808.0),
            "",
        )?;
        self.guard(cx, is_min, "OverflowError", "float too large for int64")?;
        self.b.build_unconditional_branch(ok)?;
        self.b.position_at_end(ok);
        Ok(self.b.build_float_to_signed_int(x, self.ctx.i64_type(), "")?)
    }

    #[allow(clippy::too_many_arguments)]
    fn builtin(
        &mut self,
        cx: &mut FnCx<'ctx>,
        b: Builtin,
        vals: &[BasicValueEnum<'ctx>],
        types: &[Type],
        args: &[Expr],
        t: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let as_float = |this: &Self, i: usize| -> Cg<FloatValue<'ctx>> {
            Ok(this.convert(vals[i], &types[i], &Type::Float)?.into_float_value())
        };
        let as_int = |this: &Self, i: usize| -> Cg<IntValue<'ctx>> {
            Ok(this.convert(vals[i], &types[i], &Type::Int)?.into_int_value())
        };
        Ok(match b {
            Builtin::Abs if types[0] == Type::Complex => {
                self.complex_abs(cx, vals[0].into_struct_value())?.into()
            }
            Builtin::Complex => {
                // complex(a, b) = a + b*1j, for complex a and b too.
                let a = self.to_complex(vals[0], &types[0])?;
                if vals.len() == 1 {
                    a.into()
                } else {
                    let b = self.to_complex(vals[1], &types[1])?;
                    let (ar, ai) = self.parts(a)?;
                    let (br, bi) = self.parts(b)?;
                    self.make_complex(
                        self.b.build_float_sub(ar, bi, "")?,
                        self.b.build_float_add(ai, br, "")?,
                    )?
                    .into()
                }
            }
            Builtin::Conjugate => match &types[0] {
                Type::Complex => {
                    let (re, im) = self.parts(vals[0].into_struct_value())?;
                    self.make_complex(re, self.b.build_float_neg(im, "")?)?.into()
                }
                other => self.convert(vals[0], other, t)?,
            },
            Builtin::Abs => match t {
                Type::Float => self.fcall("llvm.fabs", &[as_float(self, 0)?])?.into(),
                _ => {
                    let x = as_int(self, 0)?;
                    let neg = self.b.build_int_compare(IntPredicate::SLT, x, self.i64(0), "")?;
                    if self.overflow_checked(cx) {
                        let fits = self.b.build_int_compare(
                            IntPredicate::NE,
                            x,
                            self.i64(i64::MIN),
                            "",
                        )?;
                        self.guard(cx, fits, "OverflowError", INT_OVERFLOW)?;
                    }
                    self.b.build_select(neg, self.b.build_int_sub(self.i64(0), x, "")?, x, "")?
                }
            },
            Builtin::Min | Builtin::Max => {
                let items: Vec<(BasicValueEnum<'ctx>, Type)> = match types {
                    [Type::Tuple(ts)] => {
                        let mut out = Vec::new();
                        for (i, it) in ts.iter().enumerate() {
                            out.push((
                                self.b.build_extract_value(
                                    vals[0].into_struct_value(),
                                    i as u32,
                                    "",
                                )?,
                                it.clone(),
                            ));
                        }
                        out
                    }
                    _ => vals.iter().cloned().zip(types.iter().cloned()).collect(),
                };
                // Python keeps the first extreme: replace only when strictly smaller (larger).
                let op = if b == Builtin::Min { CmpOp::Lt } else { CmpOp::Gt };
                let mut best = self.convert(items[0].0, &items[0].1, t)?;
                for (v, vt) in &items[1..] {
                    let v = self.convert(*v, vt, t)?;
                    let better = self.compare(op, v, t, best, t)?;
                    best = self.b.build_select(better, v, best, "")?;
                }
                best
            }
            Builtin::Int => match &types[0] {
                Type::Float => self.float_to_int(cx, vals[0].into_float_value())?.into(),
                _ => as_int(self, 0)?.into(),
            },
            Builtin::Float => as_float(self, 0)?.into(),
            Builtin::Bool => self.truthy(vals[0], &types[0])?.into(),
            Builtin::Round => self.round(cx, vals, types)?,
            Builtin::DivMod => {
                let Type::Tuple(items) = t else { return Err(CgError("divmod type".into())) };
                let (q, m): (BasicValueEnum, BasicValueEnum) = if items[0] == Type::Float {
                    let (x, y) = (as_float(self, 0)?, as_float(self, 1)?);
                    let nz =
                        self.b.build_float_compare(FloatPredicate::UNE, y, self.f64(0.0), "")?;
                    self.guard(cx, nz, "ZeroDivisionError", "float divmod()")?;
                    let (q, m) = self.float_divmod(x, y)?;
                    (q.into(), m.into())
                } else {
                    let (x, y) = (as_int(self, 0)?, as_int(self, 1)?);
                    let nz = self.b.build_int_compare(IntPredicate::NE, y, self.i64(0), "")?;
                    self.guard(cx, nz, "ZeroDivisionError", "integer division or modulo by zero")?;
                    let (q, m) = self.int_divmod(x, y)?;
                    (q.into(), m.into())
                };
                let ty = self.llvm_type(t).into_struct_type();
                let agg = self.b.build_insert_value(ty.get_undef(), q, 0, "")?;
                self.b.build_insert_value(agg, m, 1, "")?.into_struct_value().into()
            }
            Builtin::Pow if vals.len() == 3 => {
                self.mod_pow(cx, as_int(self, 0)?, as_int(self, 1)?, as_int(self, 2)?)?.into()
            }
            Builtin::Pow => {
                let (v, vt) =
                    self.binary(cx, BinOp::Pow, vals[0], &types[0], vals[1], &types[1], &args[1])?;
                self.convert(v, &vt, t)?
            }
            Builtin::Len => match &types[0] {
                Type::Tuple(items) => self.i64(items.len() as i64).into(),
                Type::Array(_) => self.dim(vals[0].into_struct_value(), arrays::SHAPE, 0)?.into(),
                _ => return Err(CgError("len of a non-sequence".into())),
            },
            Builtin::Math(m) => self.math(cx, m, vals, types)?,
        })
    }

    fn round(
        &mut self,
        cx: &mut FnCx<'ctx>,
        vals: &[BasicValueEnum<'ctx>],
        types: &[Type],
    ) -> Cg<BasicValueEnum<'ctx>> {
        let ndigits = if vals.len() == 2 {
            Some(self.convert(vals[1], &types[1], &Type::Int)?.into_int_value())
        } else {
            None
        };
        match (&types[0], ndigits) {
            (Type::Float, None) => {
                let r = self.fcall("llvm.roundeven", &[vals[0].into_float_value()])?;
                Ok(self.float_to_int(cx, r)?.into())
            }
            (Type::Float, Some(n)) => self.round_float(cx, vals[0].into_float_value(), n),
            (_, None) => self.convert(vals[0], &types[0], &Type::Int),
            (_, Some(n)) => self.round_int(
                cx,
                self.convert(vals[0], &types[0], &Type::Int)?.into_int_value(),
                n,
            ),
        }
    }

    /// `round(x, n)` of a float, as CPython's float.__round__: inline where 10**|n| is a float
    /// (|n| <= 22, `round_scaled`), else through the runtime's exact decimal rounding; NaN and
    /// infinities round to themselves, n > 323 leaves x, n < -308 gives a zero of x's sign, and
    /// a result beyond the float range is OverflowError.
    fn round_float(
        &mut self,
        cx: &mut FnCx<'ctx>,
        x: FloatValue<'ctx>,
        n: IntValue<'ctx>,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let scaled_exactly = |k: i64| (-22..=22).contains(&k);
        if n.get_sign_extended_constant().is_some_and(scaled_exactly) {
            return self.round_scaled(cx, x, n);
        }
        let in_range = self.b.build_int_compare(
            IntPredicate::ULE,
            self.b.build_int_add(n, self.i64(22), "")?,
            self.i64(44),
            "",
        )?;
        let scaled_bb = self.append(cx.func, "round.scaled");
        let exact_bb = self.append(cx.func, "round.exact");
        let call_bb = self.append(cx.func, "round.digits");
        let done = self.append(cx.func, "round.done");
        self.b.build_conditional_branch(in_range, scaled_bb, exact_bb)?;
        self.b.position_at_end(scaled_bb);
        let scaled = self.round_scaled(cx, x, n)?;
        let scaled_end =
            self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        self.b.build_unconditional_branch(done)?;
        // Settled without rounding: not finite or zero (x), n > 323 (x), n < -308 (0.0 * x).
        self.b.position_at_end(exact_bb);
        let finite = self.is_finite(x)?;
        let nonzero = self.b.build_float_compare(FloatPredicate::ONE, x, self.f64(0.0), "")?;
        let too_fine = self.b.build_int_compare(IntPredicate::SGT, n, self.i64(323), "")?;
        let too_coarse = self.b.build_int_compare(IntPredicate::SLT, n, self.i64(-308), "")?;
        let rounds = self.b.build_and(
            self.b.build_and(finite, nonzero, "")?,
            self.b.build_not(self.b.build_or(too_fine, too_coarse, "")?, "")?,
            "",
        )?;
        let zero_like = self.b.build_float_mul(self.f64(0.0), x, "")?;
        let coarse = self.b.build_and(finite, too_coarse, "")?;
        let settled = self.b.build_select(coarse, zero_like, x, "")?;
        self.b.build_conditional_branch(rounds, call_bb, done)?;
        self.b.position_at_end(call_bb);
        let overflow = self.entry_alloca(cx, self.ctx.bool_type().into(), "round.overflow")?;
        self.b.build_store(overflow, self.ctx.bool_type().const_zero())?;
        let digits = self.b.build_call(
            self.runtime_fn("pyaot_rt_round_digits"),
            &[x.into(), n.into(), overflow.into()],
            "",
        )?;
        let digits = digits
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| CgError("pyaot_rt_round_digits returns no value".into()))?;
        let overflowed = self.b.build_load(self.ctx.bool_type(), overflow, "")?.into_int_value();
        self.guard(
            cx,
            self.b.build_not(overflowed, "")?,
            "OverflowError",
            "rounded value too large to represent",
        )?;
        let call_end =
            self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        let phi = self.b.build_phi(self.ctx.f64_type(), "round")?;
        phi.add_incoming(&[(&scaled, scaled_end), (&settled, exact_bb), (&digits, call_end)]);
        Ok(phi.as_basic_value())
    }

    /// `round(x, n)` for -22 <= n <= 22.
    fn round_scaled(
        &mut self,
        cx: &mut FnCx<'ctx>,
        x: FloatValue<'ctx>,
        n: IntValue<'ctx>,
    ) -> Cg<BasicValueEnum<'ctx>> {
        // round(x, n) correctly rounded like CPython's: scale by p = 10**|n| (exact up to
        // 10**22), round half to even, and settle binary ties with the exact residual of
        // the scaling (an fma), since 2.675 is really 2.67499999… and must round down.
        let zero = self.i64(0);
        let neg = self.b.build_int_compare(IntPredicate::SLT, n, zero, "")?;
        let k =
            self.b.build_select(neg, self.b.build_int_sub(zero, n, "")?, n, "")?.into_int_value();
        let kf = self.b.build_signed_int_to_float(k, self.ctx.f64_type(), "")?;
        let p = self.fcall("llvm.pow", &[self.f64(10.0), kf])?;
        let mul = self.b.build_float_mul(x, p, "")?;
        let div = self.b.build_float_div(x, p, "")?;
        let y = self.b.build_select(neg, div, mul, "")?.into_float_value();
        let neg_y = self.b.build_float_neg(y, "")?;
        let err_mul = self.fcall("llvm.fma", &[x, p, neg_y])?;
        let err_div = self.fcall("llvm.fma", &[neg_y, p, x])?;
        let err = self.b.build_select(neg, err_div, err_mul, "")?.into_float_value();
        let z = self.fcall("llvm.roundeven", &[y])?;
        let fl = self.fcall("llvm.floor", &[y])?;
        let frac = self.b.build_float_sub(y, fl, "")?;
        let tie = self.b.build_float_compare(FloatPredicate::OEQ, frac, self.f64(0.5), "")?;
        let below = self.b.build_and(
            tie,
            self.b.build_float_compare(FloatPredicate::OLT, err, self.f64(0.0), "")?,
            "",
        )?;
        let above = self.b.build_and(
            tie,
            self.b.build_float_compare(FloatPredicate::OGT, err, self.f64(0.0), "")?,
            "",
        )?;
        let z = self.b.build_select(below, fl, z, "")?.into_float_value();
        let z = self
            .b
            .build_select(above, self.b.build_float_add(fl, self.f64(1.0), "")?, z, "")?
            .into_float_value();
        let back_mul = self.b.build_float_mul(z, p, "")?;
        let back_div = self.b.build_float_div(z, p, "")?;
        let back = self.b.build_select(neg, back_mul, back_div, "")?;
        // Scaling overflowed (huge n or x): CPython gives x back.
        let ok = self.is_finite(y)?;
        let ok = self.b.build_and(ok, self.is_finite(p)?, "")?;
        // |x| / 10**-n >= 2**53: a unit in the last place of x is at least 10**-n, so rounding
        // moves x by at most half of it and CPython gives x back. (There the scaled value has
        // lost its fraction, and z * p or z / p would not be x.)
        let ay = self.fcall("llvm.fabs", &[y])?;
        let keep = self.b.build_float_compare(
            FloatPredicate::OGE,
            ay,
            self.f64(9007199254740992.0),
            "",
        )?;
        let ok = self.b.build_and(ok, self.b.build_not(keep, "")?, "")?;
        // Rounding up past the largest float (round(1.7976931348623157e308, -1)).
        let back_finite = self.is_finite(back.into_float_value())?;
        let fits = self.b.build_or(
            back_finite,
            self.b.build_not(self.b.build_and(ok, self.is_finite(x)?, "")?, "")?,
            "",
        )?;
        self.guard(cx, fits, "OverflowError", "rounded value too large to represent")?;
        Ok(self.b.build_select(ok, back, x.into(), "")?)
    }

    /// `round(x, n)` of an int: n >= 0 leaves x; n < 0 rounds half to even at 10**-n, and a
    /// result beyond int64 is OverflowError.
    fn round_int(
        &mut self,
        cx: &mut FnCx<'ctx>,
        x: IntValue<'ctx>,
        n: IntValue<'ctx>,
    ) -> Cg<BasicValueEnum<'ctx>> {
        // In 128 bits: 10**19 and the rounded value may be beyond int64. Past 10**19 every int64
        // rounds to 0 (|x| < 2**63 < 10**20 / 2).
        let i128t = self.ctx.custom_width_int_type(128);
        let zero = self.i64(0);
        let neg = self.b.build_int_compare(IntPredicate::SLT, n, zero, "")?;
        let vanishes = self.b.build_int_compare(IntPredicate::SLT, n, self.i64(-19), "")?;
        // 10**m for m = -n clamped to 0..=18 (ipow's range), 10**19 set apart.
        let m = self
            .b
            .build_select(neg, self.b.build_int_sub(zero, n, "")?, zero, "")?
            .into_int_value();
        let m = self.b.build_select(vanishes, zero, m, "")?.into_int_value();
        let m19 = self.b.build_int_compare(IntPredicate::EQ, m, self.i64(19), "")?;
        let m = self.b.build_select(m19, zero, m, "")?.into_int_value();
        let (p, _) = self.ipow(self.i64(10), m)?;
        let p = self.b.build_int_s_extend(p, i128t, "")?;
        let p = self
            .b
            .build_select(m19, i128t.const_int(10_000_000_000_000_000_000, false), p, "")?
            .into_int_value();
        let x128 = self.b.build_int_s_extend(x, i128t, "")?;
        // Floor division (p > 0), then half to even.
        let q = self.b.build_int_signed_div(x128, p, "")?;
        let r = self.b.build_int_signed_rem(x128, p, "")?;
        let below = self.b.build_int_compare(IntPredicate::SLT, r, i128t.const_zero(), "")?;
        let q = self
            .b
            .build_select(below, self.b.build_int_sub(q, i128t.const_int(1, false), "")?, q, "")?
            .into_int_value();
        let r =
            self.b.build_select(below, self.b.build_int_add(r, p, "")?, r, "")?.into_int_value();
        let twice = self.b.build_int_mul(r, i128t.const_int(2, false), "")?;
        let above = self.b.build_int_compare(IntPredicate::SGT, twice, p, "")?;
        let tie = self.b.build_int_compare(IntPredicate::EQ, twice, p, "")?;
        let odd = self.b.build_int_truncate(q, self.ctx.bool_type(), "")?;
        let up = self.b.build_or(above, self.b.build_and(tie, odd, "")?, "")?;
        let q = self.b.build_int_add(q, self.b.build_int_z_extend(up, i128t, "")?, "")?;
        let rounded = self.b.build_int_mul(q, p, "")?;
        let narrow = self.b.build_int_truncate(rounded, self.ctx.i64_type(), "")?;
        let fits = self.b.build_int_compare(
            IntPredicate::EQ,
            self.b.build_int_s_extend(narrow, i128t, "")?,
            rounded,
            "",
        )?;
        let fits = self.b.build_or(
            fits,
            self.b.build_or(self.b.build_not(neg, "")?, vanishes, "")?,
            "",
        )?;
        self.guard(cx, fits, "OverflowError", "the rounded int does not fit in int64")?;
        let rounded = self.b.build_select(vanishes, zero, narrow, "")?;
        Ok(self.b.build_select(neg, rounded, x.into(), "")?)
    }

    /// `pow(b, e, m)` for ints, with the result's sign following `m` as in Python.
    fn mod_pow(
        &mut self,
        cx: &mut FnCx<'ctx>,
        base: IntValue<'ctx>,
        exp: IntValue<'ctx>,
        m: IntValue<'ctx>,
    ) -> Cg<IntValue<'ctx>> {
        let zero = self.i64(0);
        let nz = self.b.build_int_compare(IntPredicate::NE, m, zero, "")?;
        self.guard(cx, nz, "ValueError", "pow() 3rd argument cannot be 0")?;
        let i128t = self.ctx.custom_width_int_type(128);
        let wide = |this: &Self, v: IntValue<'ctx>| this.b.build_int_s_extend(v, i128t, "");
        let mw = wide(self, m)?;
        // A negative exponent: the inverse of base modulo |m| to the power -exp (the loop below
        // reads the exponent as unsigned, so -(-2**63) is 2**63).
        let negative = self.b.build_int_compare(IntPredicate::SLT, exp, zero, "")?;
        let from = self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        let invert = self.append(cx.func, "modpow.invert");
        let start = self.append(cx.func, "modpow.start");
        self.b.build_conditional_branch(negative, invert, start)?;
        self.b.position_at_end(invert);
        let inverse = self.mod_inverse(cx, wide(self, base)?, mw)?;
        let inverse = self.b.build_int_truncate(inverse, self.ctx.i64_type(), "")?;
        let positive_exp = self.b.build_int_sub(zero, exp, "")?;
        let invert_end =
            self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        self.b.build_unconditional_branch(start)?;
        self.b.position_at_end(start);
        let base_phi = self.b.build_phi(self.ctx.i64_type(), "base")?;
        base_phi.add_incoming(&[(&base, from), (&inverse, invert_end)]);
        let exp_phi = self.b.build_phi(self.ctx.i64_type(), "exp")?;
        exp_phi.add_incoming(&[(&exp, from), (&positive_exp, invert_end)]);
        let (base, exp) =
            (base_phi.as_basic_value().into_int_value(), exp_phi.as_basic_value().into_int_value());
        // Loop: acc = 1; b = base mod m; while e: if e & 1: acc = acc*b mod m; b = b*b mod m; e >>= 1
        let acc = self.entry_alloca(cx, i128t.into(), "acc")?;
        let bs = self.entry_alloca(cx, i128t.into(), "b")?;
        let es = self.entry_alloca(cx, self.ctx.i64_type().into(), "e")?;
        let b0 = self.b.build_int_signed_rem(wide(self, base)?, mw, "")?;
        self.b.build_store(acc, i128t.const_int(1, false))?;
        self.b.build_store(bs, b0)?;
        self.b.build_store(es, exp)?;
        let head = self.append(cx.func, "modpow");
        let body = self.append(cx.func, "modpow.body");
        let done = self.append(cx.func, "modpow.end");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let e = self.b.build_load(self.ctx.i64_type(), es, "")?.into_int_value();
        let more = self.b.build_int_compare(IntPredicate::NE, e, zero, "")?;
        self.b.build_conditional_branch(more, body, done)?;
        self.b.position_at_end(body);
        let a = self.b.build_load(i128t, acc, "")?.into_int_value();
        let bv = self.b.build_load(i128t, bs, "")?.into_int_value();
        let odd = self.b.build_int_truncate(e, self.ctx.bool_type(), "")?;
        let prod = self.b.build_int_signed_rem(self.b.build_int_mul(a, bv, "")?, mw, "")?;
        let a2 = self.b.build_select(odd, prod, a, "")?;
        self.b.build_store(acc, a2)?;
        let sq = self.b.build_int_signed_rem(self.b.build_int_mul(bv, bv, "")?, mw, "")?;
        self.b.build_store(bs, sq)?;
        self.b.build_store(es, self.b.build_right_shift(e, self.i64(1), false, "")?)?;
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(done);
        let a = self.b.build_load(i128t, acc, "")?.into_int_value();
        let a = self.b.build_int_signed_rem(a, mw, "")?;
        let r = self.b.build_int_truncate(a, self.ctx.i64_type(), "")?;
        // Python's sign convention: the result has the sign of m.
        let (_, md) = self.int_divmod(r, m)?;
        Ok(md)
    }

    /// The inverse of `a` modulo |m| (extended Euclid, 128 bits), in 0..|m|; ValueError as
    /// CPython's when there is none.
    fn mod_inverse(
        &mut self,
        cx: &mut FnCx<'ctx>,
        a: IntValue<'ctx>,
        m: IntValue<'ctx>,
    ) -> Cg<IntValue<'ctx>> {
        let i128t = a.get_type();
        let zero = i128t.const_zero();
        let negative_m = self.b.build_int_compare(IntPredicate::SLT, m, zero, "")?;
        let n =
            self.b.build_select(negative_m, self.b.build_int_neg(m, "")?, m, "")?.into_int_value();
        let floor_mod = |this: &Self, v: IntValue<'ctx>| -> Cg<IntValue<'ctx>> {
            let r = this.b.build_int_signed_rem(v, n, "")?;
            let below = this.b.build_int_compare(IntPredicate::SLT, r, zero, "")?;
            Ok(this.b.build_select(below, this.b.build_int_add(r, n, "")?, r, "")?.into_int_value())
        };
        let a0 = floor_mod(self, a)?;
        let from = self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        let head = self.append(cx.func, "invmod");
        let step = self.append(cx.func, "invmod.step");
        let done = self.append(cx.func, "invmod.end");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        // (old_r, r) = (a0, n), (old_s, s) = (1, 0); old_s * a0 == old_r (mod n) throughout.
        let [old_r, r, old_s, s] =
            [0, 1, 2, 3].map(|_| self.b.build_phi(i128t, "").map_err(CgError::from));
        let (old_r, r, old_s, s) = (old_r?, r?, old_s?, s?);
        let more = self.b.build_int_compare(
            IntPredicate::NE,
            r.as_basic_value().into_int_value(),
            zero,
            "",
        )?;
        self.b.build_conditional_branch(more, step, done)?;
        self.b.position_at_end(step);
        let (or_v, r_v) =
            (old_r.as_basic_value().into_int_value(), r.as_basic_value().into_int_value());
        let (os_v, s_v) =
            (old_s.as_basic_value().into_int_value(), s.as_basic_value().into_int_value());
        let q = self.b.build_int_signed_div(or_v, r_v, "")?;
        let next_r = self.b.build_int_sub(or_v, self.b.build_int_mul(q, r_v, "")?, "")?;
        let next_s = self.b.build_int_sub(os_v, self.b.build_int_mul(q, s_v, "")?, "")?;
        self.b.build_unconditional_branch(head)?;
        old_r.add_incoming(&[(&a0, from), (&r_v, step)]);
        r.add_incoming(&[(&n, from), (&next_r, step)]);
        old_s.add_incoming(&[(&i128t.const_int(1, false), from), (&s_v, step)]);
        s.add_incoming(&[(&zero, from), (&next_s, step)]);
        self.b.position_at_end(done);
        let gcd_one = self.b.build_int_compare(
            IntPredicate::EQ,
            old_r.as_basic_value().into_int_value(),
            i128t.const_int(1, false),
            "",
        )?;
        // |m| == 1: every base has the inverse 0 (CPython returns 0 before asking).
        let unit = self.b.build_int_compare(IntPredicate::EQ, n, i128t.const_int(1, false), "")?;
        self.guard(
            cx,
            self.b.build_or(gcd_one, unit, "")?,
            "ValueError",
            "base is not invertible for the given modulus",
        )?;
        floor_mod(self, old_s.as_basic_value().into_int_value())
    }

    fn math(
        &mut self,
        cx: &mut FnCx<'ctx>,
        m: MathFn,
        vals: &[BasicValueEnum<'ctx>],
        types: &[Type],
    ) -> Cg<BasicValueEnum<'ctx>> {
        use MathFn::*;
        if matches!(m, Floor | Ceil | Trunc) && types[0] != Type::Float {
            return self.convert(vals[0], &types[0], &Type::Int);
        }
        let f: Vec<FloatValue<'ctx>> = vals
            .iter()
            .zip(types)
            .map(|(v, t)| Ok(self.convert(*v, t, &Type::Float)?.into_float_value()))
            .collect::<Cg<_>>()?;
        let x = f[0];
        // CPython's rule for one-argument functions: NaN from non-NaN is a domain error,
        // an infinity from a finite argument is a range error (or a domain error for most).
        // Only a NaN or an infinity can be an error: one test of the result on the hot path.
        let checked = |this: &mut Self,
                       cx: &mut FnCx<'ctx>,
                       r: FloatValue<'ctx>,
                       can_overflow: bool|
         -> Cg<BasicValueEnum<'ctx>> {
            let suspicious = this.b.build_not(this.is_finite(r)?, "")?;
            this.rarely(cx, suspicious, |this| {
                let nan_from_number = this.b.build_and(
                    this.is_nan(r)?,
                    this.b.build_not(this.is_nan(x)?, "")?,
                    "",
                )?;
                let inf_from_finite = this.b.build_and(this.is_inf(r)?, this.is_finite(x)?, "")?;
                let overflow = if can_overflow { "OverflowError" } else { "ValueError" };
                let message = if can_overflow { "math range error" } else { "math domain error" };
                Ok(vec![
                    (this.b.build_not(nan_from_number, "")?, "ValueError", "math domain error"),
                    (this.b.build_not(inf_from_finite, "")?, overflow, message),
                ])
            })?;
            Ok(r.into())
        };
        // sqrt and log fail exactly for arguments below (or at) zero: checking the argument
        // is cheaper than checking the result, and LLVM can often prove it (x*x >= 0).
        let domain = |this: &mut Self, cx: &mut FnCx<'ctx>, pred: FloatPredicate| -> Cg<()> {
            let bad = this.b.build_float_compare(pred, x, this.f64(0.0), "")?;
            let ok = this.b.build_not(bad, "")?;
            this.guard(cx, ok, "ValueError", "math domain error")
        };
        Ok(match m {
            Sqrt => {
                domain(self, cx, FloatPredicate::OLT)?;
                self.fcall("llvm.sqrt", &[x])?.into()
            }
            Log if f.len() == 1 => {
                domain(self, cx, FloatPredicate::OLE)?;
                self.fcall("llvm.log", &[x])?.into()
            }
            Log10 | Log2 => {
                domain(self, cx, FloatPredicate::OLE)?;
                self.fcall(if m == Log10 { "llvm.log10" } else { "llvm.log2" }, &[x])?.into()
            }
            // exp and exp2 give NaN only for NaN: the one error is overflow (an infinity from a
            // finite argument).
            Exp | Exp2 => {
                // They never give -inf: the hot path tests the result against +inf only.
                let r = self.fcall(if m == Exp { "llvm.exp" } else { "llvm.exp2" }, &[x])?;
                let suspicious = self.b.build_float_compare(
                    FloatPredicate::OEQ,
                    r,
                    self.f64(f64::INFINITY),
                    "",
                )?;
                self.rarely(cx, suspicious, |this| {
                    Ok(vec![(
                        this.b.build_not(this.is_finite(x)?, "")?,
                        "OverflowError",
                        "math range error",
                    )])
                })?;
                r.into()
            }
            Expm1 => {
                let r = self.libm("expm1", &[x])?;
                checked(self, cx, r, true)?
            }
            Log => {
                let a = self.fcall("llvm.log", &[x])?;
                checked(self, cx, a, false)?;
                let base = f[1];
                let lb = self.fcall("llvm.log", &[base])?;
                let nan_from_number = self.b.build_and(
                    self.is_nan(lb)?,
                    self.b.build_not(self.is_nan(base)?, "")?,
                    "",
                )?;
                let inf_from_finite =
                    self.b.build_and(self.is_inf(lb)?, self.is_finite(base)?, "")?;
                let bad = self.b.build_or(nan_from_number, inf_from_finite, "")?;
                let ok = self.b.build_not(bad, "")?;
                self.guard(cx, ok, "ValueError", "math domain error")?;
                let nz = self.b.build_float_compare(FloatPredicate::UNE, lb, self.f64(0.0), "")?;
                self.guard(cx, nz, "ZeroDivisionError", "float division by zero")?;
                self.b.build_float_div(a, lb, "")?.into()
            }
            Log1p => {
                let r = self.libm("log1p", &[x])?;
                checked(self, cx, r, false)?
            }
            // sin and cos fail exactly for infinite arguments (NaN from a number) and never give
            // an infinity: the hot path tests the result for NaN (the argument, a call later, is
            // no longer in a register).
            Sin | Cos => {
                let r = self.fcall(if m == Sin { "llvm.sin" } else { "llvm.cos" }, &[x])?;
                let suspicious = self.is_nan(r)?;
                self.rarely(cx, suspicious, |this| {
                    Ok(vec![(
                        this.b.build_not(this.is_inf(x)?, "")?,
                        "ValueError",
                        "math domain error",
                    )])
                })?;
                r.into()
            }
            Tan | Asin | Acos | Atan | Asinh | Acosh | Atanh => {
                let r = self.libm(m.name(), &[x])?;
                checked(self, cx, r, false)?
            }
            Sinh | Cosh => {
                let r = self.libm(m.name(), &[x])?;
                checked(self, cx, r, true)?
            }
            Tanh => self.libm("tanh", &[x])?.into(),
            Fabs => self.fcall("llvm.fabs", &[x])?.into(),
            Degrees => {
                self.b.build_float_mul(x, self.f64(180.0 / std::f64::consts::PI), "")?.into()
            }
            Radians => {
                self.b.build_float_mul(x, self.f64(std::f64::consts::PI / 180.0), "")?.into()
            }
            Floor | Ceil | Trunc => {
                let name = match m {
                    Floor => "llvm.floor",
                    Ceil => "llvm.ceil",
                    _ => "llvm.trunc",
                };
                let r = self.fcall(name, &[x])?;
                self.float_to_int(cx, r)?.into()
            }
            Atan2 => self.libm("atan2", &[x, f[1]])?.into(),
            Copysign => self.fcall("llvm.copysign", &[x, f[1]])?.into(),
            Hypot => {
                let (r, y) = (self.libm("hypot", &[x, f[1]])?, f[1]);
                let suspicious = self.is_inf(r)?;
                self.rarely(cx, suspicious, |this| {
                    let both_finite =
                        this.b.build_and(this.is_finite(x)?, this.is_finite(y)?, "")?;
                    Ok(vec![(
                        this.b.build_not(both_finite, "")?,
                        "OverflowError",
                        "math range error",
                    )])
                })?;
                r.into()
            }
            Fmod => {
                let y = f[1];
                // fmod(x, 0) and fmod(inf, y) are domain errors unless x or y is NaN (then the
                // result is NaN, as CPython's); fmod(x, inf) is x.
                let y_zero =
                    self.b.build_float_compare(FloatPredicate::OEQ, y, self.f64(0.0), "")?;
                let x_inf = self.is_inf(x)?;
                let any_nan = self.b.build_or(self.is_nan(x)?, self.is_nan(y)?, "")?;
                let bad = self.b.build_and(
                    self.b.build_or(y_zero, x_inf, "")?,
                    self.b.build_not(any_nan, "")?,
                    "",
                )?;
                let ok = self.b.build_not(bad, "")?;
                self.guard(cx, ok, "ValueError", "math domain error")?;
                self.b.build_float_rem(x, y, "")?.into()
            }
            Pow => {
                let y = f[1];
                let r = self.pow(x, y)?;
                // NaN from non-NaN arguments and an infinity from finite ones: CPython's math.pow
                // rules, looked at only when the result is not a finite number.
                let suspicious = self.b.build_not(self.is_finite(r)?, "")?;
                self.rarely(cx, suspicious, |this| {
                    let any_nan = this.b.build_or(this.is_nan(x)?, this.is_nan(y)?, "")?;
                    let domain =
                        this.b.build_and(this.is_nan(r)?, this.b.build_not(any_nan, "")?, "")?;
                    let both_finite =
                        this.b.build_and(this.is_finite(x)?, this.is_finite(y)?, "")?;
                    let inf = this.b.build_and(this.is_inf(r)?, both_finite, "")?;
                    let x_zero =
                        this.b.build_float_compare(FloatPredicate::OEQ, x, this.f64(0.0), "")?;
                    let zero_neg = this.b.build_and(inf, x_zero, "")?;
                    Ok(vec![
                        (this.b.build_not(domain, "")?, "ValueError", "math domain error"),
                        (this.b.build_not(zero_neg, "")?, "ValueError", "math domain error"),
                        (this.b.build_not(inf, "")?, "OverflowError", "math range error"),
                    ])
                })?;
                r.into()
            }
            IsNan => self.is_nan(x)?.into(),
            IsInf => self.is_inf(x)?.into(),
            IsFinite => self.is_finite(x)?.into(),
        })
    }
}
