//! The object fallback: Python objects in compiled code, through the C API.
//!
//! Takes expressions and statements the type pass typed `object` (and native ones that read
//! objects: `len(d)`, `x in d`, `int(s)`); gives IR calling the stable C API with the GIL held
//! (a function that uses objects never releases it). Native values meeting objects are boxed,
//! objects flowing into native places are unboxed (a TypeError when they do not convert).
//!
//! Ownership: an object-typed expression evaluates to a new reference. A local of type object
//! owns its reference (NULL until assigned; released on reassignment and when the function
//! leaves, by return or by error). Values evaluated but not yet consumed are `cx.temps`: a
//! failure on the way releases them (see `unwind_block`), so no path leaks. Constants, imports
//! and attribute names are module globals created once when the extension is imported
//! (`pyaot.exec`).

use super::basics::{CallResult, CurrentBlock, FunctionParams};
use super::capi;
use super::capi::{call, call_value, data_symbol, type_of};
use super::cpython::{self};
use super::state::{Cg, CgError, Codegen, FinallyTarget, FnCx, ModuleObject};
use crate::hir::{
    self, BinOp, BoolOpKind, Builtin, CmpOp, Const, Expr, ExprKind, FPart, Index, PyPath, Stmt,
    UnaryOp,
};
use crate::types::{const_type, numpy_calls, Type};
use inkwell::module::Linkage;
use inkwell::values::{
    BasicMetadataValueEnum, BasicValue, BasicValueEnum, GlobalValue, IntValue, PointerValue,
};
use inkwell::IntPredicate;

/// Py_TPFLAGS_BASE_EXC_SUBCLASS and Py_TPFLAGS_TYPE_SUBCLASS.
const TPFLAGS_BASE_EXC_SUBCLASS: i64 = 1 << 30;
const TPFLAGS_TYPE_SUBCLASS: i64 = 1 << 31;

/// Positional arguments passed by vectorcall (no tuple); more go in one.
const MAX_VARARGS: usize = 8;

/// The global that says lists have the layout this module reads directly.
const LIST_LAYOUT_FLAG: &str = "pyaot.list_layout_ok";

/// PY_VECTORCALL_ARGUMENTS_OFFSET: the callee may use the slot before the arguments.
const VECTORCALL_ARGUMENTS_OFFSET: u64 = 1 << 63;

