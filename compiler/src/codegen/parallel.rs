//! Parallel loops: outlines the body of a `#omp parallel for` / `prange` loop into a function
//! `(ctx, lo, hi, thread) -> i32` and runs it through the runtime's `pyaot_rt_parallel_for`.
//!
//! The context holds a copy of every local of the enclosing function (arrays share their data,
//! scalars are read-only: the HIR rejected shared writes), the range (start, step, count) and,
//! per reduction, 256 partial results. Each call of the outlined function copies the locals in,
//! starts reductions at their identity, runs its chunk and folds its result into the partial
//! the runtime names: its thread's, or under the default `auto` schedule its chunk's, which
//! makes the result independent of the threads. After the region the caller folds the partials
//! (in order) into its variables, copies `lastprivate` ones back and sets the loop variable to
//! its last value, as Python would. An error in any iteration is recorded by the runtime (compiled code
//! never calls Python from a worker) and raised by the caller after the region.

use super::basics::{CallResult, FunctionParams};
use super::state::{Cg, CgError, Codegen, CountedLoop, FnCx};
use crate::hir::{Builtin, Const, Expr, ExprKind, Index, Parallel, Stmt};
use crate::omp::{ReductionOp, Schedule};
use crate::plan::Strategy;
use crate::types::Type;
use inkwell::module::Linkage;
use inkwell::types::{BasicType, BasicTypeEnum};
use inkwell::values::{BasicValueEnum, FunctionValue, IntValue, PointerValue};
use inkwell::{FloatPredicate, IntPredicate};

/// Per-thread partials for each reduction (the runtime's thread cap).
const MAX_THREADS: u32 = 256;

