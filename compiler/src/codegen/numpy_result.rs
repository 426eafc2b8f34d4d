//! Emits the native value of a result numpy computed (`np.dot(m, v)`, `x.reshape(n, m)`,
//! `np.linalg.norm(x)`: the calls types/numpy_calls.rs typed): the call goes through Python as
//! any object call; its result is then held as the type the rules gave it. An array is adopted
//! by the function's arena (which keeps it alive) and read from numpy's fields; a number is
//! unboxed. If numpy ever returns something else (a rule that is wrong), the code raises
//! TypeError saying so: never a wrong answer.

use super::basics::{CallResult, FunctionParams};
use super::capi::{call, call_value, exception_global, in_new_function, type_of};
use super::cpython::{
    buffer_fits, layout_fits, load_at, numpy_types_fn, BUF_FORMAT, BUF_NDIM, BUF_SHAPE,
    BUF_STRIDES, NPY_ARRAY_WRITEABLE, NP_DATA, NP_DESCR, NP_DIMENSIONS, NP_FLAGS, NP_ND,
    NP_STRIDES, PYBUF_RECORDS, PYBUF_RECORDS_RO, PY_BUFFER_SIZE,
};
use super::layout::numpy_name;
use super::state::{Cg, CgError, Codegen, FnCx};
use crate::export_spec::{Dim, SpecType};
use crate::types::{ArrayType, Type};
use inkwell::values::{BasicValueEnum, FunctionValue, PointerValue};
use inkwell::IntPredicate;

impl<'ctx> Codegen<'ctx, '_> {
    /// numpy's result `obj` (a new reference, consumed) as the native `t`; `what` names the
    /// call for the error message.
    pub(super) fn numpy_result(
        &mut self,
        cx: &mut FnCx<'ctx>,
        obj: PointerValue<'ctx>,
        t: &Type,
        what: &str,
    ) -> Cg<BasicValueEnum<'ctx>> {
        match t {
            Type::Array(at) => {
                self.adopt(cx, obj)?;
                let reader = read_result_fn(self, at)?;
                let name = self.cstr(what)?;
                let r = self
                    .b
                    .build_call(reader, &[obj.into(), name.into()], "")?
                    .value()?
                    .into_struct_value();
                self.check_failed(cx, r)
            }
            Type::None => {
                call(self, "Py_DecRef", &[obj.into()])?;
                Ok(self.ctx.struct_type(&[], false).const_zero().into())
            }
            Type::Bool | Type::Int | Type::Float | Type::Complex => self.unbox_value(cx, obj, t),
            other => Err(CgError(format!("no numpy result of type {other}"))),
        }
    }
}

