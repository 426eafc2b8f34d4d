//! Aligned arrays: the arrays compiled code creates start on a 64-byte boundary (those of
//! 16 KB up to 1 MB: `cpython::numpy_call` decides).
//!
//! numpy allocates with `malloc`, which gives 16 bytes: vector loads and stores then split cache
//! lines (a 120×120 matmul into an array at 48 mod 64 runs far slower than at 0 mod 64,
//! docs/performance.md; Numba aligns its own arrays). numpy ≥ 1.22 lets an extension choose the allocator of the arrays it
//! creates: `PyDataMem_SetHandler` sets a context variable (so other threads and other code keep
//! theirs), and every array keeps the handler that allocated it and frees through it.
//!
//! Takes nothing; gives [`handler_fn`]: `pyaot.aligned_handler() -> ptr`, the numpy memory
//! handler capsule (made once), or NULL where numpy has no handler API; and [`set_handler`],
//! which calls numpy's `PyDataMem_SetHandler` (slot 304 of its C-API table). The handler's
//! functions over-allocate by 72 bytes through the C library's `malloc`/`calloc`/`realloc`
//! (so zeroed arrays keep `calloc`'s lazily zeroed pages) and keep the pointer the library gave
//! in the 8 bytes before the aligned block, for `realloc` and `free`.

use super::basics::{CallResult, CurrentBlock, FunctionParams};
use super::capi::{call, call_value, in_new_function};
use super::state::{Cg, Codegen};
use inkwell::module::Linkage;
use inkwell::types::StructType;
use inkwell::values::{FunctionValue, IntValue, PointerValue};
use inkwell::IntPredicate;

/// The boundary the arrays start on (a cache line).
const ALIGN: u64 = 64;
/// Room for the worst misalignment plus the saved pointer.
const EXTRA: u64 = ALIGN + 8;
/// numpy's C-API table slots: `PyArray_GetNDArrayCVersion` (the ABI: 0x01000009 for numpy
/// 1.x, 0x02000000 for 2.x), `PyArray_GetNDArrayCFeatureVersion`, `PyDataMem_SetHandler`.
const ABI_VERSION_SLOT: u64 = 0;
const FEATURE_VERSION_SLOT: u64 = 211;
const SET_HANDLER_SLOT: u64 = 304;
/// `NPY_1_22_API_VERSION`, where memory handlers appeared.
const HANDLER_API_VERSION: u64 = 0xf;
/// The handler's name, as `numpy.lib.get_handler_name(a)` reports it.
const NAME: &str = "pyaot_aligned_64";

