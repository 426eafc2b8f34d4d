//! The CPython side of a module, generated in IR without Python.h: `PyInit_<name>` (multi-phase
//! init over a `PyModuleDef`), one METH_FASTCALL|METH_KEYWORDS wrapper per exported function
//! (arguments by position or name, overload dispatch in export order, TypeErrors that name the
//! function, the argument, what was expected and what came), argument unboxing and result boxing.
//! Only stable-ABI (3.11) symbols are used, so one `.abi3.so` imports on 3.11 and later.
//! Struct layouts and constants: see docs/ARCHITECTURE.md ("CPython ABI").

use super::basics::{CallResult, CurrentBlock, FunctionParams};
use super::capi::{
    call, call_value, data_symbol, decref, exception_global, in_new_function, type_of,
};
use super::layout::{dtype_size, numpy_name, DATA, OWNER, SHAPE, STRIDES, WRITABLE};
use super::state::{Cg, CgError, Codegen, FnCx};
use crate::export_spec::{Scalar, SpecType};
use crate::hir::Const;
use crate::types::{const_type, join, spec_to_type, ArrayType, ExportedFunction, Type};
use inkwell::module::Linkage;
use inkwell::values::{
    BasicMetadataValueEnum, BasicValueEnum, FunctionValue, IntValue, PointerValue,
};
use inkwell::IntPredicate;

const METH_FASTCALL_KEYWORDS: u64 = 0x80 | 0x02;
/// PyBUF_RECORDS_RO (strides and format) and PyBUF_RECORDS (the same, writable).
pub(super) const PYBUF_RECORDS_RO: u64 = 0x1c;
pub(super) const PYBUF_RECORDS: u64 = 0x1d;
/// sizeof(Py_buffer) and the offsets the generated code reads.
pub(super) const PY_BUFFER_SIZE: u32 = 80;
const BUF_OBJ: u64 = 8;
const BUF_ITEMSIZE: u64 = 24;
pub(super) const BUF_NDIM: u64 = 36;
pub(super) const BUF_FORMAT: u64 = 40;
pub(super) const BUF_SHAPE: u64 = 48;
pub(super) const BUF_STRIDES: u64 = 56;
const PY_TPFLAGS_TUPLE_SUBCLASS: u64 = 1 << 26;
const PY_TPFLAGS_LIST_SUBCLASS: u64 = 1 << 25;
const PY_TPFLAGS_UNICODE_SUBCLASS: u64 = 1 << 28;
const PY_TPFLAGS_DICT_SUBCLASS: u64 = 1 << 29;
/// `Py_nb_float` from typeslots.h: a type that converts to float has this slot.
const PY_NB_FLOAT: u64 = 11;

fn spec_key(spec: &SpecType) -> String {
    spec.to_string().replace([' ', '(', ')', ','], "_")
}

/// `pyaot.check.<spec>(obj) -> i1`: whether `obj` converts to `spec`, without raising.
fn check_fn<'ctx>(cg: &mut Codegen<'ctx, '_>, spec: &SpecType) -> Cg<FunctionValue<'ctx>> {
    let name = format!("pyaot.check.{}", spec_key(spec));
    let p = cg.ptr_type();
    let ty = cg.ctx.bool_type().fn_type(&[p.into()], false);
    let spec = spec.clone();
    in_new_function(cg, &name, ty, move |cg, f| {
        let obj = f.param(0)?.into_pointer_value();
        let yes = |cg: &Codegen<'ctx, '_>, v: IntValue<'ctx>| -> Cg<()> {
            cg.b.build_return(Some(&v))?;
            Ok(())
        };
        // Answers yes where `holds`; goes on in a new block otherwise.
        let yes_if = |cg: &mut Codegen<'ctx, '_>, holds: IntValue<'ctx>| -> Cg<()> {
            let yes_bb = cg.append(f, "yes");
            let other = cg.append(f, "other");
            cg.b.build_conditional_branch(holds, yes_bb, other)?;
            cg.b.position_at_end(yes_bb);
            cg.b.build_return(Some(&cg.ctx.bool_type().const_all_ones()))?;
            cg.b.position_at_end(other);
            Ok(())
        };
        let exactly = |cg: &Codegen<'ctx, '_>, type_symbol: &str| -> Cg<IntValue<'ctx>> {
            let tp = type_of(cg, obj)?;
            Ok(cg.b.build_int_compare(IntPredicate::EQ, tp, data_symbol(cg, type_symbol), "")?)
        };
        let i32_nonzero = |cg: &Codegen<'ctx, '_>, v: BasicValueEnum<'ctx>| -> Cg<IntValue<'ctx>> {
            Ok(cg.b.build_int_compare(
                IntPredicate::NE,
                v.into_int_value(),
                cg.ctx.i32_type().const_zero(),
                "",
            )?)
        };
        match &spec {
            SpecType::Scalar(Scalar::Bool) => {
                let t = cg.b.build_int_compare(
                    IntPredicate::EQ,
                    obj,
                    data_symbol(cg, "_Py_TrueStruct"),
                    "",
                )?;
                let fl = cg.b.build_int_compare(
                    IntPredicate::EQ,
                    obj,
                    data_symbol(cg, "_Py_FalseStruct"),
                    "",
                )?;
                yes_if(cg, cg.b.build_or(t, fl, "")?)?;
                let numpy_bool = is_numpy_bool(cg, obj)?;
                yes(cg, numpy_bool)
            }
            SpecType::Scalar(s) if s.is_integer() => {
                // An exact int, else whatever `operator.index` takes: a numpy array has the
                // slot too but refuses unless it holds one element, so the slot alone would
                // let `f(int)` claim arrays meant for an `f(int[])` overload.
                yes_if(cg, exactly(cg, "PyLong_Type")?)?;
                let v = call_value(cg, "PyIndex_Check", &[obj.into()])?;
                let try_bb = cg.append(f, "try_index");
                let no_bb = cg.append(f, "no");
                cg.b.build_conditional_branch(i32_nonzero(cg, v)?, try_bb, no_bb)?;
                cg.b.position_at_end(try_bb);
                let index = call_value(cg, "PyNumber_Index", &[obj.into()])?.into_pointer_value();
                let got_bb = cg.append(f, "index");
                let refused_bb = cg.append(f, "refused");
                cg.b.build_conditional_branch(cg.b.build_is_null(index, "")?, refused_bb, got_bb)?;
                cg.b.position_at_end(got_bb);
                decref(cg, index)?;
                yes(cg, cg.ctx.bool_type().const_all_ones())?;
                cg.b.position_at_end(refused_bb);
                call(cg, "PyErr_Clear", &[])?;
                yes(cg, cg.ctx.bool_type().const_zero())?;
                cg.b.position_at_end(no_bb);
                yes(cg, cg.ctx.bool_type().const_zero())
            }
            SpecType::Scalar(Scalar::Complex64 | Scalar::Complex128) => {
                let is_complex = call_value(
                    cg,
                    "PyObject_IsInstance",
                    &[obj.into(), data_symbol(cg, "PyComplex_Type").into()],
                )?;
                let is_complex = i32_nonzero(cg, is_complex)?;
                let float_check = check_fn(cg, &SpecType::Scalar(Scalar::Float64))?;
                let real =
                    cg.b.build_call(float_check, &[obj.into()], "")?.value()?.into_int_value();
                yes(cg, cg.b.build_or(is_complex, real, "")?)
            }
            SpecType::Scalar(Scalar::Float32 | Scalar::Float64) => {
                // The common case first: an exact float.
                yes_if(cg, exactly(cg, "PyFloat_Type")?)?;
                let v = call_value(cg, "PyIndex_Check", &[obj.into()])?;
                let index = i32_nonzero(cg, v)?;
                let tp = type_of(cg, obj)?;
                let slot = call_value(
                    cg,
                    "PyType_GetSlot",
                    &[tp.into(), cg.ctx.i32_type().const_int(PY_NB_FLOAT, false).into()],
                )?;
                let has_float = cg.b.build_is_not_null(slot.into_pointer_value(), "")?;
                // Having the slots is not converting (a numpy array of several elements has
                // both and refuses): convert once, as the unboxing will.
                let try_bb = cg.append(f, "try_float");
                let no_bb = cg.append(f, "no");
                cg.b.build_conditional_branch(cg.b.build_or(index, has_float, "")?, try_bb, no_bb)?;
                cg.b.position_at_end(try_bb);
                let v = call_value(cg, "PyFloat_AsDouble", &[obj.into()])?.into_float_value();
                let minus_one = cg.b.build_float_compare(
                    inkwell::FloatPredicate::OEQ,
                    v,
                    cg.ctx.f64_type().const_float(-1.0),
                    "",
                )?;
                let maybe_bb = cg.append(f, "maybe_failed");
                let converted_bb = cg.append(f, "converted");
                cg.b.build_conditional_branch(minus_one, maybe_bb, converted_bb)?;
                cg.b.position_at_end(converted_bb);
                yes(cg, cg.ctx.bool_type().const_all_ones())?;
                cg.b.position_at_end(maybe_bb);
                let err = call_value(cg, "PyErr_Occurred", &[])?.into_pointer_value();
                let failed = cg.b.build_is_not_null(err, "")?;
                let clear_bb = cg.append(f, "clear");
                cg.b.build_conditional_branch(failed, clear_bb, converted_bb)?;
                cg.b.position_at_end(clear_bb);
                call(cg, "PyErr_Clear", &[])?;
                yes(cg, cg.ctx.bool_type().const_zero())?;
                cg.b.position_at_end(no_bb);
                yes(cg, cg.ctx.bool_type().const_zero())
            }
            SpecType::Tuple(items) => {
                let no = cg.append(f, "no");
                let tp = type_of(cg, obj)?;
                let flags = call_value(cg, "PyType_GetFlags", &[tp.into()])?.into_int_value();
                let bit = cg.b.build_and(flags, cg.i64(PY_TPFLAGS_TUPLE_SUBCLASS as i64), "")?;
                let is_tuple = cg.b.build_int_compare(IntPredicate::NE, bit, cg.i64(0), "")?;
                let sized = cg.append(f, "sized");
                cg.b.build_conditional_branch(is_tuple, sized, no)?;
                cg.b.position_at_end(sized);
                let n = call_value(cg, "PyTuple_Size", &[obj.into()])?.into_int_value();
                let right =
                    cg.b.build_int_compare(IntPredicate::EQ, n, cg.i64(items.len() as i64), "")?;
                let mut next = cg.append(f, "item");
                cg.b.build_conditional_branch(right, next, no)?;
                for (i, item) in items.iter().enumerate() {
                    cg.b.position_at_end(next);
                    let checker = check_fn(cg, item)?;
                    let it =
                        call_value(cg, "PyTuple_GetItem", &[obj.into(), cg.i64(i as i64).into()])?;
                    let ok = cg.b.build_call(checker, &[it.into()], "")?.value()?.into_int_value();
                    next = cg.append(f, "item");
                    cg.b.build_conditional_branch(ok, next, no)?;
                }
                cg.b.position_at_end(next);
                yes(cg, cg.ctx.bool_type().const_all_ones())?;
                cg.b.position_at_end(no);
                yes(cg, cg.ctx.bool_type().const_zero())
            }
            SpecType::Array { .. } => {
                let view =
                    cg.b.build_alloca(cg.ctx.i8_type().array_type(PY_BUFFER_SIZE), "view")?;
                let flags = cg.ctx.i32_type().const_int(PYBUF_RECORDS_RO, false);
                let r =
                    call_value(cg, "PyObject_GetBuffer", &[obj.into(), view.into(), flags.into()])?
                        .into_int_value();
                let got = cg.b.build_int_compare(
                    IntPredicate::EQ,
                    r,
                    cg.ctx.i32_type().const_zero(),
                    "",
                )?;
                let have = cg.append(f, "have_buffer");
                let none = cg.append(f, "no_buffer");
                cg.b.build_conditional_branch(got, have, none)?;
                cg.b.position_at_end(none);
                call(cg, "PyErr_Clear", &[])?;
                yes(cg, cg.ctx.bool_type().const_zero())?;
                cg.b.position_at_end(have);
                let fits = buffer_fits(cg, f, &spec, view)?;
                call(cg, "PyBuffer_Release", &[view.into()])?;
                yes(cg, fits)
            }
            SpecType::Object => yes(cg, cg.ctx.bool_type().const_all_ones()),
            SpecType::NoneType => {
                let none = data_symbol(cg, "_Py_NoneStruct");
                yes(cg, cg.b.build_int_compare(IntPredicate::EQ, obj, none, "")?)
            }
            SpecType::Str | SpecType::List(_) | SpecType::Dict(..) => {
                let bit = match &spec {
                    SpecType::Str => PY_TPFLAGS_UNICODE_SUBCLASS,
                    SpecType::List(_) => PY_TPFLAGS_LIST_SUBCLASS,
                    _ => PY_TPFLAGS_DICT_SUBCLASS,
                };
                let tp = type_of(cg, obj)?;
                let flags = call_value(cg, "PyType_GetFlags", &[tp.into()])?.into_int_value();
                let masked = cg.b.build_and(flags, cg.i64(bit as i64), "")?;
                yes(cg, cg.b.build_int_compare(IntPredicate::NE, masked, cg.i64(0), "")?)
            }
            SpecType::Set(_) => {
                let tp = type_of(cg, obj)?;
                let set = call_value(
                    cg,
                    "PyType_IsSubtype",
                    &[tp.into(), data_symbol(cg, "PySet_Type").into()],
                )?;
                let frozen = call_value(
                    cg,
                    "PyType_IsSubtype",
                    &[tp.into(), data_symbol(cg, "PyFrozenSet_Type").into()],
                )?;
                let either = cg.b.build_or(set.into_int_value(), frozen.into_int_value(), "")?;
                yes(cg, i32_nonzero(cg, either.into())?)
            }
            other => Err(CgError(format!("no argument check for {other}"))),
        }
    })
}

pub(super) fn load_at<'ctx>(
    cg: &Codegen<'ctx, '_>,
    base: PointerValue<'ctx>,
    offset: u64,
    ty: inkwell::types::BasicTypeEnum<'ctx>,
) -> Cg<BasicValueEnum<'ctx>> {
    let at =
        unsafe { cg.b.build_in_bounds_gep(cg.ctx.i8_type(), base, &[cg.i64(offset as i64)], "")? };
    Ok(cg.b.build_load(ty, at, "")?)
}

/// The buffer formats (struct module syntax) that hold a dtype, with the byte-order prefixes
/// that mean native order on this little-endian machine.
fn accepted_formats(d: Scalar) -> Vec<String> {
    let codes: &[&str] = match d {
        Scalar::Bool => &["?"],
        Scalar::Int8 => &["b"],
        Scalar::UInt8 => &["B"],
        Scalar::Int16 => &["h"],
        Scalar::UInt16 => &["H"],
        Scalar::Int32 => &["i"],
        Scalar::UInt32 => &["I"],
        Scalar::Int64 => &["l", "q"],
        Scalar::UInt64 => &["L", "Q"],
        Scalar::Float32 => &["f"],
        Scalar::Float64 => &["d"],
        Scalar::Complex64 => &["Zf"],
        Scalar::Complex128 => &["Zd"],
    };
    let mut out = Vec::new();
    for c in codes {
        for prefix in ["", "@", "=", "<"] {
            out.push(format!("{prefix}{c}"));
        }
        if dtype_size(d) == 1 {
            out.push(format!(">{c}"));
            out.push(format!("!{c}"));
        }
    }
    out
}

