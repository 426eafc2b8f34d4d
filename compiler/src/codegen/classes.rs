//! Emits the classes of a module (`ExprKind::MakeClass`, run by `<module>` at import): the
//! class object is what Python's `type(name, bases, namespace)` makes, so instances, subclassing
//! from Python, `isinstance`, pickling and dunder methods behave as Python's; each method is a
//! compiled function (object parameters) in the namespace, bound as Python binds functions:
//! instance methods and property getters through method descriptors, `@classmethod` through a
//! class-method descriptor, `@staticmethod` as a builtin function in a `staticmethod`. The
//! descriptors are made for `object`, so they bind to any instance, as a Python function does.

use super::basics::{CallResult, FunctionParams};
use super::capi::{self, call, call_value, data_symbol};
use super::cpython;
use super::state::{Cg, CgError, Codegen, FnCx, ModuleObject};
use crate::hir::{ClassDef, MethodDecorator, MethodKind, PyPath};
use crate::types::InstanceId;
use inkwell::module::Linkage;
use inkwell::values::{BasicMetadataValueEnum, PointerValue};
use inkwell::IntPredicate;

/// METH_FASTCALL | METH_KEYWORDS.
const FASTCALL_KEYWORDS: u64 = 0x80 | 0x02;

/// What the C `self` of a compiled callable gives the function: nothing (a module function or
/// static method), its first parameter (the instance or class of a method), or its first
/// parameters, from a tuple (the captured values of a closure).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Receiver {
    Nothing,
    First,
    Captures(usize),
}