/// `pyaot.aligned_handler()`: the capsule for numpy (a new reference each call), or NULL (no
/// error set) when numpy cannot take one. Needs the GIL.
pub(super) fn handler_fn<'ctx>(cg: &mut Codegen<'ctx, '_>) -> Cg<FunctionValue<'ctx>> {
    let p = cg.ptr_type();
    let ty = p.fn_type(&[], false);
    in_new_function(cg, "pyaot.aligned_handler", ty, |cg, f| {
        // The capsule, made once; `tried` stays set when numpy has no handler API.
        let capsule = private_global(cg, "pyaot.aligned.capsule", p.const_null().into());
        let table = private_global(cg, "pyaot.aligned.api", p.const_null().into());
        let tried =
            private_global(cg, "pyaot.aligned.tried", cg.ctx.bool_type().const_zero().into());
        let have = cg.b.build_load(p, capsule, "")?.into_pointer_value();
        let made = cg.append(f, "made");
        let make = cg.append(f, "init");
        let none = cg.append(f, "none");
        cg.b.build_conditional_branch(cg.b.build_is_null(have, "")?, make, made)?;
        cg.b.position_at_end(made);
        call(cg, "Py_IncRef", &[have.into()])?;
        cg.b.build_return(Some(&have))?;

        cg.b.position_at_end(make);
        let was_tried = cg.b.build_load(cg.ctx.bool_type(), tried, "")?.into_int_value();
        let first = cg.append(f, "init.first");
        cg.b.build_conditional_branch(was_tried, none, first)?;
        cg.b.position_at_end(first);
        cg.b.build_store(tried, cg.ctx.bool_type().const_all_ones())?;
        let api = api_table(cg, f, none)?;
        // The table must be numpy 1.x or 2.x (whose slots are fixed) and 1.22 or later (slot 304).
        let i32t = cg.ctx.i32_type();
        let abi_fn = load_slot(cg, api, ABI_VERSION_SLOT)?;
        let abi =
            cg.b.build_indirect_call(i32t.fn_type(&[], false), abi_fn, &[], "")?
                .value()?
                .into_int_value();
        let major = cg.b.build_right_shift(abi, i32t.const_int(24, false), false, "")?;
        let known = cg.b.build_and(
            cg.b.build_int_compare(IntPredicate::UGE, major, i32t.const_int(1, false), "")?,
            cg.b.build_int_compare(IntPredicate::ULE, major, i32t.const_int(2, false), "")?,
            "",
        )?;
        let known_abi = cg.append(f, "init.abi");
        cg.b.build_conditional_branch(known, known_abi, none)?;
        cg.b.position_at_end(known_abi);
        let version_fn = load_slot(cg, api, FEATURE_VERSION_SLOT)?;
        let version =
            cg.b.build_indirect_call(i32t.fn_type(&[], false), version_fn, &[], "")?
                .value()?
                .into_int_value();
        let recent = cg.b.build_int_compare(
            IntPredicate::UGE,
            version,
            i32t.const_int(HANDLER_API_VERSION, false),
            "",
        )?;
        let ok = cg.append(f, "init.recent");
        cg.b.build_conditional_branch(recent, ok, none)?;
        cg.b.position_at_end(ok);
        cg.b.build_store(table, api)?;
        let handler = handler_global(cg)?;
        let capsule_name = cg.cstr("mem_handler")?;
        let new = call_value(
            cg,
            "PyCapsule_New",
            &[handler.into(), capsule_name.into(), p.const_null().into()],
        )?
        .into_pointer_value();
        cg.b.build_store(capsule, new)?;
        let got = cg.append(f, "init.done");
        cg.b.build_conditional_branch(cg.b.build_is_null(new, "")?, none, got)?;
        cg.b.position_at_end(got);
        call(cg, "Py_IncRef", &[new.into()])?;
        cg.b.build_return(Some(&new))?;

        // No handler: arrays keep numpy's allocator (nothing fails because of it).
        cg.b.position_at_end(none);
        call(cg, "PyErr_Clear", &[])?;
        cg.b.build_return(Some(&p.const_null()))?;
        Ok(())
    })
}

/// `PyDataMem_SetHandler(handler)`: makes `handler` numpy's allocator in the current context and
/// returns the previous one (a new reference; NULL with an error set on failure). Only after
/// [`handler_fn`] returned a capsule (which fetched numpy's table).
pub(super) fn set_handler<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    handler: PointerValue<'ctx>,
) -> Cg<PointerValue<'ctx>> {
    let p = cg.ptr_type();
    let table = private_global(cg, "pyaot.aligned.api", p.const_null().into());
    let api = cg.b.build_load(p, table, "")?.into_pointer_value();
    let set = load_slot(cg, api, SET_HANDLER_SLOT)?;
    Ok(cg
        .b
        .build_indirect_call(p.fn_type(&[p.into()], false), set, &[handler.into()], "")?
        .value()?
        .into_pointer_value())
}