/// Whether an acquired buffer has the spec's element format, itemsize, ndim, fixed sizes and
/// (for `::1`) C-contiguous strides.
pub(super) fn buffer_fits<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    f: FunctionValue<'ctx>,
    spec: &SpecType,
    view: PointerValue<'ctx>,
) -> Cg<IntValue<'ctx>> {
    let SpecType::Array { dtype, dims, .. } = spec else {
        return Err(CgError("buffer check of a non-array".into()));
    };
    let p = cg.ptr_type();
    let i64t = cg.ctx.i64_type();
    let result = cg.b.build_alloca(cg.ctx.bool_type(), "fits")?;
    cg.b.build_store(result, cg.ctx.bool_type().const_zero())?;
    let done = cg.append(f, "fits.done");
    let format = load_at(cg, view, BUF_FORMAT, p.into())?.into_pointer_value();
    let mut format_ok = cg.ctx.bool_type().const_zero();
    let has_format = cg.b.build_is_not_null(format, "")?;
    let check_format = cg.append(f, "fits.format");
    cg.b.build_conditional_branch(has_format, check_format, done)?;
    cg.b.position_at_end(check_format);
    // The format is one type code, after an optional native-order prefix (`@`, `=`, `<`;
    // any prefix for 1-byte types): compare bytes instead of calling strcmp.
    let byte = |cg: &Codegen<'ctx, '_>, at: IntValue<'ctx>| -> Cg<IntValue<'ctx>> {
        let ptr = unsafe { cg.b.build_in_bounds_gep(cg.ctx.i8_type(), format, &[at], "")? };
        Ok(cg.b.build_load(cg.ctx.i8_type(), ptr, "")?.into_int_value())
    };
    let is = |cg: &Codegen<'ctx, '_>, b: IntValue<'ctx>, c: u8| {
        cg.b.build_int_compare(IntPredicate::EQ, b, cg.ctx.i8_type().const_int(c as u64, false), "")
    };
    let first = byte(cg, cg.i64(0))?;
    let prefixes: &[u8] = if dtype_size(*dtype) == 1 { b"@=<>!" } else { b"@=<" };
    let mut prefixed = cg.ctx.bool_type().const_zero();
    for c in prefixes {
        prefixed = cg.b.build_or(prefixed, is(cg, first, *c)?, "")?;
    }
    let start = cg.b.build_int_z_extend(prefixed, i64t, "")?;
    // Type codes are one character, or two for complex (`Zd`, `Zf`). Read three bytes, never
    // past the terminating NUL: each position moves on only over a non-NUL byte.
    let mut pos = start;
    let mut bytes = Vec::new();
    for _ in 0..3 {
        let b = byte(cg, pos)?;
        let more =
            cg.b.build_int_compare(IntPredicate::NE, b, cg.ctx.i8_type().const_zero(), "")?;
        pos =
            cg.b.build_select(more, cg.b.build_int_add(pos, cg.i64(1), "")?, pos, "")?
                .into_int_value();
        bytes.push(b);
    }
    let mut code_ok = cg.ctx.bool_type().const_zero();
    for accepted in
        accepted_formats(*dtype).iter().filter(|f| !f.starts_with(['@', '=', '<', '>', '!']))
    {
        let mut all = cg.ctx.bool_type().const_all_ones();
        for (i, c) in accepted.bytes().chain(std::iter::once(0)).enumerate() {
            all = cg.b.build_and(all, is(cg, bytes[i], c)?, "")?;
        }
        code_ok = cg.b.build_or(code_ok, all, "")?;
    }
    format_ok = cg.b.build_or(format_ok, code_ok, "")?;
    let itemsize = load_at(cg, view, BUF_ITEMSIZE, i64t.into())?.into_int_value();
    let size_ok =
        cg.b.build_int_compare(IntPredicate::EQ, itemsize, cg.i64(dtype_size(*dtype) as i64), "")?;
    let ndim = load_at(cg, view, BUF_NDIM, cg.ctx.i32_type().into())?.into_int_value();
    let ndim_ok = cg.b.build_int_compare(
        IntPredicate::EQ,
        ndim,
        cg.ctx.i32_type().const_int(dims.len() as u64, false),
        "",
    )?;
    let basic = cg.b.build_and(cg.b.build_and(format_ok, size_ok, "")?, ndim_ok, "")?;
    let shape_check = cg.append(f, "fits.shape");
    cg.b.build_conditional_branch(basic, shape_check, done)?;
    cg.b.position_at_end(shape_check);
    let shape = load_at(cg, view, BUF_SHAPE, p.into())?.into_pointer_value();
    let strides = load_at(cg, view, BUF_STRIDES, p.into())?.into_pointer_value();
    let ok = layout_fits(cg, spec, shape, strides)?;
    cg.b.build_store(result, ok)?;
    cg.b.build_unconditional_branch(done)?;
    cg.b.position_at_end(done);
    Ok(cg.b.build_load(cg.ctx.bool_type(), result, "")?.into_int_value())
}

/// Whether sizes and strides (arrays of i64) meet the spec's fixed sizes and `::1` contiguity.
pub(super) fn layout_fits<'ctx>(
    cg: &Codegen<'ctx, '_>,
    spec: &SpecType,
    shape: PointerValue<'ctx>,
    strides: PointerValue<'ctx>,
) -> Cg<IntValue<'ctx>> {
    let SpecType::Array { dtype, dims, contiguous } = spec else {
        return Err(CgError("layout of a non-array".into()));
    };
    let i64t = cg.ctx.i64_type();
    let mut ok = cg.ctx.bool_type().const_all_ones();
    let mut expected_stride = cg.i64(dtype_size(*dtype) as i64);
    for (k, d) in dims.iter().enumerate().rev() {
        let n = load_at(cg, shape, 8 * k as u64, i64t.into())?.into_int_value();
        if let crate::export_spec::Dim::Fixed(size) = d {
            let same = cg.b.build_int_compare(IntPredicate::EQ, n, cg.i64(*size as i64), "")?;
            ok = cg.b.build_and(ok, same, "")?;
        }
        if *contiguous {
            // C order: each stride is the product of the later sizes (any stride for size-1 axes).
            let st = load_at(cg, strides, 8 * k as u64, i64t.into())?.into_int_value();
            let same = cg.b.build_int_compare(IntPredicate::EQ, st, expected_stride, "")?;
            let trivial = cg.b.build_int_compare(IntPredicate::SLE, n, cg.i64(1), "")?;
            ok = cg.b.build_and(ok, cg.b.build_or(same, trivial, "")?, "")?;
            expected_stride = cg.b.build_int_mul(expected_stride, n, "")?;
        }
    }
    Ok(ok)
}

/// numpy's PyArrayObject fields (the same in numpy 1.20+ and 2.x): data, nd, dimensions,
/// strides, descr, flags; NPY_ARRAY_WRITEABLE.
pub(super) const NP_DATA: u64 = 16;
pub(super) const NP_ND: u64 = 24;
pub(super) const NP_DIMENSIONS: u64 = 32;
pub(super) const NP_STRIDES: u64 = 40;
pub(super) const NP_DESCR: u64 = 56;
pub(super) const NP_FLAGS: u64 = 64;
pub(super) const NPY_ARRAY_WRITEABLE: u64 = 0x0400;

/// `pyaot.numpy_types() -> ptr`: the `numpy.ndarray` type, looked up once (NULL without numpy);
/// also fills `pyaot.descr.<dtype>` with numpy's dtype objects for the fast argument path.
pub(super) fn numpy_types_fn<'ctx>(cg: &mut Codegen<'ctx, '_>) -> Cg<FunctionValue<'ctx>> {
    if let Some(f) = cg.module.get_function("pyaot.numpy_types") {
        return Ok(f);
    }
    let p = cg.ptr_type();
    let ty = p.fn_type(&[], false);
    let dtypes = [
        Scalar::Bool,
        Scalar::Int8,
        Scalar::Int16,
        Scalar::Int32,
        Scalar::Int64,
        Scalar::UInt8,
        Scalar::UInt16,
        Scalar::UInt32,
        Scalar::UInt64,
        Scalar::Float32,
        Scalar::Float64,
        Scalar::Complex64,
        Scalar::Complex128,
    ];
    for d in dtypes {
        let g = cg.module.add_global(p, None, &format!("pyaot.descr.{}", numpy_name(d)));
        g.set_initializer(&p.const_null());
        g.set_linkage(Linkage::Internal);
    }
    let cached = cg.module.add_global(p, None, "pyaot.ndarray");
    cached.set_initializer(&p.const_null());
    cached.set_linkage(Linkage::Internal);
    // numpy's bool scalar type (`x[i] > 0` of an array is one): a `bool` argument takes it.
    let np_bool = cg.module.add_global(p, None, "pyaot.np_bool");
    np_bool.set_initializer(&p.const_null());
    np_bool.set_linkage(Linkage::Internal);
    let tried = cg.module.add_global(cg.ctx.bool_type(), None, "pyaot.ndarray_tried");
    tried.set_initializer(&cg.ctx.bool_type().const_zero());
    tried.set_linkage(Linkage::Internal);
    in_new_function(cg, "pyaot.numpy_types", ty, move |cg, f| {
        let done =
            cg.b.build_load(cg.ctx.bool_type(), tried.as_pointer_value(), "")?.into_int_value();
        let ready = cg.append(f, "ready");
        let init = cg.append(f, "init");
        cg.b.build_conditional_branch(done, ready, init)?;
        cg.b.position_at_end(init);
        cg.b.build_store(tried.as_pointer_value(), cg.ctx.bool_type().const_all_ones())?;
        let name = cg.cstr("numpy")?;
        let np = call_value(cg, "PyImport_ImportModule", &[name.into()])?.into_pointer_value();
        // Block names starting with `init` tell the report this runs once per process.
        let have = cg.append(f, "init.have_numpy");
        let none = cg.append(f, "init.no_numpy");
        let missing = cg.b.build_is_null(np, "")?;
        cg.b.build_conditional_branch(missing, none, have)?;
        cg.b.position_at_end(none);
        call(cg, "PyErr_Clear", &[])?;
        cg.b.build_unconditional_branch(ready)?;
        cg.b.position_at_end(have);
        let attr = cg.cstr("ndarray")?;
        let nd = call_value(cg, "PyObject_GetAttrString", &[np.into(), attr.into()])?;
        cg.b.build_store(cached.as_pointer_value(), nd)?;
        let bool_attr = cg.cstr("bool_")?;
        let bool_type = call_value(cg, "PyObject_GetAttrString", &[np.into(), bool_attr.into()])?;
        cg.b.build_store(np_bool.as_pointer_value(), bool_type)?;
        let dtype_attr = cg.cstr("dtype")?;
        let dtype_fn = call_value(cg, "PyObject_GetAttrString", &[np.into(), dtype_attr.into()])?
            .into_pointer_value();
        for d in dtypes {
            // numpy.dtype(name): the builtin descriptor most arrays of that type share.
            let args = call_value(cg, "PyTuple_New", &[cg.i64(1).into()])?;
            let text = cg.cstr(numpy_name(d))?;
            let s = call_value(cg, "PyUnicode_FromString", &[text.into()])?;
            call(cg, "PyTuple_SetItem", &[args.into(), cg.i64(0).into(), s.into()])?;
            let descr = call_value(
                cg,
                "PyObject_Call",
                &[dtype_fn.into(), args.into(), p.const_null().into()],
            )?;
            call(cg, "Py_DecRef", &[args.into()])?;
            let g = cg
                .module
                .get_global(&format!("pyaot.descr.{}", numpy_name(d)))
                .ok_or_else(|| CgError(format!("no dtype global for {}", numpy_name(d))))?;
            cg.b.build_store(g.as_pointer_value(), descr)?;
        }
        call(cg, "Py_DecRef", &[dtype_fn.into()])?;
        call(cg, "Py_DecRef", &[np.into()])?;
        call(cg, "PyErr_Clear", &[])?;
        cg.b.build_unconditional_branch(ready)?;
        cg.b.position_at_end(ready);
        let v = cg.b.build_load(p, cached.as_pointer_value(), "")?;
        cg.b.build_return(Some(&v))?;
        Ok(())
    })
}

