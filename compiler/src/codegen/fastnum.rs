//! Arithmetic on two Python objects with exact-type fast paths, as CPython's own specializing
//! interpreter does: `pyaot.num.<op>(a, b)` computes `a + b`, `a - b`, `a * b` or `a / b`
//! natively when both are exact floats, a float and an exact int, or two exact ints that fit in
//! 64 bits (and the result does), and otherwise calls `PyNumber_<op>` (subclasses, big ints,
//! division by zero, anything else), so results and errors are CPython's. Object code (class
//! instances, list items) spends its time here.

use super::basics::{CurrentBlock, FunctionParams};
use super::capi::{call_value, data_symbol, in_new_function, type_of};
use super::state::{Cg, Codegen};
use crate::hir::BinOp;
use inkwell::values::{FloatValue, FunctionValue, IntValue, PointerValue};
use inkwell::{FloatPredicate, IntPredicate};

/// Where a float object keeps its value (`PyFloatObject.ob_fval`, after the object header; the
/// same in every CPython this module imports on).
const FLOAT_VALUE: i64 = 16;

/// The value of an exact float (`is_float`) or exact int operand as a double: read from the
/// float, or PyLong_AsDouble (-1.0 with an error set for an int too big).
fn operand<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    f: FunctionValue<'ctx>,
    obj: PointerValue<'ctx>,
    is_float: IntValue<'ctx>,
) -> Cg<FloatValue<'ctx>> {
    let stored = float_value(cg, obj)?;
    let from_int = cg.append(f, "from_int");
    let here = cg.b.current_block()?;
    let joined = cg.append(f, "operand");
    cg.b.build_conditional_branch(is_float, joined, from_int)?;
    cg.b.position_at_end(from_int);
    let converted = call_value(cg, "PyLong_AsDouble", &[obj.into()])?.into_float_value();
    let from_int_end = cg.b.current_block()?;
    cg.b.build_unconditional_branch(joined)?;
    cg.b.position_at_end(joined);
    let phi = cg.b.build_phi(cg.ctx.f64_type(), "")?;
    phi.add_incoming(&[(&stored, here), (&converted, from_int_end)]);
    Ok(phi.as_basic_value().into_float_value())
}

/// `ob_fval` of an exact float.
fn float_value<'ctx>(cg: &Codegen<'ctx, '_>, obj: PointerValue<'ctx>) -> Cg<FloatValue<'ctx>> {
    let slot =
        unsafe { cg.b.build_in_bounds_gep(cg.ctx.i8_type(), obj, &[cg.i64(FLOAT_VALUE)], "")? };
    Ok(cg.b.build_load(cg.ctx.f64_type(), slot, "")?.into_float_value())
}

/// Whether `op` has a fast path here.
pub(super) fn has_fast_path(op: BinOp) -> bool {
    matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div)
}

