//! Calling the CPython C API from generated code: each function declared once by name with
//! its stable-ABI signature ([`call`], [`call_value`]), helpers generated as functions of their
//! own ([`in_new_function`]), the exception globals, raising, reference counts and the GIL. With
//! `PYAOT_DEBUG_GIL=1` every call first checks that its thread holds the GIL. The lowest room
//! of codegen above its state: every other room that talks to Python goes through here.

use super::basics::FunctionParams;
use super::state::{Cg, CgError, Codegen};
use inkwell::module::Linkage;
use inkwell::values::{BasicMetadataValueEnum, BasicValueEnum, FunctionValue, PointerValue};
use inkwell::{AddressSpace, IntPredicate};

/// Declares (once) a C-API function by name.
pub(super) fn api<'ctx>(cg: &Codegen<'ctx, '_>, name: &str) -> FunctionValue<'ctx> {
    if let Some(f) = cg.module.get_function(name) {
        return f;
    }
    let ctx = cg.ctx;
    let p = ctx.ptr_type(AddressSpace::default());
    let i64t = ctx.i64_type();
    let i32t = ctx.i32_type();
    let f64t = ctx.f64_type();
    let void = ctx.void_type();
    let ty = match name {
        "PyModuleDef_Init" | "PyType_GetName" | "PyUnicode_FromString" => {
            p.fn_type(&[p.into()], false)
        }
        "PyLong_AsLongLong" | "PyTuple_Size" | "PyType_GetFlags" => {
            i64t.fn_type(&[p.into()], false)
        }
        "PyLong_FromLongLong" | "PyBool_FromLong" | "PyTuple_New" => {
            p.fn_type(&[i64t.into()], false)
        }
        "PyFloat_AsDouble" | "PyLong_AsDouble" => f64t.fn_type(&[p.into()], false),
        "PyFloat_FromDouble" => p.fn_type(&[f64t.into()], false),
        "PyComplex_FromDoubles" => p.fn_type(&[f64t.into(), f64t.into()], false),
        "PyComplex_RealAsDouble" | "PyComplex_ImagAsDouble" => f64t.fn_type(&[p.into()], false),
        "PyObject_IsInstance" => i32t.fn_type(&[p.into(), p.into()], false),
        "PyObject_CallFunctionObjArgs" => p.fn_type(&[p.into()], true),
        "PyObject_HasAttrString" => i32t.fn_type(&[p.into(), p.into()], false),
        "PyObject_SetAttrString" => i32t.fn_type(&[p.into(), p.into(), p.into()], false),
        "PyCFunction_NewEx" => p.fn_type(&[p.into(), p.into(), p.into()], false),
        "PyDescr_NewMethod" | "PyDescr_NewClassMethod" => p.fn_type(&[p.into(), p.into()], false),
        "PyTuple_SetItem" => i32t.fn_type(&[p.into(), i64t.into(), p.into()], false),
        "PyTuple_GetItem" => p.fn_type(&[p.into(), i64t.into()], false),
        "PyErr_SetString" => void.fn_type(&[p.into(), p.into()], false),
        "PyErr_SetNone" | "Py_DecRef" | "Py_IncRef" | "_Py_Dealloc" => {
            void.fn_type(&[p.into()], false)
        }
        "PyErr_Format" => p.fn_type(&[p.into(), p.into()], true),
        "PyErr_Occurred" => p.fn_type(&[], false),
        "PyErr_Clear" => void.fn_type(&[], false),
        "PyErr_ExceptionMatches" | "PyIndex_Check" => i32t.fn_type(&[p.into()], false),
        "PyType_GetSlot" => p.fn_type(&[p.into(), i32t.into()], false),
        "PyUnicode_CompareWithASCIIString" | "strcmp" => i32t.fn_type(&[p.into(), p.into()], false),
        "PyObject_GetBuffer" => i32t.fn_type(&[p.into(), p.into(), i32t.into()], false),
        "PyBuffer_Release" => void.fn_type(&[p.into()], false),
        "PyBuffer_IsContiguous" => i32t.fn_type(&[p.into(), cg.ctx.i8_type().into()], false),
        "PyLong_FromVoidPtr" => p.fn_type(&[p.into()], false),
        "PyDict_SetItemString" => i32t.fn_type(&[p.into(), p.into(), p.into()], false),
        "PyList_New" => p.fn_type(&[i64t.into()], false),
        "PyList_Append" => i32t.fn_type(&[p.into(), p.into()], false),
        "PyImport_ImportModule" => p.fn_type(&[p.into()], false),
        "PyCapsule_New" => p.fn_type(&[p.into(), p.into(), p.into()], false),
        "PyCapsule_GetPointer" => p.fn_type(&[p.into(), p.into()], false),
        // The C library, for numpy's allocator of aligned arrays (codegen/aligned.rs).
        "malloc" => p.fn_type(&[i64t.into()], false),
        "calloc" => p.fn_type(&[i64t.into(), i64t.into()], false),
        "realloc" => p.fn_type(&[p.into(), i64t.into()], false),
        "free" => void.fn_type(&[p.into()], false),
        "memmove" => p.fn_type(&[p.into(), p.into(), i64t.into()], false),
        "PyObject_GetAttrString" => p.fn_type(&[p.into(), p.into()], false),
        "PyObject_Call" => p.fn_type(&[p.into(), p.into(), p.into()], false),
        "PyEval_SaveThread" => p.fn_type(&[], false),
        "PyEval_RestoreThread" => void.fn_type(&[p.into()], false),
        "PyGILState_Ensure" => i32t.fn_type(&[], false),
        "PyGILState_Release" => void.fn_type(&[i32t.into()], false),
        // The object fallback.
        "PyNumber_Negative" | "PyNumber_Positive" | "PyNumber_Invert" | "PyObject_Repr"
        | "PyObject_Str" | "PyObject_ASCII" | "PyObject_GetIter" | "PyIter_Next"
        | "PySequence_Tuple" | "PyNumber_Long" | "PyNumber_Float" | "PyNumber_Index"
        | "PySet_New" => p.fn_type(&[p.into()], false),
        "PyObject_IsTrue" | "PyObject_Not" => i32t.fn_type(&[p.into()], false),
        "PyObject_Size" => i64t.fn_type(&[p.into()], false),
        "PyDict_New" => p.fn_type(&[], false),
        "PyDict_GetItemWithError" | "PyUnicode_Concat" => p.fn_type(&[p.into(), p.into()], false),
        "PyList_Size" => i64t.fn_type(&[p.into()], false),
        "PyLong_AsLongLongAndOverflow" => i64t.fn_type(&[p.into(), p.into()], false),
        "PyObject_Vectorcall" | "PyObject_VectorcallMethod" => {
            p.fn_type(&[p.into(), p.into(), i64t.into(), p.into()], false)
        }
        "PyList_GetItem" => p.fn_type(&[p.into(), i64t.into()], false),
        "PyObject_GetAttr" | "PyObject_GetItem" | "PyObject_Format" | "PyUnicode_Join" => {
            p.fn_type(&[p.into(), p.into()], false)
        }
        "PyObject_SetAttr" | "PyObject_SetItem" | "PyDict_SetItem" => {
            i32t.fn_type(&[p.into(), p.into(), p.into()], false)
        }
        "PySet_Add" | "PySequence_Contains" | "PyType_IsSubtype" => {
            i32t.fn_type(&[p.into(), p.into()], false)
        }
        "PyList_SetItem" => i32t.fn_type(&[p.into(), i64t.into(), p.into()], false),
        "PyObject_RichCompare" => p.fn_type(&[p.into(), p.into(), i32t.into()], false),
        "PyObject_CallMethodObjArgs" => p.fn_type(&[p.into(), p.into()], true),
        "PySlice_New" => p.fn_type(&[p.into(), p.into(), p.into()], false),
        "PyUnicode_FromStringAndSize" => p.fn_type(&[p.into(), i64t.into()], false),
        "PyUnicode_InternInPlace" => void.fn_type(&[p.into()], false),
        "PyErr_SetObject" | "PyException_SetContext" | "PyException_SetCause" => {
            void.fn_type(&[p.into(), p.into()], false)
        }
        "PyErr_Fetch" | "PyErr_NormalizeException" | "PyErr_Restore" => {
            void.fn_type(&[p.into(), p.into(), p.into()], false)
        }
        "PyException_SetTraceback" | "PyErr_GivenExceptionMatches" => {
            i32t.fn_type(&[p.into(), p.into()], false)
        }
        "PyNumber_Power" | "PyNumber_InPlacePower" => {
            p.fn_type(&[p.into(), p.into(), p.into()], false)
        }
        n if n.starts_with("PyNumber_") => p.fn_type(&[p.into(), p.into()], false),
        other => unreachable!("undeclared C-API function {other}"),
    };
    cg.module.add_function(name, ty, Some(Linkage::External))
}