/// Acquires `obj`'s buffer into `view` (writable when it can be) and checks it against the spec;
/// on failure sets a TypeError naming the function and argument, and branches to `fail`.
#[allow(clippy::too_many_arguments)]
fn unbox_array<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    f: FunctionValue<'ctx>,
    spec: &SpecType,
    at: &ArrayType,
    obj: PointerValue<'ctx>,
    fname: PointerValue<'ctx>,
    argname: PointerValue<'ctx>,
    view: PointerValue<'ctx>,
    fail: inkwell::basic_block::BasicBlock<'ctx>,
) -> Cg<inkwell::values::StructValue<'ctx>> {
    let p = cg.ptr_type();
    let i32t = cg.ctx.i32_type();
    let expected = cg.cstr(&expected_text(spec))?;
    let type_error = cg.b.build_load(p, exception_global(cg, "TypeError"), "")?;
    let writable = cg.b.build_alloca(cg.ctx.bool_type(), "writable")?;
    cg.b.build_store(writable, cg.ctx.bool_type().const_all_ones())?;

    // Fast path: a numpy array of the builtin dtype is read from its fields, with no buffer to
    // acquire and release (the caller's reference keeps it alive during the call).
    let SpecType::Array { dtype, .. } = spec else {
        return Err(CgError("unbox_array of a non-array".into()));
    };
    let types = numpy_types_fn(cg)?;
    let ndarray = cg.b.build_call(types, &[], "")?.value()?.into_pointer_value();
    let tp = type_of(cg, obj)?;
    let is_ndarray = cg.b.build_int_compare(IntPredicate::EQ, tp, ndarray, "")?;
    let not_null = cg.b.build_is_not_null(ndarray, "")?;
    let fast_check = cg.append(f, "ndarray");
    let slow = cg.append(f, "buffer");
    cg.b.build_conditional_branch(cg.b.build_and(is_ndarray, not_null, "")?, fast_check, slow)?;
    cg.b.position_at_end(fast_check);
    let descr = load_at(cg, obj, NP_DESCR, p.into())?.into_pointer_value();
    let expected_descr =
        cg.b.build_load(
            p,
            cg.module
                .get_global(&format!("pyaot.descr.{}", numpy_name(*dtype)))
                .ok_or_else(|| CgError(format!("no dtype global for {}", numpy_name(*dtype))))?
                .as_pointer_value(),
            "",
        )?
        .into_pointer_value();
    let nd = load_at(cg, obj, NP_ND, i32t.into())?.into_int_value();
    let same_descr = cg.b.build_int_compare(IntPredicate::EQ, descr, expected_descr, "")?;
    let same_nd =
        cg.b.build_int_compare(IntPredicate::EQ, nd, i32t.const_int(at.ndim as u64, false), "")?;
    let fast_layout = cg.append(f, "ndarray.layout");
    cg.b.build_conditional_branch(cg.b.build_and(same_descr, same_nd, "")?, fast_layout, slow)?;
    cg.b.position_at_end(fast_layout);
    let dims_p = load_at(cg, obj, NP_DIMENSIONS, p.into())?.into_pointer_value();
    let strides_p = load_at(cg, obj, NP_STRIDES, p.into())?.into_pointer_value();
    let fits = layout_fits(cg, spec, dims_p, strides_p)?;
    let fast = cg.append(f, "ndarray.ok");
    cg.b.build_conditional_branch(fits, fast, slow)?;
    cg.b.position_at_end(fast);
    let data = load_at(cg, obj, NP_DATA, p.into())?.into_pointer_value();
    let flags = load_at(cg, obj, NP_FLAGS, i32t.into())?.into_int_value();
    let w = cg.b.build_and(flags, i32t.const_int(NPY_ARRAY_WRITEABLE, false), "")?;
    let w = cg.b.build_int_compare(IntPredicate::NE, w, i32t.const_zero(), "")?;
    let mut shape = Vec::new();
    let mut strides = Vec::new();
    for k in 0..at.ndim {
        shape.push(load_at(cg, dims_p, 8 * k as u64, cg.ctx.i64_type().into())?.into_int_value());
        strides
            .push(load_at(cg, strides_p, 8 * k as u64, cg.ctx.i64_type().into())?.into_int_value());
    }
    let fast_arr = cg.make_array(data, &shape, &strides, obj, w)?;
    let fast_end = cg.b.current_block()?;
    let join = cg.append(f, "unboxed_array");
    cg.b.build_unconditional_branch(join)?;

    cg.b.position_at_end(slow);
    // A numpy masked array hands out its data through the buffer protocol, mask and all
    // ignored: refuse it rather than compute with the masked values.
    let mask_name = cg.cstr("_mask")?;
    let filled_name = cg.cstr("filled")?;
    let has_mask =
        call_value(cg, "PyObject_HasAttrString", &[obj.into(), mask_name.into()])?.into_int_value();
    let has_filled = call_value(cg, "PyObject_HasAttrString", &[obj.into(), filled_name.into()])?
        .into_int_value();
    let zero = i32t.const_zero();
    let masked = cg.b.build_and(
        cg.b.build_int_compare(IntPredicate::NE, has_mask, zero, "")?,
        cg.b.build_int_compare(IntPredicate::NE, has_filled, zero, "")?,
        "",
    )?;
    let masked_bb = cg.append(f, "masked_array");
    let plain = cg.append(f, "buffer.plain");
    cg.b.build_conditional_branch(masked, masked_bb, plain)?;
    cg.b.position_at_end(masked_bb);
    let fmt = cg.cstr("%s() argument '%s' is a masked array, whose mask compiled code would ignore: pass a.filled(value) or a.data")?;
    call(cg, "PyErr_Format", &[type_error.into(), fmt.into(), fname.into(), argname.into()])?;
    cg.b.build_unconditional_branch(fail)?;
    cg.b.position_at_end(plain);
    let r = call_value(
        cg,
        "PyObject_GetBuffer",
        &[obj.into(), view.into(), i32t.const_int(PYBUF_RECORDS, false).into()],
    )?
    .into_int_value();
    let got = cg.b.build_int_compare(IntPredicate::EQ, r, i32t.const_zero(), "")?;
    let acquired = cg.append(f, "acquired");
    let retry = cg.append(f, "retry_read_only");
    let not_buffer = cg.append(f, "not_a_buffer");
    cg.b.build_conditional_branch(got, acquired, retry)?;
    // Not writable (numpy: ValueError, bytes: BufferError): take it read-only; writes will raise.
    cg.b.position_at_end(retry);
    let is_type_error =
        call_value(cg, "PyErr_ExceptionMatches", &[type_error.into()])?.into_int_value();
    let is_type_error =
        cg.b.build_int_compare(IntPredicate::NE, is_type_error, i32t.const_zero(), "")?;
    let read_only = cg.append(f, "read_only");
    cg.b.build_conditional_branch(is_type_error, not_buffer, read_only)?;
    cg.b.position_at_end(read_only);
    call(cg, "PyErr_Clear", &[])?;
    cg.b.build_store(writable, cg.ctx.bool_type().const_zero())?;
    let r = call_value(
        cg,
        "PyObject_GetBuffer",
        &[obj.into(), view.into(), i32t.const_int(PYBUF_RECORDS_RO, false).into()],
    )?
    .into_int_value();
    let got = cg.b.build_int_compare(IntPredicate::EQ, r, i32t.const_zero(), "")?;
    let second_failure = cg.append(f, "no_buffer");
    cg.b.build_conditional_branch(got, acquired, second_failure)?;
    cg.b.position_at_end(second_failure);
    let is_type_error =
        call_value(cg, "PyErr_ExceptionMatches", &[type_error.into()])?.into_int_value();
    let is_type_error =
        cg.b.build_int_compare(IntPredicate::NE, is_type_error, i32t.const_zero(), "")?;
    cg.b.build_conditional_branch(is_type_error, not_buffer, fail)?;
    cg.b.position_at_end(not_buffer);
    call(cg, "PyErr_Clear", &[])?;
    let err = arg_type_error_fn(cg)?;
    cg.b.build_call(err, &[fname.into(), argname.into(), expected.into(), obj.into()], "")?;
    cg.b.build_unconditional_branch(fail)?;

    cg.b.position_at_end(acquired);
    let fits = buffer_fits(cg, f, spec, view)?;
    let good = cg.append(f, "buffer_fits");
    let wrong = cg.append(f, "buffer_wrong");
    cg.b.build_conditional_branch(fits, good, wrong)?;
    cg.b.position_at_end(wrong);
    let format = load_at(cg, view, BUF_FORMAT, p.into())?;
    let ndim = load_at(cg, view, BUF_NDIM, i32t.into())?;
    let fmt = cg.cstr("%s() argument '%s' must be %s, not a buffer of format '%s' with %d dimension(s) (or a size or layout that differs)")?;
    call(
        cg,
        "PyErr_Format",
        &[
            type_error.into(),
            fmt.into(),
            fname.into(),
            argname.into(),
            expected.into(),
            format.into(),
            ndim.into(),
        ],
    )?;
    call(cg, "PyBuffer_Release", &[view.into()])?;
    cg.b.build_unconditional_branch(fail)?;

    cg.b.position_at_end(good);
    let data = load_at(cg, view, 0, p.into())?.into_pointer_value();
    let shape_p = load_at(cg, view, BUF_SHAPE, p.into())?.into_pointer_value();
    let strides_p = load_at(cg, view, BUF_STRIDES, p.into())?.into_pointer_value();
    let mut shape = Vec::new();
    let mut strides = Vec::new();
    for k in 0..at.ndim {
        shape.push(load_at(cg, shape_p, 8 * k as u64, cg.ctx.i64_type().into())?.into_int_value());
        strides
            .push(load_at(cg, strides_p, 8 * k as u64, cg.ctx.i64_type().into())?.into_int_value());
    }
    let w = cg.b.build_load(cg.ctx.bool_type(), writable, "")?.into_int_value();
    let slow_arr = cg.make_array(data, &shape, &strides, obj, w)?;
    let slow_end = cg.b.current_block()?;
    cg.b.build_unconditional_branch(join)?;
    cg.b.position_at_end(join);
    let phi = cg.b.build_phi(cg.array_struct(at.ndim), "array")?;
    phi.add_incoming(&[(&fast_arr, fast_end), (&slow_arr, slow_end)]);
    Ok(phi.as_basic_value().into_struct_value())
}

/// Calls the native function of `instance` with unboxed `args`, its depth (0) when it is
/// recursive, and the failure flag; with the GIL released when it touches no Python object.
fn call_native<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    instance: usize,
    args: &[BasicMetadataValueEnum<'ctx>],
    flag: PointerValue<'ctx>,
    one_of_two: bool,
) -> Cg<BasicValueEnum<'ctx>> {
    let native = cg.natives[instance];
    let mut values = args.to_vec();
    if cg.is_recursive(instance) {
        values.push(cg.i64(0).into());
    }
    values.push(flag.into());
    // Kernels that touch no Python object run with the GIL released (other threads go on).
    let thread_state = if cg.runs_without_gil(instance) {
        Some(call_value(cg, "PyEval_SaveThread", &[])?)
    } else {
        None
    };
    let call_site = cg.b.build_call(native, &values, "")?;
    if one_of_two {
        // Kept a call, as when the wrapper picked the version through a pointer: neither
        // version is inlined into the wrapper (the code is as it was, and the report
        // attributes each version's code to its own lines).
        let noinline = inkwell::attributes::Attribute::get_named_enum_kind_id("noinline");
        call_site.add_attribute(
            inkwell::attributes::AttributeLoc::Function,
            cg.ctx.create_enum_attribute(noinline, 0),
        );
    }
    let v = call_site
        .try_as_basic_value()
        .basic()
        .ok_or_else(|| CgError("a native function returns void".into()))?;
    if let Some(ts) = thread_state {
        call(cg, "PyEval_RestoreThread", &[ts.into()])?;
    }
    Ok(v)
}

/// Whether `obj` is a numpy bool scalar (`numpy.bool_`), false without numpy.
fn is_numpy_bool<'ctx>(cg: &mut Codegen<'ctx, '_>, obj: PointerValue<'ctx>) -> Cg<IntValue<'ctx>> {
    let types = numpy_types_fn(cg)?;
    cg.b.build_call(types, &[], "")?;
    let np_bool = cg
        .module
        .get_global("pyaot.np_bool")
        .ok_or_else(|| CgError("numpy's bool type is not declared".into()))?;
    let bool_type =
        cg.b.build_load(cg.ptr_type(), np_bool.as_pointer_value(), "")?.into_pointer_value();
    let tp = type_of(cg, obj)?;
    let same = cg.b.build_int_compare(IntPredicate::EQ, tp, bool_type, "")?;
    Ok(cg.b.build_and(same, cg.b.build_is_not_null(bool_type, "")?, "")?)
}

/// `pyaot.index_error(index, axis, size)`: numpy's IndexError message.
pub(super) fn index_error_fn<'ctx>(cg: &mut Codegen<'ctx, '_>) -> Cg<FunctionValue<'ctx>> {
    let i64t = cg.ctx.i64_type();
    let ty =
        cg.ctx.void_type().fn_type(&[i64t.into(), cg.ctx.i32_type().into(), i64t.into()], false);
    let f = in_new_function(cg, "pyaot.index_error", ty, |cg, f| {
        let (i, axis, n) = (f.param(0)?, f.param(1)?, f.param(2)?);
        let axis64 = cg.b.build_int_z_extend(axis.into_int_value(), cg.ctx.i64_type(), "")?;
        cg.record_if_in_region(
            f,
            exception_global(cg, "IndexError"),
            cg.ptr_type().const_null(),
            [i.into_int_value(), axis64, n.into_int_value()],
        )?;
        let gil = call_value(cg, "PyGILState_Ensure", &[])?;
        let exc = cg.b.build_load(cg.ptr_type(), exception_global(cg, "IndexError"), "")?;
        let fmt = cg.cstr("index %lld is out of bounds for axis %d with size %lld")?;
        call(cg, "PyErr_Format", &[exc.into(), fmt.into(), i.into(), axis.into(), n.into()])?;
        call(cg, "PyGILState_Release", &[gil.into()])?;
        cg.b.build_return(None)?;
        Ok(())
    })?;
    cg.add_attr(f, "cold");
    cg.add_attr(f, "noinline");
    Ok(f)
}

/// `pyaot.raise_recorded(error)`: raises, on the calling thread, the error a parallel region
/// recorded (exception global, message, or IndexError's index, axis and size).
pub(super) fn raise_recorded_fn<'ctx>(cg: &mut Codegen<'ctx, '_>) -> Cg<FunctionValue<'ctx>> {
    let p = cg.ptr_type();
    let ty = cg.ctx.void_type().fn_type(&[p.into()], false);
    let f = in_new_function(cg, "pyaot.raise_recorded", ty, |cg, f| {
        let error = f.param(0)?.into_pointer_value();
        let i64t = cg.ctx.i64_type();
        // A region started inside another one ran serially, and its error is already recorded
        // for the outer region: leave it there (this thread must not call Python).
        let nested = cg.in_parallel_region()?;
        let leave = cg.append(f, "nested");
        let raise = cg.append(f, "raise");
        cg.b.build_conditional_branch(nested, leave, raise)?;
        cg.b.position_at_end(leave);
        cg.b.build_return(None)?;
        cg.b.position_at_end(raise);
        let exc_slot = load_at(cg, error, 0, p.into())?.into_pointer_value();
        let msg = load_at(cg, error, 8, p.into())?.into_pointer_value();
        let index = load_at(cg, error, 16, i64t.into())?;
        let axis = load_at(cg, error, 24, i64t.into())?.into_int_value();
        let size = load_at(cg, error, 32, i64t.into())?;
        let gil = call_value(cg, "PyGILState_Ensure", &[])?;
        let exc = cg.b.build_load(p, exc_slot, "")?;
        let with_msg = cg.append(f, "with_message");
        let no_msg = cg.append(f, "no_message");
        let index_error = cg.append(f, "index_error");
        let bare = cg.append(f, "bare");
        let done = cg.append(f, "done");
        cg.b.build_conditional_branch(cg.b.build_is_null(msg, "")?, no_msg, with_msg)?;
        cg.b.position_at_end(with_msg);
        call(cg, "PyErr_SetString", &[exc.into(), msg.into()])?;
        cg.b.build_unconditional_branch(done)?;
        cg.b.position_at_end(no_msg);
        let is_index = cg.b.build_int_compare(
            IntPredicate::EQ,
            exc_slot,
            exception_global(cg, "IndexError"),
            "",
        )?;
        cg.b.build_conditional_branch(is_index, index_error, bare)?;
        cg.b.position_at_end(index_error);
        let fmt = cg.cstr("index %lld is out of bounds for axis %d with size %lld")?;
        let axis32 = cg.b.build_int_truncate(axis, cg.ctx.i32_type(), "")?;
        call(
            cg,
            "PyErr_Format",
            &[exc.into(), fmt.into(), index.into(), axis32.into(), size.into()],
        )?;
        cg.b.build_unconditional_branch(done)?;
        cg.b.position_at_end(bare);
        call(cg, "PyErr_SetNone", &[exc.into()])?;
        cg.b.build_unconditional_branch(done)?;
        cg.b.position_at_end(done);
        call(cg, "PyGILState_Release", &[gil.into()])?;
        cg.b.build_return(None)?;
        Ok(())
    })?;
    cg.add_attr(f, "cold");
    Ok(f)
}

/// Moves a new reference into the arena list at `slot` (creating the list); 0, or -1 on error.
pub(super) fn arena_add<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    slot: PointerValue<'ctx>,
    obj: PointerValue<'ctx>,
) -> Cg<IntValue<'ctx>> {
    let f = match cg.module.get_function("pyaot.arena_add") {
        Some(f) => f,
        None => {
            let p = cg.ptr_type();
            let i32t = cg.ctx.i32_type();
            let ty = i32t.fn_type(&[p.into(), p.into()], false);
            in_new_function(cg, "pyaot.arena_add", ty, |cg, f| {
                let slot = f.param(0)?.into_pointer_value();
                let obj = f.param(1)?.into_pointer_value();
                let gil = call_value(cg, "PyGILState_Ensure", &[])?;
                let list = cg.b.build_load(p, slot, "")?.into_pointer_value();
                let make = cg.append(f, "make");
                let append = cg.append(f, "append");
                let oom = cg.append(f, "oom");
                let missing = cg.b.build_is_null(list, "")?;
                let entry = cg.b.current_block()?;
                cg.b.build_conditional_branch(missing, make, append)?;
                cg.b.position_at_end(make);
                let fresh = call_value(cg, "PyList_New", &[cg.i64(0).into()])?.into_pointer_value();
                cg.b.build_store(slot, fresh)?;
                let failed = cg.b.build_is_null(fresh, "")?;
                cg.b.build_conditional_branch(failed, oom, append)?;
                cg.b.position_at_end(append);
                let list_phi = cg.b.build_phi(p, "list")?;
                list_phi.add_incoming(&[(&list, entry), (&fresh, make)]);
                let r = call_value(
                    cg,
                    "PyList_Append",
                    &[list_phi.as_basic_value().into(), obj.into()],
                )?;
                call(cg, "Py_DecRef", &[obj.into()])?;
                call(cg, "PyGILState_Release", &[gil.into()])?;
                cg.b.build_return(Some(&r))?;
                cg.b.position_at_end(oom);
                call(cg, "Py_DecRef", &[obj.into()])?;
                call(cg, "PyGILState_Release", &[gil.into()])?;
                cg.b.build_return(Some(&i32t.const_all_ones()))?;
                Ok(())
            })?
        }
    };
    Ok(cg.b.build_call(f, &[slot.into(), obj.into()], "")?.value()?.into_int_value())
}