impl<'ctx> Codegen<'ctx, '_> {
    fn identity(&self, op: ReductionOp, t: &Type) -> Cg<BasicValueEnum<'ctx>> {
        Ok(match (t, op) {
            (Type::Float, ReductionOp::Add) => self.f64(0.0).into(),
            (Type::Float, ReductionOp::Mul) => self.f64(1.0).into(),
            (Type::Float, ReductionOp::Min) => self.f64(f64::INFINITY).into(),
            (Type::Float, ReductionOp::Max) => self.f64(f64::NEG_INFINITY).into(),
            (Type::Int, ReductionOp::Add | ReductionOp::Or | ReductionOp::Xor) => {
                self.i64(0).into()
            }
            (Type::Int, ReductionOp::Mul) => self.i64(1).into(),
            (Type::Int, ReductionOp::And) => self.i64(-1).into(),
            (Type::Int, ReductionOp::Min) => self.i64(i64::MAX).into(),
            (Type::Int, ReductionOp::Max) => self.i64(i64::MIN).into(),
            (Type::Bool, ReductionOp::And) => self.ctx.bool_type().const_all_ones().into(),
            (Type::Bool, ReductionOp::Or | ReductionOp::Xor) => {
                self.ctx.bool_type().const_zero().into()
            }
            (t, op) => return Err(CgError(format!("no {op:?} reduction over {t}"))),
        })
    }

    fn combine(
        &self,
        op: ReductionOp,
        a: BasicValueEnum<'ctx>,
        b: BasicValueEnum<'ctx>,
        t: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let bld = &self.b;
        Ok(match (t, op) {
            (Type::Float, _) => {
                let (x, y) = (a.into_float_value(), b.into_float_value());
                match op {
                    ReductionOp::Add => bld.build_float_add(x, y, "")?.into(),
                    ReductionOp::Mul => bld.build_float_mul(x, y, "")?.into(),
                    ReductionOp::Min => bld.build_select(
                        bld.build_float_compare(FloatPredicate::OLT, y, x, "")?,
                        y,
                        x,
                        "",
                    )?,
                    ReductionOp::Max => bld.build_select(
                        bld.build_float_compare(FloatPredicate::OGT, y, x, "")?,
                        y,
                        x,
                        "",
                    )?,
                    _ => return Err(CgError("bitwise reduction of floats".into())),
                }
            }
            _ => {
                let (x, y) = (a.into_int_value(), b.into_int_value());
                match op {
                    ReductionOp::Add => bld.build_int_add(x, y, "")?.into(),
                    ReductionOp::Mul => bld.build_int_mul(x, y, "")?.into(),
                    ReductionOp::Min => bld.build_select(
                        bld.build_int_compare(IntPredicate::SLT, y, x, "")?,
                        y,
                        x,
                        "",
                    )?,
                    ReductionOp::Max => bld.build_select(
                        bld.build_int_compare(IntPredicate::SGT, y, x, "")?,
                        y,
                        x,
                        "",
                    )?,
                    ReductionOp::And => bld.build_and(x, y, "")?.into(),
                    ReductionOp::Or => bld.build_or(x, y, "")?.into(),
                    ReductionOp::Xor => bld.build_xor(x, y, "")?.into(),
                }
            }
        })
    }

    pub(super) fn runtime_fn(&self, name: &str) -> FunctionValue<'ctx> {
        if let Some(f) = self.module.get_function(name) {
            return f;
        }
        let p = self.ptr_type();
        let i64t = self.ctx.i64_type();
        let i32t = self.ctx.i32_type();
        let ty = match name {
            "pyaot_rt_parallel_for" => i32t.fn_type(
                &[p.into(), p.into(), i64t.into(), i32t.into(), i64t.into(), i64t.into(), p.into()],
                false,
            ),
            "pyaot_rt_in_region" => i32t.fn_type(&[], false),
            "pyaot_rt_round_digits" => self
                .ctx
                .f64_type()
                .fn_type(&[self.ctx.f64_type().into(), i64t.into(), p.into()], false),
            "pyaot_rt_record_error" => self
                .ctx
                .void_type()
                .fn_type(&[p.into(), p.into(), i64t.into(), i64t.into(), i64t.into()], false),
            other => unreachable!("unknown runtime function {other}"),
        };
        self.module.add_function(name, ty, Some(Linkage::External))
    }

    /// True (i1) when this thread runs inside a parallel region and so must not call Python.
    pub(super) fn in_parallel_region(&self) -> Cg<IntValue<'ctx>> {
        let flag = self
            .b
            .build_call(self.runtime_fn("pyaot_rt_in_region"), &[], "")?
            .try_as_basic_value()
            .basic();
        let flag = flag
            .ok_or_else(|| CgError("pyaot_rt_in_region returns no value".into()))?
            .into_int_value();
        Ok(self.b.build_int_compare(
            IntPredicate::NE,
            flag,
            self.ctx.i32_type().const_zero(),
            "",
        )?)
    }

    /// In a module with parallel loops, the raise helpers first check whether they run inside a
    /// region; there they record the error for the runtime instead of calling Python.
    pub(super) fn record_if_in_region(
        &self,
        f: FunctionValue<'ctx>,
        exception: PointerValue<'ctx>,
        message: PointerValue<'ctx>,
        index: [IntValue<'ctx>; 3],
    ) -> Cg<()> {
        if !self.has_parallel_loops {
            return Ok(());
        }
        let inside = self.in_parallel_region()?;
        let record = self.append(f, "record");
        let python = self.append(f, "python");
        self.b.build_conditional_branch(inside, record, python)?;
        self.b.position_at_end(record);
        self.b.build_call(
            self.runtime_fn("pyaot_rt_record_error"),
            &[exception.into(), message.into(), index[0].into(), index[1].into(), index[2].into()],
            "",
        )?;
        self.b.build_return(None)?;
        self.b.position_at_end(python);
        Ok(())
    }

    /// Emits the region for one parallel loop (the caller has computed the range).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn parallel_for(
        &mut self,
        cx: &mut FnCx<'ctx>,
        s: &Stmt,
        target: usize,
        start: IntValue<'ctx>,
        step: IntValue<'ctx>,
        count: IntValue<'ctx>,
        body: &[Stmt],
        p: &Parallel,
        range: Option<(Option<&Expr>, &Expr)>,
    ) -> Cg<()> {
        let inst = &self.prog.instances[cx.inst];
        let local_types: Vec<Type> = inst.locals.clone();
        let llvm_locals: Vec<BasicTypeEnum<'ctx>> =
            local_types.iter().map(|t| self.llvm_type(t)).collect();
        let i64t = self.ctx.i64_type();
        let p_ty = self.ptr_type();
        let n = local_types.len() as u32;
        let mut fields: Vec<BasicTypeEnum<'ctx>> = llvm_locals.clone();
        fields.extend([BasicTypeEnum::from(i64t); 3]);
        fields.extend(p.reductions.iter().map(|_| BasicTypeEnum::from(p_ty)));
        let ctx_ty = self.ctx.struct_type(&fields, false);
        let ctx_slot = self.entry_alloca(cx, ctx_ty.into(), "region")?;
        let field = |this: &Self, k: u32| unsafe {
            this.b.build_in_bounds_gep(
                ctx_ty,
                ctx_slot,
                &[this.ctx.i32_type().const_zero(), this.ctx.i32_type().const_int(k as u64, false)],
                "",
            )
        };
        for (i, ty) in llvm_locals.iter().enumerate() {
            let v = self.b.build_load(*ty, cx.locals[i], "")?;
            self.b.build_store(field(self, i as u32)?, v)?;
        }
        for (k, v) in [start, step, count].into_iter().enumerate() {
            self.b.build_store(field(self, n + k as u32)?, v)?;
        }
        let mut partials = Vec::new();
        for (r, (op, local)) in p.reductions.iter().enumerate() {
            let t = &local_types[*local];
            let arr_ty = self.llvm_type(t).array_type(MAX_THREADS);
            let slots = self.entry_alloca(cx, arr_ty.into(), "partials")?;
            let identity = self.identity(*op, t)?;
            for k in 0..MAX_THREADS {
                let slot = unsafe {
                    self.b.build_in_bounds_gep(
                        arr_ty,
                        slots,
                        &[
                            self.ctx.i32_type().const_zero(),
                            self.ctx.i32_type().const_int(k as u64, false),
                        ],
                        "",
                    )?
                };
                self.b.build_store(slot, identity)?;
            }
            self.b.build_store(field(self, n + 3 + r as u32)?, slots)?;
            partials.push((slots, arr_ty));
        }

        let outlined = self.outline(cx, s, target, body, p, ctx_ty, &local_types, range)?;

        let chunk = match &p.chunk {
            Some(e) => self.int_expr(cx, e)?,
            None => self.i64(0),
        };
        let threads = match &p.num_threads {
            Some(e) => self.int_expr(cx, e)?,
            None => self.i64(0),
        };
        self.set_loc(cx.scope, &s.span);
        let schedule = match p.schedule {
            Schedule::Static => 0,
            Schedule::Dynamic => 1,
            Schedule::Guided => 2,
            Schedule::Auto => 3,
        };
        let error_ty = self
            .ctx
            .struct_type(&[p_ty.into(), p_ty.into(), i64t.into(), i64t.into(), i64t.into()], false);
        let error = self.entry_alloca(cx, error_ty.into(), "region_error")?;
        self.b.build_store(error, error_ty.const_zero())?;
        let rt = self.runtime_fn("pyaot_rt_parallel_for");
        let failed = self
            .b
            .build_call(
                rt,
                &[
                    outlined.as_global_value().as_pointer_value().into(),
                    ctx_slot.into(),
                    count.into(),
                    self.ctx.i32_type().const_int(schedule, false).into(),
                    chunk.into(),
                    threads.into(),
                    error.into(),
                ],
                "",
            )?
            .value()?
            .into_int_value();
        let ok = self.append(cx.func, "region.ok");
        let fail = self.append(cx.func, "region.failed");
        let is_failed = self.b.build_int_compare(
            IntPredicate::NE,
            failed,
            self.ctx.i32_type().const_zero(),
            "",
        )?;
        self.b.build_conditional_branch(is_failed, fail, ok)?;
        self.b.position_at_end(fail);
        let raise = super::cpython::raise_recorded_fn(self)?;
        self.b.build_call(raise, &[error.into()], "")?;
        let unwind = self.unwind_block(cx)?;
        self.b.build_unconditional_branch(unwind)?;

        self.b.position_at_end(ok);
        for ((op, local), (slots, arr_ty)) in p.reductions.iter().zip(&partials) {
            let t = &local_types[*local];
            let mut v = self.b.build_load(llvm_locals[*local], cx.locals[*local], "")?;
            for k in 0..MAX_THREADS {
                let slot = unsafe {
                    self.b.build_in_bounds_gep(
                        *arr_ty,
                        *slots,
                        &[
                            self.ctx.i32_type().const_zero(),
                            self.ctx.i32_type().const_int(k as u64, false),
                        ],
                        "",
                    )?
                };
                let part = self.b.build_load(llvm_locals[*local], slot, "")?;
                v = self.combine(*op, v, part, t)?;
            }
            self.b.build_store(cx.locals[*local], v)?;
        }
        for local in &p.lastprivate {
            let v = self.b.build_load(llvm_locals[*local], field(self, *local as u32)?, "")?;
            self.b.build_store(cx.locals[*local], v)?;
        }
        // Python leaves the loop variable at its last value.
        let any = self.b.build_int_compare(IntPredicate::SGT, count, self.i64(0), "")?;
        let last = self.b.build_int_add(
            start,
            self.b.build_int_mul(self.b.build_int_sub(count, self.i64(1), "")?, step, "")?,
            "",
        )?;
        let lt = local_types[target].clone();
        let before = self.b.build_load(llvm_locals[target], cx.locals[target], "")?;
        let last = self.convert(last.into(), &Type::Int, &lt)?;
        let v = self.b.build_select(any, last, before, "")?;
        self.b.build_store(cx.locals[target], v)?;
        Ok(())
    }

    /// The outlined body: `i32 (ptr ctx, i64 lo, i64 hi, i64 thread)`; 0, or 1 on an error.
    #[allow(clippy::too_many_arguments)]
    fn outline(
        &mut self,
        cx: &FnCx<'ctx>,
        s: &Stmt,
        target: usize,
        body: &[Stmt],
        p: &Parallel,
        ctx_ty: inkwell::types::StructType<'ctx>,
        local_types: &[Type],
        range: Option<(Option<&Expr>, &Expr)>,
    ) -> Cg<FunctionValue<'ctx>> {
        let i64t = self.ctx.i64_type();
        let i32t = self.ctx.i32_type();
        let ty =
            i32t.fn_type(&[self.ptr_type().into(), i64t.into(), i64t.into(), i64t.into()], false);
        let fname = self.hir.functions[self.prog.instances[cx.inst].func].name.clone();
        let name = format!(
            "{}.parallel.{}",
            cx.func.get_name().to_str().unwrap_or("f"),
            self.module.get_functions().count()
        );
        let g = self.module.add_function(&name, ty, Some(Linkage::Internal));
        let here = self.b.get_insert_block();
        let loc = self.b.get_current_debug_location();
        // Named after the user's function, so the report attributes its lines there.
        let scope = self.subprogram(g, &fname, &s.span);
        let entry = self.append(g, "entry");
        self.b.position_at_end(entry);
        self.set_loc(scope, &s.span);
        let ctx_ptr = g.param(0)?.into_pointer_value();
        let lo = g.param(1)?.into_int_value();
        let hi = g.param(2)?.into_int_value();
        let thread = g.param(3)?.into_int_value();
        let n = local_types.len() as u32;
        let field = |this: &Self, k: u32| unsafe {
            this.b.build_in_bounds_gep(
                ctx_ty,
                ctx_ptr,
                &[i32t.const_zero(), i32t.const_int(k as u64, false)],
                "",
            )
        };
        let mut locals = Vec::new();
        for (i, t) in local_types.iter().enumerate() {
            let ty = self.llvm_type(t);
            let slot = self.b.build_alloca(
                ty,
                &self.hir.functions[self.prog.instances[cx.inst].func].locals[i].name,
            )?;
            let v = self.b.build_load(ty, field(self, i as u32)?, "")?;
            self.b.build_store(slot, v)?;
            locals.push(slot);
        }
        for (op, local) in &p.reductions {
            let id = self.identity(*op, &local_types[*local])?;
            self.b.build_store(locals[*local], id)?;
        }
        let start = self.b.build_load(i64t, field(self, n)?, "start")?.into_int_value();
        let step = self.b.build_load(i64t, field(self, n + 1)?, "step")?.into_int_value();
        let count = self.b.build_load(i64t, field(self, n + 2)?, "count")?.into_int_value();
        let mut gx = FnCx {
            inst: cx.inst,
            element_update: false,
            func: g,
            scope,
            locals: locals.clone(),
            loops: Vec::new(),
            unwind: None,
            propagate: None,
            // The body's own flag: its failures go back to the runtime as a status.
            failed: self.failed_flag()?,
            escape: None,
            arena: None,
            counts_depth: false,
            parallel_body: true,
            self_call: None,
            temps: Vec::new(),
            each_items: std::collections::HashMap::new(),
            handlers: Vec::new(),
            handling: Vec::new(),
            spec: None,
            checks_pass: false,
            finally_stack: Vec::new(),
            ret_slot: None,
            // The enclosing function's: the body is its code, and is only ever called through
            // the runtime (never inlined), so the same scopes stay true there.
            fresh: cx.fresh.clone(),
        };
        // The chunk bounds come from the runtime, so LLVM cannot tell that `x[i]` in
        // `for i in prange(len(x))` is in range. Where the range's ends only read locals and
        // array sizes, they are evaluated again here, from this call's copies of the locals (the
        // values they had when the region started), and the loop states that i lies between them.
        let bounds = match range {
            Some((start_e, stop_e))
                if start_e.is_none_or(|e| restatable(e, &|l| local_types[l].clone()))
                    && restatable(stop_e, &|l| local_types[l].clone()) =>
            {
                let lower = match start_e {
                    Some(e) => self.operand(&mut gx, e, &Type::Int)?.into_int_value(),
                    None => self.i64(0),
                };
                Some((lower, self.operand(&mut gx, stop_e, &Type::Int)?.into_int_value()))
            }
            _ => None,
        };
        let done = self.append(g, "chunk.done");
        let plan = self.plan;
        if let Some(Strategy::Speculate(spec)) = plan.strategy(cx.inst, s) {
            // The chunk as a speculative loop (planned for unit steps only): i from start + lo.
            let chunk = CountedLoop {
                s,
                target,
                start: self.b.build_int_nsw_add(start, lo, "")?,
                stop: self.b.build_int_nsw_add(start, hi, "")?,
                step: self.i64(1),
                count: self.b.build_int_sub(hi, lo, "")?,
                unit_step: true,
            };
            self.speculative_loop(&mut gx, &chunk, spec, body, done)?;
            self.b.build_unconditional_branch(done)?;
        } else {
            self.chunk_loop(
                &mut gx,
                s,
                target,
                start,
                step,
                lo,
                hi,
                bounds,
                body,
                done,
                &local_types,
                &locals,
                scope,
            )?;
        }
        self.b.position_at_end(done);
        // Fold this chunk's reductions into the thread's partial.
        for (r, (op, local)) in p.reductions.iter().enumerate() {
            let t = &local_types[*local];
            let ty = self.llvm_type(t);
            let slots = self
                .b
                .build_load(self.ptr_type(), field(self, n + 3 + r as u32)?, "")?
                .into_pointer_value();
            let slot = unsafe { self.b.build_in_bounds_gep(ty, slots, &[thread], "")? };
            let acc = self.b.build_load(ty, slot, "")?;
            let mine = self.b.build_load(ty, locals[*local], "")?;
            let v = self.combine(*op, acc, mine, t)?;
            self.b.build_store(slot, v)?;
        }
        // The chunk holding the last iteration copies `lastprivate` variables back.
        if !p.lastprivate.is_empty() {
            let last = self.append(g, "lastprivate");
            let finish = self.append(g, "finish");
            let has_last = self.b.build_int_compare(IntPredicate::EQ, hi, count, "")?;
            self.b.build_conditional_branch(has_last, last, finish)?;
            self.b.position_at_end(last);
            for local in &p.lastprivate {
                let ty = self.llvm_type(&local_types[*local]);
                let v = self.b.build_load(ty, locals[*local], "")?;
                self.b.build_store(field(self, *local as u32)?, v)?;
            }
            self.b.build_unconditional_branch(finish)?;
            self.b.position_at_end(finish);
        }
        self.b.build_return(Some(&i32t.const_zero()))?;
        if let Some(h) = here {
            self.b.position_at_end(h);
        }
        if let Some(l) = loc {
            self.b.set_current_debug_location(l);
        }
        Ok(g)
    }
}

