//! Codegen units: a generated module split in two, so that both halves are optimized and turned
//! into machine code at the same time on two threads, then linked into one shared object (what
//! rustc's codegen units do). Optimizing and emitting machine code is most of a build, and a
//! module of array kernels holds two versions of each kernel (any strides, and C-contiguous).
//!
//! Takes the module codegen made, before optimization; [`split`] moves some kernels out of it
//! and gives them as bitcode, which [`compile_unit`] (on another thread, in its own LLVM
//! context) optimizes into an object file. What moves: natives that only wrappers call (the
//! versions of exported functions), each with its own copy of the internal functions it calls,
//! so inlining within a kernel sees what it saw before. A moved native becomes a hidden symbol
//! the wrapper calls across units; the mutable globals the moved part uses stay defined here
//! and become hidden symbols too (one jump buffer, one cache). Constants are copied.

use crate::backend::{self, BackendOptions};
use inkwell::context::Context;
use inkwell::memory_buffer::MemoryBuffer;
use inkwell::module::{Linkage, Module};
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::TargetMachine;
use inkwell::values::{AsValueRef, FunctionValue};
use inkwell::GlobalVisibility;
use std::collections::HashSet;
use std::ffi::CStr;

/// A native's instructions cost this many of the wrappers' and the module set-up's: its loops go
/// through the loop passes, the vectorizer and the unroller. (matmul, timed per unit: the
/// wrappers and set-up, 60 % of the instructions, took about as long to optimize and emit as
/// one of its two versions, 20 % each; docs/performance.md.)
const NATIVE_WEIGHT: usize = 2;
/// Below this cost the moved part would take less time than the split costs (cloning, bitcode,
/// a second pipeline's set-up): scale2d's 112-instruction versions built as fast
/// either way, so a module of small kernels is not split.
const MIN_MOVED_COST: usize = 400;

/// Moves kernels out of `module` for another thread; `None` when nothing is worth moving.
pub fn split(module: &Module, machine: &TargetMachine) -> Option<Vec<u8>> {
    let moved = choose(module)?;
    name_mutable_globals(module);
    let unit = module.clone();
    for f in unit.get_functions().collect::<Vec<_>>() {
        let name = name_of(f.get_name());
        if moved.contains(&name) {
            f.set_linkage(Linkage::External);
            f.as_global_value().set_visibility(GlobalVisibility::Hidden);
        } else if f.count_basic_blocks() > 0
            && f.get_linkage() != Linkage::Internal
            && f.get_linkage() != Linkage::Private
        {
            // The module entry point and the like: the original unit defines them.
            // SAFETY: reads the use list of a live function.
            if unsafe { llvm_sys::core::LLVMGetFirstUse(f.as_value_ref()) }.is_null() {
                // SAFETY: nothing refers to it.
                unsafe { f.delete() };
            } else {
                // Still referred to: a definition LLVM may read but does not emit.
                f.set_linkage(Linkage::AvailableExternally);
            }
        }
    }
    // The wrappers and everything else only the entry point reached go.
    unit.run_passes("globaldce", machine, PassBuilderOptions::create()).ok()?;
    let mut shared = HashSet::new();
    for g in unit.get_globals() {
        if !g.is_declaration() && !g.is_constant() {
            shared.insert(name_of(g.get_name()));
            // SAFETY: a null initializer turns the definition into a declaration (C API contract).
            unsafe { llvm_sys::core::LLVMSetInitializer(g.as_value_ref(), std::ptr::null_mut()) };
            g.set_linkage(Linkage::External);
            g.set_visibility(GlobalVisibility::Hidden);
        }
    }
    let bitcode = unit.write_bitcode_to_memory().as_slice().to_vec();
    for g in module.get_globals() {
        if shared.contains(&name_of(g.get_name())) {
            g.set_linkage(Linkage::External);
            g.set_visibility(GlobalVisibility::Hidden);
        }
    }
    for f in module.get_functions().collect::<Vec<_>>() {
        let name = name_of(f.get_name());
        if moved.contains(&name) {
            declare_instead(module, f, &name);
        }
    }
    Some(bitcode)
}