/// `pyaot.np_call(name, args, aligned)`: `numpy.<name>(*args)`, importing numpy on first use,
/// with the aligned allocator when `aligned` (see aligned.rs). Steals `args`.
fn np_call_fn<'ctx>(cg: &mut Codegen<'ctx, '_>) -> Cg<FunctionValue<'ctx>> {
    let p = cg.ptr_type();
    let ty = p.fn_type(&[p.into(), p.into(), cg.ctx.bool_type().into()], false);
    in_new_function(cg, "pyaot.np_call", ty, |cg, f| {
        let name = f.param(0)?.into_pointer_value();
        let args = f.param(1)?.into_pointer_value();
        let aligned = f.param(2)?.into_int_value();
        let g = cg.module.add_global(p, None, "pyaot.numpy");
        g.set_initializer(&p.const_null());
        g.set_linkage(Linkage::Internal);
        let np = cg.b.build_load(p, g.as_pointer_value(), "")?.into_pointer_value();
        let import = cg.append(f, "import");
        let have = cg.append(f, "have_numpy");
        let fail = cg.append(f, "fail");
        let entry = cg.b.current_block()?;
        let missing = cg.b.build_is_null(np, "")?;
        cg.b.build_conditional_branch(missing, import, have)?;
        cg.b.position_at_end(import);
        let numpy_name = cg.cstr("numpy")?;
        let imported =
            call_value(cg, "PyImport_ImportModule", &[numpy_name.into()])?.into_pointer_value();
        cg.b.build_store(g.as_pointer_value(), imported)?;
        let failed = cg.b.build_is_null(imported, "")?;
        cg.b.build_conditional_branch(failed, fail, have)?;
        cg.b.position_at_end(have);
        let module = cg.b.build_phi(p, "numpy")?;
        module.add_incoming(&[(&np, entry), (&imported, import)]);
        let func = call_value(
            cg,
            "PyObject_GetAttrString",
            &[module.as_basic_value().into(), name.into()],
        )?
        .into_pointer_value();
        let got = cg.append(f, "got_function");
        let no_func = cg.b.build_is_null(func, "")?;
        cg.b.build_conditional_branch(no_func, fail, got)?;
        cg.b.position_at_end(got);
        // Large arrays come from the aligned allocator (see aligned.rs), set around this call only.
        let want = cg.append(f, "aligned");
        let call_bb = cg.append(f, "call");
        let from = cg.b.current_block()?;
        cg.b.build_conditional_branch(aligned, want, call_bb)?;
        cg.b.position_at_end(want);
        let handler_fn = super::aligned::handler_fn(cg)?;
        let handler = cg.b.build_call(handler_fn, &[], "")?.value()?.into_pointer_value();
        let install = cg.append(f, "aligned.install");
        let want_end = cg.b.current_block()?;
        cg.b.build_conditional_branch(cg.b.build_is_null(handler, "")?, call_bb, install)?;
        cg.b.position_at_end(install);
        let previous = super::aligned::set_handler(cg, handler)?;
        call(cg, "Py_DecRef", &[handler.into()])?;
        // Could not set it: go on with numpy's own allocator.
        let installed = cg.b.build_is_not_null(previous, "")?;
        let cleared = cg.append(f, "aligned.failed");
        let install_end = cg.b.current_block()?;
        cg.b.build_conditional_branch(installed, call_bb, cleared)?;
        cg.b.position_at_end(cleared);
        call(cg, "PyErr_Clear", &[])?;
        cg.b.build_unconditional_branch(call_bb)?;
        cg.b.position_at_end(call_bb);
        let restore = cg.b.build_phi(p, "previous")?;
        restore.add_incoming(&[
            (&p.const_null(), from),
            (&p.const_null(), want_end),
            (&previous, install_end),
            (&p.const_null(), cleared),
        ]);
        let restore = restore.as_basic_value().into_pointer_value();
        let r =
            call_value(cg, "PyObject_Call", &[func.into(), args.into(), p.const_null().into()])?
                .into_pointer_value();
        call(cg, "Py_DecRef", &[func.into()])?;
        call(cg, "Py_DecRef", &[args.into()])?;
        let put_back = cg.append(f, "aligned.restore");
        let done = cg.append(f, "done");
        cg.b.build_conditional_branch(cg.b.build_is_null(restore, "")?, done, put_back)?;
        cg.b.position_at_end(put_back);
        // numpy's error (if the call failed) waits while the handler goes back.
        let exc: Vec<PointerValue> =
            (0..3).map(|_| cg.b.build_alloca(p, "exc")).collect::<Result<_, _>>()?;
        call(cg, "PyErr_Fetch", &[exc[0].into(), exc[1].into(), exc[2].into()])?;
        let ours = super::aligned::set_handler(cg, restore)?;
        call(cg, "Py_DecRef", &[restore.into()])?;
        let had = cg.append(f, "aligned.release");
        let gone = cg.append(f, "aligned.put_back");
        cg.b.build_conditional_branch(cg.b.build_is_null(ours, "")?, gone, had)?;
        cg.b.position_at_end(had);
        call(cg, "Py_DecRef", &[ours.into()])?;
        cg.b.build_unconditional_branch(gone)?;
        cg.b.position_at_end(gone);
        call(cg, "PyErr_Clear", &[])?;
        let tp = cg.b.build_load(p, exc[0], "")?;
        let value = cg.b.build_load(p, exc[1], "")?;
        let tb = cg.b.build_load(p, exc[2], "")?;
        call(cg, "PyErr_Restore", &[tp.into(), value.into(), tb.into()])?;
        cg.b.build_unconditional_branch(done)?;
        cg.b.position_at_end(done);
        cg.b.build_return(Some(&r))?;
        cg.b.position_at_end(fail);
        call(cg, "Py_DecRef", &[args.into()])?;
        cg.b.build_return(Some(&p.const_null()))?;
        Ok(())
    })
}

/// A new tuple of Python ints from native sizes.
fn int_tuple<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    values: &[IntValue<'ctx>],
) -> Cg<PointerValue<'ctx>> {
    let t =
        call_value(cg, "PyTuple_New", &[cg.i64(values.len() as i64).into()])?.into_pointer_value();
    for (k, v) in values.iter().enumerate() {
        let item = call_value(cg, "PyLong_FromLongLong", &[(*v).into()])?;
        call(cg, "PyTuple_SetItem", &[t.into(), cg.i64(k as i64).into(), item.into()])?;
    }
    Ok(t)
}

/// Calls `numpy.<function>(shape, *extra, dtype)` (no shape for arange) from native code and
/// returns the new reference; leaves the function on failure.
/// Arrays created with at least ALIGNED_FROM and fewer than ALIGNED_BELOW bytes come from the
/// aligned allocator: loads that split cache lines cost where the data sits in the caches
/// (matmul's 115 KB result); an array larger than the L2 cache streams from memory, where they
/// cost nothing, and there stencil's 2 MB result ran faster from numpy's own allocator
/// (docs/performance.md, "Measurements behind the transforms").
const ALIGNED_FROM: i64 = 16 * 1024;
const ALIGNED_BELOW: i64 = 1024 * 1024;

pub(super) fn numpy_call<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    cx: &mut FnCx<'ctx>,
    function: &str,
    shape: &[IntValue<'ctx>],
    extra: &[(BasicValueEnum<'ctx>, Type)],
    dtype: Scalar,
) -> Cg<PointerValue<'ctx>> {
    // Kernels may run without the GIL: hold it while talking to Python.
    let gil = call_value(cg, "PyGILState_Ensure", &[])?;
    let with_shape = function != "arange";
    let n = with_shape as usize + extra.len() + 1;
    let args = call_value(cg, "PyTuple_New", &[cg.i64(n as i64).into()])?.into_pointer_value();
    let mut k = 0;
    if with_shape {
        let t = int_tuple(cg, shape)?;
        call(cg, "PyTuple_SetItem", &[args.into(), cg.i64(0).into(), t.into()])?;
        k = 1;
    }
    for (v, t) in extra {
        let boxer = box_fn(cg, t)?;
        let obj = cg.b.build_call(boxer, &[(*v).into()], "")?.value()?;
        call(cg, "PyTuple_SetItem", &[args.into(), cg.i64(k as i64).into(), obj.into()])?;
        k += 1;
    }
    let dtype_name = cg.cstr(numpy_name(dtype))?;
    let d = call_value(cg, "PyUnicode_FromString", &[dtype_name.into()])?;
    call(cg, "PyTuple_SetItem", &[args.into(), cg.i64(k as i64).into(), d.into()])?;
    let name = cg.cstr(function)?;
    let callee = np_call_fn(cg)?;
    // Arrays of ALIGNED_FROM to ALIGNED_BELOW bytes start on a cache line (codegen/aligned.rs);
    // smaller ones are not worth the two context-variable switches.
    let aligned = if with_shape {
        let mut bytes = cg.i64(dtype_size(dtype) as i64);
        for n in shape {
            bytes = cg.b.build_int_mul(bytes, *n, "")?;
        }
        let big = cg.b.build_int_compare(IntPredicate::SGE, bytes, cg.i64(ALIGNED_FROM), "")?;
        let cached = cg.b.build_int_compare(IntPredicate::SLT, bytes, cg.i64(ALIGNED_BELOW), "")?;
        cg.b.build_and(big, cached, "")?
    } else {
        cg.ctx.bool_type().const_zero()
    };
    let obj =
        cg.b.build_call(callee, &[name.into(), args.into(), aligned.into()], "")?
            .value()?
            .into_pointer_value();
    call(cg, "PyGILState_Release", &[gil.into()])?;
    let unwind = cg.unwind_block(cx)?;
    let ok = cg.append(cx.func, "numpy_ok");
    let failed = cg.b.build_is_null(obj, "")?;
    cg.b.build_conditional_branch(failed, unwind, ok)?;
    cg.b.position_at_end(ok);
    Ok(obj)
}

/// `pyaot.read_array.<n>(obj) -> {array, i1 failed}`: data, shape and strides of a new numpy array.
pub(super) fn read_new_array_fn<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    ndim: usize,
) -> Cg<FunctionValue<'ctx>> {
    let name = format!("pyaot.read_array.{ndim}");
    let p = cg.ptr_type();
    let arr_ty = cg.array_struct(ndim);
    let ret = cg.ctx.struct_type(&[arr_ty.into(), cg.ctx.bool_type().into()], false);
    let ty = ret.fn_type(&[p.into()], false);
    in_new_function(cg, &name, ty, move |cg, f| {
        let obj = f.param(0)?.into_pointer_value();
        let view = cg.b.build_alloca(cg.ctx.i8_type().array_type(PY_BUFFER_SIZE), "view")?;
        let gil = call_value(cg, "PyGILState_Ensure", &[])?;
        let r = call_value(
            cg,
            "PyObject_GetBuffer",
            &[obj.into(), view.into(), cg.ctx.i32_type().const_int(PYBUF_RECORDS, false).into()],
        )?
        .into_int_value();
        let ok = cg.append(f, "ok");
        let fail = cg.append(f, "fail");
        let got =
            cg.b.build_int_compare(IntPredicate::EQ, r, cg.ctx.i32_type().const_zero(), "")?;
        cg.b.build_conditional_branch(got, ok, fail)?;
        cg.b.position_at_end(ok);
        let data = load_at(cg, view, 0, p.into())?.into_pointer_value();
        let shape_p = load_at(cg, view, BUF_SHAPE, p.into())?.into_pointer_value();
        let strides_p = load_at(cg, view, BUF_STRIDES, p.into())?.into_pointer_value();
        let mut shape = Vec::new();
        let mut strides = Vec::new();
        for k in 0..ndim {
            shape.push(
                load_at(cg, shape_p, 8 * k as u64, cg.ctx.i64_type().into())?.into_int_value(),
            );
            strides.push(
                load_at(cg, strides_p, 8 * k as u64, cg.ctx.i64_type().into())?.into_int_value(),
            );
        }
        let arr =
            cg.make_array(data, &shape, &strides, obj, cg.ctx.bool_type().const_all_ones())?;
        // The arena keeps the array alive; numpy never moves an array's data.
        call(cg, "PyBuffer_Release", &[view.into()])?;
        call(cg, "PyGILState_Release", &[gil.into()])?;
        let agg = cg.b.build_insert_value(ret.get_undef(), arr, 0, "")?;
        let agg = cg.b.build_insert_value(agg, cg.ctx.bool_type().const_zero(), 1, "")?;
        cg.b.build_return(Some(&agg.into_struct_value()))?;
        cg.b.position_at_end(fail);
        call(cg, "PyGILState_Release", &[gil.into()])?;
        let agg =
            cg.b.build_insert_value(ret.get_undef(), cg.ctx.bool_type().const_all_ones(), 1, "")?;
        cg.b.build_return(Some(&agg.into_struct_value()))?;
        Ok(())
    })
}