/// The address of an external data symbol (`PyExc_ValueError`, `_Py_NoneStruct`, …).
pub(super) fn data_symbol<'ctx>(cg: &Codegen<'ctx, '_>, name: &str) -> PointerValue<'ctx> {
    if let Some(g) = cg.module.get_global(name) {
        return g.as_pointer_value();
    }
    let g = cg.module.add_global(cg.ctx.ptr_type(AddressSpace::default()), None, name);
    g.set_linkage(Linkage::External);
    g.as_pointer_value()
}

/// The address of the `PyExc_<name>` global, which holds the exception type.
pub(super) fn exception_global<'ctx>(cg: &Codegen<'ctx, '_>, name: &str) -> PointerValue<'ctx> {
    data_symbol(cg, &format!("PyExc_{name}"))
}

/// A helper function of the module, generated once: the first call runs `body` with the
/// builder in a new internal function (then puts the builder back); later calls find it.
pub(super) fn in_new_function<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    name: &str,
    ty: inkwell::types::FunctionType<'ctx>,
    body: impl FnOnce(&mut Codegen<'ctx, '_>, FunctionValue<'ctx>) -> Cg<()>,
) -> Cg<FunctionValue<'ctx>> {
    if let Some(f) = cg.module.get_function(name) {
        return Ok(f);
    }
    let func = cg.module.add_function(name, ty, Some(Linkage::Internal));
    let here = cg.b.get_insert_block();
    let loc = cg.b.get_current_debug_location();
    // pyaot's own glue has no source line: line 0 (the report attributes it to the user line it
    // was inlined into, through the inlinedAt chain).
    let scope = cg.glue_subprogram(func, name);
    let entry = cg.append(func, "entry");
    cg.b.position_at_end(entry);
    let glue_loc = cg.di.create_debug_location(cg.ctx, 0, 0, scope, None);
    cg.b.set_current_debug_location(glue_loc);
    body(cg, func)?;
    if let Some(h) = here {
        cg.b.position_at_end(h);
    }
    match loc {
        Some(l) => cg.b.set_current_debug_location(l),
        None => cg.b.unset_current_debug_location(),
    }
    Ok(func)
}