/// numpy's C-API table (`_ARRAY_API` of its `_multiarray_umath`: `numpy._core` from 2.0,
/// `numpy.core` before); failures go to `none`.
fn api_table<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    f: FunctionValue<'ctx>,
    none: inkwell::basic_block::BasicBlock<'ctx>,
) -> Cg<PointerValue<'ctx>> {
    let p = cg.ptr_type();
    let new_name = cg.cstr("numpy._core._multiarray_umath")?;
    let old_name = cg.cstr("numpy.core._multiarray_umath")?;
    let from = cg.b.current_block()?;
    let first = call_value(cg, "PyImport_ImportModule", &[new_name.into()])?.into_pointer_value();
    let retry = cg.append(f, "init.numpy1");
    let have = cg.append(f, "init.module");
    cg.b.build_conditional_branch(cg.b.build_is_null(first, "")?, retry, have)?;
    cg.b.position_at_end(retry);
    call(cg, "PyErr_Clear", &[])?;
    let second = call_value(cg, "PyImport_ImportModule", &[old_name.into()])?.into_pointer_value();
    let have2 = cg.append(f, "init.module1");
    cg.b.build_conditional_branch(cg.b.build_is_null(second, "")?, none, have2)?;
    cg.b.position_at_end(have2);
    cg.b.build_unconditional_branch(have)?;
    cg.b.position_at_end(have);
    let module = cg.b.build_phi(p, "module")?;
    module.add_incoming(&[(&first, from), (&second, have2)]);
    let module = module.as_basic_value().into_pointer_value();
    let attr = cg.cstr("_ARRAY_API")?;
    let capsule = call_value(cg, "PyObject_GetAttrString", &[module.into(), attr.into()])?
        .into_pointer_value();
    call(cg, "Py_DecRef", &[module.into()])?;
    let got = cg.append(f, "init.capsule");
    cg.b.build_conditional_branch(cg.b.build_is_null(capsule, "")?, none, got)?;
    cg.b.position_at_end(got);
    let api = call_value(cg, "PyCapsule_GetPointer", &[capsule.into(), p.const_null().into()])?
        .into_pointer_value();
    // numpy's module keeps the capsule (and the table) alive.
    call(cg, "Py_DecRef", &[capsule.into()])?;
    let ok = cg.append(f, "init.table");
    cg.b.build_conditional_branch(cg.b.build_is_null(api, "")?, none, ok)?;
    cg.b.position_at_end(ok);
    Ok(api)
}

fn load_slot<'ctx>(
    cg: &Codegen<'ctx, '_>,
    api: PointerValue<'ctx>,
    slot: u64,
) -> Cg<PointerValue<'ctx>> {
    let p = cg.ptr_type();
    let at = unsafe { cg.b.build_in_bounds_gep(p, api, &[cg.i64(slot as i64)], "")? };
    Ok(cg.b.build_load(p, at, "")?.into_pointer_value())
}

fn private_global<'ctx>(
    cg: &Codegen<'ctx, '_>,
    name: &str,
    init: inkwell::values::BasicValueEnum<'ctx>,
) -> PointerValue<'ctx> {
    if let Some(g) = cg.module.get_global(name) {
        return g.as_pointer_value();
    }
    let g = cg.module.add_global(init.get_type(), None, name);
    g.set_initializer(&init);
    g.set_linkage(Linkage::Internal);
    g.as_pointer_value()
}

/// numpy's `PyDataMem_Handler`: `{char name[127]; uint8_t version; {ctx, malloc, calloc,
/// realloc, free}}`, version 1.
fn handler_global<'ctx>(cg: &mut Codegen<'ctx, '_>) -> Cg<PointerValue<'ctx>> {
    let p = cg.ptr_type();
    let i8t = cg.ctx.i8_type();
    let allocator: StructType = cg.ctx.struct_type(&[p.into(); 5], false);
    let ty = cg.ctx.struct_type(&[i8t.array_type(127).into(), i8t.into(), allocator.into()], false);
    if let Some(g) = cg.module.get_global("pyaot.aligned.handler") {
        return Ok(g.as_pointer_value());
    }
    let mut name: Vec<_> = NAME.bytes().map(|b| i8t.const_int(b as u64, false)).collect();
    name.resize(127, i8t.const_zero());
    let fns = [malloc_fn(cg)?, calloc_fn(cg)?, realloc_fn(cg)?, free_fn(cg)?];
    let mut slots = vec![p.const_null()];
    slots.extend(fns.iter().map(|f| f.as_global_value().as_pointer_value()));
    let init = ty.const_named_struct(&[
        i8t.const_array(&name).into(),
        i8t.const_int(1, false).into(),
        allocator.const_named_struct(&slots.iter().map(|s| (*s).into()).collect::<Vec<_>>()).into(),
    ]);
    let g = cg.module.add_global(ty, None, "pyaot.aligned.handler");
    g.set_initializer(&init);
    g.set_linkage(Linkage::Internal);
    g.set_constant(true);
    Ok(g.as_pointer_value())
}

