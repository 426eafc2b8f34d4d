//! Failing by escape: recursive functions that hold nothing to release leave on failure by a
//! `longjmp` back to their entry instead of returning through every frame.
//!
//! Takes the recursive instances that qualify (plan/escape.rs decides which); gives each a body
//! (the user's function, taking the entry's jump buffer as its last argument) and an entry
//! (`pyaot.enter.<name>`, with the ordinary native signature and its `failed` flag, so every
//! other caller is unchanged) that sets the jump buffer and turns an escape into the flag.
//!
//! Why: with a failure check after every call, LLVM sees `fib(n - 1) + fib(n - 2)` as control
//! flow, not arithmetic. Without checks, and with the depth limit raising nothing itself (the
//! entry raises RecursionError), a function like `fib` has no side effects at all, so once its
//! ring copies are inlined LLVM merges equal calls (`fib(n - 3)` reached twice): what GCC does
//! for Pythran. A body escapes with the Python error already set (`ERROR_SET`: an IndexError, a
//! failed call of a function that reports by flag) or with none (`TOO_DEEP`).

use super::basics::FunctionParams;
use super::capi;
use super::state::{Cg, Codegen, FnCx};
use crate::types::{InstanceId, Type};
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::module::Linkage;
use inkwell::types::{BasicMetadataTypeEnum, BasicType};
use inkwell::values::{FunctionValue, IntValue, PointerValue};

/// The body escaped with the Python error set.
pub(super) const ERROR_SET: u64 = 1;
/// The body escaped because the recursion went too deep (no error set yet).
const TOO_DEEP: u64 = 2;
/// From here on, the escape raises `Codegen::escape_raises[why - FIRST_RAISE]` at the entry.
pub(super) const FIRST_RAISE: u64 = 3;

/// glibc's x86-64 `jmp_buf` is 200 bytes; room to spare.
const JUMP_BUFFER_WORDS: u32 = 32;

impl<'ctx> Codegen<'ctx, '_> {
    /// The function holding an instance's generated code: its body if it fails by escape.
    pub(super) fn body_fn(&self, id: InstanceId) -> FunctionValue<'ctx> {
        self.escape_bodies.get(&id).copied().unwrap_or(self.natives[id])
    }
}

/// Declares the body of an instance that fails by escape, named as the instance; its native
/// `entry` (declared with `params`, the flag last) is renamed `pyaot.enter.<name>`.
pub(super) fn declare_body<'ctx>(
    cg: &Codegen<'ctx, '_>,
    entry: FunctionValue<'ctx>,
    name: &str,
    ret: &Type,
    params: &[BasicMetadataTypeEnum<'ctx>],
) -> FunctionValue<'ctx> {
    entry.as_global_value().set_name(&format!("pyaot.enter.{name}"));
    // Same parameters: the last one is the jump buffer instead of the flag.
    cg.module.add_function(name, cg.llvm_type(ret).fn_type(params, false), Some(Linkage::Internal))
}

/// `entry(args..., failed)`: sets a jump buffer, runs the body with it; when the body escapes,
/// raises RecursionError if it went too deep, then reports failure through the flag.
pub(super) fn define_entry<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    entry: FunctionValue<'ctx>,
    body: FunctionValue<'ctx>,
) -> Cg<()> {
    let name = entry.get_name().to_str().unwrap_or("pyaot.enter").to_string();
    let scope = cg.glue_subprogram(entry, &name);
    let start = cg.append(entry, "entry");
    cg.b.position_at_end(start);
    cg.b.set_current_debug_location(cg.di.create_debug_location(cg.ctx, 0, 0, scope, None));
    let buffer_type = cg.ctx.i64_type().array_type(JUMP_BUFFER_WORDS);
    let jump_buffer = cg.b.build_alloca(buffer_type, "jump_buffer")?;
    if let Some(alloca) = jump_buffer.as_instruction() {
        alloca.set_alignment(16).map_err(|e| super::state::CgError(e.to_string()))?;
    }
    let setjmp = setjmp_fn(cg);
    let how = cg.b.build_call(setjmp, &[jump_buffer.into()], "escaped")?;
    how.add_attribute(AttributeLoc::Function, enum_attr(cg, "returns_twice"));
    let how = how
        .try_as_basic_value()
        .basic()
        .ok_or_else(|| super::state::CgError("setjmp returned void".into()))?
        .into_int_value();
    let run = cg.append(entry, "run");
    let too_deep = cg.append(entry, "fail.too_deep");
    let failed = cg.append(entry, "fail");
    let i32t = cg.ctx.i32_type();
    let raises: Vec<_> = cg.escape_raises.clone();
    let mut cases = vec![(i32t.const_zero(), run), (i32t.const_int(TOO_DEEP, false), too_deep)];
    let mut raise_blocks = Vec::new();
    for (k, _) in raises.iter().enumerate() {
        let block = cg.append(entry, "fail.raise");
        cases.push((i32t.const_int(FIRST_RAISE + k as u64, false), block));
        raise_blocks.push(block);
    }
    cg.b.build_switch(how, failed, &cases)?;
    for ((exception, message), block) in raises.iter().zip(raise_blocks) {
        cg.b.position_at_end(block);
        let raise = capi::raise_fn(cg, exception)?;
        let msg = match message {
            Some(m) => cg.cstr(m)?,
            None => cg.ptr_type().const_null(),
        };
        cg.b.build_call(raise, &[msg.into()], "")?;
        cg.b.build_unconditional_branch(failed)?;
    }

    cg.b.position_at_end(run);
    let n = entry.count_params();
    let mut args: Vec<_> =
        (0..n - 1).map(|k| entry.param(k).map(Into::into)).collect::<Cg<Vec<_>>>()?;
    args.push(jump_buffer.into());
    let v =
        cg.b.build_call(body, &args, "")?
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| super::state::CgError("native returned void".into()))?;
    cg.b.build_return(Some(&v))?;

    cg.b.position_at_end(too_deep);
    let raise = capi::raise_fn(cg, "RecursionError")?;
    let msg = cg.cstr("maximum recursion depth exceeded in compiled code")?;
    cg.b.build_call(raise, &[msg.into()], "")?;
    cg.b.build_unconditional_branch(failed)?;

    cg.b.position_at_end(failed);
    let flag = entry
        .get_last_param()
        .ok_or_else(|| super::state::CgError("entry without its flag".into()))?
        .into_pointer_value();
    cg.b.build_store(flag, cg.ctx.bool_type().const_all_ones())?;
    let ret = entry
        .get_type()
        .get_return_type()
        .ok_or_else(|| super::state::CgError("native returning void".into()))?;
    cg.b.build_return(Some(&super::state::poison(ret)))?;
    Ok(())
}