/// `pyaot.raise.<Exception>(ptr msg)`: sets the Python error; cold, so LLVM keeps it off hot
/// paths. One function per exception type, so the report can tell from a call what it raises.
pub(super) fn raise_fn<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    exception: &str,
) -> Cg<FunctionValue<'ctx>> {
    let name = format!("pyaot.raise.{exception}");
    let p = cg.ptr_type();
    let ty = cg.ctx.void_type().fn_type(&[p.into()], false);
    let exception = exception.to_string();
    let f = in_new_function(cg, &name, ty, move |cg, f| {
        let slot = exception_global(cg, &exception);
        let msg = f.param(0)?.into_pointer_value();
        let zero = cg.i64(0);
        cg.record_if_in_region(f, slot, msg, [zero, zero, zero])?;
        // Compiled code may be running without the GIL: take it to set the error.
        let gil = call_value(cg, "PyGILState_Ensure", &[])?;
        let exc = cg.b.build_load(p, slot, "exc")?;
        let with = cg.append(f, "with_message");
        let without = cg.append(f, "no_message");
        let done = cg.append(f, "done");
        let is_null = cg.b.build_is_null(msg, "")?;
        cg.b.build_conditional_branch(is_null, without, with)?;
        cg.b.position_at_end(with);
        cg.b.build_call(api(cg, "PyErr_SetString"), &[exc.into(), msg.into()], "")?;
        cg.b.build_unconditional_branch(done)?;
        cg.b.position_at_end(without);
        cg.b.build_call(api(cg, "PyErr_SetNone"), &[exc.into()], "")?;
        cg.b.build_unconditional_branch(done)?;
        cg.b.position_at_end(done);
        call(cg, "PyGILState_Release", &[gil.into()])?;
        cg.b.build_return(None)?;
        Ok(())
    })?;
    cg.add_attr(f, "cold");
    cg.add_attr(f, "noinline");
    Ok(f)
}

pub(super) fn call<'ctx>(
    cg: &Codegen<'ctx, '_>,
    name: &str,
    args: &[BasicMetadataValueEnum<'ctx>],
) -> Cg<Option<BasicValueEnum<'ctx>>> {
    // The C library (malloc, free, strcmp) needs no GIL; only Python's API does.
    let python = name.starts_with("Py") || name.starts_with("_Py");
    if cg.debug_gil && python && !matches!(name, "PyEval_RestoreThread" | "PyGILState_Ensure") {
        assert_gil_held(cg, name)?;
    }
    Ok(cg.b.build_call(api(cg, name), args, "")?.try_as_basic_value().basic())
}

