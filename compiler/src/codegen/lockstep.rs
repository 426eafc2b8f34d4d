//! Emits lockstep loops, planned by plan/lockstep.rs (see there for what qualifies and why
//! it is still Python): iterations `i .. i + 4` together ([`Codegen::lockstep_loop`]), then
//! the last ones as written.

use super::state::{point_locals_at, Cg, CgError, Codegen, CountedLoop, FnCx};
use crate::hir::{
    BinOp, BoolOpKind, Builtin, Const, Expr, ExprKind, LocalId, Stmt, StmtKind, UnaryOp,
};
use crate::plan::lockstep::{bound_locals, simple_assignment, vectorizable, LockstepPlan};
use crate::types::Type;
use inkwell::basic_block::BasicBlock;
use inkwell::types::VectorType;
use inkwell::values::{BasicValueEnum, PointerValue, VectorValue};
use inkwell::{FloatPredicate, IntPredicate};
use std::collections::HashMap;

pub(crate) use crate::plan::lockstep::LANES;

impl<'ctx> Codegen<'ctx, '_> {
    /// [`LANES`] iterations at a time (see the module doc); the builder is left where the loop
    /// ends normally (where `else` runs).
    pub(super) fn lockstep_loop(
        &mut self,
        cx: &mut FnCx<'ctx>,
        lp: &CountedLoop<'ctx, '_>,
        plan: &LockstepPlan<'_>,
        body: &[Stmt],
        after: BasicBlock<'ctx>,
    ) -> Cg<()> {
        let i64t = self.ctx.i64_type();
        // Each lane's own locals: the private ones and the loop variable (lane 0 keeps the
        // function's own slots).
        let mut own: Vec<LocalId> = plan.private.clone();
        own.push(lp.target);
        let mut lanes: Vec<Vec<PointerValue<'ctx>>> =
            vec![own.iter().map(|l| cx.locals[*l]).collect()];
        for _ in 1..LANES {
            let mut slots = Vec::with_capacity(own.len());
            for l in &own {
                let ty = self.llvm_type(&self.local_ty(cx, *l));
                slots.push(self.entry_alloca(cx, ty, "lane.local")?);
            }
            lanes.push(slots);
        }

        let counter = self.entry_alloca(cx, i64t.into(), "lanes.i")?;
        self.b.build_store(counter, lp.start)?;
        let head = self.append(cx.func, "lanes");
        let lanes_body = self.append(cx.func, "lanes.body");
        let rest = self.append(cx.func, "lanes.rest");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let i = self.b.build_load(i64t, counter, "i")?.into_int_value();
        // At least LANES iterations left: i < stop, and stop - i (exact as unsigned once i < stop)
        // above LANES - 1. Then i + LANES cannot overflow (stop <= i64::MAX).
        let started = self.b.build_int_compare(IntPredicate::SLT, i, lp.stop, "")?;
        let left = self.b.build_int_sub(lp.stop, i, "")?;
        let enough =
            self.b.build_int_compare(IntPredicate::UGT, left, self.i64(LANES as i64 - 1), "")?;
        let more = self.b.build_and(started, enough, "")?;
        self.b.build_conditional_branch(more, lanes_body, rest)?;
        self.b.position_at_end(lanes_body);

        // The prefixes, in order.
        let lt = self.local_ty(cx, lp.target);
        for (k, slots) in lanes.iter().enumerate() {
            point_locals_at(cx, &own, slots);
            let value = self.b.build_int_nsw_add(i, self.i64(k as i64), "")?;
            let v = self.coerce(cx, value.into(), &Type::Int, &lt)?;
            self.store_local(cx, lp.target, v)?;
            self.block(cx, plan.prefix)?;
        }
        // The while loops side by side.
        if vectorizable(&self.prog.instances[cx.inst], plan) {
            self.vector_while(cx, plan, &own, &lanes, &lp.s.span)?;
        } else {
            self.scalar_lanes_while(cx, plan, &own, &lanes, &lp.s.span)?;
        }

        // The rest of each iteration, in order, each lane's locals first copied into the
        // function's own slots: an error there (and a handler around the loop) sees that
        // iteration's values, and after the last lane the locals hold the last iteration's.
        point_locals_at(cx, &own, &lanes[0]);
        for (k, slots) in lanes.iter().enumerate() {
            if k > 0 {
                for (l, slot) in own.iter().zip(slots) {
                    let ty = self.llvm_type(&self.local_ty(cx, *l));
                    let v = self.b.build_load(ty, *slot, "")?;
                    self.b.build_store(cx.locals[*l], v)?;
                }
            }
            self.block(cx, plan.suffix)?;
        }
        self.set_loc(cx.scope, &lp.s.span);
        let next = self.b.build_int_nsw_add(i, self.i64(LANES as i64), "")?;
        self.b.build_store(counter, next)?;
        let back = self.b.build_unconditional_branch(head)?;
        self.mark_loop(back);

        // Fewer than LANES iterations left: the loop as written from there.
        self.b.position_at_end(rest);
        let from = self.b.build_load(i64t, counter, "")?.into_int_value();
        let remaining = CountedLoop { start: from, ..*lp };
        self.counted_loop(cx, &remaining, body, after)
    }

    /// The `while` loops of all lanes side by side as scalar code, each lane with its own
    /// locals and flag; LLVM's SLP vectorizer packs what it can.
    fn scalar_lanes_while(
        &mut self,
        cx: &mut FnCx<'ctx>,
        plan: &LockstepPlan<'_>,
        own: &[LocalId],
        lanes: &[Vec<PointerValue<'ctx>>],
        span: &crate::diagnostics::Span,
    ) -> Cg<()> {
        let bool_t = self.ctx.bool_type();
        let mut active = Vec::with_capacity(LANES);
        for _ in 0..LANES {
            let flag = self.entry_alloca(cx, bool_t.into(), "lane.active")?;
            self.b.build_store(flag, bool_t.const_int(1, false))?;
            active.push(flag);
        }
        // Each lane runs while its condition held every time.
        let w_head = self.append(cx.func, "lanes.while");
        let w_body = self.append(cx.func, "lanes.while.body");
        let w_done = self.append(cx.func, "lanes.while.done");
        self.b.build_unconditional_branch(w_head)?;
        self.b.position_at_end(w_head);
        let mut any = bool_t.const_int(0, false);
        for (slots, flag) in lanes.iter().zip(&active) {
            point_locals_at(cx, own, slots);
            let c = self.condition(cx, plan.cond)?;
            let was = self.b.build_load(bool_t, *flag, "")?.into_int_value();
            let now = self.b.build_and(was, c, "")?;
            self.b.build_store(*flag, now)?;
            any = self.b.build_or(any, now, "")?;
        }
        self.b.build_conditional_branch(any, w_body, w_done)?;
        self.b.position_at_end(w_body);
        let mut changed = Vec::new();
        bound_locals(plan.wbody, &mut changed);
        for (slots, flag) in lanes.iter().zip(&active) {
            point_locals_at(cx, own, slots);
            let before = self.load_locals(cx, &changed)?;
            self.block(cx, plan.wbody)?;
            let go = self.b.build_load(bool_t, *flag, "")?.into_int_value();
            for (l, old) in before {
                let ty = self.llvm_type(&self.local_ty(cx, l));
                let new = self.b.build_load(ty, cx.locals[l], "")?;
                let kept = self.b.build_select(go, new, old, "")?;
                self.b.build_store(cx.locals[l], kept)?;
            }
        }
        self.set_loc(cx.scope, span);
        let back = self.b.build_unconditional_branch(w_head)?;
        self.mark_loop(back);
        self.b.position_at_end(w_done);

        point_locals_at(cx, own, &lanes[0]);
        Ok(())
    }
}