/// The aligned block inside `raw` (NULL stays NULL), with `raw` saved just before it.
fn align_block<'ctx>(cg: &Codegen<'ctx, '_>, raw: PointerValue<'ctx>) -> Cg<PointerValue<'ctx>> {
    let i64t = cg.ctx.i64_type();
    let addr = cg.b.build_ptr_to_int(raw, i64t, "")?;
    let aligned = cg.b.build_and(
        cg.b.build_int_add(addr, cg.i64((EXTRA - 1) as i64), "")?,
        cg.i64(!(ALIGN as i64 - 1)),
        "",
    )?;
    let offset = cg.b.build_int_sub(aligned, addr, "")?;
    let block = unsafe { cg.b.build_gep(cg.ctx.i8_type(), raw, &[offset], "aligned")? };
    let saved = unsafe { cg.b.build_gep(cg.ctx.i8_type(), block, &[cg.i64(-8)], "")? };
    cg.b.build_store(saved, raw)?;
    Ok(block)
}

/// The pointer the C library gave for an aligned block.
fn raw_of<'ctx>(cg: &Codegen<'ctx, '_>, block: PointerValue<'ctx>) -> Cg<PointerValue<'ctx>> {
    let saved = unsafe { cg.b.build_gep(cg.ctx.i8_type(), block, &[cg.i64(-8)], "")? };
    Ok(cg.b.build_load(cg.ptr_type(), saved, "raw")?.into_pointer_value())
}

/// Returns NULL when `raw` is NULL, else its aligned block.
fn return_aligned<'ctx>(
    cg: &Codegen<'ctx, '_>,
    f: FunctionValue<'ctx>,
    raw: PointerValue<'ctx>,
) -> Cg<()> {
    let ok = cg.append(f, "allocated");
    let oom = cg.append(f, "oom");
    cg.b.build_conditional_branch(cg.b.build_is_null(raw, "")?, oom, ok)?;
    cg.b.position_at_end(oom);
    cg.b.build_return(Some(&cg.ptr_type().const_null()))?;
    cg.b.position_at_end(ok);
    let block = align_block(cg, raw)?;
    cg.b.build_return(Some(&block))?;
    Ok(())
}

/// `size + EXTRA`, or None (the caller returns NULL) when that overflows.
fn padded<'ctx>(
    cg: &Codegen<'ctx, '_>,
    f: FunctionValue<'ctx>,
    size: IntValue<'ctx>,
) -> Cg<IntValue<'ctx>> {
    let total = cg.b.build_int_add(size, cg.i64(EXTRA as i64), "")?;
    let fits = cg.b.build_int_compare(IntPredicate::UGE, total, size, "")?;
    let ok = cg.append(f, "size_ok");
    let too_big = cg.append(f, "too_big");
    cg.b.build_conditional_branch(fits, ok, too_big)?;
    cg.b.position_at_end(too_big);
    cg.b.build_return(Some(&cg.ptr_type().const_null()))?;
    cg.b.position_at_end(ok);
    Ok(total)
}

fn malloc_fn<'ctx>(cg: &mut Codegen<'ctx, '_>) -> Cg<FunctionValue<'ctx>> {
    let p = cg.ptr_type();
    let i64t = cg.ctx.i64_type();
    in_new_function(
        cg,
        "pyaot.aligned.malloc",
        p.fn_type(&[p.into(), i64t.into()], false),
        |cg, f| {
            let total = padded(cg, f, f.param(1)?.into_int_value())?;
            let raw = call_value(cg, "malloc", &[total.into()])?.into_pointer_value();
            return_aligned(cg, f, raw)
        },
    )
}

fn calloc_fn<'ctx>(cg: &mut Codegen<'ctx, '_>) -> Cg<FunctionValue<'ctx>> {
    let p = cg.ptr_type();
    let i64t = cg.ctx.i64_type();
    in_new_function(
        cg,
        "pyaot.aligned.calloc",
        p.fn_type(&[p.into(), i64t.into(), i64t.into()], false),
        |cg, f| {
            let n = f.param(1)?.into_int_value();
            let size = f.param(2)?.into_int_value();
            // n * size, refusing what overflows (as calloc does).
            let mul = inkwell::intrinsics::Intrinsic::find("llvm.umul.with.overflow")
                .ok_or_else(|| super::state::CgError("no umul.with.overflow".into()))?;
            let mul = mul
                .get_declaration(&cg.module, &[i64t.into()])
                .ok_or_else(|| super::state::CgError("umul.with.overflow".into()))?;
            let r =
                cg.b.build_call(mul, &[n.into(), size.into()], "")?.value()?.into_struct_value();
            let bytes = cg.b.build_extract_value(r, 0, "")?.into_int_value();
            let overflow = cg.b.build_extract_value(r, 1, "")?.into_int_value();
            let ok = cg.append(f, "count_ok");
            let too_big = cg.append(f, "too_many");
            cg.b.build_conditional_branch(overflow, too_big, ok)?;
            cg.b.position_at_end(too_big);
            cg.b.build_return(Some(&p.const_null()))?;
            cg.b.position_at_end(ok);
            let total = padded(cg, f, bytes)?;
            let raw =
                call_value(cg, "calloc", &[total.into(), cg.i64(1).into()])?.into_pointer_value();
            return_aligned(cg, f, raw)
        },
    )
}