/// `pyaot.numpy_result.<dtype>.<ndim>[.c](obj, what) -> {array, i1 failed}`: data, shape and
/// strides of numpy's result, checked against the type the rules gave it (dtype, number of
/// axes, C order where the type says so); a TypeError naming `what` otherwise.
fn read_result_fn<'ctx>(cg: &mut Codegen<'ctx, '_>, at: &ArrayType) -> Cg<FunctionValue<'ctx>> {
    let name = format!(
        "pyaot.numpy_result.{}.{}{}",
        numpy_name(at.dtype),
        at.ndim,
        if at.contiguous { ".c" } else { "" }
    );
    let spec = SpecType::Array {
        dtype: at.dtype,
        dims: vec![Dim::Any; at.ndim],
        contiguous: at.contiguous,
    };
    let p = cg.ptr_type();
    let i32t = cg.ctx.i32_type();
    let arr_ty = cg.array_struct(at.ndim);
    let ret = cg.ctx.struct_type(&[arr_ty.into(), cg.ctx.bool_type().into()], false);
    let ty = ret.fn_type(&[p.into(), p.into()], false);
    let at = *at;
    in_new_function(cg, &name, ty, move |cg, f| {
        let obj = f.param(0)?.into_pointer_value();
        let what = f.param(1)?.into_pointer_value();
        let done = |cg: &mut Codegen<'ctx, '_>, arr: Option<BasicValueEnum<'ctx>>| -> Cg<()> {
            let failed = cg.ctx.bool_type().const_int(arr.is_none() as u64, false);
            let mut agg = ret.get_undef();
            if let Some(a) = arr {
                agg = cg.b.build_insert_value(agg, a, 0, "")?.into_struct_value();
            }
            let agg = cg.b.build_insert_value(agg, failed, 1, "")?;
            cg.b.build_return(Some(&agg.into_struct_value()))?;
            Ok(())
        };
        let read = |cg: &mut Codegen<'ctx, '_>,
                    data: PointerValue<'ctx>,
                    dims: PointerValue<'ctx>,
                    strides: PointerValue<'ctx>,
                    writable: inkwell::values::IntValue<'ctx>|
         -> Cg<BasicValueEnum<'ctx>> {
            let mut shape = Vec::new();
            let mut steps = Vec::new();
            for k in 0..at.ndim {
                let i64t = cg.ctx.i64_type().into();
                shape.push(load_at(cg, dims, 8 * k as u64, i64t)?.into_int_value());
                steps.push(load_at(cg, strides, 8 * k as u64, i64t)?.into_int_value());
            }
            Ok(cg.make_array(data, &shape, &steps, obj, writable)?.into())
        };

        // numpy's own arrays of a builtin dtype: read from the fields.
        let types = numpy_types_fn(cg)?;
        let ndarray = cg.b.build_call(types, &[], "")?.value()?.into_pointer_value();
        let is_ndarray =
            cg.b.build_int_compare(IntPredicate::EQ, type_of(cg, obj)?, ndarray, "")?;
        let fields = cg.append(f, "ndarray");
        let buffer = cg.append(f, "buffer");
        cg.b.build_conditional_branch(is_ndarray, fields, buffer)?;
        cg.b.position_at_end(fields);
        let descr = load_at(cg, obj, NP_DESCR, p.into())?.into_pointer_value();
        let global = format!("pyaot.descr.{}", numpy_name(at.dtype));
        let expected = cg
            .module
            .get_global(&global)
            .ok_or_else(|| CgError(format!("no dtype global {global}")))?
            .as_pointer_value();
        let expected = cg.b.build_load(p, expected, "")?.into_pointer_value();
        let nd = load_at(cg, obj, NP_ND, i32t.into())?.into_int_value();
        let same = cg.b.build_and(
            cg.b.build_int_compare(IntPredicate::EQ, descr, expected, "")?,
            cg.b.build_int_compare(
                IntPredicate::EQ,
                nd,
                i32t.const_int(at.ndim as u64, false),
                "",
            )?,
            "",
        )?;
        let layout = cg.append(f, "ndarray.layout");
        cg.b.build_conditional_branch(same, layout, buffer)?;
        cg.b.position_at_end(layout);
        let dims = load_at(cg, obj, NP_DIMENSIONS, p.into())?.into_pointer_value();
        let strides = load_at(cg, obj, NP_STRIDES, p.into())?.into_pointer_value();
        let fits = layout_fits(cg, &spec, dims, strides)?;
        let fast = cg.append(f, "ndarray.ok");
        cg.b.build_conditional_branch(fits, fast, buffer)?;
        cg.b.position_at_end(fast);
        let data = load_at(cg, obj, NP_DATA, p.into())?.into_pointer_value();
        let flags = load_at(cg, obj, NP_FLAGS, i32t.into())?.into_int_value();
        let w = cg.b.build_and(flags, i32t.const_int(NPY_ARRAY_WRITEABLE, false), "")?;
        let w = cg.b.build_int_compare(IntPredicate::NE, w, i32t.const_zero(), "")?;
        let arr = read(cg, data, dims, strides, w)?;
        done(cg, Some(arr))?;

        // Anything else that holds the same elements: through the buffer protocol (an int64
        // array whose dtype is numpy's `longlong`, a read-only view).
        cg.b.position_at_end(buffer);
        let view = cg.b.build_alloca(cg.ctx.i8_type().array_type(PY_BUFFER_SIZE), "view")?;
        let writable = cg.b.build_alloca(cg.ctx.bool_type(), "writable")?;
        cg.b.build_store(writable, cg.ctx.bool_type().const_all_ones())?;
        let get = |cg: &mut Codegen<'ctx, '_>, flags: u64| {
            let r = call_value(
                cg,
                "PyObject_GetBuffer",
                &[obj.into(), view.into(), i32t.const_int(flags, false).into()],
            )?
            .into_int_value();
            Ok::<_, CgError>(cg.b.build_int_compare(IntPredicate::EQ, r, i32t.const_zero(), "")?)
        };
        let got = get(cg, PYBUF_RECORDS)?;
        let acquired = cg.append(f, "acquired");
        let read_only = cg.append(f, "read_only");
        cg.b.build_conditional_branch(got, acquired, read_only)?;
        cg.b.position_at_end(read_only);
        call(cg, "PyErr_Clear", &[])?;
        cg.b.build_store(writable, cg.ctx.bool_type().const_zero())?;
        let got = get(cg, PYBUF_RECORDS_RO)?;
        let not_buffer = cg.append(f, "not_a_buffer");
        cg.b.build_conditional_branch(got, acquired, not_buffer)?;
        cg.b.position_at_end(not_buffer);
        call(cg, "PyErr_Clear", &[])?;
        let type_error = cg.b.build_load(p, exception_global(cg, "TypeError"), "")?;
        let expected_text = format!(
            "{}[{}]{}",
            numpy_name(at.dtype),
            vec![":"; at.ndim].join(", "),
            if at.contiguous { " in C order" } else { "" }
        );
        let fmt = cg.cstr(&format!(
            "%s returned something other than an array where pyaot expected {expected_text}: please report this pyaot bug"
        ))?;
        call(cg, "PyErr_Format", &[type_error.into(), fmt.into(), what.into()])?;
        done(cg, None)?;

        cg.b.position_at_end(acquired);
        let fits = buffer_fits(cg, f, &spec, view)?;
        let good = cg.append(f, "buffer_fits");
        let wrong = cg.append(f, "buffer_wrong");
        cg.b.build_conditional_branch(fits, good, wrong)?;
        cg.b.position_at_end(wrong);
        let type_error = cg.b.build_load(p, exception_global(cg, "TypeError"), "")?;
        let format = load_at(cg, view, BUF_FORMAT, p.into())?;
        let ndim = load_at(cg, view, BUF_NDIM, i32t.into())?;
        let fmt = cg.cstr(&format!("%s returned an array of format '%s' with %d dimension(s) (or not in C order) where pyaot expected {expected_text}: please report this pyaot bug"))?;
        call(
            cg,
            "PyErr_Format",
            &[type_error.into(), fmt.into(), what.into(), format.into(), ndim.into()],
        )?;
        call(cg, "PyBuffer_Release", &[view.into()])?;
        done(cg, None)?;

        cg.b.position_at_end(good);
        let data = load_at(cg, view, 0, p.into())?.into_pointer_value();
        let dims = load_at(cg, view, BUF_SHAPE, p.into())?.into_pointer_value();
        let strides = load_at(cg, view, BUF_STRIDES, p.into())?.into_pointer_value();
        let w = cg.b.build_load(cg.ctx.bool_type(), writable, "")?.into_int_value();
        let arr = read(cg, data, dims, strides, w)?;
        // The arena keeps the object alive; numpy never moves an array's data.
        call(cg, "PyBuffer_Release", &[view.into()])?;
        done(cg, Some(arr))
    })
}