/// `pyaot.num.<op>(a, b) -> obj`: a new reference, or NULL with the error set.
pub(super) fn number_fn<'ctx>(
    cg: &mut Codegen<'ctx, '_>,
    op: BinOp,
    generic: &'static str,
) -> Cg<FunctionValue<'ctx>> {
    let p = cg.ptr_type();
    let name = format!("pyaot.num.{generic}");
    in_new_function(cg, &name, p.fn_type(&[p.into(), p.into()], false), move |cg, f| {
        let a = f.param(0)?.into_pointer_value();
        let b = f.param(1)?.into_pointer_value();
        let f64t = cg.ctx.f64_type();
        let float_type = data_symbol(cg, "PyFloat_Type");
        let int_type = data_symbol(cg, "PyLong_Type");
        let (ta, tb) = (type_of(cg, a)?, type_of(cg, b)?);
        let is = |cg: &Codegen<'ctx, '_>, t: PointerValue<'ctx>, want: PointerValue<'ctx>| {
            cg.b.build_int_compare(IntPredicate::EQ, t, want, "")
        };
        let (a_float, b_float) = (is(cg, ta, float_type)?, is(cg, tb, float_type)?);
        let (a_int, b_int) = (is(cg, ta, int_type)?, is(cg, tb, int_type)?);
        let generic_bb = cg.append(f, "generic");
        let floats_bb = cg.append(f, "floats");
        let ints_check = cg.append(f, "ints?");
        let any_float = cg.b.build_or(a_float, b_float, "")?;
        let numbers = cg.b.build_and(
            cg.b.build_or(a_float, a_int, "")?,
            cg.b.build_or(b_float, b_int, "")?,
            "",
        )?;
        let float_case = cg.b.build_and(any_float, numbers, "")?;
        cg.b.build_conditional_branch(float_case, floats_bb, ints_check)?;

        // At least one float, the other a float or an exact int (converted as CPython does).
        cg.b.position_at_end(floats_bb);
        let x = operand(cg, f, a, a_float)?;
        let y = operand(cg, f, b, b_float)?;
        // An int too big for a float: CPython's own error, from the generic path.
        let minus_one = f64t.const_float(-1.0);
        let x_bad = cg.b.build_float_compare(FloatPredicate::OEQ, x, minus_one, "")?;
        let y_bad = cg.b.build_float_compare(FloatPredicate::OEQ, y, minus_one, "")?;
        let maybe_bad = cg.b.build_or(x_bad, y_bad, "")?;
        let check_error = cg.append(f, "check_error");
        let compute = cg.append(f, "compute");
        cg.b.build_conditional_branch(maybe_bad, check_error, compute)?;
        cg.b.position_at_end(check_error);
        let err = call_value(cg, "PyErr_Occurred", &[])?.into_pointer_value();
        let clear = cg.append(f, "clear");
        cg.b.build_conditional_branch(cg.b.build_is_null(err, "")?, compute, clear)?;
        cg.b.position_at_end(clear);
        super::capi::call(cg, "PyErr_Clear", &[])?;
        cg.b.build_unconditional_branch(generic_bb)?;
        cg.b.position_at_end(compute);
        let r = match op {
            BinOp::Add => cg.b.build_float_add(x, y, "")?,
            BinOp::Sub => cg.b.build_float_sub(x, y, "")?,
            BinOp::Mul => cg.b.build_float_mul(x, y, "")?,
            _ => {
                // Division by zero raises: the generic path says so.
                let zero =
                    cg.b.build_float_compare(FloatPredicate::OEQ, y, f64t.const_zero(), "")?;
                let divide = cg.append(f, "divide");
                cg.b.build_conditional_branch(zero, generic_bb, divide)?;
                cg.b.position_at_end(divide);
                cg.b.build_float_div(x, y, "")?
            }
        };
        let boxed = call_value(cg, "PyFloat_FromDouble", &[r.into()])?;
        cg.b.build_return(Some(&boxed))?;

        // Two exact ints that fit in 64 bits, with a result that does (`/` is a float: generic).
        cg.b.position_at_end(ints_check);
        let both_ints = cg.b.build_and(a_int, b_int, "")?;
        let ints_bb = cg.append(f, "ints");
        let int_op = op != BinOp::Div;
        if int_op {
            cg.b.build_conditional_branch(both_ints, ints_bb, generic_bb)?;
        } else {
            cg.b.build_unconditional_branch(generic_bb)?;
        }
        cg.b.position_at_end(ints_bb);
        if int_op {
            let i32t = cg.ctx.i32_type();
            let overflow = cg.b.build_alloca(i32t, "overflow")?;
            let mut values = Vec::new();
            let mut big = cg.ctx.bool_type().const_zero();
            for obj in [a, b] {
                let v =
                    call_value(cg, "PyLong_AsLongLongAndOverflow", &[obj.into(), overflow.into()])?
                        .into_int_value();
                let o = cg.b.build_load(i32t, overflow, "")?.into_int_value();
                let o = cg.b.build_int_compare(IntPredicate::NE, o, i32t.const_zero(), "")?;
                big = cg.b.build_or(big, o, "")?;
                values.push(v);
            }
            let intrinsic = match op {
                BinOp::Add => "llvm.sadd.with.overflow",
                BinOp::Sub => "llvm.ssub.with.overflow",
                _ => "llvm.smul.with.overflow",
            };
            let r =
                cg.intrinsic(intrinsic, &[values[0].into(), values[1].into()])?.into_struct_value();
            let wrapped = cg.b.build_extract_value(r, 1, "")?.into_int_value();
            let value = cg.b.build_extract_value(r, 0, "")?.into_int_value();
            let give_up = cg.b.build_or(big, wrapped, "")?;
            let box_int = cg.append(f, "box_int");
            cg.b.build_conditional_branch(give_up, generic_bb, box_int)?;
            cg.b.position_at_end(box_int);
            let boxed = call_value(cg, "PyLong_FromLongLong", &[value.into()])?;
            cg.b.build_return(Some(&boxed))?;
        } else {
            cg.b.build_unreachable()?;
        }

        cg.b.position_at_end(generic_bb);
        let r = call_value(cg, generic, &[a.into(), b.into()])?;
        cg.b.build_return(Some(&r))?;
        Ok(())
    })
}

