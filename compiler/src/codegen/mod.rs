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
//!
//! The rooms, each a set of `impl Codegen` methods (or free functions) on the state in
//! [`state`]; imports run one way, from the rooms above to the rooms below, never in a circle
//! (tests/test_structure.py checks it):
//! * foundations: `state` (Codegen, FnCx, the error type), `layout` (the array value's fields,
//!   dtype sizes), `basics` (types, constants, blocks, debug locations), `capi` (calling the C
//!   API, raising, reference counts, the GIL);
//! * semantics: `checks` (the one place runtime checks go through), `numbers`, `complex`,
//!   `builtins`, `arrays`, whole-array code (`element` → `elementwise` → `reduce`), `objects`
//!   (the object fallback), `expr`, `stmt`, `loops`, `function` (instances' native functions,
//!   recursion, returns), `escape`, `parallel`;
//! * the strategy emitters, one per transform the plan (plan/) decides: `speculate`,
//!   `lockstep`, `jam`, `unroll`, `ifconvert`, `overwrite`, `fresh`; and `aligned` (aligned
//!   allocation inside numpy calls);
//! * the CPython ABI: `cpython` (the module's entry point, argument wrappers, unboxing,
//!   boxing, numpy calls).

mod aligned;
mod arrays;
mod atomic;
mod basics;
mod builtins;
mod capi;
mod checks;
mod classes;
mod complex;
mod cpython;
mod element;
mod elementwise;
mod escape;
mod expr;
mod fastnum;
mod fresh;
mod function;
mod ifconvert;
pub(crate) mod jam;
mod layout;
pub(crate) mod lockstep;
mod loops;
mod numbers;
mod numpy_result;
mod objects;
mod overwrite;
mod parallel;
mod reduce;
mod speculate;
mod state;
mod stmt;
pub(crate) mod unroll;

use crate::hir;
use crate::plan::Plan;
use crate::types::Program;
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::context::Context;
use inkwell::debug_info::{DWARFEmissionKind, DWARFSourceLanguage};
use inkwell::module::{FlagBehavior, Linkage, Module};
use inkwell::types::BasicType;
use inkwell::values::FunctionValue;
pub use state::{Cg, CgError, Codegen};
use std::collections::HashMap;

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
        let twins: Vec<FunctionValue> = (1..function::RECURSION_COPIES)
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