/// `pyaot.unbox.<spec>(obj, fname, argname) -> {T, i1 failed}`; raises OverflowError naming the
/// function and argument when an int does not fit.
fn unbox_fn<'ctx>(cg: &mut Codegen<'ctx, '_>, spec: &SpecType) -> Cg<FunctionValue<'ctx>> {
    let name = format!("pyaot.unbox.{}", spec_key(spec));
    let t = spec_to_type(spec).map_err(CgError)?;
    let ret = cg.ret_type(&t);
    let p = cg.ptr_type();
    let ty = ret.fn_type(&[p.into(), p.into(), p.into(), p.into()], false);
    let spec = spec.clone();
    in_new_function(cg, &name, ty, move |cg, f| {
        let obj = f.param(0)?.into_pointer_value();
        let fname = f.param(1)?.into_pointer_value();
        let argname = f.param(2)?.into_pointer_value();
        let view = f.param(3)?.into_pointer_value();
        let ok = |cg: &Codegen<'ctx, '_>, v: BasicValueEnum<'ctx>| -> Cg<()> {
            let agg = cg.b.build_insert_value(ret.get_undef(), v, 0, "")?;
            let agg = cg.b.build_insert_value(agg, cg.ctx.bool_type().const_zero(), 1, "")?;
            cg.b.build_return(Some(&agg.into_struct_value()))?;
            Ok(())
        };
        let fail_block = cg.append(f, "failed");
        match &spec {
            // Objects are passed as they are (borrowed: the callee takes its own reference).
            _ if t == Type::Object => ok(cg, obj.into())?,
            SpecType::Scalar(Scalar::Bool) => {
                // True, False, or (the check let it through) a numpy bool.
                let t = cg.b.build_int_compare(
                    IntPredicate::EQ,
                    obj,
                    data_symbol(cg, "_Py_TrueStruct"),
                    "",
                )?;
                let fl = cg.b.build_int_compare(
                    IntPredicate::EQ,
                    obj,
                    data_symbol(cg, "_Py_FalseStruct"),
                    "",
                )?;
                let either = cg.b.build_or(t, fl, "")?;
                let python_bool = cg.append(f, "python_bool");
                let numpy_bool = cg.append(f, "numpy_bool");
                cg.b.build_conditional_branch(either, python_bool, numpy_bool)?;
                cg.b.position_at_end(python_bool);
                ok(cg, t.into())?;
                cg.b.position_at_end(numpy_bool);
                let truth = call_value(cg, "PyObject_IsTrue", &[obj.into()])?.into_int_value();
                let v = cg.b.build_int_compare(
                    IntPredicate::EQ,
                    truth,
                    cg.ctx.i32_type().const_int(1, false),
                    "",
                )?;
                ok(cg, v.into())?;
            }
            SpecType::Scalar(s) if s.is_integer() => {
                let v = call_value(cg, "PyLong_AsLongLong", &[obj.into()])?.into_int_value();
                let minus_one = cg.b.build_int_compare(IntPredicate::EQ, v, cg.i64(-1), "")?;
                let fine = branch_to_pending_error(cg, f, minus_one)?;
                let overflow = overflow_ptr(cg)?;
                let matches =
                    call_value(cg, "PyErr_ExceptionMatches", &[overflow.into()])?.into_int_value();
                let is_overflow = cg.b.build_int_compare(
                    IntPredicate::NE,
                    matches,
                    cg.ctx.i32_type().const_zero(),
                    "",
                )?;
                let reword = cg.append(f, "reword");
                let other = cg.append(f, "other_error");
                cg.b.build_conditional_branch(is_overflow, reword, other)?;
                cg.b.position_at_end(reword);
                call(cg, "PyErr_Clear", &[])?;
                let fmt = cg.cstr("%s() argument '%s' does not fit in int64 (pyaot's int)")?;
                call(
                    cg,
                    "PyErr_Format",
                    &[overflow.into(), fmt.into(), fname.into(), argname.into()],
                )?;
                cg.b.build_unconditional_branch(fail_block)?;
                cg.b.position_at_end(other);
                reword_type_error(cg, f, &spec, obj, fname, argname, fail_block)?;
                cg.b.position_at_end(fine);
                if let (Some((lo, hi)), false) =
                    (s.int_range(), *s == Scalar::Int64 || *s == Scalar::UInt64)
                {
                    let above =
                        cg.b.build_int_compare(IntPredicate::SGE, v, cg.i64(lo as i64), "")?;
                    let below =
                        cg.b.build_int_compare(IntPredicate::SLE, v, cg.i64(hi as i64), "")?;
                    let inside = cg.b.build_and(above, below, "")?;
                    let good = cg.append(f, "in_range");
                    let bad = cg.append(f, "out_of_range");
                    cg.b.build_conditional_branch(inside, good, bad)?;
                    cg.b.position_at_end(bad);
                    let fmt = cg.cstr(&format!(
                        "%s() argument '%s' = %lld is out of range for {} ({lo}..{hi})",
                        s.name()
                    ))?;
                    call(
                        cg,
                        "PyErr_Format",
                        &[
                            overflow_ptr(cg)?.into(),
                            fmt.into(),
                            fname.into(),
                            argname.into(),
                            v.into(),
                        ],
                    )?;
                    cg.b.build_unconditional_branch(fail_block)?;
                    cg.b.position_at_end(good);
                } else if *s == Scalar::UInt64 {
                    let nonneg = cg.b.build_int_compare(IntPredicate::SGE, v, cg.i64(0), "")?;
                    let good = cg.append(f, "in_range");
                    let bad = cg.append(f, "out_of_range");
                    cg.b.build_conditional_branch(nonneg, good, bad)?;
                    cg.b.position_at_end(bad);
                    let fmt =
                        cg.cstr("%s() argument '%s' = %lld is negative, but the type is uint64")?;
                    call(
                        cg,
                        "PyErr_Format",
                        &[
                            overflow_ptr(cg)?.into(),
                            fmt.into(),
                            fname.into(),
                            argname.into(),
                            v.into(),
                        ],
                    )?;
                    cg.b.build_unconditional_branch(fail_block)?;
                    cg.b.position_at_end(good);
                }
                ok(cg, v.into())?;
            }
            SpecType::Scalar(s @ (Scalar::Complex64 | Scalar::Complex128)) => {
                // Not a complex (numpy.complex64, a float, an int): convert with complex(obj),
                // which honours __complex__ (3.11's PyComplex_RealAsDouble would use __float__).
                let is_complex = call_value(
                    cg,
                    "PyObject_IsInstance",
                    &[obj.into(), data_symbol(cg, "PyComplex_Type").into()],
                )?
                .into_int_value();
                let is_complex = cg.b.build_int_compare(
                    IntPredicate::NE,
                    is_complex,
                    cg.ctx.i32_type().const_zero(),
                    "",
                )?;
                let convert = cg.append(f, "to_complex");
                let read = cg.append(f, "read_parts");
                let entry_block = cg.b.current_block()?;
                cg.b.build_conditional_branch(is_complex, read, convert)?;
                cg.b.position_at_end(convert);
                // Numbers only: complex("1+2j") would parse a string.
                let float_check = check_fn(cg, &SpecType::Scalar(Scalar::Float64))?;
                let real =
                    cg.b.build_call(float_check, &[obj.into()], "")?.value()?.into_int_value();
                let dunder = cg.cstr("__complex__")?;
                let has = call_value(cg, "PyObject_HasAttrString", &[obj.into(), dunder.into()])?
                    .into_int_value();
                let has = cg.b.build_int_compare(
                    IntPredicate::NE,
                    has,
                    cg.ctx.i32_type().const_zero(),
                    "",
                )?;
                let number = cg.b.build_or(real, has, "")?;
                let call_complex = cg.append(f, "call_complex");
                let not_number = cg.append(f, "not_a_number");
                cg.b.build_conditional_branch(number, call_complex, not_number)?;
                cg.b.position_at_end(not_number);
                let expected = cg.cstr(&expected_text(&spec))?;
                let err = arg_type_error_fn(cg)?;
                cg.b.build_call(
                    err,
                    &[fname.into(), argname.into(), expected.into(), obj.into()],
                    "",
                )?;
                cg.b.build_unconditional_branch(fail_block)?;
                cg.b.position_at_end(call_complex);
                let converted = call_value(
                    cg,
                    "PyObject_CallFunctionObjArgs",
                    &[data_symbol(cg, "PyComplex_Type").into(), obj.into(), p.const_null().into()],
                )?
                .into_pointer_value();
                let failed = cg.b.build_is_null(converted, "")?;
                let convert_failed = cg.append(f, "convert_failed");
                cg.b.build_conditional_branch(failed, convert_failed, read)?;
                cg.b.position_at_end(convert_failed);
                reword_type_error(cg, f, &spec, obj, fname, argname, fail_block)?;
                cg.b.position_at_end(read);
                let source = cg.b.build_phi(p, "complex_obj")?;
                source.add_incoming(&[(&obj, entry_block), (&converted, call_complex)]);
                let source = source.as_basic_value().into_pointer_value();
                let re =
                    call_value(cg, "PyComplex_RealAsDouble", &[source.into()])?.into_float_value();
                let im =
                    call_value(cg, "PyComplex_ImagAsDouble", &[source.into()])?.into_float_value();
                // Drop the converted object (Py_DecRef of the argument itself would be wrong).
                let drop = cg.append(f, "drop_converted");
                let parts_read = cg.append(f, "parts_read");
                cg.b.build_conditional_branch(is_complex, parts_read, drop)?;
                cg.b.position_at_end(drop);
                call(cg, "Py_DecRef", &[source.into()])?;
                cg.b.build_unconditional_branch(parts_read)?;
                cg.b.position_at_end(parts_read);
                fail_on_error_value(cg, f, re, &spec, obj, fname, argname, fail_block)?;
                let (re, im) = if *s == Scalar::Complex64 {
                    let f32t = cg.ctx.f32_type();
                    let f64t = cg.ctx.f64_type();
                    (
                        cg.b.build_float_ext(cg.b.build_float_trunc(re, f32t, "")?, f64t, "")?,
                        cg.b.build_float_ext(cg.b.build_float_trunc(im, f32t, "")?, f64t, "")?,
                    )
                } else {
                    (re, im)
                };
                ok(cg, cg.make_complex(re, im)?.into())?;
            }
            SpecType::Scalar(s @ (Scalar::Float32 | Scalar::Float64)) => {
                // An exact float (the common case) is read in place: its value follows the object
                // header (`PyObject_HEAD`, 16 bytes), a layout every CPython 3 has kept. Anything
                // else goes through PyFloat_AsDouble (`__float__`, `__index__`, errors).
                let tp = type_of(cg, obj)?;
                let exact = cg.b.build_int_compare(
                    IntPredicate::EQ,
                    tp,
                    data_symbol(cg, "PyFloat_Type"),
                    "",
                )?;
                let read = cg.append(f, "exact_float");
                let convert = cg.append(f, "convert_float");
                let join = cg.append(f, "float_read");
                cg.b.build_conditional_branch(exact, read, convert)?;
                cg.b.position_at_end(read);
                let field =
                    unsafe { cg.b.build_in_bounds_gep(cg.ctx.i8_type(), obj, &[cg.i64(16)], "")? };
                let direct =
                    cg.b.build_load(cg.ctx.f64_type(), field, "ob_fval")?.into_float_value();
                cg.b.build_unconditional_branch(join)?;
                cg.b.position_at_end(convert);
                let converted =
                    call_value(cg, "PyFloat_AsDouble", &[obj.into()])?.into_float_value();
                fail_on_error_value(cg, f, converted, &spec, obj, fname, argname, fail_block)?;
                let converted_end =
                    cg.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
                cg.b.build_unconditional_branch(join)?;
                cg.b.position_at_end(join);
                let phi = cg.b.build_phi(cg.ctx.f64_type(), "")?;
                phi.add_incoming(&[(&direct, read), (&converted, converted_end)]);
                let v = phi.as_basic_value().into_float_value();
                let v = if *s == Scalar::Float32 {
                    let narrow = cg.b.build_float_trunc(v, cg.ctx.f32_type(), "")?;
                    cg.b.build_float_ext(narrow, cg.ctx.f64_type(), "")?
                } else {
                    v
                };
                ok(cg, v.into())?;
            }
            SpecType::Tuple(items) => {
                let mut agg = cg.llvm_type(&t).into_struct_type().get_undef();
                for (i, item) in items.iter().enumerate() {
                    let inner = unbox_fn(cg, item)?;
                    let it =
                        call_value(cg, "PyTuple_GetItem", &[obj.into(), cg.i64(i as i64).into()])?;
                    let r =
                        cg.b.build_call(
                            inner,
                            &[it.into(), fname.into(), argname.into(), p.const_null().into()],
                            "",
                        )?
                        .value()?
                        .into_struct_value();
                    let failed = cg.b.build_extract_value(r, 1, "")?.into_int_value();
                    let next = cg.append(f, "next");
                    cg.b.build_conditional_branch(failed, fail_block, next)?;
                    cg.b.position_at_end(next);
                    let v = cg.b.build_extract_value(r, 0, "")?;
                    agg = cg.b.build_insert_value(agg, v, i as u32, "")?.into_struct_value();
                }
                ok(cg, agg.into())?;
            }
            SpecType::Array { .. } => {
                let Type::Array(at) = t else {
                    return Err(CgError("array spec without array type".into()));
                };
                let arr = unbox_array(cg, f, &spec, &at, obj, fname, argname, view, fail_block)?;
                ok(cg, arr.into())?;
            }
            // Checked to be None: the value is the empty struct.
            SpecType::NoneType => ok(cg, cg.llvm_type(&Type::None).const_zero())?,
            other => return Err(CgError(format!("no unboxing for {other}"))),
        }
        cg.b.position_at_end(fail_block);
        let agg =
            cg.b.build_insert_value(ret.get_undef(), cg.ctx.bool_type().const_all_ones(), 1, "")?;
        cg.b.build_return(Some(&agg.into_struct_value()))?;
        Ok(())
    })
}

/// After a C-API conversion returning a double: -1.0 with an error set means it failed (reworded
/// when it is a TypeError); continues in a fresh block when it did not.
#[allow(clippy::too_many_arguments)]
fn fail_on_error_value<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    f: FunctionValue<'ctx>,
    value: inkwell::values::FloatValue<'ctx>,
    spec: &SpecType,
    obj: PointerValue<'ctx>,
    fname: PointerValue<'ctx>,
    argname: PointerValue<'ctx>,
    fail: inkwell::basic_block::BasicBlock<'ctx>,
) -> Cg<()> {
    let minus_one =
        cg.b.build_float_compare(inkwell::FloatPredicate::OEQ, value, cg.f64(-1.0), "")?;
    let fine = branch_to_pending_error(cg, f, minus_one)?;
    reword_type_error(cg, f, spec, obj, fname, argname, fail)?;
    cg.b.position_at_end(fine);
    Ok(())
}

/// C-API conversions return -1 both as a value and as their error sentinel: when `is_sentinel`
/// holds, asks PyErr_Occurred. Leaves the builder in the block where an error is pending and
/// returns the block where the conversion succeeded.
fn branch_to_pending_error<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    f: FunctionValue<'ctx>,
    is_sentinel: inkwell::values::IntValue<'ctx>,
) -> Cg<inkwell::basic_block::BasicBlock<'ctx>> {
    let maybe = cg.append(f, "maybe_error");
    let fine = cg.append(f, "converted");
    cg.b.build_conditional_branch(is_sentinel, maybe, fine)?;
    cg.b.position_at_end(maybe);
    let occurred = call_value(cg, "PyErr_Occurred", &[])?.into_pointer_value();
    let is_err = cg.b.build_is_not_null(occurred, "")?;
    let error = cg.append(f, "error");
    cg.b.build_conditional_branch(is_err, error, fine)?;
    cg.b.position_at_end(error);
    Ok(fine)
}

/// With a TypeError pending from a C-API conversion, replaces it by pyaot's message naming the
/// function, the argument, the type expected and the type given; then goes to `fail`.
fn reword_type_error<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    f: FunctionValue<'ctx>,
    spec: &SpecType,
    obj: PointerValue<'ctx>,
    fname: PointerValue<'ctx>,
    argname: PointerValue<'ctx>,
    fail: inkwell::basic_block::BasicBlock<'ctx>,
) -> Cg<()> {
    let type_error = cg.b.build_load(cg.ptr_type(), exception_global(cg, "TypeError"), "")?;
    let is_type_error =
        call_value(cg, "PyErr_ExceptionMatches", &[type_error.into()])?.into_int_value();
    let is_type_error = cg.b.build_int_compare(
        IntPredicate::NE,
        is_type_error,
        cg.ctx.i32_type().const_zero(),
        "",
    )?;
    let reword = cg.append(f, "reword_type");
    cg.b.build_conditional_branch(is_type_error, reword, fail)?;
    cg.b.position_at_end(reword);
    call(cg, "PyErr_Clear", &[])?;
    let expected = cg.cstr(&expected_text(spec))?;
    let err = arg_type_error_fn(cg)?;
    cg.b.build_call(err, &[fname.into(), argname.into(), expected.into(), obj.into()], "")?;
    cg.b.build_unconditional_branch(fail)?;
    Ok(())
}

fn overflow_ptr<'ctx>(cg: &Codegen<'ctx, '_>) -> Cg<BasicValueEnum<'ctx>> {
    let g = exception_global(cg, "OverflowError");
    Ok(cg.b.build_load(cg.ptr_type(), g, "")?)
}