/// `pyaot.num.pow(a, b) -> obj`: `a ** b` natively when both are exact floats (or one an exact
/// int) with a positive finite base, a finite exponent and a finite result (C's `pow`, which
/// CPython's float power calls too); else `PyNumber_Power` (negative bases give complex
/// numbers, overflow raises, ints stay exact).
pub(super) fn power_fn<'ctx>(cg: &mut Codegen<'ctx, '_>) -> Cg<FunctionValue<'ctx>> {
    let p = cg.ptr_type();
    in_new_function(cg, "pyaot.num.pow", p.fn_type(&[p.into(), p.into()], false), |cg, f| {
        let a = f.param(0)?.into_pointer_value();
        let b = f.param(1)?.into_pointer_value();
        let f64t = cg.ctx.f64_type();
        let float_type = data_symbol(cg, "PyFloat_Type");
        let int_type = data_symbol(cg, "PyLong_Type");
        let (ta, tb) = (type_of(cg, a)?, type_of(cg, b)?);
        let is = |cg: &Codegen<'ctx, '_>, t: PointerValue<'ctx>, want: PointerValue<'ctx>| {
            cg.b.build_int_compare(IntPredicate::EQ, t, want, "")
        };
        let (a_float, b_float) = (is(cg, ta, float_type)?, is(cg, tb, float_type)?);
        let (a_int, b_int) = (is(cg, ta, int_type)?, is(cg, tb, int_type)?);
        let generic_bb = cg.append(f, "generic");
        let floats_bb = cg.append(f, "floats");
        let numbers = cg.b.build_and(
            cg.b.build_or(a_float, a_int, "")?,
            cg.b.build_or(b_float, b_int, "")?,
            "",
        )?;
        let any_float = cg.b.build_or(a_float, b_float, "")?;
        cg.b.build_conditional_branch(
            cg.b.build_and(numbers, any_float, "")?,
            floats_bb,
            generic_bb,
        )?;
        cg.b.position_at_end(floats_bb);
        let x = operand(cg, f, a, a_float)?;
        let y = operand(cg, f, b, b_float)?;
        let inf = f64t.const_float(f64::INFINITY);
        let finite = |cg: &Codegen<'ctx, '_>, v: FloatValue<'ctx>| {
            let magnitude = cg.intrinsic("llvm.fabs", &[v.into()])?.into_float_value();
            Ok::<_, super::state::CgError>(cg.b.build_float_compare(
                FloatPredicate::OLT,
                magnitude,
                inf,
                "",
            )?)
        };
        // An int too big for a float: -1.0 and an error set; CPython's own error, generic.
        let minus_one = f64t.const_float(-1.0);
        let maybe_bad = cg.b.build_or(
            cg.b.build_float_compare(FloatPredicate::OEQ, x, minus_one, "")?,
            cg.b.build_float_compare(FloatPredicate::OEQ, y, minus_one, "")?,
            "",
        )?;
        let check_error = cg.append(f, "check_error");
        let checked = cg.append(f, "checked");
        let clear = cg.append(f, "clear");
        cg.b.build_conditional_branch(maybe_bad, check_error, checked)?;
        cg.b.position_at_end(check_error);
        let err = call_value(cg, "PyErr_Occurred", &[])?.into_pointer_value();
        cg.b.build_conditional_branch(cg.b.build_is_null(err, "")?, checked, clear)?;
        cg.b.position_at_end(checked);
        let positive = cg.b.build_float_compare(FloatPredicate::OGT, x, f64t.const_zero(), "")?;
        let ok =
            cg.b.build_and(cg.b.build_and(positive, finite(cg, x)?, "")?, finite(cg, y)?, "")?;
        let compute = cg.append(f, "compute");
        cg.b.build_conditional_branch(ok, compute, generic_bb)?;
        cg.b.position_at_end(compute);
        let r = cg.intrinsic("llvm.pow", &[x.into(), y.into()])?.into_float_value();
        let box_bb = cg.append(f, "box");
        cg.b.build_conditional_branch(finite(cg, r)?, box_bb, generic_bb)?;
        cg.b.position_at_end(box_bb);
        let boxed = call_value(cg, "PyFloat_FromDouble", &[r.into()])?;
        cg.b.build_return(Some(&boxed))?;
        cg.b.position_at_end(clear);
        super::capi::call(cg, "PyErr_Clear", &[])?;
        cg.b.build_unconditional_branch(generic_bb)?;
        cg.b.position_at_end(generic_bb);
        let none = data_symbol(cg, "_Py_NoneStruct");
        let r = call_value(cg, "PyNumber_Power", &[a.into(), b.into(), none.into()])?;
        cg.b.build_return(Some(&r))?;
        Ok(())
    })
}