fn realloc_fn<'ctx>(cg: &mut Codegen<'ctx, '_>) -> Cg<FunctionValue<'ctx>> {
    let p = cg.ptr_type();
    let i64t = cg.ctx.i64_type();
    let malloc = malloc_fn(cg)?;
    in_new_function(
        cg,
        "pyaot.aligned.realloc",
        p.fn_type(&[p.into(), p.into(), i64t.into()], false),
        |cg, f| {
            let ctx = f.param(0)?.into_pointer_value();
            let block = f.param(1)?.into_pointer_value();
            let size = f.param(2)?.into_int_value();
            let fresh = cg.append(f, "fresh");
            let grow = cg.append(f, "grow");
            cg.b.build_conditional_branch(cg.b.build_is_null(block, "")?, fresh, grow)?;
            cg.b.position_at_end(fresh);
            let new = cg.b.build_call(malloc, &[ctx.into(), size.into()], "")?.value()?;
            cg.b.build_return(Some(&new))?;
            cg.b.position_at_end(grow);
            let raw = raw_of(cg, block)?;
            let i64t = cg.ctx.i64_type();
            let old_offset = cg.b.build_int_sub(
                cg.b.build_ptr_to_int(block, i64t, "")?,
                cg.b.build_ptr_to_int(raw, i64t, "")?,
                "",
            )?;
            let total = padded(cg, f, size)?;
            let moved =
                call_value(cg, "realloc", &[raw.into(), total.into()])?.into_pointer_value();
            let ok = cg.append(f, "reallocated");
            let oom = cg.append(f, "oom");
            cg.b.build_conditional_branch(cg.b.build_is_null(moved, "")?, oom, ok)?;
            cg.b.position_at_end(oom);
            // The old block is untouched, as realloc leaves it.
            cg.b.build_return(Some(&p.const_null()))?;
            cg.b.position_at_end(ok);
            // The data sits at the old offset from the new start; the aligned block may be elsewhere
            // (both lie within the `size + EXTRA` bytes just reallocated).
            let data = unsafe { cg.b.build_gep(cg.ctx.i8_type(), moved, &[old_offset], "")? };
            let i64t = cg.ctx.i64_type();
            let addr = cg.b.build_ptr_to_int(moved, i64t, "")?;
            let aligned = cg.b.build_and(
                cg.b.build_int_add(addr, cg.i64((EXTRA - 1) as i64), "")?,
                cg.i64(!(ALIGN as i64 - 1)),
                "",
            )?;
            let new_offset = cg.b.build_int_sub(aligned, addr, "")?;
            let target = unsafe { cg.b.build_gep(cg.ctx.i8_type(), moved, &[new_offset], "")? };
            call(cg, "memmove", &[target.into(), data.into(), size.into()])?;
            let block = align_block(cg, moved)?;
            cg.b.build_return(Some(&block))?;
            Ok(())
        },
    )
}

fn free_fn<'ctx>(cg: &mut Codegen<'ctx, '_>) -> Cg<FunctionValue<'ctx>> {
    let p = cg.ptr_type();
    let i64t = cg.ctx.i64_type();
    in_new_function(
        cg,
        "pyaot.aligned.free",
        cg.ctx.void_type().fn_type(&[p.into(), p.into(), i64t.into()], false),
        |cg, f| {
            let block = f.param(1)?.into_pointer_value();
            let some = cg.append(f, "some");
            let done = cg.append(f, "done");
            cg.b.build_conditional_branch(cg.b.build_is_null(block, "")?, done, some)?;
            cg.b.position_at_end(some);
            let raw = raw_of(cg, block)?;
            call(cg, "free", &[raw.into()])?;
            cg.b.build_unconditional_branch(done)?;
            cg.b.position_at_end(done);
            cg.b.build_return(None)?;
            Ok(())
        },
    )
}