/// In a body: leaves for the entry unless `ok` (the recursion depth is within the limit).
pub(super) fn guard_depth<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    cx: &FnCx<'ctx>,
    ok: IntValue<'ctx>,
    jump_buffer: PointerValue<'ctx>,
) -> Cg<()> {
    let cont = cg.append(cx.func, "ok");
    let fail = cg.append(cx.func, "fail");
    let br = cg.b.build_conditional_branch(ok, cont, fail)?;
    cg.expect_true(br);
    cg.b.position_at_end(fail);
    escape(cg, jump_buffer, TOO_DEEP)?;
    cg.b.position_at_end(cont);
    Ok(())
}

/// Jumps back to the entry owning `jump_buffer`, saying why; ends the current block.
pub(super) fn escape<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    jump_buffer: PointerValue<'ctx>,
    why: u64,
) -> Cg<()> {
    let f = escape_fn(cg)?;
    cg.b.build_call(f, &[jump_buffer.into(), cg.ctx.i32_type().const_int(why, false).into()], "")?;
    cg.b.build_unreachable()?;
    Ok(())
}

/// `pyaot.escape(jump_buffer, why)`: `_longjmp`. Declared to touch no memory: it never returns,
/// so nothing after it could see a difference, and the bodies calling it stay free of side
/// effects in LLVM's eyes (what lets it merge their calls). Kept out of line so that LLVM only
/// ever sees the declaration's attributes.
fn escape_fn<'ctx>(cg: &mut Codegen<'ctx, '_>) -> Cg<FunctionValue<'ctx>> {
    let name = "pyaot.escape";
    if let Some(f) = cg.module.get_function(name) {
        return Ok(f);
    }
    let p = cg.ptr_type();
    let i32t = cg.ctx.i32_type();
    let ty = cg.ctx.void_type().fn_type(&[p.into(), i32t.into()], false);
    let longjmp = match cg.module.get_function("_longjmp") {
        Some(f) => f,
        None => {
            let f = cg.module.add_function("_longjmp", ty, Some(Linkage::External));
            f.add_attribute(AttributeLoc::Function, enum_attr(cg, "noreturn"));
            f
        }
    };
    let f = capi::in_new_function(cg, name, ty, |cg, f| {
        let buffer = f.param(0)?;
        let why = f.param(1)?;
        cg.b.build_call(longjmp, &[buffer.into(), why.into()], "")?;
        cg.b.build_unreachable()?;
        Ok(())
    })?;
    for attr in ["noreturn", "nounwind", "cold", "noinline"] {
        f.add_attribute(AttributeLoc::Function, enum_attr(cg, attr));
    }
    // memory(none): the encoded MemoryEffects value 0.
    f.add_attribute(AttributeLoc::Function, enum_attr(cg, "memory"));
    Ok(f)
}

/// `_setjmp` (glibc's setjmp without saving the signal mask).
fn setjmp_fn<'ctx>(cg: &Codegen<'ctx, '_>) -> FunctionValue<'ctx> {
    if let Some(f) = cg.module.get_function("_setjmp") {
        return f;
    }
    let ty = cg.ctx.i32_type().fn_type(&[cg.ptr_type().into()], false);
    let f = cg.module.add_function("_setjmp", ty, Some(Linkage::External));
    f.add_attribute(AttributeLoc::Function, enum_attr(cg, "returns_twice"));
    f.add_attribute(AttributeLoc::Function, enum_attr(cg, "nounwind"));
    f
}

fn enum_attr<'ctx>(cg: &Codegen<'ctx, '_>, name: &str) -> Attribute {
    cg.ctx.create_enum_attribute(Attribute::get_named_enum_kind_id(name), 0)
}