impl<'ctx> Codegen<'ctx, '_> {
    fn lane_vector_type(&self, t: &Type) -> inkwell::types::VectorType<'ctx> {
        match t {
            Type::Float => self.ctx.f64_type().vec_type(LANES as u32),
            Type::Bool => self.ctx.bool_type().vec_type(LANES as u32),
            _ => self.ctx.i64_type().vec_type(LANES as u32),
        }
    }

    /// The same scalar in every lane.
    fn splat(&self, v: BasicValueEnum<'ctx>, t: &Type) -> Cg<VectorValue<'ctx>> {
        let mut out = self.lane_vector_type(t).get_undef();
        for k in 0..LANES {
            out = self.b.build_insert_element(out, v, self.i64(k as i64), "")?;
        }
        Ok(out)
    }

    /// A lane vector of type `from` as type `to`, as Python's arithmetic widens (bool → int →
    /// float).
    fn vector_convert(
        &self,
        v: VectorValue<'ctx>,
        from: &Type,
        to: &Type,
    ) -> Cg<VectorValue<'ctx>> {
        let target = self.lane_vector_type(to);
        Ok(match (from, to) {
            (a, b) if a == b => v,
            (Type::Bool, Type::Int) => self.b.build_int_z_extend(v, target, "")?,
            (Type::Bool, Type::Float) => self.b.build_unsigned_int_to_float(v, target, "")?,
            (Type::Int, Type::Float) => self.b.build_signed_int_to_float(v, target, "")?,
            // Truthiness, for conditions.
            (Type::Int, Type::Bool) => self.b.build_int_compare(
                IntPredicate::NE,
                v,
                self.lane_vector_type(from).const_zero(),
                "",
            )?,
            (Type::Float, Type::Bool) => self.b.build_float_compare(
                FloatPredicate::UNE,
                v,
                self.lane_vector_type(from).const_zero(),
                "",
            )?,
            _ => return Err(CgError(format!("lanes: {from} as {to}"))),
        })
    }

    /// An expression [`vectorizable`] accepts, evaluated in every lane at once: private locals
    /// and the loop variable come from `slots` (one vector each), fixed locals are splatted.
    fn vector_expr(
        &mut self,
        cx: &FnCx<'ctx>,
        e: &Expr,
        slots: &HashMap<LocalId, PointerValue<'ctx>>,
    ) -> Cg<VectorValue<'ctx>> {
        let t = self.ty(cx, e);
        let ty = |this: &Self, x: &Expr| this.ty(cx, x);
        Ok(match &e.kind {
            ExprKind::Const(c) => {
                let v: BasicValueEnum = match c {
                    Const::Int(k) => self.i64(*k).into(),
                    Const::Float(x) => self.f64(*x).into(),
                    Const::Bool(b) => self.ctx.bool_type().const_int(*b as u64, false).into(),
                    _ => return Err(CgError("lanes: constant".into())),
                };
                self.splat(v, &t)?
            }
            ExprKind::Local(l) => match slots.get(l) {
                Some(slot) => {
                    self.b.build_load(self.lane_vector_type(&t), *slot, "")?.into_vector_value()
                }
                None => {
                    let v = self.b.build_load(self.llvm_type(&t), cx.locals[*l], "")?;
                    self.splat(v, &t)?
                }
            },
            ExprKind::Unary(op, x) => {
                let xt = ty(self, x);
                let v = self.vector_expr(cx, x, slots)?;
                match op {
                    UnaryOp::Not => {
                        let truth = self.vector_convert(v, &xt, &Type::Bool)?;
                        self.b.build_not(truth, "")?
                    }
                    UnaryOp::Neg if t == Type::Float => {
                        self.b.build_float_neg(self.vector_convert(v, &xt, &t)?, "")?
                    }
                    UnaryOp::Neg => self.b.build_int_neg(self.vector_convert(v, &xt, &t)?, "")?,
                    _ => self.vector_convert(v, &xt, &t)?,
                }
            }
            ExprKind::Binary(op, a, b) => {
                let (at, bt) = (ty(self, a), ty(self, b));
                let (av, bv) = (self.vector_expr(cx, a, slots)?, self.vector_expr(cx, b, slots)?);
                let (x, y) = (self.vector_convert(av, &at, &t)?, self.vector_convert(bv, &bt, &t)?);
                match (op, &t) {
                    (BinOp::Add, Type::Float) => self.b.build_float_add(x, y, "")?,
                    (BinOp::Sub, Type::Float) => self.b.build_float_sub(x, y, "")?,
                    (BinOp::Mul, Type::Float) => self.b.build_float_mul(x, y, "")?,
                    (BinOp::Div, Type::Float) => self.b.build_float_div(x, y, "")?,
                    (BinOp::Add, _) => self.b.build_int_add(x, y, "")?,
                    (BinOp::Sub, _) => self.b.build_int_sub(x, y, "")?,
                    (BinOp::Mul, _) => self.b.build_int_mul(x, y, "")?,
                    (BinOp::BitAnd, _) => self.b.build_and(x, y, "")?,
                    (BinOp::BitOr, _) => self.b.build_or(x, y, "")?,
                    (BinOp::BitXor, _) => self.b.build_xor(x, y, "")?,
                    _ => return Err(CgError(format!("lanes: {op:?} of {t}"))),
                }
            }
            ExprKind::Compare(first, rest) => {
                let mut left_t = ty(self, first);
                let mut left = self.vector_expr(cx, first, slots)?;
                let mut all: Option<VectorValue<'ctx>> = None;
                for (op, x) in rest {
                    let xt = ty(self, x);
                    let right = self.vector_expr(cx, x, slots)?;
                    let r = if left_t == Type::Float {
                        self.b.build_float_compare(
                            super::state::float_predicate(*op),
                            left,
                            right,
                            "",
                        )?
                    } else {
                        let (l, r) = (
                            self.vector_convert(left, &left_t, &Type::Int)?,
                            self.vector_convert(right, &xt, &Type::Int)?,
                        );
                        self.b.build_int_compare(super::state::int_predicate(*op), l, r, "")?
                    };
                    all = Some(match all {
                        Some(a) => self.b.build_and(a, r, "")?,
                        None => r,
                    });
                    (left, left_t) = (right, xt);
                }
                all.ok_or_else(|| CgError("lanes: empty comparison".into()))?
            }
            ExprKind::BoolOp(kind, items) => {
                let mut acc: Option<VectorValue<'ctx>> = None;
                for x in items {
                    let v = self.vector_expr(cx, x, slots)?;
                    acc = Some(match (acc, kind) {
                        (None, _) => v,
                        (Some(a), BoolOpKind::And) => self.b.build_and(a, v, "")?,
                        (Some(a), BoolOpKind::Or) => self.b.build_or(a, v, "")?,
                    });
                }
                acc.ok_or_else(|| CgError("lanes: empty and/or".into()))?
            }
            ExprKind::IfExp(c, a, b) => {
                let cv = self.vector_expr(cx, c, slots)?;
                let cond = self.vector_convert(cv, &ty(self, c), &Type::Bool)?;
                let av = self.vector_expr(cx, a, slots)?;
                let bv = self.vector_expr(cx, b, slots)?;
                let (x, y) = (
                    self.vector_convert(av, &ty(self, a), &t)?,
                    self.vector_convert(bv, &ty(self, b), &t)?,
                );
                self.b.build_select(cond, x, y, "")?.into_vector_value()
            }
            ExprKind::Builtin(Builtin::Float, args) => {
                let v = self.vector_expr(cx, &args[0], slots)?;
                self.vector_convert(v, &ty(self, &args[0]), &Type::Float)?
            }
            ExprKind::Builtin(Builtin::Abs, args) => {
                let at = ty(self, &args[0]);
                let v = self.vector_expr(cx, &args[0], slots)?;
                let v = self.vector_convert(v, &at, &t)?;
                if t == Type::Float {
                    self.intrinsic("llvm.fabs", &[v.into()])?.into_vector_value()
                } else {
                    let negative = self.b.build_int_compare(
                        IntPredicate::SLT,
                        v,
                        self.lane_vector_type(&t).const_zero(),
                        "",
                    )?;
                    let flipped = self.b.build_int_neg(v, "")?;
                    self.b.build_select(negative, flipped, v, "")?.into_vector_value()
                }
            }
            ExprKind::Builtin(b @ (Builtin::Min | Builtin::Max), args) => {
                // Python's min(a, b) is b only if b < a (max: b > a); NaN comparisons keep a.
                let at = ty(self, &args[0]);
                let x = self.vector_expr(cx, &args[0], slots)?;
                let y = self.vector_expr(cx, &args[1], slots)?;
                let (x, y) = (self.vector_convert(x, &at, &t)?, self.vector_convert(y, &at, &t)?);
                let takes_b = match (b, &t) {
                    (Builtin::Min, Type::Float) => {
                        self.b.build_float_compare(FloatPredicate::OLT, y, x, "")?
                    }
                    (_, Type::Float) => {
                        self.b.build_float_compare(FloatPredicate::OGT, y, x, "")?
                    }
                    // (True is 1: an i1 compares unsigned.)
                    (Builtin::Min, Type::Bool) => {
                        self.b.build_int_compare(IntPredicate::ULT, y, x, "")?
                    }
                    (_, Type::Bool) => self.b.build_int_compare(IntPredicate::UGT, y, x, "")?,
                    (Builtin::Min, _) => self.b.build_int_compare(IntPredicate::SLT, y, x, "")?,
                    _ => self.b.build_int_compare(IntPredicate::SGT, y, x, "")?,
                };
                self.b.build_select(takes_b, y, x, "")?.into_vector_value()
            }
            _ => return Err(CgError("lanes: expression".into())),
        })
    }

    /// The `while` loops of all lanes as one loop of vector code: each private local (and the
    /// loop variable) is one vector, a lane whose condition failed keeps its values (a
    /// select), and the loop goes round while any lane is active. Packs the lanes' values
    /// before and unpacks them after.
    fn vector_while(
        &mut self,
        cx: &mut FnCx<'ctx>,
        plan: &LockstepPlan<'_>,
        own: &[LocalId],
        lanes: &[Vec<PointerValue<'ctx>>],
        span: &crate::diagnostics::Span,
    ) -> Cg<()> {
        let mut slots = HashMap::new();
        for (k, l) in own.iter().enumerate() {
            let t = self.local_ty(cx, *l);
            let vt = self.lane_vector_type(&t);
            let slot = self.entry_alloca(cx, vt.into(), "lanes.vector")?;
            let mut v = vt.get_undef();
            for (lane, lane_slots) in lanes.iter().enumerate() {
                let x = self.b.build_load(self.llvm_type(&t), lane_slots[k], "")?;
                v = self.b.build_insert_element(v, x, self.i64(lane as i64), "")?;
            }
            self.b.build_store(slot, v)?;
            slots.insert(*l, slot);
        }
        // The active lanes as all-ones / zero words, not `<4 x i1>`: AVX2 has no mask registers,
        // and a boolean vector would be packed and unpacked on every round.
        let mask_t = self.ctx.i64_type().vec_type(LANES as u32);
        let active = self.entry_alloca(cx, mask_t.into(), "lanes.active")?;
        self.b.build_store(active, VectorType::const_vector(&[self.i64(-1); LANES]))?;
        let head = self.append(cx.func, "lanes.while");
        let body = self.append(cx.func, "lanes.while.body");
        let done = self.append(cx.func, "lanes.while.done");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let c = self.vector_expr(cx, plan.cond, &slots)?;
        let c = self.vector_convert(c, &self.ty(cx, plan.cond), &Type::Bool)?;
        let was = self.b.build_load(mask_t, active, "")?.into_vector_value();
        let words = self.b.build_int_s_extend(c, mask_t, "")?;
        let now_words = self.b.build_and(was, words, "")?;
        self.b.build_store(active, now_words)?;
        let now =
            self.b.build_int_compare(IntPredicate::SLT, now_words, mask_t.const_zero(), "")?;
        let any = self.intrinsic("llvm.vector.reduce.or", &[now_words.into()])?.into_int_value();
        let any = self.b.build_int_compare(IntPredicate::NE, any, self.i64(0), "")?;
        self.b.build_conditional_branch(any, body, done)?;
        self.b.position_at_end(body);
        let mut changed = Vec::new();
        bound_locals(plan.wbody, &mut changed);
        let before: Vec<(LocalId, BasicValueEnum<'ctx>)> = changed
            .iter()
            .map(|l| {
                Ok((
                    *l,
                    self.b.build_load(
                        self.lane_vector_type(&self.local_ty(cx, *l)),
                        slots[l],
                        "",
                    )?,
                ))
            })
            .collect::<Cg<_>>()?;
        for s in plan.wbody {
            self.set_loc(cx.scope, &s.span);
            let (targets, values) =
                simple_assignment(s).ok_or_else(|| CgError("lanes: statement".into()))?;
            // All values first (`a, b = b, a + b`), then the stores; `x op= v` is x = x op v.
            let mut computed = Vec::new();
            for (l, v) in targets.iter().zip(&values) {
                let lt = self.local_ty(cx, *l);
                let value = match &s.kind {
                    StmtKind::AugAssign { op, .. } => {
                        let current = self
                            .b
                            .build_load(self.lane_vector_type(&lt), slots[l], "")?
                            .into_vector_value();
                        let operand = self.vector_expr(cx, v, &slots)?;
                        let (x, y) = (current, self.vector_convert(operand, &self.ty(cx, v), &lt)?);
                        match (op, &lt) {
                            (BinOp::Add, Type::Float) => self.b.build_float_add(x, y, "")?,
                            (BinOp::Sub, Type::Float) => self.b.build_float_sub(x, y, "")?,
                            (BinOp::Mul, Type::Float) => self.b.build_float_mul(x, y, "")?,
                            (BinOp::Add, _) => self.b.build_int_add(x, y, "")?,
                            (BinOp::Sub, _) => self.b.build_int_sub(x, y, "")?,
                            (BinOp::Mul, _) => self.b.build_int_mul(x, y, "")?,
                            _ => return Err(CgError("lanes: augmented assignment".into())),
                        }
                    }
                    _ => {
                        let value = self.vector_expr(cx, v, &slots)?;
                        self.vector_convert(value, &self.ty(cx, v), &lt)?
                    }
                };
                computed.push((*l, value));
            }
            for (l, value) in computed {
                self.b.build_store(slots[&l], value)?;
            }
        }
        for (l, old) in before {
            let new = self.b.build_load(old.get_type(), slots[&l], "")?;
            let kept = self.b.build_select(now, new, old, "")?;
            self.b.build_store(slots[&l], kept)?;
        }
        self.set_loc(cx.scope, span);
        let back = self.b.build_unconditional_branch(head)?;
        self.mark_loop(back);
        self.b.position_at_end(done);
        // Each lane's values back into its own slots.
        for (k, l) in own.iter().enumerate() {
            let t = self.local_ty(cx, *l);
            let v = self.b.build_load(self.lane_vector_type(&t), slots[l], "")?.into_vector_value();
            for (lane, lane_slots) in lanes.iter().enumerate() {
                let x = self.b.build_extract_element(v, self.i64(lane as i64), "")?;
                self.b.build_store(lane_slots[k], x)?;
            }
        }
        Ok(())
    }
}