/// Debug builds (`PYAOT_DEBUG_GIL=1`): `pyaot.assert_gil(name)` stops the process, naming
/// the C-API function about to be called, unless this thread holds the GIL. A call of its own
/// (not a branch here), so the caller's blocks stay as they are.
pub(super) fn assert_gil_held<'ctx>(cg: &Codegen<'ctx, '_>, name: &str) -> Cg<()> {
    let i32t = cg.ctx.i32_type();
    let p = cg.ptr_type();
    let helper = match cg.module.get_function("pyaot.assert_gil") {
        Some(f) => f,
        None => {
            let check = cg.module.add_function(
                "PyGILState_Check",
                i32t.fn_type(&[], false),
                Some(Linkage::External),
            );
            let fatal = cg.module.add_function(
                "Py_FatalError",
                cg.ctx.void_type().fn_type(&[p.into()], false),
                Some(Linkage::External),
            );
            let f = cg.module.add_function(
                "pyaot.assert_gil",
                cg.ctx.void_type().fn_type(&[p.into()], false),
                Some(Linkage::Internal),
            );
            let b = cg.ctx.create_builder();
            let entry = cg.ctx.append_basic_block(f, "entry");
            let missing = cg.ctx.append_basic_block(f, "missing");
            let held_bb = cg.ctx.append_basic_block(f, "held");
            b.position_at_end(entry);
            let held = b
                .build_call(check, &[], "")?
                .try_as_basic_value()
                .basic()
                .ok_or_else(|| CgError("PyGILState_Check returns void".into()))?;
            let held = b.build_int_compare(
                IntPredicate::NE,
                held.into_int_value(),
                i32t.const_zero(),
                "",
            )?;
            b.build_conditional_branch(held, held_bb, missing)?;
            b.position_at_end(missing);
            let message = f
                .get_nth_param(0)
                .ok_or_else(|| CgError("assert_gil without its message".into()))?;
            b.build_call(fatal, &[message.into()], "")?;
            b.build_unreachable()?;
            b.position_at_end(held_bb);
            b.build_return(None)?;
            f
        }
    };
    let text = format!("pyaot: {name} called without the GIL");
    let bytes = cg.ctx.const_string(text.as_bytes(), true);
    let message = cg.module.add_global(bytes.get_type(), None, "pyaot.gil_message");
    message.set_initializer(&bytes);
    message.set_linkage(Linkage::Private);
    message.set_constant(true);
    cg.b.build_call(helper, &[message.as_pointer_value().into()], "")?;
    Ok(())
}

pub(super) fn call_value<'ctx>(
    cg: &Codegen<'ctx, '_>,
    name: &str,
    args: &[BasicMetadataValueEnum<'ctx>],
) -> Cg<BasicValueEnum<'ctx>> {
    call(cg, name, args)?.ok_or_else(|| CgError(format!("{name} returns void")))
}

/// `Py_TYPE(obj)`: the type pointer at offset 8 of every object.
pub(super) fn type_of<'ctx>(
    cg: &Codegen<'ctx, '_>,
    obj: PointerValue<'ctx>,
) -> Cg<PointerValue<'ctx>> {
    let slot = unsafe { cg.b.build_in_bounds_gep(cg.ctx.i8_type(), obj, &[cg.i64(8)], "")? };
    Ok(cg.b.build_load(cg.ptr_type(), slot, "type")?.into_pointer_value())
}

pub(super) fn incref<'ctx>(cg: &Codegen<'ctx, '_>, obj: PointerValue<'ctx>) -> Cg<()> {
    call(cg, "Py_IncRef", &[obj.into()])?;
    Ok(())
}

pub(super) fn decref<'ctx>(cg: &Codegen<'ctx, '_>, obj: PointerValue<'ctx>) -> Cg<()> {
    call(cg, "Py_DecRef", &[obj.into()])?;
    Ok(())
}

/// Runs `body` holding the GIL (compiled code may be running without it).
pub(super) fn with_gil<'ctx>(cg: &Codegen<'ctx, '_>, body: impl FnOnce() -> Cg<()>) -> Cg<()> {
    let gil = call_value(cg, "PyGILState_Ensure", &[])?;
    body()?;
    call(cg, "PyGILState_Release", &[gil.into()])?;
    Ok(())
}