/// `pyaot.box.<type>(v) -> PyObject*` (a new reference, or NULL with the error set).
pub(super) fn box_fn<'ctx>(cg: &mut Codegen<'ctx, '_>, t: &Type) -> Cg<FunctionValue<'ctx>> {
    let name = format!("pyaot.box.{}", t.to_string().replace([' ', '(', ')', ','], "_"));
    let p = cg.ptr_type();
    let ty = p.fn_type(&[cg.llvm_type(t).into()], false);
    let t = t.clone();
    in_new_function(cg, &name, ty, move |cg, f| {
        let v = f.param(0)?;
        let obj = match &t {
            // Already an object (a new reference): handed over as it is.
            Type::Object => v,
            Type::Int | Type::Unknown => call_value(cg, "PyLong_FromLongLong", &[v.into()])?,
            Type::Float => call_value(cg, "PyFloat_FromDouble", &[v.into()])?,
            Type::Complex => {
                let (re, im) = cg.parts(v.into_struct_value())?;
                call_value(cg, "PyComplex_FromDoubles", &[re.into(), im.into()])?
            }
            Type::Bool => {
                let wide = cg.b.build_int_z_extend(v.into_int_value(), cg.ctx.i64_type(), "")?;
                call_value(cg, "PyBool_FromLong", &[wide.into()])?
            }
            Type::None => {
                let none = data_symbol(cg, "_Py_NoneStruct");
                call(cg, "Py_IncRef", &[none.into()])?;
                none.into()
            }
            Type::Array(at) => {
                // `v` holds one reference to its owner. The whole owner goes back as it is (a
                // function returning its argument returns that very object); a view becomes
                // numpy.ndarray(shape, dtype, buffer=owner, offset, strides), which shares memory.
                let arr = v.into_struct_value();
                let owner = cg.field(arr, OWNER)?.into_pointer_value();
                let data = cg.field(arr, DATA)?.into_pointer_value();
                let view =
                    cg.b.build_alloca(cg.ctx.i8_type().array_type(PY_BUFFER_SIZE), "view")?;
                let r = call_value(
                    cg,
                    "PyObject_GetBuffer",
                    &[
                        owner.into(),
                        view.into(),
                        cg.ctx.i32_type().const_int(PYBUF_RECORDS_RO, false).into(),
                    ],
                )?
                .into_int_value();
                let got = cg.b.build_int_compare(
                    IntPredicate::EQ,
                    r,
                    cg.ctx.i32_type().const_zero(),
                    "",
                )?;
                let compare = cg.append(f, "compare");
                let fail = cg.append(f, "fail");
                cg.b.build_conditional_branch(got, compare, fail)?;
                cg.b.position_at_end(compare);
                let base = load_at(cg, view, 0, p.into())?.into_pointer_value();
                let mut same = cg.b.build_int_compare(IntPredicate::EQ, base, data, "")?;
                let ndim = load_at(cg, view, BUF_NDIM, cg.ctx.i32_type().into())?.into_int_value();
                same = cg.b.build_and(
                    same,
                    cg.b.build_int_compare(
                        IntPredicate::EQ,
                        ndim,
                        cg.ctx.i32_type().const_int(at.ndim as u64, false),
                        "",
                    )?,
                    "",
                )?;
                let shape_p = load_at(cg, view, BUF_SHAPE, p.into())?.into_pointer_value();
                let strides_p = load_at(cg, view, BUF_STRIDES, p.into())?.into_pointer_value();
                let whole = cg.append(f, "whole");
                let make_view = cg.append(f, "make_view");
                let check_dims = cg.append(f, "check_dims");
                cg.b.build_conditional_branch(same, check_dims, make_view)?;
                cg.b.position_at_end(check_dims);
                let mut dims_same = cg.ctx.bool_type().const_all_ones();
                for k in 0..at.ndim {
                    let n = load_at(cg, shape_p, 8 * k as u64, cg.ctx.i64_type().into())?
                        .into_int_value();
                    let st = load_at(cg, strides_p, 8 * k as u64, cg.ctx.i64_type().into())?
                        .into_int_value();
                    let eq_n =
                        cg.b.build_int_compare(IntPredicate::EQ, n, cg.dim(arr, SHAPE, k)?, "")?;
                    let eq_s =
                        cg.b.build_int_compare(IntPredicate::EQ, st, cg.dim(arr, STRIDES, k)?, "")?;
                    dims_same = cg.b.build_and(dims_same, cg.b.build_and(eq_n, eq_s, "")?, "")?;
                }
                cg.b.build_conditional_branch(dims_same, whole, make_view)?;
                cg.b.position_at_end(whole);
                call(cg, "PyBuffer_Release", &[view.into()])?;
                cg.b.build_return(Some(&owner))?;
                cg.b.position_at_end(make_view);
                // numpy.ndarray(buffer=owner) needs the owner's memory in C order; a view of
                // anything else (a strided or column-major argument) is made another way.
                let c_order = call_value(
                    cg,
                    "PyBuffer_IsContiguous",
                    &[view.into(), cg.ctx.i8_type().const_int(b'C' as u64, false).into()],
                )?
                .into_int_value();
                let c_order = cg.b.build_int_compare(
                    IntPredicate::NE,
                    c_order,
                    cg.ctx.i32_type().const_zero(),
                    "",
                )?;
                let from_buffer = cg.append(f, "view_of_buffer");
                let from_interface = cg.append(f, "view_of_memory");
                cg.b.build_conditional_branch(c_order, from_buffer, from_interface)?;
                cg.b.position_at_end(from_interface);
                call(cg, "PyBuffer_Release", &[view.into()])?;
                let viewer = strided_view_fn(cg, at)?;
                let obj = cg.b.build_call(viewer, &[v.into()], "")?.value()?;
                call(cg, "Py_DecRef", &[owner.into()])?;
                cg.b.build_return(Some(&obj))?;
                cg.b.position_at_end(from_buffer);
                let base_i = cg.b.build_ptr_to_int(base, cg.ctx.i64_type(), "")?;
                let data_i = cg.b.build_ptr_to_int(data, cg.ctx.i64_type(), "")?;
                let offset = cg.b.build_int_sub(data_i, base_i, "")?;
                // An empty view may point outside its buffer (`a[::-1]` of nothing starts one
                // element before it), which numpy refuses: it holds no element, so start at 0.
                let mut empty = cg.ctx.bool_type().const_zero();
                for k in 0..at.ndim {
                    let n = cg.dim(arr, SHAPE, k)?;
                    let none = cg.b.build_int_compare(IntPredicate::EQ, n, cg.i64(0), "")?;
                    empty = cg.b.build_or(empty, none, "")?;
                }
                let offset = cg.b.build_select(empty, cg.i64(0), offset, "")?.into_int_value();
                call(cg, "PyBuffer_Release", &[view.into()])?;
                let shape: Vec<IntValue> =
                    (0..at.ndim).map(|k| cg.dim(arr, SHAPE, k)).collect::<Cg<_>>()?;
                let strides: Vec<IntValue> =
                    (0..at.ndim).map(|k| cg.dim(arr, STRIDES, k)).collect::<Cg<_>>()?;
                let args = call_value(cg, "PyTuple_New", &[cg.i64(5).into()])?.into_pointer_value();
                let shape_t = int_tuple(cg, &shape)?;
                let dtype_name = cg.cstr(numpy_name(at.dtype))?;
                let dtype = call_value(cg, "PyUnicode_FromString", &[dtype_name.into()])?;
                call(cg, "Py_IncRef", &[owner.into()])?;
                let offset_obj = call_value(cg, "PyLong_FromLongLong", &[offset.into()])?;
                let strides_t = int_tuple(cg, &strides)?;
                for (k, item) in [shape_t.into(), dtype, owner.into(), offset_obj, strides_t.into()]
                    .into_iter()
                    .enumerate()
                {
                    let item: BasicValueEnum = item;
                    call(
                        cg,
                        "PyTuple_SetItem",
                        &[args.into(), cg.i64(k as i64).into(), item.into()],
                    )?;
                }
                let name = cg.cstr("ndarray")?;
                let callee = np_call_fn(cg)?;
                // A view of existing memory: nothing to allocate.
                let no_allocation = cg.ctx.bool_type().const_zero();
                let obj =
                    cg.b.build_call(callee, &[name.into(), args.into(), no_allocation.into()], "")?
                        .value()?;
                call(cg, "Py_DecRef", &[owner.into()])?;
                cg.b.build_return(Some(&obj))?;
                cg.b.position_at_end(fail);
                call(cg, "Py_DecRef", &[owner.into()])?;
                cg.b.build_return(Some(&p.const_null()))?;
                return Ok(());
            }
            Type::Tuple(items) => {
                let tuple = call_value(cg, "PyTuple_New", &[cg.i64(items.len() as i64).into()])?
                    .into_pointer_value();
                let fail = cg.append(f, "fail");
                let fill = cg.append(f, "fill");
                let null = cg.b.build_is_null(tuple, "")?;
                cg.b.build_conditional_branch(null, fail, fill)?;
                cg.b.position_at_end(fill);
                let cleanup = cg.append(f, "cleanup");
                for (i, item_t) in items.iter().enumerate() {
                    let boxer = box_fn(cg, item_t)?;
                    let item = cg.b.build_extract_value(v.into_struct_value(), i as u32, "")?;
                    let obj =
                        cg.b.build_call(boxer, &[item.into()], "")?.value()?.into_pointer_value();
                    let next = cg.append(f, "next");
                    let null = cg.b.build_is_null(obj, "")?;
                    cg.b.build_conditional_branch(null, cleanup, next)?;
                    cg.b.position_at_end(next);
                    // PyTuple_SetItem steals the reference to `obj`.
                    call(
                        cg,
                        "PyTuple_SetItem",
                        &[tuple.into(), cg.i64(i as i64).into(), obj.into()],
                    )?;
                }
                cg.b.build_return(Some(&tuple))?;
                cg.b.position_at_end(cleanup);
                call(cg, "Py_DecRef", &[tuple.into()])?;
                cg.b.build_unconditional_branch(fail)?;
                cg.b.position_at_end(fail);
                cg.b.build_return(Some(&p.const_null()))?;
                return Ok(());
            }
        };
        cg.b.build_return(Some(&obj))?;
        Ok(())
    })
}

/// `pyaot.strided_view.<dtype>.<ndim>(array) -> obj`: a numpy array over the memory of a view
/// whose owner is not in C order, as numpy's `as_strided` makes one: `numpy.asarray` of an object
/// whose `__array_interface__` gives the address, shape, strides and writability, and which
/// holds the owner (numpy keeps it as the new array's base, so the memory stays alive).
fn strided_view_fn<'ctx>(cg: &mut Codegen<'ctx, '_>, at: &ArrayType) -> Cg<FunctionValue<'ctx>> {
    let name = format!("pyaot.strided_view.{}.{}", numpy_name(at.dtype), at.ndim);
    let p = cg.ptr_type();
    let ty = p.fn_type(&[cg.array_struct(at.ndim).into()], false);
    let at = *at;
    let f = in_new_function(cg, &name, ty, move |cg, f| {
        let arr = f.param(0)?.into_struct_value();
        let fail = cg.append(f, "fail");
        // Each step's new reference, released at the end (or on failure).
        let mut owned: Vec<PointerValue<'ctx>> = Vec::new();
        // Goes on where `ok` holds; releases what was made and fails otherwise.
        let go_on_if = |cg: &mut Codegen<'ctx, '_>,
                        owned: &[PointerValue<'ctx>],
                        ok: IntValue<'ctx>|
         -> Cg<()> {
            let next = cg.append(f, "made");
            let release = cg.append(f, "release");
            cg.b.build_conditional_branch(ok, next, release)?;
            cg.b.position_at_end(release);
            for o in owned.iter() {
                call(cg, "Py_DecRef", &[(*o).into()])?;
            }
            cg.b.build_unconditional_branch(fail)?;
            cg.b.position_at_end(next);
            Ok(())
        };
        let made = |cg: &mut Codegen<'ctx, '_>,
                    owned: &mut Vec<PointerValue<'ctx>>,
                    obj: PointerValue<'ctx>|
         -> Cg<PointerValue<'ctx>> {
            let ok = cg.b.build_is_not_null(obj, "")?;
            go_on_if(cg, owned, ok)?;
            owned.push(obj);
            Ok(obj)
        };
        let set_ok = |cg: &mut Codegen<'ctx, '_>, r: BasicValueEnum<'ctx>| {
            let zero = cg.ctx.i32_type().const_zero();
            cg.b.build_int_compare(IntPredicate::EQ, r.into_int_value(), zero, "")
        };
        let shape: Vec<IntValue> =
            (0..at.ndim).map(|k| cg.dim(arr, SHAPE, k)).collect::<Cg<_>>()?;
        let strides: Vec<IntValue> =
            (0..at.ndim).map(|k| cg.dim(arr, STRIDES, k)).collect::<Cg<_>>()?;
        let interface = call_value(cg, "PyDict_New", &[])?.into_pointer_value();
        let interface = made(cg, &mut owned, interface)?;
        let version = call_value(cg, "PyLong_FromLongLong", &[cg.i64(3).into()])?;
        let version = made(cg, &mut owned, version.into_pointer_value())?;
        let shape_t = int_tuple(cg, &shape)?;
        let shape_t = made(cg, &mut owned, shape_t)?;
        let strides_t = int_tuple(cg, &strides)?;
        let strides_t = made(cg, &mut owned, strides_t)?;
        let dtype_name = cg.cstr(numpy_name(at.dtype))?;
        let typestr = call_value(cg, "PyUnicode_FromString", &[dtype_name.into()])?;
        let typestr = made(cg, &mut owned, typestr.into_pointer_value())?;
        let data = cg.field(arr, DATA)?.into_pointer_value();
        let address = call_value(cg, "PyLong_FromVoidPtr", &[data.into()])?;
        let address = made(cg, &mut owned, address.into_pointer_value())?;
        let writable = cg.field(arr, WRITABLE)?.into_int_value();
        let read_only = cg.b.build_not(writable, "")?;
        let read_only = cg.b.build_int_z_extend(read_only, cg.ctx.i64_type(), "")?;
        let read_only = call_value(cg, "PyBool_FromLong", &[read_only.into()])?;
        let read_only = made(cg, &mut owned, read_only.into_pointer_value())?;
        let data_t = call_value(cg, "PyTuple_New", &[cg.i64(2).into()])?.into_pointer_value();
        let data_t = made(cg, &mut owned, data_t)?;
        for (k, item) in [address, read_only].into_iter().enumerate() {
            call(cg, "Py_IncRef", &[item.into()])?;
            call(cg, "PyTuple_SetItem", &[data_t.into(), cg.i64(k as i64).into(), item.into()])?;
        }
        for (key, value) in [
            ("version", version),
            ("shape", shape_t),
            ("strides", strides_t),
            ("typestr", typestr),
            ("data", data_t),
        ] {
            let key = cg.cstr(key)?;
            let r = call_value(
                cg,
                "PyDict_SetItemString",
                &[interface.into(), key.into(), value.into()],
            )?;
            let ok = set_ok(cg, r)?;
            go_on_if(cg, &owned, ok)?;
        }
        // types.SimpleNamespace(__array_interface__=interface, owner=owner)
        let holder_kw = call_value(cg, "PyDict_New", &[])?.into_pointer_value();
        let holder_kw = made(cg, &mut owned, holder_kw)?;
        let owner = cg.field(arr, OWNER)?.into_pointer_value();
        for (key, value) in [("__array_interface__", interface), ("owner", owner)] {
            let key = cg.cstr(key)?;
            let r = call_value(
                cg,
                "PyDict_SetItemString",
                &[holder_kw.into(), key.into(), value.into()],
            )?;
            let ok = set_ok(cg, r)?;
            go_on_if(cg, &owned, ok)?;
        }
        let types_name = cg.cstr("types")?;
        let types = call_value(cg, "PyImport_ImportModule", &[types_name.into()])?;
        let types = made(cg, &mut owned, types.into_pointer_value())?;
        let ns_name = cg.cstr("SimpleNamespace")?;
        let ns_type = call_value(cg, "PyObject_GetAttrString", &[types.into(), ns_name.into()])?;
        let ns_type = made(cg, &mut owned, ns_type.into_pointer_value())?;
        let no_args = call_value(cg, "PyTuple_New", &[cg.i64(0).into()])?.into_pointer_value();
        let no_args = made(cg, &mut owned, no_args)?;
        let holder =
            call_value(cg, "PyObject_Call", &[ns_type.into(), no_args.into(), holder_kw.into()])?;
        let holder = made(cg, &mut owned, holder.into_pointer_value())?;
        let args = call_value(cg, "PyTuple_New", &[cg.i64(1).into()])?.into_pointer_value();
        let args = made(cg, &mut owned, args)?;
        call(cg, "Py_IncRef", &[holder.into()])?;
        call(cg, "PyTuple_SetItem", &[args.into(), cg.i64(0).into(), holder.into()])?;
        // np_call steals `args`.
        owned.retain(|o| *o != args);
        let asarray = cg.cstr("asarray")?;
        let callee = np_call_fn(cg)?;
        let no_allocation = cg.ctx.bool_type().const_zero();
        let obj =
            cg.b.build_call(callee, &[asarray.into(), args.into(), no_allocation.into()], "")?
                .value()?
                .into_pointer_value();
        for o in owned.iter() {
            call(cg, "Py_DecRef", &[(*o).into()])?;
        }
        cg.b.build_return(Some(&obj))?;
        cg.b.position_at_end(fail);
        cg.b.build_return(Some(&p.const_null()))?;
        Ok(())
    })?;
    // The uncommon case of returning a view: kept out of line (and out of the report's score).
    cg.add_attr(f, "cold");
    cg.add_attr(f, "noinline");
    Ok(f)
}