impl<'ctx> Codegen<'ctx, '_> {
    /// The class `class` describes, as a new reference.
    pub(super) fn make_class(
        &mut self,
        cx: &mut FnCx<'ctx>,
        class: &ClassDef,
    ) -> Cg<PointerValue<'ctx>> {
        let p = self.ptr_type();
        let ns = call_value(self, "PyDict_New", &[])?.into_pointer_value();
        self.check_null(cx, ns)?;
        cx.temps.push(ns);
        let module_name = self.hir.name.clone();
        let mut entries: Vec<(String, PointerValue<'ctx>)> = vec![
            ("__module__".into(), self.load_module_object(ModuleObject::Str(module_name))?),
            (
                "__qualname__".into(),
                self.load_module_object(ModuleObject::Str(class.name.clone()))?,
            ),
        ];
        if let Some(doc) = &class.doc {
            entries
                .push(("__doc__".into(), self.load_module_object(ModuleObject::Str(doc.clone()))?));
        }
        for (key, value) in entries {
            self.dict_set(cx, ns, &key, value)?;
        }
        for (key, value) in &class.attrs {
            let v = self.temp_object(cx, value)?;
            self.dict_set(cx, ns, key, v)?;
            self.release_temps(cx, 1)?;
        }
        let object_type = data_symbol(self, "PyBaseObject_Type");
        for m in &class.methods {
            let inst = *self.prog.instances[cx.inst]
                .calls
                .get(&m.func.id)
                .ok_or_else(|| CgError("a method without an instance".into()))?;
            let qualname = format!("{}.{}", class.name, m.name);
            let receiver =
                if m.kind == MethodKind::Static { Receiver::Nothing } else { Receiver::First };
            let def = self.callable_def(inst, &qualname, &m.name, receiver)?;
            let descr = match m.kind {
                MethodKind::Instance | MethodKind::Property => {
                    call_value(self, "PyDescr_NewMethod", &[object_type.into(), def.into()])?
                }
                MethodKind::Class => {
                    call_value(self, "PyDescr_NewClassMethod", &[object_type.into(), def.into()])?
                }
                MethodKind::Static => call_value(
                    self,
                    "PyCFunction_NewEx",
                    &[def.into(), p.const_null().into(), p.const_null().into()],
                )?,
            }
            .into_pointer_value();
            self.check_null(cx, descr)?;
            cx.temps.push(descr);
            let wrapper = match m.kind {
                MethodKind::Static => Some("staticmethod"),
                MethodKind::Property => Some("property"),
                _ => None,
            };
            let value = match wrapper {
                Some(name) => {
                    let callee =
                        self.load_module_object(ModuleObject::Import(PyPath::builtin(name)))?;
                    let wrapped = self.call_positional(cx, callee, &[descr])?;
                    cx.temps.push(wrapped);
                    wrapped
                }
                None => descr,
            };
            let mut value = value;
            let mut held = if wrapper.is_some() { 2 } else { 1 };
            for d in &m.decorators {
                let made = match d {
                    MethodDecorator::Call(deco) => {
                        let f = self.temp_object(cx, deco)?;
                        held += 1;
                        self.call_positional(cx, f, &[value])?
                    }
                    // `ns[x].setter(value)`: the property made earlier in this class.
                    MethodDecorator::Accessor(prop, which) => {
                        let key = self.load_module_object(ModuleObject::Str(prop.clone()))?;
                        let current =
                            call_value(self, "PyDict_GetItemWithError", &[ns.into(), key.into()])?
                                .into_pointer_value();
                        self.check_null(cx, current)?;
                        let method = self.load_module_object(ModuleObject::Str(which.clone()))?;
                        let r = call_value(
                            self,
                            "PyObject_CallMethodObjArgs",
                            &[current.into(), method.into(), value.into(), p.const_null().into()],
                        )?
                        .into_pointer_value();
                        self.check_null(cx, r)?
                    }
                };
                cx.temps.push(made);
                held += 1;
                value = made;
            }
            self.dict_set(cx, ns, &m.name, value)?;
            self.release_temps(cx, held)?;
        }
        if !class.annotations.is_empty() {
            let annotations = call_value(self, "PyDict_New", &[])?.into_pointer_value();
            self.check_null(cx, annotations)?;
            cx.temps.push(annotations);
            for (key, value) in &class.annotations {
                let v = self.temp_object(cx, value)?;
                self.dict_set(cx, annotations, key, v)?;
                self.release_temps(cx, 1)?;
            }
            self.dict_set(cx, ns, "__annotations__", annotations)?;
            self.release_temps(cx, 1)?;
        }
        let bases = self.collection(cx, "PyTuple_New", &class.bases)?;
        cx.temps.push(bases);
        let keywords = call_value(self, "PyDict_New", &[])?.into_pointer_value();
        self.check_null(cx, keywords)?;
        cx.temps.push(keywords);
        for (key, value) in &class.keywords {
            let v = self.temp_object(cx, value)?;
            self.dict_set(cx, keywords, key, v)?;
            self.release_temps(cx, 1)?;
        }
        // types.new_class does what a class statement does with the bases (`__mro_entries__`:
        // NamedTuple, Generic[T]), the metaclass and `__prepare__`; its body callback copies
        // the namespace made here: operator.methodcaller("update", ns).
        let new_class = self.import_attr(cx, "types", "new_class")?;
        cx.temps.push(new_class);
        let methodcaller = self.import_attr(cx, "operator", "methodcaller")?;
        cx.temps.push(methodcaller);
        let update = self.load_module_object(ModuleObject::Str("update".into()))?;
        let body = self.call_positional(cx, methodcaller, &[update, ns])?;
        cx.temps.push(body);
        let name = self.load_module_object(ModuleObject::Str(class.name.clone()))?;
        let cls = self.call_positional(cx, new_class, &[name, bases, keywords, body])?;
        self.release_temps(cx, 6)?;
        Ok(cls)
    }

    /// `module.attr`, imported now (a new reference; class creation runs once, at import).
    fn import_attr(
        &mut self,
        cx: &mut FnCx<'ctx>,
        module: &str,
        attr: &str,
    ) -> Cg<PointerValue<'ctx>> {
        let module_name = self.cstr(module)?;
        let m =
            call_value(self, "PyImport_ImportModule", &[module_name.into()])?.into_pointer_value();
        self.check_null(cx, m)?;
        cx.temps.push(m);
        let attr_name = self.cstr(attr)?;
        let a = call_value(self, "PyObject_GetAttrString", &[m.into(), attr_name.into()])?
            .into_pointer_value();
        self.release_temps(cx, 1)?;
        self.check_null(cx, a)
    }

    /// `ns[key] = value` (value borrowed), leaving the function if it fails.
    fn dict_set(
        &mut self,
        cx: &mut FnCx<'ctx>,
        ns: PointerValue<'ctx>,
        key: &str,
        value: PointerValue<'ctx>,
    ) -> Cg<()> {
        let key = self.load_module_object(ModuleObject::Str(key.to_string()))?;
        let r = call_value(self, "PyDict_SetItem", &[ns.into(), key.into(), value.into()])?
            .into_int_value();
        let failed =
            self.b.build_int_compare(IntPredicate::NE, r, self.ctx.i32_type().const_zero(), "")?;
        self.leave_if(cx, failed)
    }

    /// The `PyMethodDef` of a compiled function called from Python (a method, or a module
    /// function used as a value): a fastcall wrapper binding the arguments by position or name
    /// (defaults for the rest), calling the function (with the instance or class first when
    /// `receiver` says so), and boxing its result.
    pub(super) fn callable_def(
        &mut self,
        inst: InstanceId,
        qualname: &str,
        short_name: &str,
        receiver: Receiver,
    ) -> Cg<PointerValue<'ctx>> {
        let name = format!("pyaot.methoddef.{inst}");
        if let Some(g) = self.module.get_global(&name) {
            return Ok(g.as_pointer_value());
        }
        let p = self.ptr_type();
        let i64t = self.ctx.i64_type();
        let i32t = self.ctx.i32_type();
        let func = &self.hir.functions[self.prog.instances[inst].func];
        let skip = match receiver {
            Receiver::Nothing => 0,
            Receiver::First => 1,
            Receiver::Captures(n) => n,
        };
        let visible: Vec<(String, Option<crate::hir::Const>, Option<String>)> = func.params[skip..]
            .iter()
            .map(|q| (q.name.clone(), q.default.clone(), q.default_global.clone()))
            .collect();
        let doc = func.doc.clone();
        let ret_t = self.prog.instances[inst].ret.clone();
        let native = self.natives[inst];
        let recursive = self.is_recursive(inst);
        let n = visible.len();
        // The parameters' names, for keywords.
        let mut name_ptrs = Vec::new();
        for (pname, ..) in &visible {
            name_ptrs.push(self.cstr(pname)?);
        }
        let names_ty = p.array_type(n.max(1) as u32);
        let names = self.module.add_global(names_ty, None, &format!("pyaot.methodnames.{inst}"));
        if name_ptrs.is_empty() {
            name_ptrs.push(p.const_null());
        }
        names.set_initializer(&p.const_array(&name_ptrs));
        names.set_constant(true);
        names.set_linkage(Linkage::Private);
        let fname = self.cstr(qualname)?;
        let ty = p.fn_type(&[p.into(), p.into(), i64t.into(), p.into()], false);
        let wrapper_name = format!("pyaot.method.{inst}");
        let wrapper = capi::in_new_function(self, &wrapper_name, ty, move |cg, f| {
            let c_self = f.param(0)?.into_pointer_value();
            let args = f.param(1)?.into_pointer_value();
            let nargs = f.param(2)?.into_int_value();
            let kwnames = f.param(3)?.into_pointer_value();
            let out = cg.b.build_alloca(names_ty, "bound")?;
            let bind = cpython::bind_fn(cg)?;
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
            let bound = cg.append(f, "bound");
            let fail = cg.append(f, "fail");
            let ok = cg.b.build_int_compare(IntPredicate::EQ, r, i32t.const_zero(), "")?;
            cg.b.build_conditional_branch(ok, bound, fail)?;
            cg.b.position_at_end(fail);
            cg.b.build_return(Some(&p.const_null()))?;
            cg.b.position_at_end(bound);
            let mut vals: Vec<BasicMetadataValueEnum> = Vec::new();
            match receiver {
                Receiver::Nothing => {}
                Receiver::First => vals.push(c_self.into()),
                // Borrowed from the tuple, which the callable holds.
                Receiver::Captures(n) => {
                    for k in 0..n {
                        let item = call_value(
                            cg,
                            "PyTuple_GetItem",
                            &[c_self.into(), cg.i64(k as i64).into()],
                        )?;
                        vals.push(item.into());
                    }
                }
            }
            for (k, (pname, default, default_global)) in visible.iter().enumerate() {
                let slot = unsafe { cg.b.build_in_bounds_gep(p, out, &[cg.i64(k as i64)], "")? };
                let given = cg.b.build_load(p, slot, pname)?.into_pointer_value();
                let v = match (default, default_global) {
                    (_, Some(hidden)) => {
                        // Evaluated at import into a module value (borrowed).
                        let path = PyPath { module: String::new(), attrs: vec![hidden.clone()] };
                        let d = cg.load_module_object(ModuleObject::Import(path))?;
                        let missing = cg.b.build_is_null(given, "")?;
                        cg.b.build_select(missing, d, given, "")?.into_pointer_value()
                    }
                    (Some(c), None) => {
                        let d = cg.const_object(c)?;
                        let missing = cg.b.build_is_null(given, "")?;
                        cg.b.build_select(missing, d, given, "")?.into_pointer_value()
                    }
                    (None, None) => {
                        let have = cg.append(f, "given");
                        let missing = cg.append(f, "missing");
                        let is_null = cg.b.build_is_null(given, "")?;
                        cg.b.build_conditional_branch(is_null, missing, have)?;
                        cg.b.position_at_end(missing);
                        let type_error =
                            cg.b.build_load(p, capi::exception_global(cg, "TypeError"), "")?;
                        let fmt = cg.cstr(&format!(
                            "%s() missing 1 required positional argument: '{pname}'"
                        ))?;
                        call(cg, "PyErr_Format", &[type_error.into(), fmt.into(), fname.into()])?;
                        cg.b.build_return(Some(&p.const_null()))?;
                        cg.b.position_at_end(have);
                        given
                    }
                };
                vals.push(v.into());
            }
            if recursive {
                vals.push(cg.i64(0).into());
            }
            let flag = cg.failed_flag()?;
            vals.push(flag.into());
            let v = cg.b.build_call(native, &vals, "")?.value()?;
            let failed = cg.b.build_load(cg.ctx.bool_type(), flag, "failed")?.into_int_value();
            let returned = cg.append(f, "returned");
            let raised = cg.append(f, "raised");
            cg.b.build_conditional_branch(failed, raised, returned)?;
            cg.b.position_at_end(raised);
            cg.b.build_return(Some(&p.const_null()))?;
            cg.b.position_at_end(returned);
            let boxer = cpython::box_fn(cg, &ret_t)?;
            let obj = cg.b.build_call(boxer, &[v.into()], "")?.value()?;
            cg.b.build_return(Some(&obj))?;
            Ok(())
        })?;
        let method_ty = self.ctx.struct_type(&[p.into(), p.into(), i32t.into(), p.into()], false);
        let method_name = self.cstr(short_name)?;
        let doc_ptr = match &doc {
            Some(d) => self.cstr(d)?,
            None => p.const_null(),
        };
        let def = self.module.add_global(method_ty, None, &name);
        def.set_initializer(&method_ty.const_named_struct(&[
            method_name.into(),
            wrapper.as_global_value().as_pointer_value().into(),
            i32t.const_int(FASTCALL_KEYWORDS, false).into(),
            doc_ptr.into(),
        ]));
        def.set_linkage(Linkage::Private);
        Ok(def.as_pointer_value())
    }
}