/// An end of a parallel range that reads only int locals, int constants and the sizes of array
/// locals, so the outlined body can evaluate it again (it cannot fail, has no effect and never
/// calls Python). `local_type` gives a local's type.
fn restatable(e: &Expr, local_type: &dyn Fn(crate::hir::LocalId) -> Type) -> bool {
    let array =
        |x: &Expr| matches!(x.kind, ExprKind::Local(l) if matches!(local_type(l), Type::Array(_)));
    match &e.kind {
        ExprKind::Const(Const::Int(_)) => true,
        ExprKind::Local(l) => local_type(*l) == Type::Int,
        ExprKind::Builtin(Builtin::Len, args) => args.len() == 1 && array(&args[0]),
        // `a.shape[k]`
        ExprKind::Subscript(value, indices) => {
            matches!(&value.kind, ExprKind::Attr(a, crate::hir::ArrayAttr::Shape) if array(a))
                && matches!(
                    indices.as_slice(),
                    [Index::At(Expr { kind: ExprKind::Const(Const::Int(_)), .. })]
                )
        }
        _ => false,
    }
}

impl<'ctx> Codegen<'ctx, '_> {
    /// A chunk's loop as written: `i = start + k * step` for k in lo..hi, branching to `done`.
    #[allow(clippy::too_many_arguments)]
    fn chunk_loop(
        &mut self,
        gx: &mut FnCx<'ctx>,
        s: &Stmt,
        target: usize,
        start: IntValue<'ctx>,
        step: IntValue<'ctx>,
        lo: IntValue<'ctx>,
        hi: IntValue<'ctx>,
        bounds: Option<(IntValue<'ctx>, IntValue<'ctx>)>,
        body: &[Stmt],
        done: inkwell::basic_block::BasicBlock<'ctx>,
        local_types: &[Type],
        locals: &[PointerValue<'ctx>],
        scope: inkwell::debug_info::DIScope<'ctx>,
    ) -> Cg<()> {
        let i64t = self.ctx.i64_type();
        let g = gx.func;
        let counter = self.b.build_alloca(i64t, "k")?;
        self.b.build_store(counter, lo)?;
        let head = self.append(g, "chunk");
        let body_bb = self.append(g, "chunk.body");
        let latch = self.append(g, "chunk.next");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let k = self.b.build_load(i64t, counter, "k")?.into_int_value();
        let more = self.b.build_int_compare(IntPredicate::SLT, k, hi, "")?;
        self.b.build_conditional_branch(more, body_bb, done)?;
        self.b.position_at_end(body_bb);
        let i = self.b.build_int_nsw_add(start, self.b.build_int_nsw_mul(k, step, "")?, "i")?;
        if let Some((lower, upper)) = bounds {
            let assume = inkwell::intrinsics::Intrinsic::find("llvm.assume")
                .ok_or_else(|| CgError("no llvm.assume".into()))?;
            let assume = assume
                .get_declaration(&self.module, &[])
                .ok_or_else(|| CgError("llvm.assume".into()))?;
            let mut facts = vec![(IntPredicate::SGE, lower), (IntPredicate::SLT, upper)];
            // From a start known not negative, i is also below the end unsigned: the form of the
            // bounds check (LLVM does not combine the two signed facts into it).
            if lower.get_sign_extended_constant().is_some_and(|c| c >= 0) {
                facts.push((IntPredicate::ULT, upper));
            }
            for (pred, bound) in facts {
                let holds = self.b.build_int_compare(pred, i, bound, "")?;
                self.b.build_call(assume, &[holds.into()], "")?;
            }
        }
        let iv = self.convert(i.into(), &Type::Int, &local_types[target])?;
        self.b.build_store(locals[target], iv)?;
        gx.loops.push((latch, done, 0, 0));
        self.block(gx, body)?;
        gx.loops.pop();
        self.b.build_unconditional_branch(latch)?;
        self.b.position_at_end(latch);
        self.set_loc(scope, &s.span);
        let k = self.b.build_load(i64t, counter, "")?.into_int_value();
        self.b.build_store(counter, self.b.build_int_nsw_add(k, self.i64(1), "")?)?;
        let back = self.b.build_unconditional_branch(head)?;
        self.mark_loop(back);
        self.b.position_at_end(done);
        Ok(())
    }
}