/// `pyaot.bind(args, nargs, kwnames, names, nparams, fname, out) -> i32`: puts each argument in
/// `out[param]` (NULL where not given); 0, or -1 with a TypeError like CPython's.
pub(super) fn bind_fn<'ctx>(cg: &mut Codegen<'ctx, '_>) -> Cg<FunctionValue<'ctx>> {
    let p = cg.ptr_type();
    let i64t = cg.ctx.i64_type();
    let i32t = cg.ctx.i32_type();
    let ty = i32t.fn_type(
        &[p.into(), i64t.into(), p.into(), p.into(), i64t.into(), p.into(), p.into()],
        false,
    );
    in_new_function(cg, "pyaot.bind", ty, |cg, f| {
        let param = |i: u32| f.param(i);
        let (args, nargs, kwnames, names, nparams, fname, out) = (
            param(0)?.into_pointer_value(),
            param(1)?.into_int_value(),
            param(2)?.into_pointer_value(),
            param(3)?.into_pointer_value(),
            param(4)?.into_int_value(),
            param(5)?.into_pointer_value(),
            param(6)?.into_pointer_value(),
        );
        let type_error = cg.b.build_load(p, exception_global(cg, "TypeError"), "")?;
        let fail = cg.append(f, "fail");
        let too_many = cg.append(f, "too_many");
        let positional = cg.append(f, "positional");
        let counts_ok = cg.b.build_int_compare(IntPredicate::SLE, nargs, nparams, "")?;
        cg.b.build_conditional_branch(counts_ok, positional, too_many)?;
        cg.b.position_at_end(too_many);
        let fmt = cg.cstr("%s() takes at most %zd arguments (%zd given)")?;
        call(
            cg,
            "PyErr_Format",
            &[type_error.into(), fmt.into(), fname.into(), nparams.into(), nargs.into()],
        )?;
        cg.b.build_unconditional_branch(fail)?;

        // out[i] = i < nargs ? args[i] : NULL
        cg.b.position_at_end(positional);
        let i_slot = cg.b.build_alloca(i64t, "i")?;
        cg.b.build_store(i_slot, cg.i64(0))?;
        let head = cg.append(f, "pos.head");
        let body = cg.append(f, "pos.body");
        let keywords = cg.append(f, "keywords");
        cg.b.build_unconditional_branch(head)?;
        cg.b.position_at_end(head);
        let i = cg.b.build_load(i64t, i_slot, "")?.into_int_value();
        let more = cg.b.build_int_compare(IntPredicate::SLT, i, nparams, "")?;
        cg.b.build_conditional_branch(more, body, keywords)?;
        cg.b.position_at_end(body);
        let given = cg.b.build_int_compare(IntPredicate::SLT, i, nargs, "")?;
        let safe_i = cg.b.build_select(given, i, cg.i64(0), "")?.into_int_value();
        let src = unsafe { cg.b.build_in_bounds_gep(p, args, &[safe_i], "")? };
        let loaded = cg.b.build_load(p, src, "")?;
        let value = cg.b.build_select(given, loaded, p.const_null().into(), "")?;
        let dst = unsafe { cg.b.build_in_bounds_gep(p, out, &[i], "")? };
        cg.b.build_store(dst, value)?;
        cg.b.build_store(i_slot, cg.b.build_int_add(i, cg.i64(1), "")?)?;
        cg.b.build_unconditional_branch(head)?;

        // For each keyword: find the parameter of that name.
        cg.b.position_at_end(keywords);
        let done = cg.append(f, "done");
        let has_kw = cg.append(f, "has_kw");
        let no_kw = cg.b.build_is_null(kwnames, "")?;
        cg.b.build_conditional_branch(no_kw, done, has_kw)?;
        cg.b.position_at_end(has_kw);
        let nkw = call_value(cg, "PyTuple_Size", &[kwnames.into()])?.into_int_value();
        let k_slot = cg.b.build_alloca(i64t, "k")?;
        let j_slot = cg.b.build_alloca(i64t, "j")?;
        cg.b.build_store(k_slot, cg.i64(0))?;
        let kw_head = cg.append(f, "kw.head");
        let kw_body = cg.append(f, "kw.body");
        let kw_next = cg.append(f, "kw.next");
        cg.b.build_unconditional_branch(kw_head)?;
        cg.b.position_at_end(kw_head);
        let k = cg.b.build_load(i64t, k_slot, "")?.into_int_value();
        let more = cg.b.build_int_compare(IntPredicate::SLT, k, nkw, "")?;
        cg.b.build_conditional_branch(more, kw_body, done)?;
        cg.b.position_at_end(kw_body);
        let key =
            call_value(cg, "PyTuple_GetItem", &[kwnames.into(), k.into()])?.into_pointer_value();
        cg.b.build_store(j_slot, cg.i64(0))?;
        let search = cg.append(f, "search");
        let compare = cg.append(f, "compare");
        let unknown = cg.append(f, "unknown");
        let found = cg.append(f, "found");
        cg.b.build_unconditional_branch(search)?;
        cg.b.position_at_end(search);
        let j = cg.b.build_load(i64t, j_slot, "")?.into_int_value();
        let more = cg.b.build_int_compare(IntPredicate::SLT, j, nparams, "")?;
        cg.b.build_conditional_branch(more, compare, unknown)?;
        cg.b.position_at_end(compare);
        let name_slot = unsafe { cg.b.build_in_bounds_gep(p, names, &[j], "")? };
        let name = cg.b.build_load(p, name_slot, "")?;
        let cmp = call_value(cg, "PyUnicode_CompareWithASCIIString", &[key.into(), name.into()])?
            .into_int_value();
        let equal = cg.b.build_int_compare(IntPredicate::EQ, cmp, i32t.const_zero(), "")?;
        let step = cg.append(f, "search.next");
        cg.b.build_conditional_branch(equal, found, step)?;
        cg.b.position_at_end(step);
        cg.b.build_store(j_slot, cg.b.build_int_add(j, cg.i64(1), "")?)?;
        cg.b.build_unconditional_branch(search)?;
        cg.b.position_at_end(unknown);
        let fmt = cg.cstr("%s() got an unexpected keyword argument '%U'")?;
        call(cg, "PyErr_Format", &[type_error.into(), fmt.into(), fname.into(), key.into()])?;
        cg.b.build_unconditional_branch(fail)?;
        cg.b.position_at_end(found);
        let j = cg.b.build_load(i64t, j_slot, "")?.into_int_value();
        let dst = unsafe { cg.b.build_in_bounds_gep(p, out, &[j], "")? };
        let already = cg.b.build_load(p, dst, "")?.into_pointer_value();
        let twice = cg.append(f, "twice");
        let store = cg.append(f, "store");
        let is_set = cg.b.build_is_not_null(already, "")?;
        cg.b.build_conditional_branch(is_set, twice, store)?;
        cg.b.position_at_end(twice);
        let fmt = cg.cstr("%s() got multiple values for argument '%U'")?;
        call(cg, "PyErr_Format", &[type_error.into(), fmt.into(), fname.into(), key.into()])?;
        cg.b.build_unconditional_branch(fail)?;
        cg.b.position_at_end(store);
        let at = cg.b.build_int_add(nargs, k, "")?;
        let src = unsafe { cg.b.build_in_bounds_gep(p, args, &[at], "")? };
        let value = cg.b.build_load(p, src, "")?;
        cg.b.build_store(dst, value)?;
        cg.b.build_unconditional_branch(kw_next)?;
        cg.b.position_at_end(kw_next);
        cg.b.build_store(k_slot, cg.b.build_int_add(k, cg.i64(1), "")?)?;
        cg.b.build_unconditional_branch(kw_head)?;

        cg.b.position_at_end(done);
        cg.b.build_return(Some(&i32t.const_zero()))?;
        cg.b.position_at_end(fail);
        cg.b.build_return(Some(&i32t.const_all_ones()))?;
        Ok(())
    })
}

/// `pyaot.arg_type_error(fname, argname, expected, obj)`: "f() argument 'x' must be int, not str".
fn arg_type_error_fn<'ctx>(cg: &mut Codegen<'ctx, '_>) -> Cg<FunctionValue<'ctx>> {
    let p = cg.ptr_type();
    let ty = cg.ctx.void_type().fn_type(&[p.into(), p.into(), p.into(), p.into()], false);
    let f = in_new_function(cg, "pyaot.arg_type_error", ty, |cg, f| {
        let param = |i: u32| f.param(i);
        let tp = type_of(cg, param(3)?.into_pointer_value())?;
        let tname = call_value(cg, "PyType_GetName", &[tp.into()])?.into_pointer_value();
        let type_error = cg.b.build_load(p, exception_global(cg, "TypeError"), "")?;
        let have = cg.append(f, "have_name");
        let none = cg.append(f, "no_name");
        let null = cg.b.build_is_null(tname, "")?;
        cg.b.build_conditional_branch(null, none, have)?;
        cg.b.position_at_end(have);
        call(cg, "PyErr_Clear", &[])?;
        let fmt = cg.cstr("%s() argument '%s' must be %s, not %U")?;
        call(
            cg,
            "PyErr_Format",
            &[
                type_error.into(),
                fmt.into(),
                param(0)?.into(),
                param(1)?.into(),
                param(2)?.into(),
                tname.into(),
            ],
        )?;
        call(cg, "Py_DecRef", &[tname.into()])?;
        cg.b.build_return(None)?;
        cg.b.position_at_end(none);
        cg.b.build_return(None)?;
        Ok(())
    })?;
    cg.add_attr(f, "cold");
    Ok(f)
}

/// What a Python user reads for a spec in a TypeError.
fn expected_text(spec: &SpecType) -> String {
    match spec {
        SpecType::Scalar(Scalar::Bool) => "bool".into(),
        SpecType::Scalar(Scalar::Float32 | Scalar::Float64) => "float (or int)".into(),
        SpecType::Scalar(Scalar::Complex64 | Scalar::Complex128) => {
            "complex (or float, int)".into()
        }
        SpecType::Scalar(s) if s.is_integer() => {
            if *s == Scalar::Int64 {
                "int".into()
            } else {
                format!("int ({})", s.name())
            }
        }
        SpecType::Array { dtype, dims, contiguous } => {
            let dims: Vec<String> = dims
                .iter()
                .enumerate()
                .map(|(i, d)| match d {
                    crate::export_spec::Dim::Fixed(n) => n.to_string(),
                    _ if *contiguous && i + 1 == dims.len() => "::1".into(),
                    _ => ":".into(),
                })
                .collect();
            format!("a {}[{}] array", numpy_name(*dtype), dims.join(", "))
        }
        SpecType::Str => "str".into(),
        SpecType::List(_) => "list".into(),
        SpecType::Dict(..) => "dict".into(),
        SpecType::Set(_) => "set".into(),
        SpecType::NoneType => "None".into(),
        other => other.to_string(),
    }
}

fn signature_text(name: &str, args: &[SpecType]) -> String {
    format!("{name}({})", args.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", "))
}

/// Whether a parameter's default (if it has one) is a value of this signature's type for it:
/// then a call without the argument takes this signature with the default, else the next one
/// (a signature of the default's own type follows; see `types::infer`'s `default_variants`).
fn default_fits(default: &Option<Const>, spec: &SpecType) -> bool {
    match (default, spec_to_type(spec)) {
        (Some(d), Ok(t)) => t == Type::Object || join(&const_type(d), &t) == Some(t),
        _ => false,
    }
}

