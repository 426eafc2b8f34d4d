//! Functions: each instance's native function set up (locals, the failure flag, the depth
//! of recursive instances, the arena of created arrays), its returns, and the facts about
//! calls (recursion, GIL release) the wrappers read.

use super::escape;
use super::state::{Cg, CgError, Codegen};
use super::state::{FnCx, FreshArrays};
use crate::hir::{Stmt, StmtKind};
use crate::types::{falls_through, InstanceId, Type};
use inkwell::types::BasicTypeEnum;
use inkwell::values::{BasicValueEnum, FunctionValue, IntValue, PointerValue};
use inkwell::IntPredicate;
use std::collections::HashMap;

/// Deepest recursion of compiled functions before RecursionError (about 100 bytes of C stack a
/// frame, well inside the 8 MiB main and thread stacks).
pub(super) const MAX_RECURSION_DEPTH: i64 = 20_000;

/// Copies of a directly recursive function, calling each other in a ring (see `generate`).
pub(super) const RECURSION_COPIES: usize = 3;

impl<'ctx> Codegen<'ctx, '_> {
    /// Generates an instance's body into its function, or (`twin`: (copy, next)) into a copy
    /// whose own recursive calls go to `next`.
    pub(super) fn define_native(
        &mut self,
        id: InstanceId,
        twin: Option<(FunctionValue<'ctx>, FunctionValue<'ctx>)>,
    ) -> Cg<()> {
        let inst = &self.prog.instances[id];
        let f = &self.hir.functions[inst.func];
        let func = twin.map_or(self.body_fn(id), |(t, _)| t);
        let scope = self.subprogram(func, &f.name, &f.span);
        let entry = self.append(func, "entry");
        self.b.position_at_end(entry);
        self.set_loc(scope, &f.span);
        let mut locals = Vec::new();
        for (i, l) in f.locals.iter().enumerate() {
            let ty = self.llvm_type(&inst.locals[i]);
            let slot = self.b.build_alloca(ty, &l.name)?;
            // Zero-initialized: reading a local before any assignment gives 0 (see docs/language.md);
            // an object local is NULL until assigned (reading it raises UnboundLocalError).
            self.b.build_store(slot, ty.const_zero())?;
            locals.push(slot);
        }
        let counts_depth = self.is_recursive(id);
        let uses_arena = self.creates_arrays(id);
        let self_call = twin.map(|(_, original)| original);
        let last = func
            .get_last_param()
            .ok_or_else(|| CgError("native without its failed flag".into()))?
            .into_pointer_value();
        let (failed, escape) = if self.escape_bodies.contains_key(&id) {
            (self.failed_flag()?, Some(last))
        } else {
            (last, None)
        };
        let mut cx = FnCx {
            inst: id,
            element_update: false,
            func,
            scope,
            locals,
            loops: Vec::new(),
            unwind: None,
            propagate: None,
            failed,
            escape,
            arena: None,
            counts_depth,
            parallel_body: false,
            self_call,
            temps: Vec::new(),
            each_items: HashMap::new(),
            handlers: Vec::new(),
            handling: Vec::new(),
            spec: None,
            checks_pass: false,
            finally_stack: Vec::new(),
            ret_slot: None,
            fresh: FreshArrays::new(self, func, f, &self.plan.instances[id].fresh),
        };
        for (i, _) in f.params.iter().enumerate() {
            let v =
                func.get_nth_param(i as u32).ok_or_else(|| CgError("missing parameter".into()))?;
            if let Type::Array(at) = &inst.params[i] {
                self.assume_valid_shape(v.into_struct_value(), at.ndim)?;
            }
            // Object arguments are borrowed: the local takes its own reference.
            if inst.params[i] == Type::Object {
                self.obj_incref(v.into_pointer_value())?;
            }
            let v = self.coerce(&mut cx, v, &inst.params[i], &inst.locals[i])?;
            self.b.build_store(cx.locals[i], v)?;
        }
        if uses_arena {
            let slot = self.b.build_alloca(self.ptr_type(), "arena")?;
            self.b.build_store(slot, self.ptr_type().const_null())?;
            cx.arena = Some(slot);
        }
        // The copies of a directly recursive function leave the check to the original, which
        // every cycle of the ring passes through (a few levels of slack, fewer branches).
        if counts_depth && twin.is_none() {
            let depth = self.depth_param(&cx)?;
            let ok = self.b.build_int_compare(
                IntPredicate::SLE,
                depth,
                self.i64(MAX_RECURSION_DEPTH),
                "",
            )?;
            match cx.escape {
                // No Python error set here (that would be a side effect, and LLVM could no
                // longer merge equal calls): the entry raises RecursionError.
                Some(jump_buffer) => escape::guard_depth(self, &cx, ok, jump_buffer)?,
                None => self.guard(
                    &mut cx,
                    ok,
                    "RecursionError",
                    "maximum recursion depth exceeded in compiled code",
                )?,
            }
        }
        self.block(&mut cx, &f.body)?;
        self.set_loc(scope, &f.span);
        if falls_through(&f.body) {
            let none = self.ctx.struct_type(&[], false).const_zero();
            let ret = inst.ret.clone();
            let none = self.coerce(&mut cx, none.into(), &Type::None, &ret)?;
            self.return_value(&cx, none)?;
        } else {
            self.b.build_unreachable()?;
        }
        Ok(())
    }

    pub(super) fn creates_arrays(&self, id: InstanceId) -> bool {
        crate::plan::escape::creates_arrays(self.hir, self.prog, id)
    }

    pub(super) fn is_recursive(&self, id: InstanceId) -> bool {
        crate::plan::escape::is_recursive(self.prog, id)
    }

    /// Whether the wrapper releases the GIL around an instance: when it or something it calls
    /// loops or recurses, so the release (some 20 ns) buys other threads time instead of only
    /// costing. Compiled code takes the GIL back (PyGILState) for every Python call it makes:
    /// raising, creating arrays through numpy, its arena.
    pub(super) fn runs_without_gil(&self, id: InstanceId) -> bool {
        if self.uses_objects(id) {
            return false;
        }
        fn has_loop(stmts: &[Stmt]) -> bool {
            stmts.iter().any(|s| match &s.kind {
                StmtKind::While { .. } | StmtKind::ForRange { .. } => true,
                other => other.blocks().into_iter().any(has_loop),
            })
        }
        let mut seen = vec![false; self.prog.instances.len()];
        let mut stack = vec![id];
        let mut long_running = false;
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            long_running |= has_loop(&self.hir.functions[self.prog.instances[i].func].body)
                || self.is_recursive(i);
            stack.extend(self.prog.instances[i].calls.values().copied());
        }
        long_running
    }

    /// Whether an instance calls itself directly.
    pub(super) fn calls_itself(&self, id: InstanceId) -> bool {
        self.prog.instances[id].calls.values().any(|&c| c == id)
    }

    /// The depth argument of a recursive instance (before the flag): carried in registers,
    /// so counting costs nothing like a memory (or thread-local) counter would.
    pub(super) fn depth_param(&self, cx: &FnCx<'ctx>) -> Cg<IntValue<'ctx>> {
        let n = cx.func.count_params();
        Ok(cx
            .func
            .get_nth_param(n - 2)
            .ok_or_else(|| CgError("recursive instance without depth".into()))?
            .into_int_value())
    }

    /// The depth argument for a call of `callee`: one more than ours if we count, else 0. In a
    /// ring of copies (see `generate`) the original adds the ring's length and the copies pass
    /// their depth on, so every call leaving a body with its copies inlined gets the same depth
    /// and LLVM can merge equal calls of a function that has no side effects.
    pub(super) fn depth_for_call(
        &self,
        cx: &FnCx<'ctx>,
        callee: InstanceId,
    ) -> Cg<Option<IntValue<'ctx>>> {
        if !self.is_recursive(callee) {
            return Ok(None);
        }
        if !cx.counts_depth {
            return Ok(Some(self.i64(0)));
        }
        let step = match (cx.self_call, self.self_calls.contains_key(&cx.inst)) {
            (Some(_), _) => 0,
            (None, true) => RECURSION_COPIES as i64,
            (None, false) => 1,
        };
        Ok(Some(self.b.build_int_nsw_add(self.depth_param(cx)?, self.i64(step), "")?))
    }

    pub(super) fn return_value(&self, cx: &FnCx<'ctx>, v: BasicValueEnum<'ctx>) -> Cg<()> {
        let ret = &self.prog.instances[cx.inst].ret;
        self.release_objects(cx)?;
        self.retain_and_release(cx, Some((v, ret)))?;
        self.b.build_return(Some(&v))?;
        Ok(())
    }

    /// Releases what a function leaving holds: the temporaries (iterators of loops over
    /// objects) and the object locals.
    pub(super) fn release_objects(&self, cx: &FnCx<'ctx>) -> Cg<()> {
        for t in &cx.temps {
            self.obj_decref(*t)?;
        }
        let inst = &self.prog.instances[cx.inst];
        if let (Some(slot), Type::Object) = (cx.ret_slot, &inst.ret) {
            // A return value waiting for a `finally` that failed.
            let v = self.b.build_load(self.ptr_type(), slot, "")?.into_pointer_value();
            self.obj_decref(v)?;
        }
        for (i, slot) in cx.locals.iter().enumerate() {
            if inst.locals[i] == Type::Object && !cx.parallel_body {
                let v = self.b.build_load(self.ptr_type(), *slot, "")?.into_pointer_value();
                // Py_DecRef accepts NULL (a local never assigned).
                self.obj_decref(v)?;
            }
        }
        Ok(())
    }

    /// A fresh `failed` flag for calls into compiled code from here (a wrapper, a parallel
    /// body): a slot in the current function's entry block, cleared where the builder is.
    pub(super) fn failed_flag(&self) -> Cg<PointerValue<'ctx>> {
        let here = self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        let func = here.get_parent().ok_or_else(|| CgError("block without a function".into()))?;
        let entry = func.get_first_basic_block().ok_or_else(|| CgError("no entry block".into()))?;
        let loc = self.b.get_current_debug_location();
        match entry.get_first_instruction() {
            Some(first) => self.b.position_before(&first),
            None => self.b.position_at_end(entry),
        }
        let slot = self.b.build_alloca(self.ctx.bool_type(), "failed.flag")?;
        self.b.position_at_end(here);
        if let Some(l) = loc {
            self.b.set_current_debug_location(l);
        }
        self.b.build_store(slot, self.ctx.bool_type().const_zero())?;
        Ok(slot)
    }

    /// An alloca in the entry block (where mem2reg can promote it).
    pub(super) fn entry_alloca(
        &self,
        cx: &FnCx<'ctx>,
        ty: BasicTypeEnum<'ctx>,
        name: &str,
    ) -> Cg<PointerValue<'ctx>> {
        let here = self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        let entry =
            cx.func.get_first_basic_block().ok_or_else(|| CgError("no entry block".into()))?;
        // Positioning before an instruction takes its debug location: keep ours.
        let loc = self.b.get_current_debug_location();
        match entry.get_first_instruction() {
            Some(first) => self.b.position_before(&first),
            None => self.b.position_at_end(entry),
        }
        let slot = self.b.build_alloca(ty, name)?;
        self.b.position_at_end(here);
        if let Some(l) = loc {
            self.b.set_current_debug_location(l);
        }
        Ok(slot)
    }
}