impl<'ctx> Codegen<'ctx, '_> {
    /// Py_INCREF as the 3.11 limited API inlines it (`ob_refcnt += 1`); PEP 683 keeps this valid
    /// for the immortal objects of 3.12 and later.
    pub(super) fn obj_incref(&self, obj: PointerValue<'ctx>) -> Cg<()> {
        let count = self.b.build_load(self.ctx.i64_type(), obj, "refcnt")?.into_int_value();
        let n = self.b.build_int_add(count, self.i64(1), "")?;
        self.b.build_store(obj, n)?;
        Ok(())
    }

    /// Py_XINCREF: for values that may be NULL (a lookup that failed, a missing traceback).
    pub(super) fn obj_xincref(&self, obj: PointerValue<'ctx>) -> Cg<()> {
        self.refcount_update(obj, false)
    }

    /// Py_XDECREF, inlined: `_Py_Dealloc` when the count reaches zero. The report counts these
    /// dealloc calls as the line's reference counting.
    pub(super) fn obj_decref(&self, obj: PointerValue<'ctx>) -> Cg<()> {
        self.refcount_update(obj, true)
    }

    fn refcount_update(&self, obj: PointerValue<'ctx>, dec: bool) -> Cg<()> {
        let func = self
            .b
            .get_insert_block()
            .and_then(|b| b.get_parent())
            .ok_or_else(|| CgError("refcount outside a function".into()))?;
        let i64t = self.ctx.i64_type();
        let update = self.append(func, if dec { "refcount.dec" } else { "refcount.inc" });
        let done = self.append(func, "refcount.done");
        let null = self.b.build_is_null(obj, "")?;
        self.b.build_conditional_branch(null, done, update)?;
        self.b.position_at_end(update);
        let count = self.b.build_load(i64t, obj, "refcnt")?.into_int_value();
        if dec {
            let n = self.b.build_int_sub(count, self.i64(1), "")?;
            self.b.build_store(obj, n)?;
            let zero = self.b.build_int_compare(IntPredicate::EQ, n, self.i64(0), "")?;
            let dealloc = self.append(func, "refcount.dealloc");
            let br = self.b.build_conditional_branch(zero, dealloc, done)?;
            self.expect_false(br);
            self.b.position_at_end(dealloc);
            call(self, "_Py_Dealloc", &[obj.into()])?;
        } else {
            let n = self.b.build_int_add(count, self.i64(1), "")?;
            self.b.build_store(obj, n)?;
        }
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        Ok(())
    }

    /// The global slot holding a module object (created by `pyaot.exec`).
    pub(super) fn module_object(&mut self, what: ModuleObject) -> GlobalValue<'ctx> {
        if let Some((_, g)) = self.module_objects.iter().find(|(k, _)| *k == what) {
            return *g;
        }
        let g = self.module.add_global(
            self.ptr_type(),
            None,
            &format!("pyaot.obj.{}", self.module_objects.len()),
        );
        g.set_initializer(&self.ptr_type().const_null());
        g.set_linkage(Linkage::Private);
        self.module_objects.push((what, g));
        g
    }

    /// How many of `path`'s attributes importing the extension requires: the module itself
    /// always, the name a `from m import x` imports, every builtin. Attributes read off a module
    /// beyond those (`os.sep`) may be missing until the line reading them runs, as in CPython.
    fn attrs_required_at_import(&self, path: &PyPath) -> usize {
        let imported = PyPath {
            module: path.module.clone(),
            attrs: path.attrs.iter().take(1).cloned().collect(),
        };
        if path.module == "builtins" {
            path.attrs.len()
        } else {
            usize::from(!path.attrs.is_empty() && self.hir.from_imports.contains(&imported))
        }
    }

    /// A borrowed reference to a module object.
    pub(super) fn load_module_object(&mut self, what: ModuleObject) -> Cg<PointerValue<'ctx>> {
        let g = self.module_object(what);
        Ok(self.b.build_load(self.ptr_type(), g.as_pointer_value(), "")?.into_pointer_value())
    }

    /// A new reference to a module object.
    fn new_module_object(&mut self, what: ModuleObject) -> Cg<PointerValue<'ctx>> {
        let v = self.load_module_object(what)?;
        self.obj_incref(v)?;
        Ok(v)
    }

    /// A borrowed reference to a constant as a Python object (defaults of object parameters).
    pub(super) fn const_object(&mut self, c: &Const) -> Cg<PointerValue<'ctx>> {
        match c {
            Const::Str(s) => self.load_module_object(ModuleObject::Str(s.clone())),
            Const::None => Ok(data_symbol(self, "_Py_NoneStruct")),
            other => self.load_module_object(ModuleObject::Const(other.clone())),
        }
    }

    /// Leaves the function when `obj` is NULL (the C API set an error).
    pub(super) fn check_null(
        &mut self,
        cx: &mut FnCx<'ctx>,
        obj: PointerValue<'ctx>,
    ) -> Cg<PointerValue<'ctx>> {
        let null = self.b.build_is_null(obj, "")?;
        self.leave_if(cx, null)?;
        Ok(obj)
    }

    /// Leaves the function when an int result is -1 (the C API's error value).
    fn check_minus_one(&mut self, cx: &mut FnCx<'ctx>, r: IntValue<'ctx>) -> Cg<IntValue<'ctx>> {
        let minus_one = r.get_type().const_all_ones();
        let failed = self.b.build_int_compare(IntPredicate::EQ, r, minus_one, "")?;
        self.leave_if(cx, failed)?;
        Ok(r)
    }

    /// Leaves the function (the error is set) when `failed` holds.
    pub(super) fn leave_if(&mut self, cx: &mut FnCx<'ctx>, failed: IntValue<'ctx>) -> Cg<()> {
        let unwind = self.unwind_block(cx)?;
        let cont = self.append(cx.func, "obj.ok");
        let br = self.b.build_conditional_branch(failed, unwind, cont)?;
        self.expect_false(br);
        self.b.position_at_end(cont);
        Ok(())
    }

    /// Evaluates `e` and gives it as type `want`, boxing or unboxing as needed.
    pub(super) fn operand(
        &mut self,
        cx: &mut FnCx<'ctx>,
        e: &Expr,
        want: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        // A constant needed as an object is boxed once, when the module is imported.
        if let (
            ExprKind::Const(
                c @ (Const::Int(_)
                | Const::Float(_)
                | Const::Bool(_)
                | Const::None
                | Const::Tuple(_)),
            ),
            Type::Object,
        ) = (&e.kind, want)
        {
            let o = self.const_object(c)?;
            self.obj_incref(o)?;
            return Ok(o.into());
        }
        let v = self.expr(cx, e)?;
        let t = self.ty(cx, e);
        self.coerce(cx, v, &t, want)
    }

    /// Evaluates `e` as a new reference to a Python object.
    pub(super) fn object(&mut self, cx: &mut FnCx<'ctx>, e: &Expr) -> Cg<PointerValue<'ctx>> {
        Ok(self.operand(cx, e, &Type::Object)?.into_pointer_value())
    }

    /// Evaluates `e` as an object and keeps it among the temporaries until `release_temps`.
    pub(super) fn temp_object(&mut self, cx: &mut FnCx<'ctx>, e: &Expr) -> Cg<PointerValue<'ctx>> {
        let v = self.object(cx, e)?;
        cx.temps.push(v);
        Ok(v)
    }

    /// Evaluates `e` as an object for a use within the current expression: an object local is
    /// borrowed (the local keeps it alive: nothing inside an expression can rebind a local),
    /// anything else is a new reference kept among the temporaries. Give it back with `release`.
    fn held(&mut self, cx: &mut FnCx<'ctx>, e: &Expr) -> Cg<PointerValue<'ctx>> {
        if let ExprKind::Local(l) = e.kind {
            if self.local_ty(cx, l) == Type::Object {
                return self.borrow_object_local(cx, l);
            }
        }
        self.temp_object(cx, e)
    }

    /// Gives back values from `held`/`temp_object`: the temporaries among them are released.
    fn release(&mut self, cx: &mut FnCx<'ctx>, values: &[PointerValue<'ctx>]) -> Cg<()> {
        for v in values.iter().rev() {
            if let Some(pos) = cx.temps.iter().rposition(|t| t == v) {
                cx.temps.remove(pos);
                self.obj_decref(*v)?;
            }
        }
        Ok(())
    }

    /// Releases the last `n` temporaries (their work is done).
    pub(super) fn release_temps(&mut self, cx: &mut FnCx<'ctx>, n: usize) -> Cg<()> {
        for _ in 0..n {
            let v = cx.temps.pop().ok_or_else(|| CgError("temporary stack underflow".into()))?;
            self.obj_decref(v)?;
        }
        Ok(())
    }

    /// Converts between types, including to and from Python objects (which can fail).
    /// An object given is consumed; an object made is a new reference.
    pub(super) fn coerce(
        &mut self,
        cx: &mut FnCx<'ctx>,
        v: BasicValueEnum<'ctx>,
        from: &Type,
        to: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        match (from, to) {
            (Type::Object, Type::Object) => Ok(v),
            (_, Type::Object) => Ok(self.box_value(cx, v, from)?.into()),
            (Type::Object, _) => self.unbox_value(cx, v.into_pointer_value(), to),
            _ => self.convert(v, from, to),
        }
    }

    /// A native value as a new Python object.
    fn box_value(
        &mut self,
        cx: &mut FnCx<'ctx>,
        v: BasicValueEnum<'ctx>,
        t: &Type,
    ) -> Cg<PointerValue<'ctx>> {
        if let Type::Tuple(items) = t {
            if items.iter().any(|i| matches!(i, Type::Array(_) | Type::Tuple(_))) {
                // Box item by item (arrays need their owner retained first).
                let tuple =
                    call_value(self, "PyTuple_New", &[self.i64(items.len() as i64).into()])?
                        .into_pointer_value();
                self.check_null(cx, tuple)?;
                cx.temps.push(tuple);
                for (i, it) in items.iter().enumerate() {
                    let item = self.b.build_extract_value(v.into_struct_value(), i as u32, "")?;
                    let obj = self.box_value(cx, item, it)?;
                    call(
                        self,
                        "PyTuple_SetItem",
                        &[tuple.into(), self.i64(i as i64).into(), obj.into()],
                    )?;
                }
                cx.temps.pop();
                return Ok(tuple);
            }
        }
        if let Type::Array(_) = t {
            // Boxing consumes one reference to the array's owner.
            let owner =
                self.field(v.into_struct_value(), super::layout::OWNER)?.into_pointer_value();
            self.obj_incref(owner)?;
        }
        let boxer = cpython::box_fn(self, t)?;
        let obj = self
            .b
            .build_call(boxer, &[v.into()], "")?
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| CgError("box returned void".into()))?
            .into_pointer_value();
        self.check_null(cx, obj)
    }

    /// A Python object (consumed) as a native value of type `to`.
    pub(super) fn unbox_value(
        &mut self,
        cx: &mut FnCx<'ctx>,
        obj: PointerValue<'ctx>,
        to: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        cx.temps.push(obj);
        let v: BasicValueEnum = match to {
            Type::Int => {
                let r = call_value(self, "PyLong_AsLongLong", &[obj.into()])?.into_int_value();
                self.check_error_value(cx, r.into())?;
                r.into()
            }
            Type::Float => {
                let r = call_value(self, "PyFloat_AsDouble", &[obj.into()])?;
                self.check_error_value(cx, r)?;
                r
            }
            Type::Bool => self.truth_of(cx, obj)?.into(),
            Type::Complex => {
                let builtin =
                    self.load_module_object(ModuleObject::Import(PyPath::builtin("complex")))?;
                let z = self.call_positional(cx, builtin, &[obj])?;
                cx.temps.push(z);
                let re =
                    call_value(self, "PyComplex_RealAsDouble", &[z.into()])?.into_float_value();
                let im =
                    call_value(self, "PyComplex_ImagAsDouble", &[z.into()])?.into_float_value();
                self.release_temps(cx, 1)?;
                self.make_complex(re, im)?.into()
            }
            other => return Err(CgError(format!("cannot unbox an object to {other}"))),
        };
        self.release_temps(cx, 1)?;
        Ok(v)
    }

    /// An object (consumed) stored into an array of `to` elements, converted as numpy does:
    /// `float(x)` for floats (so "2.5" converts and "x" is a ValueError), `int(x)` for ints.
    pub(super) fn unbox_for_store(
        &mut self,
        cx: &mut FnCx<'ctx>,
        obj: PointerValue<'ctx>,
        to: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let convert = match to {
            Type::Float => "PyNumber_Float",
            Type::Int => "PyNumber_Long",
            _ => return self.unbox_value(cx, obj, to),
        };
        cx.temps.push(obj);
        let number = call_value(self, convert, &[obj.into()])?.into_pointer_value();
        self.release_temps(cx, 1)?;
        self.check_null(cx, number)?;
        self.unbox_value(cx, number, to)
    }

    /// An object (consumed) as an array index: numpy's IndexError for what has no `__index__`.
    pub(super) fn unbox_index(
        &mut self,
        cx: &mut FnCx<'ctx>,
        obj: PointerValue<'ctx>,
    ) -> Cg<IntValue<'ctx>> {
        let is_index = call_value(self, "PyIndex_Check", &[obj.into()])?.into_int_value();
        let ok = self.b.build_int_compare(
            IntPredicate::NE,
            is_index,
            self.ctx.i32_type().const_zero(),
            "",
        )?;
        cx.temps.push(obj);
        self.guard(cx, ok, "IndexError", "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or boolean arrays are valid indices")?;
        cx.temps.pop();
        Ok(self.unbox_value(cx, obj, &Type::Int)?.into_int_value())
    }

    /// After a conversion that returns -1 on error: leaves when it is -1 and an error is set.
    fn check_error_value(&mut self, cx: &mut FnCx<'ctx>, r: BasicValueEnum<'ctx>) -> Cg<()> {
        let is_minus_one = match r {
            BasicValueEnum::FloatValue(f) => {
                self.b.build_float_compare(inkwell::FloatPredicate::OEQ, f, self.f64(-1.0), "")?
            }
            other => self.b.build_int_compare(
                IntPredicate::EQ,
                other.into_int_value(),
                self.i64(-1),
                "",
            )?,
        };
        let check = self.append(cx.func, "maybe_error");
        let cont = self.append(cx.func, "converted");
        let br = self.b.build_conditional_branch(is_minus_one, check, cont)?;
        self.expect_false(br);
        self.b.position_at_end(check);
        let err = call_value(self, "PyErr_Occurred", &[])?.into_pointer_value();
        let failed = self.b.build_is_not_null(err, "")?;
        self.leave_if(cx, failed)?;
        self.b.build_unconditional_branch(cont)?;
        self.b.position_at_end(cont);
        Ok(())
    }

    /// The truth of an object (borrowed), leaving the function if `__bool__` raised.
    pub(super) fn truth_of(
        &mut self,
        cx: &mut FnCx<'ctx>,
        obj: PointerValue<'ctx>,
    ) -> Cg<IntValue<'ctx>> {
        // True and False (what comparisons give) answer without a call.
        let is_true = self.b.build_int_compare(
            IntPredicate::EQ,
            obj,
            data_symbol(self, "_Py_TrueStruct"),
            "",
        )?;
        let is_false = self.b.build_int_compare(
            IntPredicate::EQ,
            obj,
            data_symbol(self, "_Py_FalseStruct"),
            "",
        )?;
        let known = self.b.build_or(is_true, is_false, "")?;
        let ask = self.append(cx.func, "truth.call");
        let done = self.append(cx.func, "truth.done");
        let here = self.b.current_block()?;
        self.b.build_conditional_branch(known, done, ask)?;
        self.b.position_at_end(ask);
        let r = call_value(self, "PyObject_IsTrue", &[obj.into()])?.into_int_value();
        self.check_minus_one(cx, r)?;
        let asked =
            self.b.build_int_compare(IntPredicate::NE, r, self.ctx.i32_type().const_zero(), "")?;
        let ask_end = self.b.current_block()?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        let phi = self.b.build_phi(self.ctx.bool_type(), "truth")?;
        phi.add_incoming(&[(&is_true, here), (&asked, ask_end)]);
        Ok(phi.as_basic_value().into_int_value())
    }

    /// The truth of an object-typed value (consumed).
    pub(super) fn object_truth(
        &mut self,
        cx: &mut FnCx<'ctx>,
        v: BasicValueEnum<'ctx>,
    ) -> Cg<IntValue<'ctx>> {
        let obj = v.into_pointer_value();
        cx.temps.push(obj);
        let t = self.truth_of(cx, obj)?;
        self.release_temps(cx, 1)?;
        Ok(t)
    }

    /// `f(*args)` with objects (borrowed): a new reference.
    pub(super) fn call_positional(
        &mut self,
        cx: &mut FnCx<'ctx>,
        f: PointerValue<'ctx>,
        args: &[PointerValue<'ctx>],
    ) -> Cg<PointerValue<'ctx>> {
        let r = if args.len() <= MAX_VARARGS {
            // The arguments after a free slot: PY_VECTORCALL_ARGUMENTS_OFFSET lets a bound
            // method put `self` there instead of copying the arguments.
            let slots = self.arg_array(cx, None, args)?;
            let one = self.i64(1);
            let args_ptr =
                unsafe { self.b.build_in_bounds_gep(self.ptr_type(), slots, &[one], "")? };
            let nargsf = self.i64((args.len() as u64 | VECTORCALL_ARGUMENTS_OFFSET) as i64);
            call_value(
                self,
                "PyObject_Vectorcall",
                &[f.into(), args_ptr.into(), nargsf.into(), self.ptr_type().const_null().into()],
            )?
            .into_pointer_value()
        } else {
            let tuple = self.tuple_of(cx, args)?;
            cx.temps.push(tuple);
            let r = call_value(
                self,
                "PyObject_Call",
                &[f.into(), tuple.into(), self.ptr_type().const_null().into()],
            )?
            .into_pointer_value();
            self.release_temps(cx, 1)?;
            r
        };
        self.check_null(cx, r)
    }

    /// An array of object pointers for a vectorcall: `first` (or a free slot), then `args`.
    fn arg_array(
        &mut self,
        cx: &mut FnCx<'ctx>,
        first: Option<PointerValue<'ctx>>,
        args: &[PointerValue<'ctx>],
    ) -> Cg<PointerValue<'ctx>> {
        let p = self.ptr_type();
        let arr = self.entry_alloca(cx, p.array_type(args.len() as u32 + 1).into(), "args")?;
        for (i, v) in first.iter().chain(args.iter()).enumerate() {
            let k = if first.is_some() { i } else { i + 1 };
            let at = unsafe { self.b.build_in_bounds_gep(p, arr, &[self.i64(k as i64)], "")? };
            self.b.build_store(at, *v)?;
        }
        Ok(arr)
    }

    /// `obj.name(*args)`: PyObject_VectorcallMethod, which finds the method without making a
    /// bound method. A new reference or NULL.
    fn call_method(
        &mut self,
        cx: &mut FnCx<'ctx>,
        obj: PointerValue<'ctx>,
        name: PointerValue<'ctx>,
        args: &[PointerValue<'ctx>],
    ) -> Cg<PointerValue<'ctx>> {
        let arr = self.arg_array(cx, Some(obj), args)?;
        let nargsf = self.i64(args.len() as i64 + 1);
        Ok(call_value(
            self,
            "PyObject_VectorcallMethod",
            &[name.into(), arr.into(), nargsf.into(), self.ptr_type().const_null().into()],
        )?
        .into_pointer_value())
    }

    /// A new tuple of borrowed objects.
    fn tuple_of(
        &mut self,
        cx: &mut FnCx<'ctx>,
        items: &[PointerValue<'ctx>],
    ) -> Cg<PointerValue<'ctx>> {
        let tuple = call_value(self, "PyTuple_New", &[self.i64(items.len() as i64).into()])?
            .into_pointer_value();
        self.check_null(cx, tuple)?;
        for (i, item) in items.iter().enumerate() {
            self.obj_incref(*item)?;
            call(
                self,
                "PyTuple_SetItem",
                &[tuple.into(), self.i64(i as i64).into(), (*item).into()],
            )?;
        }
        Ok(tuple)
    }

    /// `callee(args, **kwargs)`: `callee` a borrowed object, arguments evaluated here.
    fn call_with(
        &mut self,
        cx: &mut FnCx<'ctx>,
        callee: PointerValue<'ctx>,
        args: &[Expr],
        kwargs: &[(String, Expr)],
    ) -> Cg<PointerValue<'ctx>> {
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.held(cx, a)?);
        }
        let r = if kwargs.is_empty() {
            self.call_positional(cx, callee, &vals)?
        } else {
            let dict = call_value(self, "PyDict_New", &[])?.into_pointer_value();
            self.check_null(cx, dict)?;
            cx.temps.push(dict);
            for (name, value) in kwargs {
                let v = self.temp_object(cx, value)?;
                let key = self.load_module_object(ModuleObject::Str(name.clone()))?;
                let r = call_value(self, "PyDict_SetItem", &[dict.into(), key.into(), v.into()])?
                    .into_int_value();
                self.check_minus_one(cx, r)?;
                self.release_temps(cx, 1)?;
            }
            let tuple = self.tuple_of(cx, &vals)?;
            cx.temps.push(tuple);
            let r = call_value(self, "PyObject_Call", &[callee.into(), tuple.into(), dict.into()])?
                .into_pointer_value();
            self.release_temps(cx, 2)?;
            self.check_null(cx, r)?
        };
        self.release(cx, &vals)?;
        Ok(r)
    }

    /// Expressions whose value is a Python object: a new reference.
    pub(super) fn object_expr(&mut self, cx: &mut FnCx<'ctx>, e: &Expr) -> Cg<PointerValue<'ctx>> {
        let p = self.ptr_type();
        match &e.kind {
            ExprKind::Const(Const::Str(s)) => self.new_module_object(ModuleObject::Str(s.clone())),
            // This module's own value: NULL until `<module>` assigned it (a function it calls
            // reading a later one): NameError, as Python raises.
            ExprKind::Global(path) if path.module.is_empty() => {
                let v = self.load_module_object(ModuleObject::Import(path.clone()))?;
                let unset = self.b.build_is_null(v, "")?;
                let fail = self.append(cx.func, "fail.unset");
                let ok = self.append(cx.func, "set");
                let br = self.b.build_conditional_branch(unset, fail, ok)?;
                self.expect_false(br);
                self.b.position_at_end(fail);
                let msg = format!("name '{}' is not defined", path.attrs.join("."));
                self.raise(cx, "NameError", Some(&msg))?;
                self.b.build_unconditional_branch(ok)?;
                self.b.position_at_end(ok);
                self.obj_incref(v)?;
                Ok(v)
            }
            ExprKind::Global(path) if self.attrs_required_at_import(path) == path.attrs.len() => {
                self.new_module_object(ModuleObject::Import(path.clone()))
            }
            // An attribute of a module (`os.sep`): read when the extension is imported, and
            // here again if it was missing then, so AttributeError comes from this line.
            ExprKind::Global(path) => {
                let slot =
                    self.module_object(ModuleObject::Import(path.clone())).as_pointer_value();
                let v = self.b.build_load(p, slot, "")?.into_pointer_value();
                let missing = self.b.build_is_null(v, "")?;
                let from =
                    self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
                let lookup = self.append(cx.func, "attr.lookup");
                let have = self.append(cx.func, "attr.have");
                let br = self.b.build_conditional_branch(missing, lookup, have)?;
                self.expect_false(br);
                self.b.position_at_end(lookup);
                let name = self.cstr(&path.module)?;
                let mut o =
                    call_value(self, "PyImport_ImportModule", &[name.into()])?.into_pointer_value();
                self.check_null(cx, o)?;
                for attr in &path.attrs {
                    let attr_name = self.cstr(attr)?;
                    let a =
                        call_value(self, "PyObject_GetAttrString", &[o.into(), attr_name.into()])?
                            .into_pointer_value();
                    self.obj_decref(o)?;
                    o = self.check_null(cx, a)?;
                }
                // The slot keeps this reference, as if the import had found it.
                self.b.build_store(slot, o)?;
                let lookup_end =
                    self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
                self.b.build_unconditional_branch(have)?;
                self.b.position_at_end(have);
                let phi = self.b.build_phi(p, "attr")?;
                phi.add_incoming(&[(&v, from), (&o, lookup_end)]);
                let v = phi.as_basic_value().into_pointer_value();
                self.obj_incref(v)?;
                Ok(v)
            }
            ExprKind::Const(c) => self.new_module_object(ModuleObject::Const(c.clone())),
            ExprKind::Local(l) => self.load_object_local(cx, *l),
            ExprKind::Tuple(items) => self.collection(cx, "PyTuple_New", items),
            ExprKind::List(items) => self.collection(cx, "PyList_New", items),
            ExprKind::Set(items) => {
                let set =
                    call_value(self, "PySet_New", &[p.const_null().into()])?.into_pointer_value();
                self.check_null(cx, set)?;
                cx.temps.push(set);
                for item in items {
                    let v = self.temp_object(cx, item)?;
                    let r =
                        call_value(self, "PySet_Add", &[set.into(), v.into()])?.into_int_value();
                    self.check_minus_one(cx, r)?;
                    self.release_temps(cx, 1)?;
                }
                cx.temps.pop();
                Ok(set)
            }
            ExprKind::Dict(pairs) => {
                let dict = call_value(self, "PyDict_New", &[])?.into_pointer_value();
                self.check_null(cx, dict)?;
                cx.temps.push(dict);
                for (k, v) in pairs {
                    let key = self.temp_object(cx, k)?;
                    let value = self.temp_object(cx, v)?;
                    let r = call_value(
                        self,
                        "PyDict_SetItem",
                        &[dict.into(), key.into(), value.into()],
                    )?
                    .into_int_value();
                    self.check_minus_one(cx, r)?;
                    self.release_temps(cx, 2)?;
                }
                cx.temps.pop();
                Ok(dict)
            }
            ExprKind::Unary(op, operand) => {
                let v = self.temp_object(cx, operand)?;
                let f = match op {
                    UnaryOp::Neg => "PyNumber_Negative",
                    UnaryOp::Pos => "PyNumber_Positive",
                    UnaryOp::Invert => "PyNumber_Invert",
                    UnaryOp::Not => return Err(CgError("`not` gives a bool".into())),
                };
                let r = call_value(self, f, &[v.into()])?.into_pointer_value();
                self.release_temps(cx, 1)?;
                self.check_null(cx, r)
            }
            // An object and a native int: exact Python ints are computed natively.
            ExprKind::Binary(op, l, r)
                if int_fast_op(*op)
                    && (self.ty(cx, l) == Type::Object) != (self.ty(cx, r) == Type::Object)
                    && (self.ty(cx, l).is_integral() || self.ty(cx, r).is_integral()) =>
            {
                let object_left = self.ty(cx, l) == Type::Object;
                let (obj, native) = if object_left {
                    let o = self.held(cx, l)?;
                    (o, self.operand(cx, r, &Type::Int)?.into_int_value())
                } else {
                    let n = self.operand(cx, l, &Type::Int)?.into_int_value();
                    (self.held(cx, r)?, n)
                };
                self.set_loc(cx.scope, &e.span);
                let v = self.int_or_object_op(cx, *op, obj, object_left, native, false)?;
                self.release(cx, &[obj])?;
                self.check_null(cx, v)
            }
            ExprKind::Binary(op, l, r) => {
                let a = self.held(cx, l)?;
                let b = self.held(cx, r)?;
                self.set_loc(cx.scope, &e.span);
                let v = self.number_op(*op, a, b, false)?;
                self.release(cx, &[a, b])?;
                self.check_null(cx, v)
            }
            // `obj < n` with a native int: exact Python ints compare natively.
            ExprKind::Compare(first, rest)
                if rest.len() == 1
                    && !matches!(
                        rest[0].0,
                        CmpOp::In | CmpOp::NotIn | CmpOp::Is | CmpOp::IsNot
                    )
                    && (self.ty(cx, first) == Type::Object)
                        != (self.ty(cx, &rest[0].1) == Type::Object)
                    && (self.ty(cx, first).is_integral()
                        || self.ty(cx, &rest[0].1).is_integral()) =>
            {
                let (op, right) = &rest[0];
                let object_left = self.ty(cx, first) == Type::Object;
                let (obj, native) = if object_left {
                    let o = self.held(cx, first)?;
                    (o, self.operand(cx, right, &Type::Int)?.into_int_value())
                } else {
                    let n = self.operand(cx, first, &Type::Int)?.into_int_value();
                    (self.held(cx, right)?, n)
                };
                self.set_loc(cx.scope, &e.span);
                let r = self.int_or_object_compare(cx, *op, obj, object_left, native)?;
                self.release(cx, &[obj])?;
                self.check_null(cx, r)
            }
            ExprKind::Compare(first, rest) => {
                Ok(self.object_compare_chain(cx, first, rest, &Type::Object)?.into_pointer_value())
            }
            ExprKind::BoolOp(kind, values) => {
                let live = self.live_operands(cx, *kind, values);
                self.object_bool_op(cx, *kind, live)
            }
            ExprKind::Builtin(b, args) => {
                if *b == Builtin::Conjugate {
                    let obj = self.temp_object(cx, &args[0])?;
                    let name = self.load_module_object(ModuleObject::Str("conjugate".into()))?;
                    let r = call_value(
                        self,
                        "PyObject_CallMethodObjArgs",
                        &[obj.into(), name.into(), p.const_null().into()],
                    )?
                    .into_pointer_value();
                    self.release_temps(cx, 1)?;
                    return self.check_null(cx, r);
                }
                let name = crate::types::builtin_name(*b);
                let f = self.load_module_object(ModuleObject::Import(PyPath::builtin(name)))?;
                self.call_with(cx, f, args, &[])
            }
            // `xs[i]` with a native int on what turns out to be a list: PyList_GetItem.
            ExprKind::Subscript(value, indices) if matches!(indices.as_slice(), [Index::At(i)] if self.ty(cx, i).is_integral()) =>
            {
                let [Index::At(index)] = indices.as_slice() else { unreachable!() };
                let obj = self.held(cx, value)?;
                let i = self.operand(cx, index, &Type::Int)?.into_int_value();
                self.set_loc(cx.scope, &e.span);
                self.list_item(cx, obj, i)
            }
            // `d[k]` on what turns out to be exactly a dict: PyDict_GetItemWithError.
            ExprKind::Subscript(value, indices) if matches!(indices.as_slice(), [Index::At(_)]) => {
                let [Index::At(index)] = indices.as_slice() else { unreachable!() };
                let obj = self.held(cx, value)?;
                let key = self.held(cx, index)?;
                self.set_loc(cx.scope, &e.span);
                let r = self.dict_item(cx, obj, key)?;
                self.release(cx, &[obj, key])?;
                self.check_null(cx, r)
            }
            ExprKind::Subscript(value, indices) => {
                let obj = self.held(cx, value)?;
                let key = self.key(cx, indices)?;
                cx.temps.push(key);
                let r = call_value(self, "PyObject_GetItem", &[obj.into(), key.into()])?
                    .into_pointer_value();
                self.release(cx, &[obj, key])?;
                self.check_null(cx, r)
            }
            ExprKind::Attr(value, attr) => {
                let name = match attr {
                    hir::ArrayAttr::Shape => "shape",
                    hir::ArrayAttr::Ndim => "ndim",
                    hir::ArrayAttr::Size => "size",
                    hir::ArrayAttr::T => "T",
                    hir::ArrayAttr::Real => "real",
                    hir::ArrayAttr::Imag => "imag",
                };
                self.get_attr(cx, value, name)
            }
            ExprKind::GetAttr(value, name) => self.get_attr(cx, value, name),
            ExprKind::AsType(array, _, written) => {
                let obj = self.temp_object(cx, array)?;
                let name = self.load_module_object(ModuleObject::Str("astype".into()))?;
                let d = self.temp_object(cx, written)?;
                let r = call_value(
                    self,
                    "PyObject_CallMethodObjArgs",
                    &[obj.into(), name.into(), d.into(), p.const_null().into()],
                )?
                .into_pointer_value();
                self.release_temps(cx, 2)?;
                self.check_null(cx, r)
            }
            // A reduction pyaot does not compute natively: numpy's function, or the method.
            ExprKind::Reduce(_, array, Some(f), axis) => {
                let callee = self.held(cx, f)?;
                self.set_loc(cx.scope, &e.span);
                let mut vals = vec![self.held(cx, array)?];
                if let Some(a) = axis {
                    vals.push(self.held(cx, &a.expr)?);
                }
                let r = self.call_positional(cx, callee, &vals)?;
                self.release(cx, &vals)?;
                self.release(cx, &[callee])?;
                Ok(r)
            }
            // The method form; the axis, where given, as its one positional argument.
            ExprKind::Reduce(r, array, None, axis) => {
                let obj = self.temp_object(cx, array)?;
                let name = self.load_module_object(ModuleObject::Str(r.name().into()))?;
                let mut args = vec![obj.into(), name.into()];
                let mut temps = 1;
                if let Some(a) = axis {
                    args.push(self.temp_object(cx, &a.expr)?.into());
                    temps += 1;
                }
                args.push(p.const_null().into());
                let r = call_value(self, "PyObject_CallMethodObjArgs", &args)?.into_pointer_value();
                self.release_temps(cx, temps)?;
                self.check_null(cx, r)
            }
            ExprKind::Copy(value) => {
                let obj = self.temp_object(cx, value)?;
                let name = self.load_module_object(ModuleObject::Str("copy".into()))?;
                let r = call_value(
                    self,
                    "PyObject_CallMethodObjArgs",
                    &[obj.into(), name.into(), p.const_null().into()],
                )?
                .into_pointer_value();
                self.release_temps(cx, 1)?;
                self.check_null(cx, r)
            }
            // `str(x)`, `repr(x)`: what the type call does, without building the call.
            ExprKind::CallObject(f, args, kwargs)
                if kwargs.is_empty()
                    && args.len() == 1
                    && matches!(&f.kind, ExprKind::Global(p) if p.module == "builtins" && matches!(p.attrs.as_slice(), [n] if n == "str" || n == "repr")) =>
            {
                let ExprKind::Global(path) = &f.kind else { unreachable!() };
                // `str(n)` of a native int or bool: its text straight into a str.
                if path.attrs[0] == "str" && matches!(self.ty(cx, &args[0]), Type::Int | Type::Bool)
                {
                    self.set_loc(cx.scope, &e.span);
                    return self.fstring_in_buffer(cx, &[Piece::Value(&args[0])]);
                }
                let api = if path.attrs[0] == "str" { "PyObject_Str" } else { "PyObject_Repr" };
                let v = self.held(cx, &args[0])?;
                self.set_loc(cx.scope, &e.span);
                let r = call_value(self, api, &[v.into()])?.into_pointer_value();
                self.release(cx, &[v])?;
                self.check_null(cx, r)
            }
            // A numpy function of anything but numbers: numpy's own, through Python.
            ExprKind::Ufunc(_, f, args) => {
                let callee = self.held(cx, f)?;
                self.set_loc(cx.scope, &e.span);
                let r = self.call_with(cx, callee, args, &[])?;
                self.release(cx, &[callee])?;
                Ok(r)
            }
            ExprKind::CallObject(f, args, kwargs) => {
                let callee = self.held(cx, f)?;
                self.set_loc(cx.scope, &e.span);
                let r = self.call_with(cx, callee, args, kwargs)?;
                self.release(cx, &[callee])?;
                Ok(r)
            }
            ExprKind::CallMethod(obj, name, args, kwargs) => {
                let o = self.held(cx, obj)?;
                let name_obj = self.load_module_object(ModuleObject::Str(name.clone()))?;
                let r = if name == "append" && args.len() == 1 && kwargs.is_empty() {
                    self.append_item(cx, o, name_obj, &args[0])?
                } else if name == "get" && (1..=2).contains(&args.len()) && kwargs.is_empty() {
                    self.dict_get(cx, o, name_obj, args)?
                } else if kwargs.is_empty() && args.len() <= MAX_VARARGS {
                    let mut vals = Vec::new();
                    for a in args {
                        vals.push(self.held(cx, a)?);
                    }
                    self.set_loc(cx.scope, &e.span);
                    let r = self.call_method(cx, o, name_obj, &vals)?;
                    self.release(cx, &vals)?;
                    self.check_null(cx, r)?
                } else {
                    let method =
                        call_value(self, "PyObject_GetAttr", &[o.into(), name_obj.into()])?
                            .into_pointer_value();
                    self.check_null(cx, method)?;
                    cx.temps.push(method);
                    let r = self.call_with(cx, method, args, kwargs)?;
                    self.release_temps(cx, 1)?;
                    r
                };
                self.release(cx, &[o])?;
                Ok(r)
            }
            ExprKind::FString(parts) => self.fstring(cx, parts),
            ExprKind::Lambda(_, captures) if captures.is_empty() => {
                let inst = *self.prog.instances[cx.inst]
                    .calls
                    .get(&e.id)
                    .ok_or_else(|| CgError("lambda without an instance".into()))?;
                self.new_module_object(ModuleObject::Function(inst, 0))
            }
            // A lambda reading enclosing locals: made here, its `self` the tuple of their values.
            ExprKind::MakeClass(class) => {
                self.set_loc(cx.scope, &e.span);
                self.make_class(cx, class)
            }
            // A nested `def`: the callable holds the captured values in its `self` tuple.
            ExprKind::Closure(_, captures) => {
                let inst = *self.prog.instances[cx.inst]
                    .calls
                    .get(&e.id)
                    .ok_or_else(|| CgError("a closure without an instance".into()))?;
                let values = self.collection(cx, "PyTuple_New", captures)?;
                cx.temps.push(values);
                let name = self.hir.functions[self.prog.instances[inst].func].name.clone();
                let receiver = super::classes::Receiver::Captures(captures.len());
                let def = self.callable_def(inst, &name, &name, receiver)?;
                let f = call_value(
                    self,
                    "PyCFunction_NewEx",
                    &[def.into(), values.into(), self.ptr_type().const_null().into()],
                )?
                .into_pointer_value();
                self.release_temps(cx, 1)?;
                self.check_null(cx, f)
            }
            ExprKind::FunctionValue(_) => {
                let inst = *self.prog.instances[cx.inst]
                    .calls
                    .get(&e.id)
                    .ok_or_else(|| CgError("a function value without an instance".into()))?;
                self.new_module_object(ModuleObject::FunctionValue(inst))
            }
            ExprKind::Lambda(_, captures) => {
                let inst = *self.prog.instances[cx.inst]
                    .calls
                    .get(&e.id)
                    .ok_or_else(|| CgError("lambda without an instance".into()))?;
                let values = self.collection(cx, "PyTuple_New", captures)?;
                cx.temps.push(values);
                let def = self.lambda_method_def(inst, captures.len())?;
                let f = call_value(
                    self,
                    "PyCFunction_NewEx",
                    &[def.into(), values.into(), self.ptr_type().const_null().into()],
                )?
                .into_pointer_value();
                self.release_temps(cx, 1)?;
                self.check_null(cx, f)
            }
            ExprKind::Comprehension(kind, result, body) => {
                let c = match kind {
                    hir::CompKind::List => call_value(self, "PyList_New", &[self.i64(0).into()])?,
                    hir::CompKind::Set => {
                        call_value(self, "PySet_New", &[self.ptr_type().const_null().into()])?
                    }
                    hir::CompKind::Dict => call_value(self, "PyDict_New", &[])?,
                    hir::CompKind::Search => {
                        return Err(CgError("a search (any/all) on the object path".into()))
                    }
                }
                .into_pointer_value();
                self.check_null(cx, c)?;
                self.store_local(cx, *result, c.into())?;
                self.block(cx, body)?;
                // The result moves out of its hidden local into the expression.
                let v = self
                    .b
                    .build_load(self.ptr_type(), cx.locals[*result], "")?
                    .into_pointer_value();
                self.b.build_store(cx.locals[*result], self.ptr_type().const_null())?;
                Ok(v)
            }
            // The item the iterator gave (its reference moves to the reader, which is the
            // loop's first statement: each item is read once).
            ExprKind::EachItem(..) => {
                cx.each_items.remove(&e.id).ok_or_else(|| CgError("loop item read twice".into()))
            }
            ExprKind::IfExp(..) | ExprKind::Call(..) => {
                Err(CgError("object expression on the native path".into()))
            }
            other => Err(CgError(format!("no object code for {}", expr_kind_name(other)))),
        }
    }

    /// `xs.append(v)`: PyList_Append when `xs` is exactly a list (what `append` then does),
    /// the method call otherwise. A new reference (None).
    fn append_item(
        &mut self,
        cx: &mut FnCx<'ctx>,
        obj: PointerValue<'ctx>,
        name: PointerValue<'ctx>,
        value: &Expr,
    ) -> Cg<PointerValue<'ctx>> {
        let v = self.held(cx, value)?;
        let tp = type_of(self, obj)?;
        let is_list =
            self.b.build_int_compare(IntPredicate::EQ, tp, data_symbol(self, "PyList_Type"), "")?;
        let list_bb = self.append(cx.func, "append.list");
        let other_bb = self.append(cx.func, "append.call");
        let done = self.append(cx.func, "append.done");
        self.b.build_conditional_branch(is_list, list_bb, other_bb)?;
        self.b.position_at_end(list_bb);
        // Room left in the item array (and the layout checked at import): store in place, as
        // CPython's own list append does; PyList_Append (which may grow it) otherwise.
        let ok_flag = self.list_layout_flag();
        let layout_ok = self
            .b
            .build_load(self.ctx.bool_type(), ok_flag.as_pointer_value(), "")?
            .into_int_value();
        let size = self.load_field(obj, 16, self.ctx.i64_type().into())?.into_int_value();
        let allocated = self.load_field(obj, 32, self.ctx.i64_type().into())?.into_int_value();
        let room = self.b.build_int_compare(IntPredicate::SLT, size, allocated, "")?;
        let inline = self.b.build_and(layout_ok, room, "")?;
        let store_bb = self.append(cx.func, "append.store");
        let grow_bb = self.append(cx.func, "append.grow");
        let none = data_symbol(self, "_Py_NoneStruct");
        self.b.build_conditional_branch(inline, store_bb, grow_bb)?;
        self.b.position_at_end(store_bb);
        self.obj_incref(v)?;
        let item_array = self.load_field(obj, 24, self.ptr_type().into())?.into_pointer_value();
        let at = unsafe { self.b.build_in_bounds_gep(self.ptr_type(), item_array, &[size], "")? };
        self.b.build_store(at, v)?;
        let size_at =
            unsafe { self.b.build_in_bounds_gep(self.ctx.i8_type(), obj, &[self.i64(16)], "")? };
        self.b.build_store(size_at, self.b.build_int_add(size, self.i64(1), "")?)?;
        let store_end = self.b.current_block()?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(grow_bb);
        let r = call_value(self, "PyList_Append", &[obj.into(), v.into()])?.into_int_value();
        let failed =
            self.b.build_int_compare(IntPredicate::NE, r, self.ctx.i32_type().const_zero(), "")?;
        let from_list = self.b.build_select(failed, self.ptr_type().const_null(), none, "")?;
        let list_end = self.b.current_block()?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(other_bb);
        let p = self.ptr_type();
        let called = self.call_method(cx, obj, name, &[v])?;
        let call_end = self.b.current_block()?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        let phi = self.b.build_phi(p, "")?;
        phi.add_incoming(&[(&none, store_end), (&from_list, list_end), (&called, call_end)]);
        let r = phi.as_basic_value().into_pointer_value();
        self.release(cx, &[v])?;
        self.check_null(cx, r)?;
        // The list path gives a borrowed None: own it like the call's result.
        let is_none = self.b.build_int_compare(IntPredicate::EQ, r, none, "")?;
        let own = self.append(cx.func, "append.own");
        let owned = self.append(cx.func, "append.owned");
        let from_list = self.b.build_and(is_none, is_list, "")?;
        self.b.build_conditional_branch(from_list, own, owned)?;
        self.b.position_at_end(own);
        self.obj_incref(r)?;
        self.b.build_unconditional_branch(owned)?;
        self.b.position_at_end(owned);
        Ok(r)
    }

    /// A new reference to an object local; UnboundLocalError while it is unassigned.
    pub(super) fn load_object_local(
        &mut self,
        cx: &mut FnCx<'ctx>,
        l: hir::LocalId,
    ) -> Cg<PointerValue<'ctx>> {
        let v = self.borrow_object_local(cx, l)?;
        self.obj_incref(v)?;
        Ok(v)
    }

    /// The object a local holds, borrowed; UnboundLocalError while it is unassigned.
    fn borrow_object_local(
        &mut self,
        cx: &mut FnCx<'ctx>,
        l: hir::LocalId,
    ) -> Cg<PointerValue<'ctx>> {
        let v = self.b.build_load(self.ptr_type(), cx.locals[l], "")?.into_pointer_value();
        let unbound = self.b.build_is_null(v, "")?;
        let fail = self.append(cx.func, "fail.unbound");
        let ok = self.append(cx.func, "bound");
        let br = self.b.build_conditional_branch(unbound, fail, ok)?;
        self.expect_false(br);
        self.b.position_at_end(fail);
        let name = self.hir.functions[self.prog.instances[cx.inst].func].locals[l].name.clone();
        let msg = format!(
            "cannot access local variable '{name}' where it is not associated with a value"
        );
        self.raise(cx, "UnboundLocalError", Some(&msg))?;
        self.b.build_unconditional_branch(ok)?;
        self.b.position_at_end(ok);
        Ok(v)
    }

    /// `xs[i]` for a native `i`: on an exact list the item itself (negative indices count from
    /// the end; IndexError("list index out of range") otherwise), on anything else `d[k]` with
    /// `i` boxed. A new reference. `obj` is released here.
    fn list_item(
        &mut self,
        cx: &mut FnCx<'ctx>,
        obj: PointerValue<'ctx>,
        i: IntValue<'ctx>,
    ) -> Cg<PointerValue<'ctx>> {
        let p = self.ptr_type();
        let tp = type_of(self, obj)?;
        let is_list =
            self.b.build_int_compare(IntPredicate::EQ, tp, data_symbol(self, "PyList_Type"), "")?;
        let list_bb = self.append(cx.func, "item.list");
        let other_bb = self.append(cx.func, "item.other");
        let done = self.append(cx.func, "item.done");
        self.b.build_conditional_branch(is_list, list_bb, other_bb)?;
        self.b.position_at_end(list_bb);
        let n = call_value(self, "PyList_Size", &[obj.into()])?.into_int_value();
        let negative = self.b.build_int_compare(IntPredicate::SLT, i, self.i64(0), "")?;
        let wrapped = self.b.build_int_add(i, n, "")?;
        let at = self.b.build_select(negative, wrapped, i, "")?.into_int_value();
        // PyList_GetItem checks the range (IndexError) and gives a borrowed item or NULL.
        let item =
            call_value(self, "PyList_GetItem", &[obj.into(), at.into()])?.into_pointer_value();
        self.obj_xincref(item)?;
        let list_end = self.b.current_block()?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(other_bb);
        let boxed = call_value(self, "PyLong_FromLongLong", &[i.into()])?.into_pointer_value();
        let got = self.append(cx.func, "item.boxed");
        let other_end_fail = self.b.current_block()?;
        let null = self.b.build_is_null(boxed, "")?;
        self.b.build_conditional_branch(null, done, got)?;
        self.b.position_at_end(got);
        // Not a list: a dict keyed by ints (dict fast path), or anything else.
        let r = self.dict_item(cx, obj, boxed)?;
        self.obj_decref(boxed)?;
        let other_end = self.b.current_block()?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        let phi = self.b.build_phi(p, "")?;
        phi.add_incoming(&[(&item, list_end), (&p.const_null(), other_end_fail), (&r, other_end)]);
        let r = phi.as_basic_value().into_pointer_value();
        self.release(cx, &[obj])?;
        self.check_null(cx, r)
    }

    /// `d[k]`: on an exact dict the item when present, else (missing keys, other types)
    /// `PyObject_GetItem`, which raises KeyError as Python does. A new reference or NULL.
    fn dict_item(
        &mut self,
        cx: &mut FnCx<'ctx>,
        obj: PointerValue<'ctx>,
        key: PointerValue<'ctx>,
    ) -> Cg<PointerValue<'ctx>> {
        let p = self.ptr_type();
        let tp = type_of(self, obj)?;
        let is_dict =
            self.b.build_int_compare(IntPredicate::EQ, tp, data_symbol(self, "PyDict_Type"), "")?;
        let dict_bb = self.append(cx.func, "item.dict");
        let generic_bb = self.append(cx.func, "item.generic");
        let found_bb = self.append(cx.func, "item.found");
        let done = self.append(cx.func, "item.done");
        self.b.build_conditional_branch(is_dict, dict_bb, generic_bb)?;
        self.b.position_at_end(dict_bb);
        let found = call_value(self, "PyDict_GetItemWithError", &[obj.into(), key.into()])?
            .into_pointer_value();
        let missing = self.b.build_is_null(found, "")?;
        self.b.build_conditional_branch(missing, generic_bb, found_bb)?;
        self.b.position_at_end(found_bb);
        self.obj_incref(found)?;
        let found_end = self.b.current_block()?;
        self.b.build_unconditional_branch(done)?;
        // A missing key may have set an error (unhashable): PyObject_GetItem sets the same one.
        self.b.position_at_end(generic_bb);
        call(self, "PyErr_Clear", &[])?;
        let r =
            call_value(self, "PyObject_GetItem", &[obj.into(), key.into()])?.into_pointer_value();
        let generic_end = self.b.current_block()?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        let phi = self.b.build_phi(p, "")?;
        phi.add_incoming(&[(&found, found_end), (&r, generic_end)]);
        Ok(phi.as_basic_value().into_pointer_value())
    }

    /// `d.get(k[, default])`: a dict lookup when `d` is exactly a dict, the method call
    /// otherwise. A new reference.
    fn dict_get(
        &mut self,
        cx: &mut FnCx<'ctx>,
        obj: PointerValue<'ctx>,
        name: PointerValue<'ctx>,
        args: &[Expr],
    ) -> Cg<PointerValue<'ctx>> {
        let p = self.ptr_type();
        let key = self.held(cx, &args[0])?;
        let default = match args.get(1) {
            Some(d) => self.held(cx, d)?,
            None => data_symbol(self, "_Py_NoneStruct"),
        };
        let tp = type_of(self, obj)?;
        let is_dict =
            self.b.build_int_compare(IntPredicate::EQ, tp, data_symbol(self, "PyDict_Type"), "")?;
        let dict_bb = self.append(cx.func, "get.dict");
        let call_bb = self.append(cx.func, "get.call");
        let done = self.append(cx.func, "get.done");
        self.b.build_conditional_branch(is_dict, dict_bb, call_bb)?;
        // A borrowed item (or the default); NULL with an error set when hashing failed.
        self.b.position_at_end(dict_bb);
        let found = call_value(self, "PyDict_GetItemWithError", &[obj.into(), key.into()])?
            .into_pointer_value();
        let missing = self.b.build_is_null(found, "")?;
        let miss_bb = self.append(cx.func, "get.miss");
        let pick_bb = self.append(cx.func, "get.pick");
        let found_end = self.b.current_block()?;
        self.b.build_conditional_branch(missing, miss_bb, pick_bb)?;
        // Missing: the default, unless the lookup failed (an unhashable key).
        self.b.position_at_end(miss_bb);
        let err = call_value(self, "PyErr_Occurred", &[])?.into_pointer_value();
        let failed = self.b.build_is_not_null(err, "")?;
        let fallback =
            self.b.build_select(failed, p.const_null(), default, "")?.into_pointer_value();
        self.b.build_unconditional_branch(pick_bb)?;
        self.b.position_at_end(pick_bb);
        let picked = self.b.build_phi(p, "")?;
        picked.add_incoming(&[(&found, found_end), (&fallback, miss_bb)]);
        let item = picked.as_basic_value().into_pointer_value();
        self.obj_xincref(item)?;
        let dict_end = self.b.current_block()?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(call_bb);
        let method_args = if args.len() == 2 { vec![key, default] } else { vec![key] };
        let called = self.call_method(cx, obj, name, &method_args)?;
        let call_end = self.b.current_block()?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        let phi = self.b.build_phi(p, "")?;
        phi.add_incoming(&[(&item, dict_end), (&called, call_end)]);
        let r = phi.as_basic_value().into_pointer_value();
        if args.len() == 2 {
            self.release(cx, &[key, default])?;
        } else {
            self.release(cx, &[key])?;
        }
        self.check_null(cx, r)
    }

    /// A tuple or list of the items' objects.
    pub(super) fn collection(
        &mut self,
        cx: &mut FnCx<'ctx>,
        new: &str,
        items: &[Expr],
    ) -> Cg<PointerValue<'ctx>> {
        let mut vals = Vec::new();
        for item in items {
            vals.push(self.temp_object(cx, item)?);
        }
        let c = call_value(self, new, &[self.i64(items.len() as i64).into()])?.into_pointer_value();
        self.check_null(cx, c)?;
        let set_item = if new == "PyTuple_New" { "PyTuple_SetItem" } else { "PyList_SetItem" };
        // SetItem steals each reference: the temporaries are handed over.
        for (i, v) in vals.iter().enumerate() {
            call(self, set_item, &[c.into(), self.i64(i as i64).into(), (*v).into()])?;
        }
        cx.temps.truncate(cx.temps.len() - vals.len());
        Ok(c)
    }

    fn get_attr(
        &mut self,
        cx: &mut FnCx<'ctx>,
        value: &Expr,
        name: &str,
    ) -> Cg<PointerValue<'ctx>> {
        let obj = self.held(cx, value)?;
        let name_obj = self.load_module_object(ModuleObject::Str(name.to_string()))?;
        let r = call_value(self, "PyObject_GetAttr", &[obj.into(), name_obj.into()])?
            .into_pointer_value();
        self.release(cx, &[obj])?;
        self.check_null(cx, r)
    }

    /// The key of `obj[indices]`: one index, a slice, or a tuple of them. A new reference.
    fn key(&mut self, cx: &mut FnCx<'ctx>, indices: &[Index]) -> Cg<PointerValue<'ctx>> {
        let mut keys = Vec::new();
        for ix in indices {
            let k = match ix {
                Index::At(x) => self.object(cx, x)?,
                Index::Slice(a, b, c) => {
                    let mut parts = Vec::new();
                    for part in [a, b, c] {
                        match part {
                            Some(x) => {
                                let v = self.temp_object(cx, x)?;
                                parts.push(v);
                            }
                            None => parts.push(self.ptr_type().const_null()),
                        }
                    }
                    let s = call_value(
                        self,
                        "PySlice_New",
                        &[parts[0].into(), parts[1].into(), parts[2].into()],
                    )?
                    .into_pointer_value();
                    let given = [a, b, c].iter().filter(|x| x.is_some()).count();
                    // The given parts are the last `given` temporaries, in order.
                    for _ in 0..given {
                        let v = cx
                            .temps
                            .pop()
                            .ok_or_else(|| CgError("a slice part was not kept".into()))?;
                        self.obj_decref(v)?;
                    }
                    self.check_null(cx, s)?
                }
            };
            cx.temps.push(k);
            keys.push(k);
        }
        if keys.len() == 1 {
            cx.temps.pop();
            return Ok(keys[0]);
        }
        let n = keys.len();
        let tuple =
            call_value(self, "PyTuple_New", &[self.i64(n as i64).into()])?.into_pointer_value();
        self.check_null(cx, tuple)?;
        for (i, k) in keys.iter().enumerate() {
            call(self, "PyTuple_SetItem", &[tuple.into(), self.i64(i as i64).into(), (*k).into()])?;
        }
        cx.temps.truncate(cx.temps.len() - n);
        Ok(tuple)
    }

    /// `a op b` on objects (borrowed): a new reference or NULL. `in_place` for `+=` and friends.
    fn number_op(
        &mut self,
        op: BinOp,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
        in_place: bool,
    ) -> Cg<PointerValue<'ctx>> {
        let name = match op {
            BinOp::Add => "Add",
            BinOp::Sub => "Subtract",
            BinOp::Mul => "Multiply",
            BinOp::Div => "TrueDivide",
            BinOp::FloorDiv => "FloorDivide",
            BinOp::Mod => "Remainder",
            BinOp::Pow => "Power",
            BinOp::LShift => "Lshift",
            BinOp::RShift => "Rshift",
            BinOp::BitAnd => "And",
            BinOp::BitOr => "Or",
            BinOp::BitXor => "Xor",
        };
        let f = format!("PyNumber_{}{name}", if in_place { "InPlace" } else { "" });
        // Exact floats and ints: computed natively (fastnum.rs); anything else as here.
        if super::fastnum::has_fast_path(op) {
            let generic: &'static str = match (op, in_place) {
                (BinOp::Add, false) => "PyNumber_Add",
                (BinOp::Add, true) => "PyNumber_InPlaceAdd",
                (BinOp::Sub, false) => "PyNumber_Subtract",
                (BinOp::Sub, true) => "PyNumber_InPlaceSubtract",
                (BinOp::Mul, false) => "PyNumber_Multiply",
                (BinOp::Mul, true) => "PyNumber_InPlaceMultiply",
                (_, false) => "PyNumber_TrueDivide",
                (_, true) => "PyNumber_InPlaceTrueDivide",
            };
            let helper = super::fastnum::number_fn(self, op, generic)?;
            return Ok(self
                .b
                .build_call(helper, &[a.into(), b.into()], "")?
                .try_as_basic_value()
                .basic()
                .ok_or_else(|| CgError("a number helper returned void".into()))?
                .into_pointer_value());
        }
        if op == BinOp::Pow && !in_place {
            let helper = super::fastnum::power_fn(self)?;
            return Ok(self
                .b
                .build_call(helper, &[a.into(), b.into()], "")?
                .try_as_basic_value()
                .basic()
                .ok_or_else(|| CgError("a number helper returned void".into()))?
                .into_pointer_value());
        }
        let mut args: Vec<BasicMetadataValueEnum> = vec![a.into(), b.into()];
        if op == BinOp::Pow {
            args.push(data_symbol(self, "_Py_NoneStruct").into());
        }
        Ok(call_value(self, &f, &args)?.into_pointer_value())
    }

    /// `l op r` where one side is an object: a new reference (the operands are consumed).
    pub(super) fn object_binary(
        &mut self,
        cx: &mut FnCx<'ctx>,
        op: BinOp,
        l: BasicValueEnum<'ctx>,
        lt: &Type,
        r: BasicValueEnum<'ctx>,
        rt: &Type,
        in_place: bool,
    ) -> Cg<PointerValue<'ctx>> {
        if int_fast_op(op)
            && (*lt == Type::Object) != (*rt == Type::Object)
            && (lt.is_integral() || rt.is_integral())
        {
            let object_left = *lt == Type::Object;
            let (obj, native, nt) = if object_left {
                (l.into_pointer_value(), r, rt)
            } else {
                (r.into_pointer_value(), l, lt)
            };
            cx.temps.push(obj);
            let native = self.convert(native, nt, &Type::Int)?.into_int_value();
            let v = self.int_or_object_op(cx, op, obj, object_left, native, in_place)?;
            self.release_temps(cx, 1)?;
            return self.check_null(cx, v);
        }
        // Objects given are temporaries before boxing the other side can fail.
        let base = cx.temps.len();
        for (v, t) in [(l, lt), (r, rt)] {
            if *t == Type::Object {
                cx.temps.push(v.into_pointer_value());
            }
        }
        let a =
            if *lt == Type::Object { l.into_pointer_value() } else { self.box_value(cx, l, lt)? };
        if *lt != Type::Object {
            cx.temps.push(a);
        }
        let b =
            if *rt == Type::Object { r.into_pointer_value() } else { self.box_value(cx, r, rt)? };
        if *rt != Type::Object {
            cx.temps.push(b);
        }
        let v = self.number_op(op, a, b, in_place)?;
        self.release_temps(cx, cx.temps.len() - base)?;
        self.check_null(cx, v)
    }

    /// `obj op n` (or `n op obj`) for a native int `n`: when `obj` is exactly a Python int that
    /// fits in 64 bits and the result does too, computed natively and boxed; otherwise (other
    /// types, big ints, overflow, division by zero) the generic C-API operation. A new
    /// reference or NULL.
    fn int_or_object_op(
        &mut self,
        cx: &mut FnCx<'ctx>,
        op: BinOp,
        obj: PointerValue<'ctx>,
        object_left: bool,
        n: IntValue<'ctx>,
        in_place: bool,
    ) -> Cg<PointerValue<'ctx>> {
        let compute = move |cg: &mut Self,
                            a: IntValue<'ctx>,
                            b: IntValue<'ctx>|
              -> Cg<(IntValue<'ctx>, IntValue<'ctx>)> {
            Ok(match op {
                BinOp::Add | BinOp::Sub | BinOp::Mul => {
                    let name = match op {
                        BinOp::Add => "llvm.sadd.with.overflow",
                        BinOp::Sub => "llvm.ssub.with.overflow",
                        _ => "llvm.smul.with.overflow",
                    };
                    let r = cg.intrinsic(name, &[a.into(), b.into()])?.into_struct_value();
                    let overflow = cg.b.build_extract_value(r, 1, "")?.into_int_value();
                    (overflow, cg.b.build_extract_value(r, 0, "")?.into_int_value())
                }
                _ => {
                    // Python's floor division and modulo; 0 and MIN // -1 go the generic way.
                    let zero = cg.b.build_int_compare(IntPredicate::EQ, b, cg.i64(0), "")?;
                    let min = cg.b.build_int_compare(IntPredicate::EQ, a, cg.i64(i64::MIN), "")?;
                    let minus_one = cg.b.build_int_compare(IntPredicate::EQ, b, cg.i64(-1), "")?;
                    let bad = cg.b.build_or(zero, cg.b.build_and(min, minus_one, "")?, "")?;
                    let safe_b = cg.b.build_select(zero, cg.i64(1), b, "")?.into_int_value();
                    let (q, r) = cg.int_divmod(a, safe_b)?;
                    (bad, if op == BinOp::FloorDiv { q } else { r })
                }
            })
        };
        let finish = |cg: &mut Self, value: IntValue<'ctx>| {
            call_value(cg, "PyLong_FromLongLong", &[value.into()])
        };
        let generic = move |cg: &mut Self, a: PointerValue<'ctx>, b: PointerValue<'ctx>| {
            Ok(cg.number_op(op, a, b, in_place)?.into())
        };
        self.exact_int_or_generic(cx, "int", obj, object_left, n, compute, finish, generic)
    }

    /// `obj op n` (or `n op obj`) compared: natively when `obj` is exactly a Python int that
    /// fits in 64 bits (giving True or False), else PyObject_RichCompare. A new reference or NULL.
    fn int_or_object_compare(
        &mut self,
        cx: &mut FnCx<'ctx>,
        op: CmpOp,
        obj: PointerValue<'ctx>,
        object_left: bool,
        n: IntValue<'ctx>,
    ) -> Cg<PointerValue<'ctx>> {
        let compute = move |cg: &mut Self,
                            a: IntValue<'ctx>,
                            b: IntValue<'ctx>|
              -> Cg<(IntValue<'ctx>, IntValue<'ctx>)> {
            Ok((
                cg.ctx.bool_type().const_zero(),
                cg.b.build_int_compare(super::state::int_predicate(op), a, b, "")?,
            ))
        };
        let finish = |cg: &mut Self, c: IntValue<'ctx>| -> Cg<BasicValueEnum<'ctx>> {
            let answer = cg.b.build_select(
                c,
                data_symbol(cg, "_Py_TrueStruct"),
                data_symbol(cg, "_Py_FalseStruct"),
                "",
            )?;
            cg.obj_incref(answer.into_pointer_value())?;
            Ok(answer)
        };
        let generic = move |cg: &mut Self, a: PointerValue<'ctx>, b: PointerValue<'ctx>| {
            let code = match op {
                CmpOp::Lt => 0,
                CmpOp::LtE => 1,
                CmpOp::Eq => 2,
                CmpOp::NotEq => 3,
                CmpOp::Gt => 4,
                _ => 5,
            };
            call_value(
                cg,
                "PyObject_RichCompare",
                &[a.into(), b.into(), cg.ctx.i32_type().const_int(code, false).into()],
            )
        };
        self.exact_int_or_generic(cx, "cmp", obj, object_left, n, compute, finish, generic)
    }

    /// The shape both fast paths share: when `obj` is exactly a Python int that fits in 64
    /// bits, `compute(a, b)` (the operands in source order) gives (give up?, value) and
    /// `finish(value)` the result object; otherwise, or on giving up, `generic(a, b)` with `n`
    /// boxed. A new reference, or NULL with the error set.
    #[allow(clippy::too_many_arguments)]
    fn exact_int_or_generic(
        &mut self,
        cx: &mut FnCx<'ctx>,
        tag: &str,
        obj: PointerValue<'ctx>,
        object_left: bool,
        n: IntValue<'ctx>,
        compute: impl FnOnce(
            &mut Self,
            IntValue<'ctx>,
            IntValue<'ctx>,
        ) -> Cg<(IntValue<'ctx>, IntValue<'ctx>)>,
        finish: impl FnOnce(&mut Self, IntValue<'ctx>) -> Cg<BasicValueEnum<'ctx>>,
        generic: impl FnOnce(
            &mut Self,
            PointerValue<'ctx>,
            PointerValue<'ctx>,
        ) -> Cg<BasicValueEnum<'ctx>>,
    ) -> Cg<PointerValue<'ctx>> {
        let p = self.ptr_type();
        let tp = type_of(self, obj)?;
        let is_int =
            self.b.build_int_compare(IntPredicate::EQ, tp, data_symbol(self, "PyLong_Type"), "")?;
        let fast = self.append(cx.func, &format!("{tag}.fast"));
        let native_ok = self.append(cx.func, &format!("{tag}.native"));
        let generic_bb = self.append(cx.func, &format!("{tag}.generic"));
        let done = self.append(cx.func, &format!("{tag}.done"));
        self.b.build_conditional_branch(is_int, fast, generic_bb)?;
        self.b.position_at_end(fast);
        let overflow_slot = self.entry_alloca(cx, self.ctx.i32_type().into(), "overflow")?;
        let x =
            call_value(self, "PyLong_AsLongLongAndOverflow", &[obj.into(), overflow_slot.into()])?
                .into_int_value();
        let big = self.b.build_load(self.ctx.i32_type(), overflow_slot, "")?.into_int_value();
        let big = self.b.build_int_compare(
            IntPredicate::NE,
            big,
            self.ctx.i32_type().const_zero(),
            "",
        )?;
        let (a, b) = if object_left { (x, n) } else { (n, x) };
        let (give_up, value) = compute(self, a, b)?;
        let give_up = self.b.build_or(big, give_up, "")?;
        self.b.build_conditional_branch(give_up, generic_bb, native_ok)?;
        self.b.position_at_end(native_ok);
        let native = finish(self, value)?;
        let native_end = self.b.current_block()?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(generic_bb);
        let n_obj = call_value(self, "PyLong_FromLongLong", &[n.into()])?.into_pointer_value();
        let have = self.append(cx.func, &format!("{tag}.boxed"));
        let box_failed_end = self.b.current_block()?;
        let null = self.b.build_is_null(n_obj, "")?;
        self.b.build_conditional_branch(null, done, have)?;
        self.b.position_at_end(have);
        let (ga, gb) = if object_left { (obj, n_obj) } else { (n_obj, obj) };
        let r = generic(self, ga, gb)?;
        self.obj_decref(n_obj)?;
        let generic_end = self.b.current_block()?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        let phi = self.b.build_phi(p, "")?;
        phi.add_incoming(&[
            (&native, native_end),
            (&p.const_null(), box_failed_end),
            (&r, generic_end),
        ]);
        Ok(phi.as_basic_value().into_pointer_value())
    }

    /// A comparison chain where an operand is an object, or with `is`: gives a bool, or an
    /// object when a rich comparison of objects is part of it (`result`).
    pub(super) fn object_compare_chain(
        &mut self,
        cx: &mut FnCx<'ctx>,
        first: &Expr,
        rest: &[(CmpOp, Expr)],
        result: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let slot = self.entry_alloca(cx, self.llvm_type(result), "cmp")?;
        let after = self.append(cx.func, "cmp.end");
        let mut left = self.temp_object(cx, first)?;
        for (i, (op, right)) in rest.iter().enumerate() {
            let r = self.temp_object(cx, right)?;
            let (value, truth): (BasicValueEnum, IntValue) = match op {
                CmpOp::Is | CmpOp::IsNot => {
                    let same = self.b.build_int_compare(IntPredicate::EQ, left, r, "")?;
                    let t = if *op == CmpOp::Is { same } else { self.b.build_not(same, "")? };
                    (t.into(), t)
                }
                CmpOp::In | CmpOp::NotIn => {
                    let found = call_value(self, "PySequence_Contains", &[r.into(), left.into()])?
                        .into_int_value();
                    self.check_minus_one(cx, found)?;
                    let found = self.b.build_int_compare(
                        IntPredicate::NE,
                        found,
                        self.ctx.i32_type().const_zero(),
                        "",
                    )?;
                    let t = if *op == CmpOp::In { found } else { self.b.build_not(found, "")? };
                    (t.into(), t)
                }
                _ => {
                    let code = match op {
                        CmpOp::Lt => 0,
                        CmpOp::LtE => 1,
                        CmpOp::Eq => 2,
                        CmpOp::NotEq => 3,
                        CmpOp::Gt => 4,
                        _ => 5,
                    };
                    // Exact floats and ints answered natively (fastnum.rs).
                    let helper = super::fastnum::compare_fn(self, code)?;
                    let c = self
                        .b
                        .build_call(helper, &[left.into(), r.into()], "")?
                        .try_as_basic_value()
                        .basic()
                        .ok_or_else(|| CgError("a compare helper returned void".into()))?
                        .into_pointer_value();
                    self.check_null(cx, c)?;
                    if *result == Type::Object {
                        // The last comparison's value is the chain's: its truth is not asked
                        // (an array of booleans has none; numpy raises ValueError for it).
                        if i + 1 == rest.len() {
                            (c.into(), self.ctx.bool_type().const_all_ones())
                        } else {
                            cx.temps.push(c);
                            let t = self.truth_of(cx, c)?;
                            cx.temps.pop();
                            (c.into(), t)
                        }
                    } else {
                        cx.temps.push(c);
                        let t = self.truth_of(cx, c)?;
                        self.release_temps(cx, 1)?;
                        (t.into(), t)
                    }
                }
            };
            let value = if *result == Type::Object && value.is_int_value() {
                self.box_value(cx, value, &Type::Bool)?.into()
            } else {
                value
            };
            self.b.build_store(slot, value)?;
            // The left operand is done with; the right one becomes the next left.
            let left_temp = cx.temps.remove(cx.temps.len() - 2);
            self.obj_decref(left_temp)?;
            if i + 1 == rest.len() {
                self.release_temps(cx, 1)?;
                self.b.build_unconditional_branch(after)?;
            } else {
                let next = self.append(cx.func, "cmp.next");
                let stop = self.append(cx.func, "cmp.stop");
                self.b.build_conditional_branch(truth, next, stop)?;
                self.b.position_at_end(stop);
                self.obj_decref(r)?;
                self.b.build_unconditional_branch(after)?;
                self.b.position_at_end(next);
                if *result == Type::Object {
                    let v = self.b.build_load(self.ptr_type(), slot, "")?.into_pointer_value();
                    self.obj_decref(v)?;
                }
            }
            left = r;
        }
        self.b.position_at_end(after);
        Ok(self.b.build_load(self.llvm_type(result), slot, "")?)
    }

    /// `a or b` / `a and b` giving an object: the deciding operand itself.
    fn object_bool_op(
        &mut self,
        cx: &mut FnCx<'ctx>,
        kind: BoolOpKind,
        values: &[Expr],
    ) -> Cg<PointerValue<'ctx>> {
        let slot = self.entry_alloca(cx, self.ptr_type().into(), "boolop")?;
        let after = self.append(cx.func, "boolop.end");
        for (i, v) in values.iter().enumerate() {
            let x = self.object(cx, v)?;
            self.b.build_store(slot, x)?;
            if i + 1 == values.len() {
                self.b.build_unconditional_branch(after)?;
            } else {
                cx.temps.push(x);
                let truth = self.truth_of(cx, x)?;
                cx.temps.pop();
                let next = self.append(cx.func, "boolop.next");
                match kind {
                    BoolOpKind::Or => self.b.build_conditional_branch(truth, after, next)?,
                    BoolOpKind::And => self.b.build_conditional_branch(truth, next, after)?,
                };
                self.b.position_at_end(next);
                self.obj_decref(x)?;
            }
        }
        self.b.position_at_end(after);
        Ok(self.b.build_load(self.ptr_type(), slot, "")?.into_pointer_value())
    }

    /// An f-string: each value formatted (`format(value, spec)`, after `!r`/`!s`/`!a`), joined.
    fn fstring(&mut self, cx: &mut FnCx<'ctx>, parts: &[FPart]) -> Cg<PointerValue<'ctx>> {
        // Text and plain native ints only: written into one buffer, one str made from it.
        let simple = |this: &Self, p: &FPart| match p {
            FPart::Text(_) => true,
            FPart::Value(v, None, None) => matches!(this.ty(cx, v), Type::Int | Type::Bool),
            _ => false,
        };
        if parts.iter().all(|p| simple(self, p))
            && parts.iter().any(|p| matches!(p, FPart::Value(..)))
        {
            let pieces: Vec<Piece> = parts
                .iter()
                .map(|p| match p {
                    FPart::Text(t) => Piece::Text(t),
                    FPart::Value(v, _, _) => Piece::Value(v),
                })
                .collect();
            return self.fstring_in_buffer(cx, &pieces);
        }
        let mut pieces = Vec::new();
        for part in parts {
            let piece = match part {
                FPart::Text(t) => self.new_module_object(ModuleObject::Str(t.clone()))?,
                // A number with no spec: format(x, "") is str(x) for ints, floats and bools.
                FPart::Value(value, None, None) if self.ty(cx, value).is_numeric() => {
                    let v = self.temp_object(cx, value)?;
                    let s = call_value(self, "PyObject_Str", &[v.into()])?.into_pointer_value();
                    self.release_temps(cx, 1)?;
                    self.check_null(cx, s)?
                }
                FPart::Value(value, conversion, spec) => {
                    let mut v = self.temp_object(cx, value)?;
                    if let Some(c) = conversion {
                        let f = match c {
                            'r' => "PyObject_Repr",
                            'a' => "PyObject_ASCII",
                            _ => "PyObject_Str",
                        };
                        let converted = call_value(self, f, &[v.into()])?.into_pointer_value();
                        self.release_temps(cx, 1)?;
                        v = self.check_null(cx, converted)?;
                        cx.temps.push(v);
                    }
                    let spec_obj = match spec {
                        Some(s) => self.temp_object(cx, s)?,
                        None => {
                            let empty = self.new_module_object(ModuleObject::Str(String::new()))?;
                            cx.temps.push(empty);
                            empty
                        }
                    };
                    let formatted =
                        call_value(self, "PyObject_Format", &[v.into(), spec_obj.into()])?
                            .into_pointer_value();
                    self.release_temps(cx, 2)?;
                    self.check_null(cx, formatted)?
                }
            };
            cx.temps.push(piece);
            pieces.push(piece);
        }
        if pieces.len() == 1 {
            cx.temps.pop();
            return Ok(pieces[0]);
        }
        if pieces.len() == 2 {
            let joined =
                call_value(self, "PyUnicode_Concat", &[pieces[0].into(), pieces[1].into()])?
                    .into_pointer_value();
            self.release_temps(cx, 2)?;
            return self.check_null(cx, joined);
        }
        let list = call_value(self, "PyList_New", &[self.i64(pieces.len() as i64).into()])?
            .into_pointer_value();
        self.check_null(cx, list)?;
        for (i, piece) in pieces.iter().enumerate() {
            call(
                self,
                "PyList_SetItem",
                &[list.into(), self.i64(i as i64).into(), (*piece).into()],
            )?;
        }
        cx.temps.truncate(cx.temps.len() - pieces.len());
        cx.temps.push(list);
        let empty = self.load_module_object(ModuleObject::Str(String::new()))?;
        let joined =
            call_value(self, "PyUnicode_Join", &[empty.into(), list.into()])?.into_pointer_value();
        self.release_temps(cx, 1)?;
        self.check_null(cx, joined)
    }

    /// An f-string of text and native ints: the UTF-8 bytes written into a stack buffer (ints in
    /// decimal by `pyaot.itoa`, bools as True/False), then one PyUnicode_FromStringAndSize.
    fn fstring_in_buffer(
        &mut self,
        cx: &mut FnCx<'ctx>,
        parts: &[Piece],
    ) -> Cg<PointerValue<'ctx>> {
        let i8t = self.ctx.i8_type();
        let capacity: usize = parts
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.len(),
                Piece::Value(..) => 20,
            })
            .sum();
        let buffer =
            self.entry_alloca(cx, i8t.array_type(capacity as u32 + 1).into(), "fstring")?;
        let mut len = self.i64(0);
        for part in parts {
            match part {
                Piece::Text(t) => {
                    let bytes = self.cstr(t)?;
                    let at = unsafe { self.b.build_in_bounds_gep(i8t, buffer, &[len], "")? };
                    self.b.build_memcpy(at, 1, bytes, 1, self.i64(t.len() as i64))?;
                    len = self.b.build_int_add(len, self.i64(t.len() as i64), "")?;
                }
                Piece::Value(value) => {
                    let t = self.ty(cx, value);
                    let v = self.expr(cx, value)?;
                    let at = unsafe { self.b.build_in_bounds_gep(i8t, buffer, &[len], "")? };
                    let written = if t == Type::Bool {
                        let yes = self.cstr("True")?;
                        let no = self.cstr("False")?;
                        let text = self
                            .b
                            .build_select(v.into_int_value(), yes, no, "")?
                            .into_pointer_value();
                        let n = self
                            .b
                            .build_select(v.into_int_value(), self.i64(4), self.i64(5), "")?
                            .into_int_value();
                        self.b.build_memcpy(at, 1, text, 1, n)?;
                        n
                    } else {
                        let itoa = self.itoa_fn()?;
                        self.b
                            .build_call(itoa, &[v.into(), at.into()], "")?
                            .value()?
                            .into_int_value()
                    };
                    len = self.b.build_int_add(len, written, "")?;
                }
            }
        }
        let s = call_value(self, "PyUnicode_FromStringAndSize", &[buffer.into(), len.into()])?
            .into_pointer_value();
        self.check_null(cx, s)
    }

    /// `pyaot.itoa(i64 v, ptr out) -> i64`: writes `v` in decimal (at most 20 bytes), returns
    /// the length.
    fn itoa_fn(&mut self) -> Cg<inkwell::values::FunctionValue<'ctx>> {
        let i64t = self.ctx.i64_type();
        let i8t = self.ctx.i8_type();
        let ty = i64t.fn_type(&[i64t.into(), self.ptr_type().into()], false);
        capi::in_new_function(self, "pyaot.itoa", ty, |cg, f| {
            let v = f.param(0)?.into_int_value();
            let out = f.param(1)?.into_pointer_value();
            // Digits of |v| backwards into a scratch buffer (as u64, so i64::MIN works).
            let scratch = cg.b.build_alloca(i8t.array_type(20), "digits")?;
            let negative = cg.b.build_int_compare(IntPredicate::SLT, v, cg.i64(0), "")?;
            let magnitude =
                cg.b.build_select(negative, cg.b.build_int_sub(cg.i64(0), v, "")?, v, "")?
                    .into_int_value();
            let entry = cg.b.current_block()?;
            let digit_bb = cg.append(f, "digit");
            let copy_bb = cg.append(f, "copy");
            cg.b.build_unconditional_branch(digit_bb)?;
            cg.b.position_at_end(digit_bb);
            let n = cg.b.build_phi(i64t, "n")?;
            let count = cg.b.build_phi(i64t, "count")?;
            let nv = n.as_basic_value().into_int_value();
            let cv = count.as_basic_value().into_int_value();
            let ten = cg.i64(10);
            let q = cg.b.build_int_unsigned_div(nv, ten, "")?;
            let r = cg.b.build_int_unsigned_rem(nv, ten, "")?;
            let ch = cg.b.build_int_add(
                cg.b.build_int_truncate(r, i8t, "")?,
                i8t.const_int(b'0' as u64, false),
                "",
            )?;
            let at = unsafe { cg.b.build_in_bounds_gep(i8t, scratch, &[cv], "")? };
            cg.b.build_store(at, ch)?;
            let next_count = cg.b.build_int_add(cv, cg.i64(1), "")?;
            let more = cg.b.build_int_compare(IntPredicate::NE, q, cg.i64(0), "")?;
            n.add_incoming(&[(&magnitude, entry), (&q, digit_bb)]);
            count.add_incoming(&[(&cg.i64(0), entry), (&next_count, digit_bb)]);
            cg.b.build_conditional_branch(more, digit_bb, copy_bb)?;
            // The sign, then the digits in order.
            cg.b.position_at_end(copy_bb);
            let sign = cg.b.build_int_z_extend(negative, i64t, "")?;
            cg.b.build_store(out, i8t.const_int(b'-' as u64, false))?;
            let loop_bb = cg.append(f, "reverse");
            let done_bb = cg.append(f, "done");
            cg.b.build_unconditional_branch(loop_bb)?;
            cg.b.position_at_end(loop_bb);
            let k = cg.b.build_phi(i64t, "k")?;
            let kv = k.as_basic_value().into_int_value();
            let src_index =
                cg.b.build_int_sub(cg.b.build_int_sub(next_count, kv, "")?, cg.i64(1), "")?;
            let src = unsafe { cg.b.build_in_bounds_gep(i8t, scratch, &[src_index], "")? };
            let byte = cg.b.build_load(i8t, src, "")?;
            let dst = unsafe {
                cg.b.build_in_bounds_gep(i8t, out, &[cg.b.build_int_add(kv, sign, "")?], "")?
            };
            cg.b.build_store(dst, byte)?;
            let k1 = cg.b.build_int_add(kv, cg.i64(1), "")?;
            k.add_incoming(&[(&cg.i64(0), copy_bb), (&k1, loop_bb)]);
            let again = cg.b.build_int_compare(IntPredicate::ULT, k1, next_count, "")?;
            cg.b.build_conditional_branch(again, loop_bb, done_bb)?;
            cg.b.position_at_end(done_bb);
            let total = cg.b.build_int_add(next_count, sign, "")?;
            cg.b.build_return(Some(&total))?;
            Ok(())
        })
    }

    /// Builtins with a native result applied to objects: `len`, `int`, `float`, `bool`, `math`.
    pub(super) fn object_builtin(
        &mut self,
        cx: &mut FnCx<'ctx>,
        b: Builtin,
        args: &[Expr],
        t: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        match b {
            Builtin::Len => {
                let obj = self.held(cx, &args[0])?;
                let n = call_value(self, "PyObject_Size", &[obj.into()])?.into_int_value();
                self.check_minus_one(cx, n)?;
                self.release(cx, &[obj])?;
                Ok(n.into())
            }
            Builtin::Int | Builtin::Float => {
                let obj = self.temp_object(cx, &args[0])?;
                let f = if b == Builtin::Int { "PyNumber_Long" } else { "PyNumber_Float" };
                let r = call_value(self, f, &[obj.into()])?.into_pointer_value();
                self.release_temps(cx, 1)?;
                self.check_null(cx, r)?;
                self.unbox_value(cx, r, t)
            }
            Builtin::Bool => {
                let v = self.object(cx, &args[0])?;
                Ok(self.object_truth(cx, v.into())?.into())
            }
            Builtin::Math(_) => {
                let mut vals = Vec::new();
                let mut types = Vec::new();
                for a in args {
                    let at = self.ty(cx, a);
                    let want = if at == Type::Object { Type::Float } else { at };
                    vals.push(self.operand(cx, a, &want)?);
                    types.push(want);
                }
                self.builtin(cx, b, &vals, &types, args, t)
            }
            other => Err(CgError(format!(
                "builtin {} has no native result on objects",
                crate::types::builtin_name(other)
            ))),
        }
    }

    /// `raise <expression>`: an exception instance, or a class (instantiated by Python).
    pub(super) fn raise_object(
        &mut self,
        cx: &mut FnCx<'ctx>,
        e: &Expr,
        cause: Option<&Expr>,
    ) -> Cg<()> {
        let obj = self.temp_object(cx, e)?;
        let cause = match cause {
            Some(c) => Some(self.temp_object(cx, c)?),
            None => None,
        };
        let (tp, instance_bb, class_bb, bad_bb) = self.exception_kind(cx.func, obj, "raise")?;
        let raised = self.append(cx.func, "raise.set");
        self.b.position_at_end(instance_bb);
        call(self, "PyErr_SetObject", &[tp.into(), obj.into()])?;
        self.b.build_unconditional_branch(raised)?;
        self.b.position_at_end(class_bb);
        call(self, "PyErr_SetNone", &[obj.into()])?;
        self.b.build_unconditional_branch(raised)?;
        self.b.position_at_end(bad_bb);
        let type_error = capi::raise_fn(self, "TypeError")?;
        let msg = self.cstr("exceptions must derive from BaseException")?;
        self.b.build_call(type_error, &[msg.into()], "")?;
        self.b.build_unconditional_branch(raised)?;
        self.b.position_at_end(raised);
        if let Some(c) = cause {
            self.set_cause(c)?;
        }
        let unwind = self.unwind_block(cx)?;
        self.b.build_unconditional_branch(unwind)?;
        cx.temps.truncate(cx.temps.len() - 1 - usize::from(cause.is_some()));
        self.open_dead_block(cx.func);
        Ok(())
    }

    /// `raise ... from cause`, the exception already set: `from None` hides the context, an
    /// exception instance becomes `__cause__`, a class is instantiated first; anything else is
    /// a TypeError, as in Python.
    fn set_cause(&mut self, cause: PointerValue<'ctx>) -> Cg<()> {
        let func = self
            .b
            .get_insert_block()
            .and_then(|b| b.get_parent())
            .ok_or_else(|| CgError("raise outside a function".into()))?;
        let p = self.ptr_type();
        let [tp, value, tb] = self.fetch_exception()?;
        let done = self.append(func, "cause.done");
        let none_bb = self.append(func, "cause.none");
        let other_bb = self.append(func, "cause.other");
        let is_none = self.b.build_int_compare(
            IntPredicate::EQ,
            cause,
            data_symbol(self, "_Py_NoneStruct"),
            "",
        )?;
        self.b.build_conditional_branch(is_none, none_bb, other_bb)?;
        self.b.position_at_end(none_bb);
        call(self, "PyException_SetCause", &[value.into(), p.const_null().into()])?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(other_bb);
        let (_, instance_bb, class_bb, bad_bb) = self.exception_kind(func, cause, "cause")?;
        self.b.position_at_end(instance_bb);
        self.obj_incref(cause)?;
        call(self, "PyException_SetCause", &[value.into(), cause.into()])?;
        self.b.build_unconditional_branch(done)?;
        // A class: its instance (if making it fails, that error replaces ours).
        self.b.position_at_end(class_bb);
        let made = call_value(
            self,
            "PyObject_Vectorcall",
            &[cause.into(), p.const_null().into(), self.i64(0).into(), p.const_null().into()],
        )?
        .into_pointer_value();
        let made_ok = self.append(func, "cause.made");
        let replaced = self.append(func, "cause.replaced");
        let failed = self.b.build_is_null(made, "")?;
        self.b.build_conditional_branch(failed, replaced, made_ok)?;
        self.b.position_at_end(made_ok);
        call(self, "PyException_SetCause", &[value.into(), made.into()])?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(bad_bb);
        let type_error = capi::raise_fn(self, "TypeError")?;
        let msg = self.cstr("exception causes must derive from BaseException")?;
        self.b.build_call(type_error, &[msg.into()], "")?;
        self.b.build_unconditional_branch(replaced)?;
        // Our exception is dropped for the new error.
        self.b.position_at_end(replaced);
        for o in [tp, value, tb] {
            self.obj_decref(o)?;
        }
        let after = self.append(func, "cause.end");
        self.b.build_unconditional_branch(after)?;
        self.b.position_at_end(done);
        call(self, "PyErr_Restore", &[tp.into(), value.into(), tb.into()])?;
        self.b.build_unconditional_branch(after)?;
        self.b.position_at_end(after);
        Ok(())
    }

    /// Branches on what `obj` is for `raise`: an exception instance, an exception class, or
    /// neither. Gives its type and the three (empty) blocks; the builder is left in none.
    #[allow(clippy::type_complexity)]
    fn exception_kind(
        &mut self,
        func: inkwell::values::FunctionValue<'ctx>,
        obj: PointerValue<'ctx>,
        tag: &str,
    ) -> Cg<(
        PointerValue<'ctx>,
        inkwell::basic_block::BasicBlock<'ctx>,
        inkwell::basic_block::BasicBlock<'ctx>,
        inkwell::basic_block::BasicBlock<'ctx>,
    )> {
        let tp = type_of(self, obj)?;
        let tp_flags = call_value(self, "PyType_GetFlags", &[tp.into()])?.into_int_value();
        let is_instance = self.flag_set(tp_flags, TPFLAGS_BASE_EXC_SUBCLASS)?;
        let instance_bb = self.append(func, &format!("{tag}.instance"));
        let other_bb = self.append(func, &format!("{tag}.other_kind"));
        let class_check = self.append(func, &format!("{tag}.class_check"));
        let class_bb = self.append(func, &format!("{tag}.class"));
        let bad_bb = self.append(func, &format!("{tag}.bad"));
        self.b.build_conditional_branch(is_instance, instance_bb, other_bb)?;
        self.b.position_at_end(other_bb);
        let is_type = self.flag_set(tp_flags, TPFLAGS_TYPE_SUBCLASS)?;
        self.b.build_conditional_branch(is_type, class_check, bad_bb)?;
        // A type: an exception class when its own flags say so.
        self.b.position_at_end(class_check);
        let own_flags = call_value(self, "PyType_GetFlags", &[obj.into()])?.into_int_value();
        let is_exc_class = self.flag_set(own_flags, TPFLAGS_BASE_EXC_SUBCLASS)?;
        self.b.build_conditional_branch(is_exc_class, class_bb, bad_bb)?;
        Ok((tp, instance_bb, class_bb, bad_bb))
    }

    fn flag_set(&self, flags: IntValue<'ctx>, bit: i64) -> Cg<IntValue<'ctx>> {
        let masked = self.b.build_and(flags, self.i64(bit), "")?;
        Ok(self.b.build_int_compare(IntPredicate::NE, masked, self.i64(0), "")?)
    }

    /// `name = value` for a module value a function declared `global`: the slot compiled code
    /// reads, and the module's attribute (Python code sees it too).
    pub(super) fn set_module_value(
        &mut self,
        cx: &mut FnCx<'ctx>,
        name: &str,
        v: BasicValueEnum<'ctx>,
        t: &Type,
    ) -> Cg<()> {
        let value = self.coerce(cx, v, t, &Type::Object)?.into_pointer_value();
        let slot = self.module_object(ModuleObject::Import(PyPath {
            module: String::new(),
            attrs: vec![name.to_string()],
        }));
        let old =
            self.b.build_load(self.ptr_type(), slot.as_pointer_value(), "")?.into_pointer_value();
        self.b.build_store(slot.as_pointer_value(), value)?;
        self.obj_decref(old)?;
        let module = self.module_self();
        let module =
            self.b.build_load(self.ptr_type(), module.as_pointer_value(), "")?.into_pointer_value();
        let attr = self.cstr(name)?;
        let r = call_value(
            self,
            "PyObject_SetAttrString",
            &[module.into(), attr.into(), value.into()],
        )?
        .into_int_value();
        self.check_minus_one(cx, r)?;
        Ok(())
    }

    /// The global holding this extension's module object (set by `pyaot.exec`; borrowed: the
    /// module lives as long as its functions).
    fn module_self(&mut self) -> GlobalValue<'ctx> {
        if let Some(g) = self.module.get_global("pyaot.module") {
            return g;
        }
        let g = self.module.add_global(self.ptr_type(), None, "pyaot.module");
        g.set_initializer(&self.ptr_type().const_null());
        g.set_linkage(Linkage::Private);
        g
    }

    /// `obj.name = value`.
    pub(super) fn set_attr(
        &mut self,
        cx: &mut FnCx<'ctx>,
        target: &Expr,
        name: &str,
        v: BasicValueEnum<'ctx>,
        t: &Type,
    ) -> Cg<()> {
        let value = self.coerce(cx, v, t, &Type::Object)?.into_pointer_value();
        cx.temps.push(value);
        let obj = self.temp_object(cx, target)?;
        let name_obj = self.load_module_object(ModuleObject::Str(name.to_string()))?;
        let r = call_value(self, "PyObject_SetAttr", &[obj.into(), name_obj.into(), value.into()])?
            .into_int_value();
        self.check_minus_one(cx, r)?;
        self.release_temps(cx, 2)
    }

    /// `obj[indices] = value` on an object.
    pub(super) fn set_item(
        &mut self,
        cx: &mut FnCx<'ctx>,
        target: &Expr,
        indices: &[Index],
        v: BasicValueEnum<'ctx>,
        t: &Type,
    ) -> Cg<()> {
        let value = self.coerce(cx, v, t, &Type::Object)?.into_pointer_value();
        cx.temps.push(value);
        let obj = self.held(cx, target)?;
        let key = self.key(cx, indices)?;
        cx.temps.push(key);
        // An exact dict stores directly; anything else through its mapping protocol.
        let tp = type_of(self, obj)?;
        let is_dict =
            self.b.build_int_compare(IntPredicate::EQ, tp, data_symbol(self, "PyDict_Type"), "")?;
        let dict_bb = self.append(cx.func, "setitem.dict");
        let other_bb = self.append(cx.func, "setitem.other");
        let done = self.append(cx.func, "setitem.done");
        self.b.build_conditional_branch(is_dict, dict_bb, other_bb)?;
        self.b.position_at_end(dict_bb);
        let a = call_value(self, "PyDict_SetItem", &[obj.into(), key.into(), value.into()])?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(other_bb);
        let b = call_value(self, "PyObject_SetItem", &[obj.into(), key.into(), value.into()])?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        let phi = self.b.build_phi(self.ctx.i32_type(), "")?;
        phi.add_incoming(&[(&a, dict_bb), (&b, other_bb)]);
        self.check_minus_one(cx, phi.as_basic_value().into_int_value())?;
        self.release(cx, &[value, obj, key])
    }

    /// `obj[indices] op= value` on an object: the key evaluated once.
    pub(super) fn aug_assign_item(
        &mut self,
        cx: &mut FnCx<'ctx>,
        target: &Expr,
        indices: &[Index],
        op: BinOp,
        value: &Expr,
    ) -> Cg<()> {
        let obj = self.temp_object(cx, target)?;
        // `xs[i] op= v` with a native int `i`: an exact list is updated in place (PyList_SetItem,
        // which checks the range again after `v` ran); anything else by its key.
        if let [Index::At(ix)] = indices {
            if self.ty(cx, ix) == Type::Int {
                return self.aug_assign_list_item(cx, obj, ix, op, value);
            }
        }
        let key = self.key(cx, indices)?;
        cx.temps.push(key);
        let current =
            call_value(self, "PyObject_GetItem", &[obj.into(), key.into()])?.into_pointer_value();
        self.check_null(cx, current)?;
        cx.temps.push(current);
        let v = self.temp_object(cx, value)?;
        let r = self.number_op(op, current, v, true)?;
        self.release_temps(cx, 2)?;
        self.check_null(cx, r)?;
        cx.temps.push(r);
        let ok = call_value(self, "PyObject_SetItem", &[obj.into(), key.into(), r.into()])?
            .into_int_value();
        self.check_minus_one(cx, ok)?;
        self.release_temps(cx, 3)
    }

    /// `obj[i] op= value` for a native int `i` (`obj` is the last temporary): on an exact list
    /// the item is read and written in place, else through a boxed key, as Python does.
    fn aug_assign_list_item(
        &mut self,
        cx: &mut FnCx<'ctx>,
        obj: PointerValue<'ctx>,
        ix: &Expr,
        op: BinOp,
        value: &Expr,
    ) -> Cg<()> {
        let p = self.ptr_type();
        let i = self.expr(cx, ix)?.into_int_value();
        let key_slot = self.entry_alloca(cx, p.into(), "key")?;
        self.b.build_store(key_slot, p.const_null())?;
        // Used on both list paths (read and store): computed where both see it.
        let negative = self.b.build_int_compare(IntPredicate::SLT, i, self.i64(0), "")?;
        let tp = type_of(self, obj)?;
        let is_list =
            self.b.build_int_compare(IntPredicate::EQ, tp, data_symbol(self, "PyList_Type"), "")?;
        let list_bb = self.append(cx.func, "augitem.list");
        let other_bb = self.append(cx.func, "augitem.other");
        let got = self.append(cx.func, "augitem.got");
        self.b.build_conditional_branch(is_list, list_bb, other_bb)?;
        self.b.position_at_end(list_bb);
        let n = call_value(self, "PyList_Size", &[obj.into()])?.into_int_value();
        let wrapped = self.b.build_int_add(i, n, "")?;
        let at = self.b.build_select(negative, wrapped, i, "")?.into_int_value();
        // PyList_GetItem checks the range (IndexError) and gives a borrowed item or NULL.
        let item =
            call_value(self, "PyList_GetItem", &[obj.into(), at.into()])?.into_pointer_value();
        self.obj_xincref(item)?;
        let list_end = self.b.current_block()?;
        self.b.build_unconditional_branch(got)?;
        self.b.position_at_end(other_bb);
        let key = call_value(self, "PyLong_FromLongLong", &[i.into()])?.into_pointer_value();
        self.b.build_store(key_slot, key)?;
        let have_key = self.append(cx.func, "augitem.key");
        let key_failed = self.b.current_block()?;
        self.b.build_conditional_branch(self.b.build_is_null(key, "")?, got, have_key)?;
        self.b.position_at_end(have_key);
        let generic = call_value(self, "PyObject_GetItem", &[obj.into(), key.into()])?;
        let other_end = self.b.current_block()?;
        self.b.build_unconditional_branch(got)?;
        self.b.position_at_end(got);
        let phi = self.b.build_phi(p, "current")?;
        phi.add_incoming(&[
            (&item, list_end),
            (&p.const_null(), key_failed),
            (&generic, other_end),
        ]);
        let current = phi.as_basic_value().into_pointer_value();
        // The key (NULL on the list path) is released with the other temporaries.
        let key = self.b.build_load(p, key_slot, "")?.into_pointer_value();
        cx.temps.push(key);
        self.check_null(cx, current)?;
        cx.temps.push(current);
        let v = self.temp_object(cx, value)?;
        let r = self.number_op(op, current, v, true)?;
        self.release_temps(cx, 2)?;
        self.check_null(cx, r)?;
        let set_list = self.append(cx.func, "augitem.set_list");
        let set_other = self.append(cx.func, "augitem.set_other");
        let stored = self.append(cx.func, "augitem.stored");
        self.b.build_conditional_branch(is_list, set_list, set_other)?;
        self.b.position_at_end(set_list);
        // Steals `r`. `value` may have resized the list: a negative index counts from the end
        // it has now, and the range is checked again, as Python's store does.
        let n_now = call_value(self, "PyList_Size", &[obj.into()])?.into_int_value();
        let wrapped_now = self.b.build_int_add(i, n_now, "")?;
        let at_now = self.b.build_select(negative, wrapped_now, i, "")?.into_int_value();
        let a = call_value(self, "PyList_SetItem", &[obj.into(), at_now.into(), r.into()])?;
        let set_list_end = self.b.current_block()?;
        self.b.build_unconditional_branch(stored)?;
        self.b.position_at_end(set_other);
        let b = call_value(self, "PyObject_SetItem", &[obj.into(), key.into(), r.into()])?;
        self.obj_decref(r)?;
        let set_other_end = self.b.current_block()?;
        self.b.build_unconditional_branch(stored)?;
        self.b.position_at_end(stored);
        let status = self.b.build_phi(self.ctx.i32_type(), "")?;
        status.add_incoming(&[(&a, set_list_end), (&b, set_other_end)]);
        self.check_minus_one(cx, status.as_basic_value().into_int_value())?;
        self.release_temps(cx, 2)
    }

    /// Unpacks an object (consumed) into `n` new references, as `a, b = obj` does.
    pub(super) fn unpack(
        &mut self,
        cx: &mut FnCx<'ctx>,
        obj: PointerValue<'ctx>,
        n: usize,
    ) -> Cg<Vec<PointerValue<'ctx>>> {
        cx.temps.push(obj);
        // An exact list of `n` items is read in place (PySequence_Tuple would copy it);
        // anything else becomes a tuple first (an exact tuple is itself).
        let p = self.ptr_type();
        let tp = type_of(self, obj)?;
        let is_list =
            self.b.build_int_compare(IntPredicate::EQ, tp, data_symbol(self, "PyList_Type"), "")?;
        let sized = self.append(cx.func, "unpack.list_size");
        let fast = self.append(cx.func, "unpack.list");
        let slow = self.append(cx.func, "unpack.sequence");
        let join = self.append(cx.func, "unpack.done");
        self.b.build_conditional_branch(is_list, sized, slow)?;
        self.b.position_at_end(sized);
        let list_size = call_value(self, "PyList_Size", &[obj.into()])?.into_int_value();
        let fits = self.b.build_int_compare(IntPredicate::EQ, list_size, self.i64(n as i64), "")?;
        self.b.build_conditional_branch(fits, fast, slow)?;
        self.b.position_at_end(fast);
        let mut fast_items = Vec::new();
        for i in 0..n {
            let item =
                call_value(self, "PyList_GetItem", &[obj.into(), self.i64(i as i64).into()])?
                    .into_pointer_value();
            self.obj_incref(item)?;
            fast_items.push(item);
        }
        let fast_end = self.b.current_block()?;
        self.b.build_unconditional_branch(join)?;
        self.b.position_at_end(slow);
        let tuple = call_value(self, "PySequence_Tuple", &[obj.into()])?.into_pointer_value();
        self.check_null(cx, tuple)?;
        cx.temps.push(tuple);
        let size = call_value(self, "PyTuple_Size", &[tuple.into()])?.into_int_value();
        let right = self.b.build_int_compare(IntPredicate::EQ, size, self.i64(n as i64), "")?;
        let wrong = self.append(cx.func, "fail.unpack");
        let ok = self.append(cx.func, "unpacked");
        self.b.build_conditional_branch(right, ok, wrong)?;
        self.b.position_at_end(wrong);
        let value_error = capi::exception_global(self, "ValueError");
        let exc = self.b.build_load(p, value_error, "")?;
        let fmt =
            self.cstr(&format!("wrong number of values to unpack (expected {n}, got %zd)"))?;
        call(self, "PyErr_Format", &[exc.into(), fmt.into(), size.into()])?;
        let unwind = self.unwind_block(cx)?;
        self.b.build_unconditional_branch(unwind)?;
        self.b.position_at_end(ok);
        let mut slow_items = Vec::new();
        for i in 0..n {
            let item =
                call_value(self, "PyTuple_GetItem", &[tuple.into(), self.i64(i as i64).into()])?
                    .into_pointer_value();
            self.obj_incref(item)?;
            slow_items.push(item);
        }
        self.release_temps(cx, 1)?;
        let slow_end = self.b.current_block()?;
        self.b.build_unconditional_branch(join)?;
        self.b.position_at_end(join);
        let mut items = Vec::new();
        for (f, s) in fast_items.iter().zip(&slow_items) {
            let phi = self.b.build_phi(p, "item")?;
            phi.add_incoming(&[(f, fast_end), (s, slow_end)]);
            items.push(phi.as_basic_value().into_pointer_value());
        }
        self.release_temps(cx, 1)?;
        Ok(items)
    }

    /// `for x in <objects>`: the iterator protocol. `target` counts the items (for
    /// `enumerate`); `holders` are the locals holding the iterables (several for `zip`).
    pub(super) fn for_each_object(
        &mut self,
        cx: &mut FnCx<'ctx>,
        counter: hir::LocalId,
        holders: &[hir::LocalId],
        body: &[Stmt],
        orelse: &[Stmt],
    ) -> Cg<()> {
        // One iterable: when it is exactly a list (and lists have the layout the module checked
        // at import), items are read straight from it by index, as the list iterator does.
        let list = match holders {
            [h] if self.local_ty(cx, *h) == Type::Object => {
                let obj =
                    self.b.build_load(self.ptr_type(), cx.locals[*h], "")?.into_pointer_value();
                let tp = type_of(self, obj)?;
                let exact = self.b.build_int_compare(
                    IntPredicate::EQ,
                    tp,
                    data_symbol(self, "PyList_Type"),
                    "",
                )?;
                let ok_flag = self.list_layout_flag();
                let ok = self
                    .b
                    .build_load(self.ctx.bool_type(), ok_flag.as_pointer_value(), "")?
                    .into_int_value();
                Some((obj, self.b.build_and(exact, ok, "")?))
            }
            _ => None,
        };
        let mut iters = Vec::new();
        for h in holders {
            let ht = self.local_ty(cx, *h);
            let v = self.b.build_load(self.llvm_type(&ht), cx.locals[*h], "")?;
            let obj = match ht {
                Type::Object => {
                    let o = v.into_pointer_value();
                    self.obj_incref(o)?;
                    o
                }
                other => self.box_value(cx, v, &other)?,
            };
            cx.temps.push(obj);
            let it = call_value(self, "PyObject_GetIter", &[obj.into()])?.into_pointer_value();
            self.release_temps(cx, 1)?;
            self.check_null(cx, it)?;
            cx.temps.push(it);
            iters.push(it);
        }
        let count = self.entry_alloca(cx, self.ctx.i64_type().into(), "count")?;
        self.b.build_store(count, self.i64(0))?;
        let head = self.append(cx.func, "for.next");
        let latch = self.append(cx.func, "for.latch");
        let body_bb = self.append(cx.func, "for.body");
        let else_bb = self.append(cx.func, "for.else");
        let after = self.append(cx.func, "for.end");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let mut items = Vec::new();
        if let (Some((obj, is_list)), [it]) = (list, iters.as_slice()) {
            let by_index = self.append(cx.func, "for.list");
            let in_range = self.append(cx.func, "for.list_item");
            let by_iter = self.append(cx.func, "for.iter");
            let got = self.append(cx.func, "for.item");
            let ended = self.append(cx.func, "for.ended");
            self.b.build_conditional_branch(is_list, by_index, by_iter)?;
            // ob_size at 16 and ob_item at 24 (checked at import); the size is read every
            // time, as the list may change in the loop.
            self.b.position_at_end(by_index);
            let i = self.b.build_load(self.ctx.i64_type(), count, "")?.into_int_value();
            let size = self.load_field(obj, 16, self.ctx.i64_type().into())?.into_int_value();
            let more = self.b.build_int_compare(IntPredicate::SLT, i, size, "")?;
            self.b.build_conditional_branch(more, in_range, else_bb)?;
            self.b.position_at_end(in_range);
            let item_array = self.load_field(obj, 24, self.ptr_type().into())?.into_pointer_value();
            let at = unsafe { self.b.build_in_bounds_gep(self.ptr_type(), item_array, &[i], "")? };
            let from_list = self.b.build_load(self.ptr_type(), at, "")?.into_pointer_value();
            self.obj_incref(from_list)?;
            let list_end = self.b.current_block()?;
            self.b.build_unconditional_branch(got)?;
            self.b.position_at_end(by_iter);
            let from_iter = call_value(self, "PyIter_Next", &[(*it).into()])?.into_pointer_value();
            let null = self.b.build_is_null(from_iter, "")?;
            let iter_end = self.b.current_block()?;
            self.b.build_conditional_branch(null, ended, got)?;
            self.b.position_at_end(ended);
            let err = call_value(self, "PyErr_Occurred", &[])?.into_pointer_value();
            let failed = self.b.build_is_not_null(err, "")?;
            let fail = self.unwind_block(cx)?;
            self.b.build_conditional_branch(failed, fail, else_bb)?;
            self.b.position_at_end(got);
            let phi = self.b.build_phi(self.ptr_type(), "item")?;
            phi.add_incoming(&[(&from_list, list_end), (&from_iter, iter_end)]);
            let item = phi.as_basic_value().into_pointer_value();
            cx.temps.push(item);
            items.push(item);
        }
        for it in if items.is_empty() { iters.as_slice() } else { &[] } {
            let item = call_value(self, "PyIter_Next", &[(*it).into()])?.into_pointer_value();
            let got = self.append(cx.func, "for.item");
            let ended = self.append(cx.func, "for.ended");
            let null = self.b.build_is_null(item, "")?;
            self.b.build_conditional_branch(null, ended, got)?;
            // NULL: the end, or an error from the iterator.
            self.b.position_at_end(ended);
            let err = call_value(self, "PyErr_Occurred", &[])?.into_pointer_value();
            let failed = self.b.build_is_not_null(err, "")?;
            let fail = self.unwind_block(cx)?;
            let done = self.append(cx.func, "for.done");
            self.b.build_conditional_branch(failed, fail, done)?;
            self.b.position_at_end(done);
            for earlier in &items {
                self.obj_decref(*earlier)?;
            }
            self.b.build_unconditional_branch(else_bb)?;
            self.b.position_at_end(got);
            cx.temps.push(item);
            items.push(item);
        }
        cx.temps.truncate(cx.temps.len() - items.len());
        let n = self.b.build_load(self.ctx.i64_type(), count, "")?.into_int_value();
        self.b.build_store(cx.locals[counter], n)?;
        // The body's first statement assigns the items (each read once, ownership moves).
        let item_exprs = each_item_ids(body);
        if item_exprs.len() != items.len() {
            return Err(CgError("a for loop over objects without its items".into()));
        }
        for (id, item) in item_exprs.into_iter().zip(items) {
            cx.each_items.insert(id, item);
        }
        self.b.build_unconditional_branch(body_bb)?;
        self.b.position_at_end(body_bb);
        cx.loops.push((latch, after, cx.temps.len(), cx.finally_stack.len()));
        self.block(cx, body)?;
        cx.loops.pop();
        self.b.build_unconditional_branch(latch)?;
        self.b.position_at_end(latch);
        let n = self.b.build_load(self.ctx.i64_type(), count, "")?.into_int_value();
        let n1 = self.b.build_int_add(n, self.i64(1), "")?;
        self.b.build_store(count, n1)?;
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(else_bb);
        self.block(cx, orelse)?;
        self.b.build_unconditional_branch(after)?;
        self.b.position_at_end(after);
        self.release_temps(cx, iters.len())?;
        Ok(())
    }

    /// `try`/`except`/`else`/`finally`. Errors in the body go to the dispatch, which takes the
    /// exception (normalized, its traceback attached) and tries each `except` in order; none
    /// matching, the exception goes on. `finally` runs on the normal path and, with the
    /// exception put aside, on the failing one. `return`, `break` and `continue` leaving a `try`
    /// that has a `finally` are refused earlier (hir), so every exit is one of these.
    pub(super) fn try_stmt(
        &mut self,
        cx: &mut FnCx<'ctx>,
        body: &[Stmt],
        handlers: &[hir::Handler],
        orelse: &[Stmt],
        finalbody: &[Stmt],
    ) -> Cg<()> {
        let depth = cx.temps.len();
        let dispatch = self.append(cx.func, "except");
        let after = self.append(cx.func, "try.end");
        let finally_exc =
            if finalbody.is_empty() { None } else { Some(self.append(cx.func, "finally.exc")) };
        let finally_normal =
            if finalbody.is_empty() { after } else { self.append(cx.func, "finally") };
        // A `return` in the body, handlers or `else` runs the `finally` on its way out.
        if !finalbody.is_empty() {
            let why = self.entry_alloca(cx, self.ctx.i8_type().into(), "finally.why")?;
            self.b.build_store(why, self.ctx.i8_type().const_zero())?;
            cx.finally_stack.push(FinallyTarget { block: finally_normal, why, depth });
        }
        cx.handlers.push((dispatch, depth));
        self.block(cx, body)?;
        cx.handlers.pop();
        // `else` and the handlers run under the `finally`'s protection only.
        if let Some(fe) = finally_exc {
            cx.handlers.push((fe, depth));
        }
        self.block(cx, orelse)?;
        self.b.build_unconditional_branch(finally_normal)?;

        self.b.position_at_end(dispatch);
        // Caught here: a failed call's flag is cleared (calls in the handler check it again).
        self.b.build_store(cx.failed, self.ctx.bool_type().const_zero())?;
        let [tp, value, tb] = self.fetch_exception()?;
        cx.temps.extend([tp, value, tb]);
        for h in handlers {
            self.set_loc(cx.scope, &h.span);
            let matched = match &h.types {
                None => self.ctx.bool_type().const_all_ones(),
                Some(t) => {
                    let classes = self.temp_object(cx, t)?;
                    let r = call_value(
                        self,
                        "PyErr_GivenExceptionMatches",
                        &[tp.into(), classes.into()],
                    )?
                    .into_int_value();
                    self.release_temps(cx, 1)?;
                    self.b.build_int_compare(
                        IntPredicate::NE,
                        r,
                        self.ctx.i32_type().const_zero(),
                        "",
                    )?
                }
            };
            let run = self.append(cx.func, "except.match");
            let next = self.append(cx.func, "except.next");
            self.b.build_conditional_branch(matched, run, next)?;
            self.b.position_at_end(run);
            if let Some(l) = h.name {
                self.obj_xincref(value)?;
                self.store_local(cx, l, value.into())?;
            }
            cx.handling.push([tp, value, tb]);
            // An exception escaping the handler gets the one being handled as its __context__
            // ("During handling of the above exception, another exception occurred").
            let chain = self.append(cx.func, "except.chain");
            cx.handlers.push((chain, cx.temps.len()));
            self.block(cx, &h.body)?;
            cx.handlers.pop();
            cx.handling.pop();
            let resume =
                self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
            self.b.position_at_end(chain);
            self.chain_context(value)?;
            let outer = self.unwind_block(cx)?;
            self.b.build_unconditional_branch(outer)?;
            self.b.position_at_end(resume);
            // Handled: the exception is dropped and the name unbound, as Python does.
            if let Some(l) = h.name {
                self.store_local(cx, l, self.ptr_type().const_null().into())?;
            }
            for o in [tp, value, tb] {
                self.obj_decref(o)?;
            }
            self.b.build_unconditional_branch(finally_normal)?;
            self.b.position_at_end(next);
        }
        // No `except` matched: the exception goes on (PyErr_Restore takes the references).
        call(self, "PyErr_Restore", &[tp.into(), value.into(), tb.into()])?;
        cx.temps.truncate(cx.temps.len() - 3);
        let outer = self.unwind_block(cx)?;
        self.b.build_unconditional_branch(outer)?;
        if let Some(fe) = finally_exc {
            cx.handlers.pop();
            let target =
                cx.finally_stack.pop().ok_or_else(|| CgError("finally stack underflow".into()))?;
            self.b.position_at_end(finally_normal);
            self.block(cx, finalbody)?;
            // Leaving normally, or going on with the `return`, `break` or `continue` that came
            // through (reset first: the try may run again, in a loop).
            let why = self.b.build_load(self.ctx.i8_type(), target.why, "")?.into_int_value();
            self.b.build_store(target.why, self.ctx.i8_type().const_zero())?;
            let go_return = self.append(cx.func, "finally.return");
            let go_break = self.append(cx.func, "finally.break");
            let go_continue = self.append(cx.func, "finally.continue");
            let i8t = self.ctx.i8_type();
            self.b.build_switch(
                why,
                after,
                &[
                    (i8t.const_int(1, false), go_return),
                    (i8t.const_int(2, false), go_break),
                    (i8t.const_int(3, false), go_continue),
                ],
            )?;
            self.b.position_at_end(go_return);
            self.continue_return(cx)?;
            for (bb, is_break) in [(go_break, true), (go_continue, false)] {
                self.b.position_at_end(bb);
                if cx.loops.is_empty() {
                    self.b.build_unreachable()?;
                } else {
                    self.leave_loop_body(cx, is_break)?;
                }
            }
            // The failing path: put the exception aside, run `finally`, raise it again.
            self.b.position_at_end(fe);
            self.b.build_store(cx.failed, self.ctx.bool_type().const_zero())?;
            let saved = self.fetch_exception()?;
            cx.temps.extend(saved);
            self.block(cx, finalbody)?;
            call(self, "PyErr_Restore", &[saved[0].into(), saved[1].into(), saved[2].into()])?;
            cx.temps.truncate(cx.temps.len() - 3);
            let outer = self.unwind_block(cx)?;
            self.b.build_unconditional_branch(outer)?;
        }
        self.b.position_at_end(after);
        Ok(())
    }

    /// `return v` inside a `try` that has a `finally`: the value waits in the return slot and
    /// the innermost `finally` runs; what the `try` holds since it began is released.
    pub(super) fn return_through_finally(
        &mut self,
        cx: &mut FnCx<'ctx>,
        v: BasicValueEnum<'ctx>,
    ) -> Cg<()> {
        let ret_t = self.prog.instances[cx.inst].ret.clone();
        let slot = self.ret_slot(cx)?;
        if ret_t == Type::Object {
            let old = self.b.build_load(self.ptr_type(), slot, "")?.into_pointer_value();
            self.obj_decref(old)?;
        }
        self.b.build_store(slot, v)?;
        let target = *cx
            .finally_stack
            .last()
            .ok_or_else(|| CgError("return through a missing finally".into()))?;
        for t in cx.temps[target.depth..].to_vec() {
            self.obj_decref(t)?;
        }
        self.b.build_store(target.why, self.ctx.i8_type().const_int(1, false))?;
        self.b.build_unconditional_branch(target.block)?;
        Ok(())
    }

    /// `break` (or `continue`): straight to the loop's block, or, with a `finally` between the
    /// statement and its loop, through that `finally` first. What was evaluated since the loop
    /// (or the `try`) began is released on the way.
    pub(super) fn leave_loop_body(&mut self, cx: &mut FnCx<'ctx>, is_break: bool) -> Cg<()> {
        let (cont, brk, depth, finally_depth) =
            *cx.loops.last().ok_or_else(|| CgError("`break` outside a loop".into()))?;
        if cx.finally_stack.len() > finally_depth {
            let target =
                *cx.finally_stack.last().ok_or_else(|| CgError("no `finally` to run".into()))?;
            for t in cx.temps[target.depth..].to_vec() {
                self.obj_decref(t)?;
            }
            self.b.build_store(
                target.why,
                self.ctx.i8_type().const_int(if is_break { 2 } else { 3 }, false),
            )?;
            self.b.build_unconditional_branch(target.block)?;
            return Ok(());
        }
        for t in cx.temps[depth..].to_vec() {
            self.obj_decref(t)?;
        }
        self.b.build_unconditional_branch(if is_break { brk } else { cont })?;
        Ok(())
    }

    /// The slot where a return value waits for `finally` blocks: made once, in the entry
    /// block, NULL (or zero) from the start, so the failure path can release it.
    fn ret_slot(&mut self, cx: &mut FnCx<'ctx>) -> Cg<PointerValue<'ctx>> {
        if let Some(s) = cx.ret_slot {
            return Ok(s);
        }
        let ty = self.llvm_type(&self.prog.instances[cx.inst].ret.clone());
        let s = self.entry_alloca(cx, ty, "returned")?;
        let here = self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        let loc = self.b.get_current_debug_location();
        match s.as_instruction_value().and_then(|i| i.get_next_instruction()) {
            Some(next) => self.b.position_before(&next),
            None => return Err(CgError("entry alloca without a successor".into())),
        }
        self.b.build_store(s, ty.const_zero())?;
        self.b.position_at_end(here);
        if let Some(l) = loc {
            self.b.set_current_debug_location(l);
        }
        cx.ret_slot = Some(s);
        Ok(s)
    }

    /// After a `finally` that a `return` came through: the next enclosing `finally`, or the
    /// return itself.
    fn continue_return(&mut self, cx: &mut FnCx<'ctx>) -> Cg<()> {
        let slot = self.ret_slot(cx)?;
        let ret_t = self.prog.instances[cx.inst].ret.clone();
        let v = self.b.build_load(self.llvm_type(&ret_t), slot, "")?;
        if ret_t == Type::Object {
            self.b.build_store(slot, self.ptr_type().const_null())?;
        }
        if cx.finally_stack.is_empty() {
            self.return_value(cx, v)?;
        } else {
            self.return_through_finally(cx, v)?;
        }
        Ok(())
    }

    /// Sets the handled exception `context` as the `__context__` of the exception now being
    /// raised (unless it is the same one, re-raised).
    fn chain_context(&mut self, context: PointerValue<'ctx>) -> Cg<()> {
        let func = self
            .b
            .get_insert_block()
            .and_then(|b| b.get_parent())
            .ok_or_else(|| CgError("chain outside a function".into()))?;
        let [tp, value, tb] = self.fetch_exception()?;
        let differ = self.b.build_int_compare(IntPredicate::NE, value, context, "")?;
        let both = self.b.build_and(
            differ,
            self.b.build_and(
                self.b.build_is_not_null(value, "")?,
                self.b.build_is_not_null(context, "")?,
                "",
            )?,
            "",
        )?;
        let set = self.append(func, "except.set_context");
        let done = self.append(func, "except.chained");
        self.b.build_conditional_branch(both, set, done)?;
        self.b.position_at_end(set);
        // PyException_SetContext takes the reference it is given.
        self.obj_incref(context)?;
        call(self, "PyException_SetContext", &[value.into(), context.into()])?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        call(self, "PyErr_Restore", &[tp.into(), value.into(), tb.into()])?;
        Ok(())
    }

    /// Takes the current exception: (type, value, traceback), new references, the value
    /// normalized and carrying its traceback (NULL where there is none).
    fn fetch_exception(&mut self) -> Cg<[PointerValue<'ctx>; 3]> {
        let p = self.ptr_type();
        let slots: Vec<PointerValue> =
            (0..3).map(|_| self.b.build_alloca(p, "exc")).collect::<Result<_, _>>()?;
        call(self, "PyErr_Fetch", &[slots[0].into(), slots[1].into(), slots[2].into()])?;
        call(
            self,
            "PyErr_NormalizeException",
            &[slots[0].into(), slots[1].into(), slots[2].into()],
        )?;
        let tp = self.b.build_load(p, slots[0], "")?.into_pointer_value();
        let value = self.b.build_load(p, slots[1], "")?.into_pointer_value();
        let tb = self.b.build_load(p, slots[2], "")?.into_pointer_value();
        let has_tb = self.b.build_is_not_null(tb, "")?;
        let value_ok = self.b.build_is_not_null(value, "")?;
        let both = self.b.build_and(has_tb, value_ok, "")?;
        let set = self.append(
            self.b
                .current_block()?
                .get_parent()
                .ok_or_else(|| CgError("a block outside a function".into()))?,
            "except.tb",
        );
        let done = self.append(
            self.b
                .current_block()?
                .get_parent()
                .ok_or_else(|| CgError("a block outside a function".into()))?,
            "except.fetched",
        );
        self.b.build_conditional_branch(both, set, done)?;
        self.b.position_at_end(set);
        call(self, "PyException_SetTraceback", &[value.into(), tb.into()])?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        Ok([tp, value, tb])
    }

    /// The module's flag saying lists have the layout loops read directly: set by the probe
    /// in `pyaot.exec` (present when some code reads it); loops over lists use the iterator
    /// protocol while it is off.
    fn list_layout_flag(&mut self) -> GlobalValue<'ctx> {
        if let Some(g) = self.module.get_global(LIST_LAYOUT_FLAG) {
            return g;
        }
        let g = self.module.add_global(self.ctx.bool_type(), None, LIST_LAYOUT_FLAG);
        g.set_initializer(&self.ctx.bool_type().const_zero());
        g.set_linkage(Linkage::Private);
        g
    }

    /// A field of an object at a byte offset.
    fn load_field(
        &self,
        obj: PointerValue<'ctx>,
        offset: u64,
        ty: inkwell::types::BasicTypeEnum<'ctx>,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let at = unsafe {
            self.b.build_in_bounds_gep(self.ctx.i8_type(), obj, &[self.i64(offset as i64)], "")?
        };
        Ok(self.b.build_load(ty, at, "")?)
    }

    /// In `pyaot.exec`: builds `[None]` and checks that its size is at offset 16 and its item
    /// array at 24 (PyListObject in every CPython so far); sets the flag when they are.
    fn probe_list_layout(&mut self, flag: GlobalValue<'ctx>) -> Cg<()> {
        let func = self
            .b
            .get_insert_block()
            .and_then(|b| b.get_parent())
            .ok_or_else(|| CgError("probe outside a function".into()))?;
        let list = call_value(self, "PyList_New", &[self.i64(1).into()])?.into_pointer_value();
        let check = self.append(func, "init.probe");
        let done = self.append(func, "init.probed");
        let null = self.b.build_is_null(list, "")?;
        // No list (out of memory): the flag stays off and loops use the iterator.
        call(self, "PyErr_Clear", &[])?;
        self.b.build_conditional_branch(null, done, check)?;
        self.b.position_at_end(check);
        let none = data_symbol(self, "_Py_NoneStruct");
        self.obj_incref(none)?;
        call(self, "PyList_SetItem", &[list.into(), self.i64(0).into(), none.into()])?;
        let size = self.load_field(list, 16, self.ctx.i64_type().into())?.into_int_value();
        let items = self.load_field(list, 24, self.ptr_type().into())?.into_pointer_value();
        let first = self.b.build_load(self.ptr_type(), items, "")?.into_pointer_value();
        let allocated = self.load_field(list, 32, self.ctx.i64_type().into())?.into_int_value();
        let size_ok = self.b.build_int_compare(IntPredicate::EQ, size, self.i64(1), "")?;
        let item_ok = self.b.build_int_compare(IntPredicate::EQ, first, none, "")?;
        let allocated_ok =
            self.b.build_int_compare(IntPredicate::EQ, allocated, self.i64(1), "")?;
        let ok = self.b.build_and(self.b.build_and(size_ok, item_ok, "")?, allocated_ok, "")?;
        self.b.build_store(flag.as_pointer_value(), ok)?;
        self.obj_decref(list)?;
        self.b.build_unconditional_branch(done)?;
        self.b.position_at_end(done);
        Ok(())
    }

    /// Creates the module objects (`pyaot.exec`, the module's Py_mod_exec slot): 0, or -1 with
    /// the error set (a failing import makes importing the extension fail).
    pub(super) fn generate_exec(&mut self) -> Cg<Option<inkwell::values::FunctionValue<'ctx>>> {
        if self.module_objects.is_empty()
            && self.prog.init.is_none()
            && self.module.get_global(LIST_LAYOUT_FLAG).is_none()
            && self.module.get_global("pyaot.module").is_none()
        {
            return Ok(None);
        }
        let p = self.ptr_type();
        let i32t = self.ctx.i32_type();
        let func = self.module.add_function(
            "pyaot.exec",
            i32t.fn_type(&[p.into()], false),
            Some(Linkage::Internal),
        );
        let scope = self.glue_subprogram(func, "pyaot.exec");
        let entry = self.append(func, "init");
        self.b.position_at_end(entry);
        let loc = self.di.create_debug_location(self.ctx, 0, 0, scope, None);
        self.b.set_current_debug_location(loc);
        let fail = self.append(func, "init.fail");
        // Boxing constants may add more objects (the strings of nothing): iterate by index.
        let mut i = 0;
        while i < self.module_objects.len() {
            let (what, g) = self.module_objects[i].clone();
            let obj = match &what {
                // This module's own values come from `<module>`, below.
                ModuleObject::Import(path) if path.module.is_empty() => {
                    i += 1;
                    continue;
                }
                ModuleObject::Str(s) => {
                    let bytes = self.cstr(s)?;
                    let o = call_value(
                        self,
                        "PyUnicode_FromStringAndSize",
                        &[bytes.into(), self.i64(s.len() as i64).into()],
                    )?
                    .into_pointer_value();
                    let next = self.append(func, "init.intern");
                    let null = self.b.build_is_null(o, "")?;
                    self.b.build_conditional_branch(null, fail, next)?;
                    self.b.position_at_end(next);
                    self.b.build_store(g.as_pointer_value(), o)?;
                    call(self, "PyUnicode_InternInPlace", &[g.as_pointer_value().into()])?;
                    i += 1;
                    continue;
                }
                ModuleObject::Const(c) => self.exec_const(func, c, fail)?,
                ModuleObject::FunctionValue(inst) => {
                    let f = &self.hir.functions[self.prog.instances[*inst].func];
                    let name = f.name.clone();
                    let def =
                        self.callable_def(*inst, &name, &name, super::classes::Receiver::Nothing)?;
                    let null = self.ptr_type().const_null();
                    call_value(self, "PyCFunction_NewEx", &[def.into(), null.into(), null.into()])?
                        .into_pointer_value()
                }
                ModuleObject::Function(inst, captured) => {
                    let def = self.lambda_method_def(*inst, *captured)?;
                    let null = self.ptr_type().const_null();
                    call_value(self, "PyCFunction_NewEx", &[def.into(), null.into(), null.into()])?
                        .into_pointer_value()
                }
                ModuleObject::Import(path) => {
                    let name = self.cstr(&path.module)?;
                    let mut o = call_value(self, "PyImport_ImportModule", &[name.into()])?
                        .into_pointer_value();
                    // An attribute read of a module (not `from m import x`, and not a builtin)
                    // may be missing: the slot stays NULL and the line that reads it looks
                    // again, raising AttributeError there (`object_expr`).
                    let eager = self.attrs_required_at_import(path);
                    let tolerant = path.attrs.len() > eager;
                    let skip =
                        if tolerant { Some(self.append(func, "init.missing")) } else { None };
                    for (k, attr) in path.attrs.iter().enumerate() {
                        let next = self.append(func, "init.attr");
                        let null = self.b.build_is_null(o, "")?;
                        // Here `o` is what attribute k - 1 gave (the module for k = 0).
                        let on_null = match skip {
                            Some(skip) if k > eager => skip,
                            _ => fail,
                        };
                        self.b.build_conditional_branch(null, on_null, next)?;
                        self.b.position_at_end(next);
                        let attr_name = self.cstr(attr)?;
                        let a = call_value(
                            self,
                            "PyObject_GetAttrString",
                            &[o.into(), attr_name.into()],
                        )?
                        .into_pointer_value();
                        self.obj_decref(o)?;
                        o = a;
                    }
                    if let Some(skip) = skip {
                        let found = self.append(func, "init.found");
                        let resume = self.append(func, "init.resume");
                        let null = self.b.build_is_null(o, "")?;
                        self.b.build_conditional_branch(null, skip, found)?;
                        self.b.position_at_end(skip);
                        call(self, "PyErr_Clear", &[])?;
                        self.b.build_unconditional_branch(resume)?;
                        self.b.position_at_end(found);
                        self.b.build_store(g.as_pointer_value(), o)?;
                        self.b.build_unconditional_branch(resume)?;
                        self.b.position_at_end(resume);
                        i += 1;
                        continue;
                    }
                    o
                }
            };
            let next = self.append(func, "init.next");
            let null = self.b.build_is_null(obj, "")?;
            self.b.build_conditional_branch(null, fail, next)?;
            self.b.position_at_end(next);
            self.b.build_store(g.as_pointer_value(), obj)?;
            i += 1;
        }
        if let Some(flag) = self.module.get_global(LIST_LAYOUT_FLAG) {
            self.probe_list_layout(flag)?;
        }
        if let Some(g) = self.module.get_global("pyaot.module") {
            let module =
                func.get_nth_param(0).ok_or_else(|| CgError("exec without its module".into()))?;
            self.b.build_store(g.as_pointer_value(), module)?;
        }
        if let Some(init) = self.prog.init {
            self.run_module_init(func, init, fail)?;
        }
        self.b.build_return(Some(&i32t.const_zero()))?;
        self.b.position_at_end(fail);
        self.b.build_return(Some(&i32t.const_all_ones()))?;
        Ok(Some(func))
    }

    /// In `pyaot.exec`: runs `<module>`, then stores each module-level value where compiled
    /// functions read it, and as an attribute of the module (Python code sees it too).
    fn run_module_init(
        &mut self,
        exec: inkwell::values::FunctionValue<'ctx>,
        init: crate::types::InstanceId,
        fail: inkwell::basic_block::BasicBlock<'ctx>,
    ) -> Cg<()> {
        let module = exec
            .get_nth_param(0)
            .ok_or_else(|| CgError("exec without its module".into()))?
            .into_pointer_value();
        let ret_t = self.prog.instances[init].ret.clone();
        let flag = self.failed_flag()?;
        let v = self
            .b
            .build_call(self.natives[init], &[flag.into()], "")?
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| CgError("init returned void".into()))?;
        let failed = self.b.build_load(self.ctx.bool_type(), flag, "failed")?.into_int_value();
        let ran = self.append(exec, "init.ran");
        self.b.build_conditional_branch(failed, fail, ran)?;
        self.b.position_at_end(ran);
        let boxer = cpython::box_fn(self, &ret_t)?;
        let tuple = self.b.build_call(boxer, &[v.into()], "")?.value()?.into_pointer_value();
        let boxed = self.append(exec, "init.boxed");
        let null = self.b.build_is_null(tuple, "")?;
        self.b.build_conditional_branch(null, fail, boxed)?;
        self.b.position_at_end(boxed);
        for (i, name) in self.hir.module_globals.clone().iter().enumerate() {
            let item =
                call_value(self, "PyTuple_GetItem", &[tuple.into(), self.i64(i as i64).into()])?
                    .into_pointer_value();
            self.obj_incref(item)?;
            let slot = self.module_object(ModuleObject::Import(PyPath {
                module: String::new(),
                attrs: vec![name.clone()],
            }));
            self.b.build_store(slot.as_pointer_value(), item)?;
            let attr = self.cstr(name)?;
            let r = call_value(
                self,
                "PyObject_SetAttrString",
                &[module.into(), attr.into(), item.into()],
            )?
            .into_int_value();
            let next = self.append(exec, "init.set");
            let bad = self.b.build_int_compare(
                IntPredicate::NE,
                r,
                self.ctx.i32_type().const_zero(),
                "",
            )?;
            self.b.build_conditional_branch(bad, fail, next)?;
            self.b.position_at_end(next);
        }
        self.obj_decref(tuple)?;
        Ok(())
    }

    /// A constant as a new Python object, in `pyaot.exec` (NULL goes to `fail`): numbers boxed,
    /// strings created, tuples item by item (a module constant like `("a", "b")`).
    fn exec_const(
        &mut self,
        func: inkwell::values::FunctionValue<'ctx>,
        c: &Const,
        fail: inkwell::basic_block::BasicBlock<'ctx>,
    ) -> Cg<PointerValue<'ctx>> {
        let obj = match c {
            Const::Str(s) => {
                let bytes = self.cstr(s)?;
                call_value(
                    self,
                    "PyUnicode_FromStringAndSize",
                    &[bytes.into(), self.i64(s.len() as i64).into()],
                )?
                .into_pointer_value()
            }
            Const::Tuple(items) if const_type(c) == Type::Object => {
                let tuple =
                    call_value(self, "PyTuple_New", &[self.i64(items.len() as i64).into()])?
                        .into_pointer_value();
                for (i, item) in items.iter().enumerate() {
                    let next = self.append(func, "init.item");
                    let null = self.b.build_is_null(tuple, "")?;
                    self.b.build_conditional_branch(null, fail, next)?;
                    self.b.position_at_end(next);
                    let o = self.exec_const(func, item, fail)?;
                    call(
                        self,
                        "PyTuple_SetItem",
                        &[tuple.into(), self.i64(i as i64).into(), o.into()],
                    )?;
                }
                tuple
            }
            other => {
                let t = const_type(other);
                let v = self.const_value(other);
                let boxer = cpython::box_fn(self, &t)?;
                self.b.build_call(boxer, &[v.into()], "")?.value()?.into_pointer_value()
            }
        };
        let next = self.append(func, "init.const");
        let null = self.b.build_is_null(obj, "")?;
        self.b.build_conditional_branch(null, fail, next)?;
        self.b.position_at_end(next);
        Ok(obj)
    }

    /// A static PyMethodDef (METH_FASTCALL) for a compiled lambda: its wrapper checks the
    /// number of arguments, passes them (borrowed) to the native instance and boxes the result.
    fn lambda_method_def(
        &mut self,
        inst: crate::types::InstanceId,
        captured: usize,
    ) -> Cg<PointerValue<'ctx>> {
        let name = format!("pyaot.lambdadef.{inst}");
        if let Some(g) = self.module.get_global(&name) {
            return Ok(g.as_pointer_value());
        }
        let p = self.ptr_type();
        let i64t = self.ctx.i64_type();
        let i32t = self.ctx.i32_type();
        let n = self.prog.instances[inst].params.len() - captured;
        let ret_t = self.prog.instances[inst].ret.clone();
        let native = self.natives[inst];
        let ty = p.fn_type(&[p.into(), p.into(), i64t.into()], false);
        let wrapper_name = format!("pyaot.lambda.{inst}");
        let wrapper = capi::in_new_function(self, &wrapper_name, ty, move |cg, f| {
            let captures = f.param(0)?.into_pointer_value();
            let args = f.param(1)?.into_pointer_value();
            let nargs = f.param(2)?.into_int_value();
            let right = cg.b.build_int_compare(IntPredicate::EQ, nargs, cg.i64(n as i64), "")?;
            let call_bb = cg.append(f, "call");
            let wrong = cg.append(f, "fail.arity");
            cg.b.build_conditional_branch(right, call_bb, wrong)?;
            cg.b.position_at_end(wrong);
            let type_error = cg.b.build_load(p, capi::exception_global(cg, "TypeError"), "")?;
            let fmt = cg.cstr(&format!(
                "<lambda>() takes {n} positional argument{} but %zd were given",
                if n == 1 { "" } else { "s" }
            ))?;
            call(cg, "PyErr_Format", &[type_error.into(), fmt.into(), nargs.into()])?;
            cg.b.build_return(Some(&p.const_null()))?;
            cg.b.position_at_end(call_bb);
            let mut vals: Vec<BasicMetadataValueEnum> = Vec::new();
            // The captured values first (borrowed from the `self` tuple), then the arguments.
            for k in 0..captured {
                vals.push(
                    call_value(cg, "PyTuple_GetItem", &[captures.into(), cg.i64(k as i64).into()])?
                        .into(),
                );
            }
            for k in 0..n {
                let at = unsafe { cg.b.build_in_bounds_gep(p, args, &[cg.i64(k as i64)], "")? };
                vals.push(cg.b.build_load(p, at, "")?.into());
            }
            if cg.is_recursive(inst) {
                vals.push(cg.i64(0).into());
            }
            let flag = cg.failed_flag()?;
            vals.push(flag.into());
            let v = cg.b.build_call(native, &vals, "")?.value()?;
            let failed = cg.b.build_load(cg.ctx.bool_type(), flag, "failed")?.into_int_value();
            let ok = cg.append(f, "returned");
            let fail = cg.append(f, "fail");
            cg.b.build_conditional_branch(failed, fail, ok)?;
            cg.b.position_at_end(fail);
            cg.b.build_return(Some(&p.const_null()))?;
            cg.b.position_at_end(ok);
            let boxer = cpython::box_fn(cg, &ret_t)?;
            let obj = cg.b.build_call(boxer, &[v.into()], "")?.value()?;
            cg.b.build_return(Some(&obj))?;
            Ok(())
        })?;
        let method_ty = self.ctx.struct_type(&[p.into(), p.into(), i32t.into(), p.into()], false);
        let lambda_name = self.cstr("<lambda>")?;
        let def = self.module.add_global(method_ty, None, &name);
        def.set_initializer(&method_ty.const_named_struct(&[
            lambda_name.into(),
            wrapper.as_global_value().as_pointer_value().into(),
            i32t.const_int(0x80, false).into(),
            p.const_null().into(),
        ]));
        def.set_linkage(Linkage::Private);
        Ok(def.as_pointer_value())
    }

    /// Whether an instance, or one it calls, uses Python objects (then it holds the GIL).
    pub(super) fn uses_objects(&self, id: crate::types::InstanceId) -> bool {
        let mut seen = vec![false; self.prog.instances.len()];
        let mut stack = vec![id];
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            let inst = &self.prog.instances[i];
            // Catching exceptions takes them from the interpreter: that needs the GIL too.
            let mut catches = false;
            fn find_try(stmts: &[Stmt], found: &mut bool) {
                for s in stmts {
                    *found |= matches!(s.kind, hir::StmtKind::Try { .. });
                    s.kind.blocks().into_iter().for_each(|b| find_try(b, found));
                }
            }
            find_try(&self.hir.functions[inst.func].body, &mut catches);
            // A store through a mask or an index array is numpy's indexing, through Python,
            // whatever the index's own type (a native bool array, `b[b < lo] = lo`).
            fn numpy_store(stmts: &[Stmt], inst: &crate::types::Instance, found: &mut bool) {
                let numpy = |indices: &[hir::Index]| {
                    indices.iter().any(|ix| {
                        matches!(ix, hir::Index::At(e) if crate::types::numpy_index(e, &inst.exprs[e.id]))
                    })
                };
                use crate::types::elementwise::{native_store, stores_view, view_type};
                // numpy's own assignment into a view of what pyaot does not store natively.
                let numpy_view = |array: &hir::Expr,
                                  indices: &[hir::Index],
                                  value: &hir::Expr,
                                  op: Option<hir::BinOp>| {
                    matches!(&inst.exprs[array.id], Type::Array(at)
                        if stores_view(at, indices)
                            && !native_store(&view_type(at, indices), &inst.exprs[value.id], op.map(|op| (op, value))))
                };
                for s in stmts {
                    *found |= match &s.kind {
                        hir::StmtKind::Assign {
                            target: hir::Target::Item(array, indices, _),
                            value,
                        } => numpy(indices) || numpy_view(array, indices, value, None),
                        hir::StmtKind::AugAssignItem { array, indices, value, op, .. } => {
                            numpy(indices) || numpy_view(array, indices, value, Some(*op))
                        }
                        _ => false,
                    };
                    s.kind.blocks().into_iter().for_each(|b| numpy_store(b, inst, found));
                }
            }
            numpy_store(&self.hir.functions[inst.func].body, inst, &mut catches);
            // numpy computes a natively typed result (types/numpy_calls.rs).
            hir::for_each_expr(&self.hir.functions[inst.func].body, &mut |e| {
                catches |= numpy_calls::through_numpy(e, &|x| inst.exprs[x.id].clone());
            });
            if catches {
                return true;
            }
            if inst
                .exprs
                .iter()
                .chain(&inst.locals)
                .chain(&inst.params)
                .chain(std::iter::once(&inst.ret))
                .any(|t| *t == Type::Object)
            {
                return true;
            }
            stack.extend(inst.calls.values().copied());
        }
        false
    }

    /// Whether evaluating `e` goes through the object fallback (its type is object, or it
    /// reads objects for a native result).
    pub(super) fn is_object_expr(&self, cx: &FnCx<'ctx>, e: &Expr) -> bool {
        if self.ty(cx, e) == Type::Object {
            return !matches!(e.kind, ExprKind::IfExp(..) | ExprKind::Call(..));
        }
        match &e.kind {
            // `is` between native values is answered natively (`Codegen::compare`): boxing them
            // would give fresh objects, and need the GIL inside loops that run without it.
            ExprKind::Compare(first, rest) => std::iter::once(&**first)
                .chain(rest.iter().map(|(_, x)| x))
                .any(|x| self.ty(cx, x) == Type::Object),
            ExprKind::Builtin(_, args) => args.iter().any(|a| self.ty(cx, a) == Type::Object),
            ExprKind::Unary(UnaryOp::Not, x) => self.ty(cx, x) == Type::Object,
            // numpy computes it; the result is held natively (types/numpy_calls.rs).
            ExprKind::CallObject(..) | ExprKind::CallMethod(..) | ExprKind::Reduce(..) => {
                numpy_calls::through_numpy(e, &|x| self.ty(cx, x))
            }
            _ => false,
        }
    }

    /// Native-typed expressions that read objects (see `is_object_expr`).
    pub(super) fn object_to_native_expr(
        &mut self,
        cx: &mut FnCx<'ctx>,
        e: &Expr,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let t = self.ty(cx, e);
        match &e.kind {
            ExprKind::Compare(first, rest) => self.object_compare_chain(cx, first, rest, &t),
            ExprKind::Builtin(b, args) => self.object_builtin(cx, *b, args, &t),
            ExprKind::Unary(UnaryOp::Not, x) => {
                let v = self.object(cx, x)?;
                let truth = self.object_truth(cx, v.into())?;
                Ok(self.b.build_not(truth, "")?.into())
            }
            ExprKind::CallObject(..) | ExprKind::CallMethod(..) | ExprKind::Reduce(..) => {
                let obj = self.object_expr(cx, e)?;
                let what = numpy_calls::call_name(e);
                self.numpy_result(cx, obj, &t, &what)
            }
            _ => Err(CgError("no native value from this object expression".into())),
        }
    }
}

/// A piece of a string built in a buffer: literal text, or a native int or bool.
enum Piece<'e> {
    Text(&'e str),
    Value(&'e Expr),
}

/// Operators with a native fast path for exact Python ints.
fn int_fast_op(op: BinOp) -> bool {
    matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::FloorDiv | BinOp::Mod)
}

/// The ids of the loop-item expressions in the first statement of a for-each body.
fn each_item_ids(body: &[Stmt]) -> Vec<hir::ExprId> {
    let mut ids = Vec::new();
    if let Some(first) = body.first() {
        hir::for_each_expr(std::slice::from_ref(first), &mut |e| {
            if let ExprKind::EachItem(..) = e.kind {
                ids.push(e.id);
            }
        });
    }
    ids
}

fn expr_kind_name(k: &ExprKind) -> &'static str {
    match k {
        ExprKind::Const(_) => "a constant",
        ExprKind::Local(_) => "a local",
        ExprKind::NpCreate(..) => "a numpy call",
        _ => "this expression",
    }
}