fn wrapper<'ctx>(cg: &mut Codegen<'ctx, '_>, ef: &ExportedFunction) -> Cg<FunctionValue<'ctx>> {
    let f = &cg.hir.functions[ef.func];
    let fname_text = f.name.clone();
    let params: Vec<(String, Option<Const>)> =
        f.params.iter().map(|p| (p.name.clone(), p.default.clone())).collect();
    // Defaults evaluated at import (`bodies=SYSTEM`): the module value holding each.
    let default_globals: Vec<Option<String>> =
        f.params.iter().map(|p| p.default_global.clone()).collect();
    let span = f.span.clone();
    let n = params.len();
    let p = cg.ptr_type();
    let i64t = cg.ctx.i64_type();
    let ty = p.fn_type(&[p.into(), p.into(), i64t.into(), p.into()], false);
    let func =
        cg.module.add_function(&format!("pyaot.wrap.{fname_text}"), ty, Some(Linkage::Internal));
    let scope = cg.subprogram(func, &fname_text, &span);
    let entry = cg.append(func, "entry");
    cg.b.position_at_end(entry);
    cg.set_loc(scope, &span);

    let fname = cg.cstr(&fname_text)?;
    let mut name_ptrs = Vec::new();
    for (pname, _) in &params {
        name_ptrs.push(cg.cstr(pname)?);
    }
    let names_ty = p.array_type(n.max(1) as u32);
    let names = cg.module.add_global(names_ty, None, &format!("pyaot.names.{fname_text}"));
    let mut init = name_ptrs.clone();
    if init.is_empty() {
        init.push(p.const_null());
    }
    names.set_initializer(&p.const_array(&init));
    names.set_constant(true);
    names.set_linkage(Linkage::Private);

    let out = cg.b.build_alloca(names_ty, "bound")?;
    // One Py_buffer per array parameter, held until the call returns (`obj` NULL when unused).
    let buffer_ty = cg.ctx.i8_type().array_type(PY_BUFFER_SIZE);
    let mut views = Vec::new();
    for k in 0..n {
        if ef.signatures.iter().any(|s| matches!(s.args[k], SpecType::Array { .. })) {
            let slot = cg.b.build_alloca(buffer_ty, "view")?;
            cg.b.build_store(slot, buffer_ty.const_zero())?;
            views.push(Some(slot));
        } else {
            views.push(None);
        }
    }
    let (args, nargs, kwnames) = (func.param(1)?, func.param(2)?, func.param(3)?);
    let fail = cg.append(func, "fail");
    let bound = cg.append(func, "bound");
    // Fast path: every argument given by position, no keywords: no binding loop.
    let fast = cg.append(func, "positional");
    let slow = cg.append(func, "bind");
    let no_kw = cg.b.build_is_null(kwnames.into_pointer_value(), "")?;
    let all_given =
        cg.b.build_int_compare(IntPredicate::EQ, nargs.into_int_value(), cg.i64(n as i64), "")?;
    let simple = cg.b.build_and(no_kw, all_given, "")?;
    cg.b.build_conditional_branch(simple, fast, slow)?;
    cg.b.position_at_end(fast);
    for k in 0..n {
        let src = unsafe {
            cg.b.build_in_bounds_gep(p, args.into_pointer_value(), &[cg.i64(k as i64)], "")?
        };
        let v = cg.b.build_load(p, src, "")?;
        let dst = unsafe { cg.b.build_in_bounds_gep(p, out, &[cg.i64(k as i64)], "")? };
        cg.b.build_store(dst, v)?;
    }
    cg.b.build_unconditional_branch(bound)?;
    cg.b.position_at_end(slow);
    let bind = bind_fn(cg)?;
    let r =
        cg.b.build_call(
            bind,
            &[
                args.into(),
                nargs.into(),
                kwnames.into(),
                names.as_pointer_value().into(),
                cg.i64(n as i64).into(),
                fname.into(),
                out.into(),
            ],
            "",
        )?
        .value()?
        .into_int_value();
    let bind_ok =
        cg.b.build_int_compare(IntPredicate::EQ, r, cg.ctx.i32_type().const_zero(), "")?;
    cg.b.build_conditional_branch(bind_ok, bound, fail)?;
    cg.b.position_at_end(fail);
    release_views(cg, func, &views)?;
    cg.b.build_return(Some(&p.const_null()))?;
    cg.b.position_at_end(bound);
    let mut objs = Vec::new();
    for k in 0..n {
        let slot = unsafe { cg.b.build_in_bounds_gep(p, out, &[cg.i64(k as i64)], "")? };
        objs.push(cg.b.build_load(p, slot, &params[k].0)?.into_pointer_value());
    }

    // Try each signature in order: the first whose argument checks all pass is called.
    // One signature of ints, floats and arrays: no separate checks, unboxing reports errors.
    let unboxes_with_errors = |a: &SpecType| match a {
        SpecType::Array { .. } => true,
        SpecType::Scalar(s) => *s != Scalar::Bool,
        _ => false,
    };
    let direct = ef.signatures.len() == 1 && ef.signatures[0].args.iter().all(unboxes_with_errors);
    for sig in &ef.signatures {
        let next = cg.append(func, "next_signature");
        for (k, spec) in sig.args.iter().enumerate() {
            if direct {
                if params[k].1.is_none() {
                    let present = cg.b.build_is_not_null(objs[k], "")?;
                    let missing = cg.append(func, "missing");
                    let given = cg.append(func, "given");
                    cg.b.build_conditional_branch(present, given, missing)?;
                    cg.b.position_at_end(missing);
                    let fmt = cg.cstr("%s() missing required argument '%s' (pos %d)")?;
                    let pos = cg.ctx.i32_type().const_int(k as u64 + 1, false);
                    let type_error = cg.b.build_load(p, exception_global(cg, "TypeError"), "")?;
                    call(
                        cg,
                        "PyErr_Format",
                        &[
                            type_error.into(),
                            fmt.into(),
                            fname.into(),
                            name_ptrs[k].into(),
                            pos.into(),
                        ],
                    )?;
                    cg.b.build_unconditional_branch(fail)?;
                    cg.b.position_at_end(given);
                }
                continue;
            }
            let present = cg.b.build_is_not_null(objs[k], "")?;
            let check_bb = cg.append(func, "check");
            let pass = cg.append(func, "pass");
            let absent_target = if default_fits(&params[k].1, spec)
                || (default_globals[k].is_some() && *spec == SpecType::Object)
            {
                pass
            } else {
                next
            };
            cg.b.build_conditional_branch(present, check_bb, absent_target)?;
            cg.b.position_at_end(check_bb);
            let checker = check_fn(cg, spec)?;
            let ok = cg.b.build_call(checker, &[objs[k].into()], "")?.value()?.into_int_value();
            cg.b.build_conditional_branch(ok, pass, next)?;
            cg.b.position_at_end(pass);
        }
        // Matched: unbox (defaults where an argument was left out), call, box.
        let inst = &cg.prog.instances[sig.instance];
        let param_types = inst.params.clone();
        let ret_t = inst.ret.clone();
        let mut values: Vec<BasicMetadataValueEnum<'ctx>> = Vec::new();
        for (k, spec) in sig.args.iter().enumerate() {
            let t = &param_types[k];
            let unboxer = unbox_fn(cg, spec)?;
            let argname = name_ptrs[k];
            let unbox_here = |cg: &mut Codegen<'ctx, '_>| -> Cg<BasicValueEnum<'ctx>> {
                let view = views[k].unwrap_or(p.const_null());
                let r =
                    cg.b.build_call(
                        unboxer,
                        &[objs[k].into(), fname.into(), argname.into(), view.into()],
                        "",
                    )?
                    .value()?
                    .into_struct_value();
                let failed = cg.b.build_extract_value(r, 1, "")?.into_int_value();
                let ok = cg.append(func, "unboxed");
                cg.b.build_conditional_branch(failed, fail, ok)?;
                cg.b.position_at_end(ok);
                Ok(cg.b.build_extract_value(r, 0, "")?)
            };
            let v = match &params[k].1 {
                None if default_globals[k].is_some() && *t == Type::Object => {
                    // Absent: the module value the default was evaluated into (borrowed).
                    let path = crate::hir::PyPath {
                        module: String::new(),
                        attrs: vec![default_globals[k].clone().unwrap_or_default()],
                    };
                    let default =
                        cg.load_module_object(super::state::ModuleObject::Import(path))?;
                    let present = cg.b.build_is_not_null(objs[k], "")?;
                    let given = cg.append(func, "given");
                    let defaulted = cg.append(func, "default");
                    let join = cg.append(func, "arg_ready");
                    cg.b.build_conditional_branch(present, given, defaulted)?;
                    cg.b.position_at_end(given);
                    let v = unbox_here(cg)?;
                    let given_end = cg.b.current_block()?;
                    cg.b.build_unconditional_branch(join)?;
                    cg.b.position_at_end(defaulted);
                    cg.b.build_unconditional_branch(join)?;
                    cg.b.position_at_end(join);
                    let phi = cg.b.build_phi(p, "arg")?;
                    phi.add_incoming(&[(&v, given_end), (&default, defaulted)]);
                    phi.as_basic_value()
                }
                None => unbox_here(cg)?,
                Some(default) => {
                    let slot = cg.b.build_alloca(cg.llvm_type(t), "arg")?;
                    let given = cg.append(func, "given");
                    let defaulted = cg.append(func, "default");
                    let join = cg.append(func, "arg_ready");
                    let present = cg.b.build_is_not_null(objs[k], "")?;
                    cg.b.build_conditional_branch(present, given, defaulted)?;
                    cg.b.position_at_end(given);
                    let v = unbox_here(cg)?;
                    cg.b.build_store(slot, v)?;
                    cg.b.build_unconditional_branch(join)?;
                    cg.b.position_at_end(defaulted);
                    if default_fits(&params[k].1, spec) {
                        let dv = if *t == Type::Object {
                            cg.const_object(default)?.into()
                        } else {
                            let dv = cg.const_value(default);
                            cg.convert(dv, &const_type(default), t)?
                        };
                        cg.b.build_store(slot, dv)?;
                        cg.b.build_unconditional_branch(join)?;
                    } else {
                        // Without the argument this signature is not tried (see above).
                        cg.b.build_unreachable()?;
                    }
                    cg.b.position_at_end(join);
                    cg.b.build_load(cg.llvm_type(t), slot, "")?
                }
            };
            values.push(v.into());
        }
        // Every array C-contiguous at run time: call the version compiled for that layout. The
        // two versions may differ in more than layout (one recursive, taking a depth; one
        // needing the GIL), so each gets a call of its own.
        let flag = cg.failed_flag()?;
        let v = match sig.contiguous_instance {
            Some(contiguous) => {
                let mut all = cg.ctx.bool_type().const_all_ones();
                for (v, t) in values.iter().zip(&param_types) {
                    if let Type::Array(at) = t {
                        let c = cg.is_c_contiguous(v.into_struct_value(), at)?;
                        all = cg.b.build_and(all, c, "")?;
                    }
                }
                let fast_bb = cg.append(func, "contiguous");
                let generic_bb = cg.append(func, "strided");
                let called = cg.append(func, "called");
                cg.b.build_conditional_branch(all, fast_bb, generic_bb)?;
                cg.b.position_at_end(fast_bb);
                let fast = call_native(cg, contiguous, &values, flag, true)?;
                let fast_end = cg.b.current_block()?;
                cg.b.build_unconditional_branch(called)?;
                cg.b.position_at_end(generic_bb);
                let generic = call_native(cg, sig.instance, &values, flag, true)?;
                let generic_end = cg.b.current_block()?;
                cg.b.build_unconditional_branch(called)?;
                cg.b.position_at_end(called);
                let phi = cg.b.build_phi(fast.get_type(), "result")?;
                phi.add_incoming(&[(&fast, fast_end), (&generic, generic_end)]);
                phi.as_basic_value()
            }
            None => call_native(cg, sig.instance, &values, flag, false)?,
        };
        let failed = cg.b.build_load(cg.ctx.bool_type(), flag, "failed")?.into_int_value();
        let ok = cg.append(func, "returned");
        cg.b.build_conditional_branch(failed, fail, ok)?;
        cg.b.position_at_end(ok);
        let boxer = box_fn(cg, &ret_t)?;
        let obj = cg.b.build_call(boxer, &[v.into()], "")?.value()?;
        release_views(cg, func, &views)?;
        cg.b.build_return(Some(&obj))?;
        cg.b.position_at_end(next);
    }

    // No signature matched: explain why.
    let type_error = cg.b.build_load(p, exception_global(cg, "TypeError"), "")?;
    if ef.signatures.len() == 1 {
        let sig = &ef.signatures[0];
        for (k, spec) in sig.args.iter().enumerate() {
            let present = cg.b.build_is_not_null(objs[k], "")?;
            let check_bb = cg.append(func, "explain_check");
            let missing_bb = cg.append(func, "explain_missing");
            let pass = cg.append(func, "explain_next");
            cg.b.build_conditional_branch(
                present,
                check_bb,
                if params[k].1.is_some() { pass } else { missing_bb },
            )?;
            cg.b.position_at_end(missing_bb);
            let fmt = cg.cstr("%s() missing required argument '%s' (pos %d)")?;
            let pos = cg.ctx.i32_type().const_int(k as u64 + 1, false);
            call(
                cg,
                "PyErr_Format",
                &[type_error.into(), fmt.into(), fname.into(), name_ptrs[k].into(), pos.into()],
            )?;
            cg.b.build_unconditional_branch(fail)?;
            cg.b.position_at_end(check_bb);
            let checker = check_fn(cg, spec)?;
            let ok = cg.b.build_call(checker, &[objs[k].into()], "")?.value()?.into_int_value();
            let wrong = cg.append(func, "explain_wrong");
            cg.b.build_conditional_branch(ok, pass, wrong)?;
            cg.b.position_at_end(wrong);
            if let (SpecType::Array { .. }, Some(view)) = (spec, views[k]) {
                // Unboxing says precisely what is wrong (format, dimensions, layout).
                let unboxer = unbox_fn(cg, spec)?;
                cg.b.build_call(
                    unboxer,
                    &[objs[k].into(), fname.into(), name_ptrs[k].into(), view.into()],
                    "",
                )?;
            } else {
                let expected = cg.cstr(&expected_text(spec))?;
                let err = arg_type_error_fn(cg)?;
                cg.b.build_call(
                    err,
                    &[fname.into(), name_ptrs[k].into(), expected.into(), objs[k].into()],
                    "",
                )?;
            }
            cg.b.build_unconditional_branch(fail)?;
            cg.b.position_at_end(pass);
        }
    }
    // Several signatures (or none left to blame): list the types given and the signatures.
    let mut type_names = Vec::new();
    for obj in objs.iter() {
        let slot = cg.b.build_alloca(p, "tname")?;
        let missing = cg.cstr("missing")?;
        let have = cg.append(func, "tname_have");
        let absent = cg.append(func, "tname_absent");
        let join = cg.append(func, "tname_join");
        let present = cg.b.build_is_not_null(*obj, "")?;
        cg.b.build_conditional_branch(present, have, absent)?;
        cg.b.position_at_end(have);
        let tp = type_of(cg, *obj)?;
        let name = call_value(cg, "PyType_GetName", &[tp.into()])?;
        cg.b.build_store(slot, name)?;
        cg.b.build_unconditional_branch(join)?;
        cg.b.position_at_end(absent);
        let name = call_value(cg, "PyUnicode_FromString", &[missing.into()])?;
        cg.b.build_store(slot, name)?;
        cg.b.build_unconditional_branch(join)?;
        cg.b.position_at_end(join);
        type_names.push(cg.b.build_load(p, slot, "")?.into_pointer_value());
    }
    let sigs: Vec<String> =
        ef.signatures.iter().map(|s| signature_text(&fname_text, &s.args)).collect();
    let got = vec!["%U"; n].join(", ");
    let fmt = cg.cstr(&format!(
        "%s() got ({got}), which matches no exported signature: {}",
        sigs.join(", ").replace('%', "%%")
    ))?;
    let all_named = cg.append(func, "all_named");
    let mut any_null = cg.ctx.bool_type().const_zero();
    for t in &type_names {
        let null = cg.b.build_is_null(*t, "")?;
        any_null = cg.b.build_or(any_null, null, "")?;
    }
    let cleanup = cg.append(func, "cleanup");
    cg.b.build_conditional_branch(any_null, cleanup, all_named)?;
    cg.b.position_at_end(all_named);
    let mut fargs: Vec<BasicMetadataValueEnum> = vec![type_error.into(), fmt.into(), fname.into()];
    fargs.extend(type_names.iter().map(|t| BasicMetadataValueEnum::from(*t)));
    call(cg, "PyErr_Format", &fargs)?;
    cg.b.build_unconditional_branch(cleanup)?;
    cg.b.position_at_end(cleanup);
    for t in &type_names {
        // Py_DecRef accepts NULL.
        call(cg, "Py_DecRef", &[(*t).into()])?;
    }
    cg.b.build_unconditional_branch(fail)?;
    Ok(func)
}

/// Releases the argument buffers a wrapper acquired (PyBuffer_Release clears `obj`).
fn release_views<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    func: FunctionValue<'ctx>,
    views: &[Option<PointerValue<'ctx>>],
) -> Cg<()> {
    for view in views.iter().flatten() {
        let obj = load_at(cg, *view, BUF_OBJ, cg.ptr_type().into())?.into_pointer_value();
        let release = cg.append(func, "release");
        let next = cg.append(func, "released");
        let held = cg.b.build_is_not_null(obj, "")?;
        cg.b.build_conditional_branch(held, release, next)?;
        cg.b.position_at_end(release);
        call(cg, "PyBuffer_Release", &[(*view).into()])?;
        cg.b.build_unconditional_branch(next)?;
        cg.b.position_at_end(next);
    }
    Ok(())
}

/// The docstring: a text signature (for `inspect.signature`) and the exported signatures.
fn docstring(cg: &Codegen<'_, '_>, ef: &ExportedFunction) -> String {
    let f = &cg.hir.functions[ef.func];
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| match &p.default_text {
            Some(d) => format!("{}={d}", p.name),
            None => p.name.clone(),
        })
        .collect();
    let mut doc = format!("{}({})\n--\n\n", f.name, params.join(", "));
    // The function's own docstring first, as `help()` shows it for the Python function.
    if let Some(own) = &f.doc {
        doc.push_str(own.trim_end());
        doc.push_str("\n\n");
    }
    doc.push_str(&format!(
        "Compiled by pyaot from {} signature{}:\n",
        ef.signatures.len(),
        if ef.signatures.len() == 1 { "" } else { "s" }
    ));
    for s in &ef.signatures {
        let inst = &cg.prog.instances[s.instance];
        doc.push_str(&format!("    {} -> {}\n", signature_text(&f.name, &s.args), inst.ret));
    }
    doc
}

/// Generates the wrappers, the method table, the module definition and `PyInit_<name>`.
pub(super) fn generate_entry(cg: &mut Codegen<'_, '_>) -> Cg<()> {
    let ctx = cg.ctx;
    let p = cg.ptr_type();
    let i32t = ctx.i32_type();
    let i64t = ctx.i64_type();
    let method_ty = ctx.struct_type(&[p.into(), p.into(), i32t.into(), p.into()], false);
    let mut methods = Vec::new();
    for ef in &cg.prog.exports {
        if ef.signatures.is_empty() {
            continue;
        }
        let func = wrapper(cg, ef)?;
        let name = cg.cstr(&cg.hir.functions[ef.func].name.clone())?;
        let doc = cg.cstr(&docstring(cg, ef))?;
        methods.push(method_ty.const_named_struct(&[
            name.into(),
            func.as_global_value().as_pointer_value().into(),
            i32t.const_int(METH_FASTCALL_KEYWORDS, false).into(),
            doc.into(),
        ]));
    }
    methods.push(method_ty.const_zero());
    let methods_ty = method_ty.array_type(methods.len() as u32);
    let methods_g = cg.module.add_global(methods_ty, None, "pyaot.methods");
    methods_g.set_initializer(&method_ty.const_array(&methods));
    methods_g.set_linkage(Linkage::Private);

    // Py_mod_exec (2) creates the module's objects: strings, constants, imports.
    let slot_ty = ctx.struct_type(&[i32t.into(), p.into()], false);
    let mut slot_values = Vec::new();
    if let Some(exec) = cg.generate_exec()? {
        slot_values.push(slot_ty.const_named_struct(&[
            i32t.const_int(2, false).into(),
            exec.as_global_value().as_pointer_value().into(),
        ]));
    }
    slot_values.push(slot_ty.const_zero());
    let slots_ty = slot_ty.array_type(slot_values.len() as u32);
    let slots = cg.module.add_global(slots_ty, None, "pyaot.slots");
    slots.set_initializer(&slot_ty.const_array(&slot_values));
    slots.set_linkage(Linkage::Private);

    // PyModuleDef: { PyModuleDef_HEAD_INIT, name, doc, size, methods, slots, traverse, clear, free }.
    let base_ty = ctx.struct_type(&[i64t.into(), p.into(), p.into(), i64t.into(), p.into()], false);
    let def_ty = ctx.struct_type(
        &[
            base_ty.into(),
            p.into(),
            p.into(),
            i64t.into(),
            p.into(),
            p.into(),
            p.into(),
            p.into(),
            p.into(),
        ],
        false,
    );
    let module_name = cg.hir.name.clone();
    let name = cg.cstr(&module_name)?;
    let doc = match cg.hir.doc.clone() {
        Some(d) => cg.cstr(&d)?,
        None => p.const_null(),
    };
    let base = base_ty.const_named_struct(&[
        i64t.const_int(1, false).into(),
        p.const_null().into(),
        p.const_null().into(),
        i64t.const_zero().into(),
        p.const_null().into(),
    ]);
    let def_val = def_ty.const_named_struct(&[
        base.into(),
        name.into(),
        doc.into(),
        i64t.const_zero().into(),
        methods_g.as_pointer_value().into(),
        slots.as_pointer_value().into(),
        p.const_null().into(),
        p.const_null().into(),
        p.const_null().into(),
    ]);
    // Writable: CPython fills in the base when the module is imported.
    let def = cg.module.add_global(def_ty, None, "pyaot.moduledef");
    def.set_initializer(&def_val);
    def.set_linkage(Linkage::Private);

    let init = cg.module.add_function(
        &crate::init_symbol(&module_name),
        p.fn_type(&[], false),
        Some(Linkage::External),
    );
    let scope = cg.glue_subprogram(init, &format!("pyaot.PyInit_{module_name}"));
    let entry = cg.append(init, "entry");
    cg.b.position_at_end(entry);
    let loc = cg.di.create_debug_location(cg.ctx, 0, 0, scope, None);
    cg.b.set_current_debug_location(loc);
    let m = call_value(cg, "PyModuleDef_Init", &[def.as_pointer_value().into()])?;
    cg.b.build_return(Some(&m))?;
    Ok(())
}