/// Optimizes a unit [`split`] gave and returns its object file; runs on any thread.
pub fn compile_unit(
    bitcode: &[u8],
    opts: &BackendOptions,
) -> Result<(Vec<u8>, std::time::Duration), String> {
    let start = std::time::Instant::now();
    let context = Context::create();
    // The loop vectorizer's remarks would otherwise go to stderr; the report does not use this path.
    let _remarks = backend::Remarks::capture(&context);
    let buffer = MemoryBuffer::create_from_memory_range_copy(bitcode, "unit");
    let module = Module::parse_bitcode_from_buffer(&buffer, &context)
        .map_err(|e| format!("cannot read a codegen unit back: {e}"))?;
    let machine = backend::target_machine(opts)?;
    backend::optimize(&module, &machine, opts.opt_level)?;
    Ok((backend::object_code(&module, &machine)?, start.elapsed()))
}

/// The natives to move: only wrappers use them; largest first while the moved part stays within
/// half of the module's cost (instructions, a native's counting [`NATIVE_WEIGHT`] times).
fn choose(module: &Module) -> Option<HashSet<String>> {
    let defined: Vec<FunctionValue> =
        module.get_functions().filter(|f| f.count_basic_blocks() > 0).collect();
    let is_native = |f: &FunctionValue| {
        !name_of(f.get_name()).starts_with("pyaot.") && f.get_linkage() == Linkage::Internal
    };
    let cost = |f: &FunctionValue| instructions(*f) * if is_native(f) { NATIVE_WEIGHT } else { 1 };
    let total: usize = defined.iter().map(cost).sum();
    let mut candidates: Vec<(FunctionValue, usize)> = defined
        .iter()
        .filter(|f| is_native(f) && only_wrappers_use(**f))
        .map(|f| (*f, cost(f)))
        .collect();
    candidates.sort_by_key(|(_, cost)| std::cmp::Reverse(*cost));
    let (mut moved, mut moved_cost) = (HashSet::new(), 0);
    for (f, c) in candidates {
        if moved_cost + c <= total / 2 {
            moved_cost += c;
            moved.insert(name_of(f.get_name()));
        }
    }
    (moved_cost >= MIN_MOVED_COST).then_some(moved)
}

fn instructions(f: FunctionValue) -> usize {
    f.get_basic_block_iter().map(|b| b.get_instructions().count()).sum()
}

/// Whether every use of `f` is an instruction of a wrapper (`pyaot.wrap.*`).
fn only_wrappers_use(f: FunctionValue) -> bool {
    use llvm_sys::core::*;
    // SAFETY: walks the use list of a live function; every pointer comes from LLVM.
    unsafe {
        let mut used = false;
        let mut u = LLVMGetFirstUse(f.as_value_ref());
        while !u.is_null() {
            let user = LLVMGetUser(u);
            if LLVMIsAInstruction(user).is_null() {
                return false;
            }
            let caller = LLVMGetBasicBlockParent(LLVMGetInstructionParent(user));
            let mut len = 0;
            let name = LLVMGetValueName2(caller, &mut len);
            if !CStr::from_ptr(name).to_string_lossy().starts_with("pyaot.wrap.") {
                return false;
            }
            used = true;
            u = LLVMGetNextUse(u);
        }
        used
    }
}

/// Gives every unnamed mutable global a name, so both units can refer to it.
fn name_mutable_globals(module: &Module) {
    for (k, g) in module.get_globals().enumerate() {
        if g.get_name().is_empty() && !g.is_constant() {
            g.set_name(&format!("pyaot.unit.global.{k}"));
        }
    }
}

/// Replaces `f` by a hidden declaration of the same name, type and calling convention.
fn declare_instead<'ctx>(module: &Module<'ctx>, f: FunctionValue<'ctx>, name: &str) {
    let decl = module.add_function(&format!("{name}.decl"), f.get_type(), Some(Linkage::External));
    decl.set_call_conventions(f.get_call_conventions());
    decl.as_global_value().set_visibility(GlobalVisibility::Hidden);
    f.replace_all_uses_with(decl);
    // SAFETY: every use now refers to the declaration.
    unsafe { f.delete() };
    decl.as_global_value().set_name(name);
}

fn name_of(name: &CStr) -> String {
    name.to_string_lossy().into_owned()
}