/// `pyaot.cmp.<code>(a, b) -> obj`: `PyObject_RichCompare(a, b, code)`, answered natively (True
/// or False) when both are exact floats or both exact ints that fit in 64 bits. `code` is
/// CPython's (0 `<`, 1 `<=`, 2 `==`, 3 `!=`, 4 `>`, 5 `>=`).
pub(super) fn compare_fn<'ctx>(cg: &mut Codegen<'ctx, '_>, code: u64) -> Cg<FunctionValue<'ctx>> {
    let p = cg.ptr_type();
    let name = format!("pyaot.cmp.{code}");
    in_new_function(cg, &name, p.fn_type(&[p.into(), p.into()], false), move |cg, f| {
        let a = f.param(0)?.into_pointer_value();
        let b = f.param(1)?.into_pointer_value();
        let i32t = cg.ctx.i32_type();
        let (ta, tb) = (type_of(cg, a)?, type_of(cg, b)?);
        let same = cg.b.build_int_compare(IntPredicate::EQ, ta, tb, "")?;
        let float_type = data_symbol(cg, "PyFloat_Type");
        let int_type = data_symbol(cg, "PyLong_Type");
        let floats = cg.b.build_and(
            same,
            cg.b.build_int_compare(IntPredicate::EQ, ta, float_type, "")?,
            "",
        )?;
        let ints =
            cg.b.build_and(same, cg.b.build_int_compare(IntPredicate::EQ, ta, int_type, "")?, "")?;
        let floats_bb = cg.append(f, "floats");
        let ints_check = cg.append(f, "ints?");
        let ints_bb = cg.append(f, "ints");
        let generic_bb = cg.append(f, "generic");
        let answer_bb = cg.append(f, "answer");
        cg.b.build_conditional_branch(floats, floats_bb, ints_check)?;
        cg.b.position_at_end(floats_bb);
        let (x, y) = (float_value(cg, a)?, float_value(cg, b)?);
        // Ordered predicates (NaN compares false), except `!=` (true for NaN), as Python's.
        let fp = match code {
            0 => FloatPredicate::OLT,
            1 => FloatPredicate::OLE,
            2 => FloatPredicate::OEQ,
            3 => FloatPredicate::UNE,
            4 => FloatPredicate::OGT,
            _ => FloatPredicate::OGE,
        };
        let float_answer = cg.b.build_float_compare(fp, x, y, "")?;
        let floats_end = cg.b.current_block()?;
        cg.b.build_unconditional_branch(answer_bb)?;
        cg.b.position_at_end(ints_check);
        cg.b.build_conditional_branch(ints, ints_bb, generic_bb)?;
        cg.b.position_at_end(ints_bb);
        let overflow = cg.b.build_alloca(i32t, "overflow")?;
        let mut values = Vec::new();
        let mut big = cg.ctx.bool_type().const_zero();
        for obj in [a, b] {
            let v = call_value(cg, "PyLong_AsLongLongAndOverflow", &[obj.into(), overflow.into()])?
                .into_int_value();
            let o = cg.b.build_load(i32t, overflow, "")?.into_int_value();
            big = cg.b.build_or(
                big,
                cg.b.build_int_compare(IntPredicate::NE, o, i32t.const_zero(), "")?,
                "",
            )?;
            values.push(v);
        }
        let ip = match code {
            0 => IntPredicate::SLT,
            1 => IntPredicate::SLE,
            2 => IntPredicate::EQ,
            3 => IntPredicate::NE,
            4 => IntPredicate::SGT,
            _ => IntPredicate::SGE,
        };
        let int_answer = cg.b.build_int_compare(ip, values[0], values[1], "")?;
        let ints_end = cg.b.current_block()?;
        cg.b.build_conditional_branch(big, generic_bb, answer_bb)?;
        cg.b.position_at_end(answer_bb);
        let phi = cg.b.build_phi(cg.ctx.bool_type(), "")?;
        phi.add_incoming(&[(&float_answer, floats_end), (&int_answer, ints_end)]);
        let answer = cg.b.build_select(
            phi.as_basic_value().into_int_value(),
            data_symbol(cg, "_Py_TrueStruct"),
            data_symbol(cg, "_Py_FalseStruct"),
            "",
        )?;
        super::capi::call(cg, "Py_IncRef", &[answer.into()])?;
        cg.b.build_return(Some(&answer))?;
        cg.b.position_at_end(generic_bb);
        let r = call_value(
            cg,
            "PyObject_RichCompare",
            &[a.into(), b.into(), i32t.const_int(code, false).into()],
        )?;
        cg.b.build_return(Some(&r))?;
        Ok(())
    })
}
