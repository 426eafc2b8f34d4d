//! Expressions: constants, locals, calls between compiled functions, comparisons (chained),
//! `and`/`or`, conditions and truth values, conversions between native types.

use super::state::{float_predicate, int_predicate, FnCx};
use super::state::{Cg, CgError, Codegen};
use crate::hir::{self, Arg, BoolOpKind, CmpOp, Const, Expr, ExprKind, UnaryOp};
use crate::types::{const_type, Type};
use inkwell::values::{BasicValueEnum, IntValue};
use inkwell::{FloatPredicate, IntPredicate};

impl<'ctx> Codegen<'ctx, '_> {
    /// Converts a value between the types the lattice allows (bool → int → float, item-wise for tuples).
    pub(super) fn convert(
        &self,
        v: BasicValueEnum<'ctx>,
        from: &Type,
        to: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        if from == to || *to == Type::Unknown {
            return Ok(v);
        }
        Ok(match (from, to) {
            (Type::Bool, Type::Int) => {
                self.b.build_int_z_extend(v.into_int_value(), self.ctx.i64_type(), "")?.into()
            }
            (Type::Bool, Type::Float) => self
                .b
                .build_unsigned_int_to_float(v.into_int_value(), self.ctx.f64_type(), "")?
                .into(),
            (Type::Int, Type::Float) => self
                .b
                .build_signed_int_to_float(v.into_int_value(), self.ctx.f64_type(), "")?
                .into(),
            (Type::Tuple(fs), Type::Tuple(ts)) if fs.len() == ts.len() => {
                let mut agg = self.llvm_type(to).into_struct_type().get_undef();
                for (i, (f, t)) in fs.iter().zip(ts).enumerate() {
                    let item = self.b.build_extract_value(v.into_struct_value(), i as u32, "")?;
                    let item = self.convert(item, f, t)?;
                    agg = self.b.build_insert_value(agg, item, i as u32, "")?.into_struct_value();
                }
                agg.into()
            }
            (Type::Array(a), Type::Array(b)) if a.ndim == b.ndim => v,
            (Type::Bool | Type::Int | Type::Float, Type::Complex) => {
                self.to_complex(v, from)?.into()
            }
            (Type::Unknown, t) => self.llvm_type(t).const_zero(),
            _ => return Err(CgError(format!("cannot convert {from} to {to}"))),
        })
    }

    /// Python truthiness as an i1.
    pub(super) fn truthy(&self, v: BasicValueEnum<'ctx>, t: &Type) -> Cg<IntValue<'ctx>> {
        Ok(match t {
            Type::Bool => v.into_int_value(),
            Type::Int | Type::Unknown => {
                self.b.build_int_compare(IntPredicate::NE, v.into_int_value(), self.i64(0), "")?
            }
            Type::Float => self.b.build_float_compare(
                FloatPredicate::UNE,
                v.into_float_value(),
                self.f64(0.0),
                "",
            )?,
            Type::Complex => {
                let (re, im) = self.parts(v.into_struct_value())?;
                let re = self.b.build_float_compare(FloatPredicate::UNE, re, self.f64(0.0), "")?;
                let im = self.b.build_float_compare(FloatPredicate::UNE, im, self.f64(0.0), "")?;
                self.b.build_or(re, im, "")?
            }
            Type::None => self.ctx.bool_type().const_zero(),
            Type::Tuple(items) => self.ctx.bool_type().const_int(!items.is_empty() as u64, false),
            Type::Array(_) => return Err(CgError("truth value of an array".into())),
            Type::Object => {
                return Err(CgError("truth value of an object without a function context".into()))
            }
        })
    }

    pub(super) fn condition(&mut self, cx: &mut FnCx<'ctx>, e: &Expr) -> Cg<IntValue<'ctx>> {
        let v = self.expr(cx, e)?;
        let t = self.ty(cx, e);
        if t == Type::Object {
            return self.object_truth(cx, v);
        }
        self.truthy(v, &t)
    }

    pub(super) fn const_value(&self, c: &Const) -> BasicValueEnum<'ctx> {
        match c {
            Const::Int(i) => self.i64(*i).into(),
            Const::Float(f) => self.f64(*f).into(),
            Const::Bool(b) => self.ctx.bool_type().const_int(*b as u64, false).into(),
            Const::Complex(r, i) => self
                .complex_type()
                .const_named_struct(&[self.f64(*r).into(), self.f64(*i).into()])
                .into(),
            Const::None => self.ctx.struct_type(&[], false).const_zero().into(),
            // Strings are module objects (`objects::const_object`), never native values.
            Const::Str(_) => self.ptr_type().const_null().into(),
            Const::Tuple(items) => {
                let ty = self.llvm_type(&const_type(c)).into_struct_type();
                let vals: Vec<_> = items.iter().map(|i| self.const_value(i)).collect();
                ty.const_named_struct(&vals).into()
            }
        }
    }

    pub(super) fn expr(&mut self, cx: &mut FnCx<'ctx>, e: &Expr) -> Cg<BasicValueEnum<'ctx>> {
        let t = self.ty(cx, e);
        if self.is_object_expr(cx, e) {
            self.set_loc(cx.scope, &e.span);
            return if t == Type::Object {
                Ok(self.object_expr(cx, e)?.into())
            } else {
                self.object_to_native_expr(cx, e)
            };
        }
        // Whole-array arithmetic, one loop nest (elementwise.rs).
        if self.fused(cx, e).is_some() {
            return self.elementwise(cx, e);
        }
        let v = match &e.kind {
            ExprKind::Const(c) => {
                let v = self.const_value(c);
                self.convert(v, &const_type(c), &t)?
            }
            ExprKind::Local(l) => {
                self.set_loc(cx.scope, &e.span);
                let lt = self.local_ty(cx, *l);
                self.b.build_load(self.llvm_type(&lt), cx.locals[*l], "")?
            }
            ExprKind::Tuple(items) => {
                let mut vals = Vec::new();
                for i in items {
                    vals.push(self.expr(cx, i)?);
                }
                self.set_loc(cx.scope, &e.span);
                let mut agg = self.llvm_type(&t).into_struct_type().get_undef();
                for (i, v) in vals.into_iter().enumerate() {
                    agg = self.b.build_insert_value(agg, v, i as u32, "")?.into_struct_value();
                }
                agg.into()
            }
            ExprKind::Unary(op, operand) => {
                let v = self.expr(cx, operand)?;
                let ot = self.ty(cx, operand);
                self.set_loc(cx.scope, &e.span);
                match op {
                    UnaryOp::Not => self.b.build_not(self.truthy(v, &ot)?, "")?.into(),
                    UnaryOp::Pos => self.convert(v, &ot, &t)?,
                    UnaryOp::Neg => match self.convert(v, &ot, &t)? {
                        BasicValueEnum::FloatValue(f) => self.b.build_float_neg(f, "")?.into(),
                        BasicValueEnum::StructValue(z) => {
                            let (re, im) = self.parts(z)?;
                            self.make_complex(
                                self.b.build_float_neg(re, "")?,
                                self.b.build_float_neg(im, "")?,
                            )?
                            .into()
                        }
                        other => self.int_negate(cx, other.into_int_value())?.into(),
                    },
                    UnaryOp::Invert => {
                        let i = self.convert(v, &ot, &Type::Int)?.into_int_value();
                        self.b.build_not(i, "")?.into()
                    }
                }
            }
            ExprKind::Binary(op, l, r) => {
                let lv = self.expr(cx, l)?;
                let rv = self.expr(cx, r)?;
                let (lt, rt) = (self.ty(cx, l), self.ty(cx, r));
                self.set_loc(cx.scope, &e.span);
                let (v, vt) = self.binary(cx, *op, lv, &lt, rv, &rt, r)?;
                self.convert(v, &vt, &t)?
            }
            ExprKind::Compare(first, rest) => self.compare_chain(cx, e, first, rest)?,
            ExprKind::BoolOp(kind, values) => {
                let live = self.live_operands(cx, *kind, values);
                self.bool_op(cx, e, *kind, live, &t)?
            }
            // `np.sqrt(x)` and the like of numbers (builtins.rs).
            ExprKind::Ufunc(u, _, args) => {
                let mut vals = Vec::new();
                let mut types = Vec::new();
                for a in args {
                    vals.push(self.expr(cx, a)?);
                    types.push(self.ty(cx, a));
                }
                self.set_loc(cx.scope, &e.span);
                self.ufunc(cx, *u, &vals, &types, &t)?
            }
            // A condition the types decided: only the branch taken.
            ExprKind::IfExp(cond, then, orelse) if self.decided(cx, cond).is_some() => {
                let branch = if self.decided(cx, cond) == Some(true) { then } else { orelse };
                let v = self.expr(cx, branch)?;
                let bt = self.ty(cx, branch);
                self.coerce(cx, v, &bt, &t)?
            }
            ExprKind::IfExp(cond, then, orelse) => {
                let slot = self.entry_alloca(cx, self.llvm_type(&t), "ifexp")?;
                let c = self.condition(cx, cond)?;
                let then_bb = self.append(cx.func, "ifexp.then");
                let else_bb = self.append(cx.func, "ifexp.else");
                let after = self.append(cx.func, "ifexp.end");
                self.b.build_conditional_branch(c, then_bb, else_bb)?;
                for (bb, branch) in [(then_bb, then), (else_bb, orelse)] {
                    self.b.position_at_end(bb);
                    let v = self.expr(cx, branch)?;
                    let bt = self.ty(cx, branch);
                    let v = self.coerce(cx, v, &bt, &t)?;
                    self.b.build_store(slot, v)?;
                    self.b.build_unconditional_branch(after)?;
                }
                self.b.position_at_end(after);
                self.b.build_load(self.llvm_type(&t), slot, "")?
            }
            ExprKind::Call(_, args) => {
                let target = *self.prog.instances[cx.inst]
                    .calls
                    .get(&e.id)
                    .ok_or_else(|| CgError("call without an instance".into()))?;
                let mut vals = Vec::new();
                let mut object_args = 0;
                let param_types = self.prog.instances[target].params.clone();
                for (a, pt) in args.iter().zip(&param_types) {
                    let v: BasicValueEnum = match a {
                        Arg::Given(x) => {
                            let xt = self.ty(cx, x);
                            let v = self.expr(cx, x)?;
                            self.coerce(cx, v, &xt, pt)?
                        }
                        Arg::Default(c) if *pt == Type::Object => {
                            let o = self.const_object(c)?;
                            self.obj_incref(o)?;
                            o.into()
                        }
                        Arg::Default(c) => self.const_value(c),
                    };
                    // Object arguments are lent to the callee and released after the call.
                    if *pt == Type::Object {
                        cx.temps.push(v.into_pointer_value());
                        object_args += 1;
                    }
                    vals.push(v.into());
                }
                self.set_loc(cx.scope, &e.span);
                if let Some(depth) = self.depth_for_call(cx, target)? {
                    vals.push(depth.into());
                }
                // From one function that fails by escape to another: straight to its body, with
                // the jump buffer; a failure never comes back here. Otherwise through the
                // callee's entry, with the flag, checked after the call.
                let escape_to = match (cx.escape, self.escape_bodies.get(&target)) {
                    (Some(jump_buffer), Some(body)) => Some((jump_buffer, *body)),
                    _ => None,
                };
                vals.push(escape_to.map_or(cx.failed, |(jump_buffer, _)| jump_buffer).into());
                let callee = match (
                    target == cx.inst,
                    cx.self_call,
                    self.self_calls.get(&target),
                    escape_to,
                ) {
                    (true, Some(original), _, _) => original,
                    (true, None, Some(twin), _) => *twin,
                    (_, _, _, Some((_, body))) => body,
                    _ => self.natives[target],
                };
                let call = self.b.build_call(callee, &vals, "")?;
                let v = call
                    .try_as_basic_value()
                    .basic()
                    .ok_or_else(|| CgError("native call returned void".into()))?;
                if escape_to.is_none() {
                    self.check_native_call(cx)?;
                }
                for _ in 0..object_args {
                    let arg = cx
                        .temps
                        .pop()
                        .ok_or_else(|| CgError("temporary stack underflow".into()))?;
                    self.obj_decref(arg)?;
                }
                let rt = self.prog.instances[target].ret.clone();
                self.adopt_returned(cx, v, &rt)?;
                self.coerce(cx, v, &rt, &t)?
            }
            ExprKind::Builtin(b, args) => {
                let mut vals = Vec::new();
                let mut types = Vec::new();
                for a in args {
                    vals.push(self.expr(cx, a)?);
                    types.push(self.ty(cx, a));
                }
                self.set_loc(cx.scope, &e.span);
                self.builtin(cx, *b, &vals, &types, args, &t)?
            }
            ExprKind::Subscript(value, indices) => {
                let v = self.subscript(cx, value, indices, &t)?;
                self.set_loc(cx.scope, &e.span);
                v
            }
            ExprKind::Attr(value, attr @ (hir::ArrayAttr::Real | hir::ArrayAttr::Imag)) => {
                let v = self.expr(cx, value)?;
                match self.ty(cx, value) {
                    Type::Complex => {
                        let (re, im) = self.parts(v.into_struct_value())?;
                        (if *attr == hir::ArrayAttr::Real { re } else { im }).into()
                    }
                    // A real number is its own real part; its imaginary part is 0.
                    vt if *attr == hir::ArrayAttr::Real => self.convert(v, &vt, &t)?,
                    _ => self.llvm_type(&t).const_zero(),
                }
            }
            ExprKind::Attr(value, attr) => self.array_attr(cx, value, *attr, &t)?,
            // `np.sum(x)`, `x.max()`, … of a native array (reduce.rs).
            ExprKind::Reduce(r, array, _, Some(axis)) if matches!(t, Type::Array(_)) => {
                self.reduce_along(cx, e, *r, array, axis.value)?
            }
            ExprKind::Reduce(r, array, ..) => self.reduce(cx, e, *r, array)?,
            // Typed natively only as an array, which `elementwise` computes (above).
            ExprKind::AsType(..) => return Err(CgError("astype of a non-array".into())),
            ExprKind::Copy(value) => {
                self.set_loc(cx.scope, &e.span);
                self.copy_array(cx, value, &t)?
            }
            ExprKind::NpCreate(f, args, _) => {
                self.set_loc(cx.scope, &e.span);
                self.np_create(cx, *f, args, &t)?
            }
            // `any`/`all` of a generator: its loops, then the bool they left.
            ExprKind::Comprehension(hir::CompKind::Search, result, body) => {
                self.block(cx, body)?;
                let t = self.local_ty(cx, *result);
                self.b.build_load(self.llvm_type(&t), cx.locals[*result], "")?
            }
            // An item of a loop over arrays: the element (or view) at the loop's index.
            ExprKind::EachItem(_, item) => self.expr(cx, item)?,
            ExprKind::Global(_)
            | ExprKind::List(_)
            | ExprKind::Set(_)
            | ExprKind::Dict(_)
            | ExprKind::GetAttr(..)
            | ExprKind::CallObject(..)
            | ExprKind::CallMethod(..)
            | ExprKind::FString(_)
            | ExprKind::Comprehension(..)
            | ExprKind::Lambda(..)
            | ExprKind::MakeClass(..)
            | ExprKind::FunctionValue(..)
            | ExprKind::Closure(..) => {
                return Err(CgError("an object expression typed as a native value".into()));
            }
        };
        Ok(v)
    }

    pub(super) fn compare_chain(
        &mut self,
        cx: &mut FnCx<'ctx>,
        e: &Expr,
        first: &Expr,
        rest: &[(CmpOp, Expr)],
    ) -> Cg<BasicValueEnum<'ctx>> {
        let mut left = self.expr(cx, first)?;
        let mut lt = self.ty(cx, first);
        if rest.len() == 1 {
            let (op, right) = &rest[0];
            let rv = self.expr(cx, right)?;
            let rt = self.ty(cx, right);
            self.set_loc(cx.scope, &e.span);
            return Ok(self.compare(*op, left, &lt, rv, &rt)?.into());
        }
        // `0 <= k < n` with later operands that are plain names or constants: evaluating them
        // early cannot be observed, and one `and` of the comparisons lets LLVM fold a range
        // check into a single unsigned compare (the branchy form hides that from it).
        if rest[1..].iter().all(|(_, x)| matches!(x.kind, ExprKind::Local(_) | ExprKind::Const(_)))
        {
            let mut all = self.ctx.bool_type().const_all_ones();
            for (op, right) in rest {
                let rv = self.expr(cx, right)?;
                let rt = self.ty(cx, right);
                self.set_loc(cx.scope, &e.span);
                let c = self.compare(*op, left, &lt, rv, &rt)?;
                all = self.b.build_and(all, c, "")?;
                left = rv;
                lt = rt;
            }
            return Ok(all.into());
        }
        // `a < b < c`: stop at the first false comparison; each operand evaluated once.
        let slot = self.entry_alloca(cx, self.ctx.bool_type().into(), "cmp")?;
        self.b.build_store(slot, self.ctx.bool_type().const_zero())?;
        let after = self.append(cx.func, "cmp.end");
        for (i, (op, right)) in rest.iter().enumerate() {
            let rv = self.expr(cx, right)?;
            let rt = self.ty(cx, right);
            self.set_loc(cx.scope, &e.span);
            let c = self.compare(*op, left, &lt, rv, &rt)?;
            if i + 1 == rest.len() {
                self.b.build_store(slot, c)?;
                self.b.build_unconditional_branch(after)?;
            } else {
                let next = self.append(cx.func, "cmp.next");
                self.b.build_conditional_branch(c, next, after)?;
                self.b.position_at_end(next);
            }
            left = rv;
            lt = rt;
        }
        self.b.position_at_end(after);
        Ok(self.b.build_load(self.ctx.bool_type(), slot, "")?)
    }

    pub(super) fn compare(
        &self,
        op: CmpOp,
        l: BasicValueEnum<'ctx>,
        lt: &Type,
        r: BasicValueEnum<'ctx>,
        rt: &Type,
    ) -> Cg<IntValue<'ctx>> {
        match op {
            // Native operands (types.rs allows only these): a native value is never None, and
            // True and False are singletons.
            CmpOp::Is | CmpOp::IsNot => {
                let same = match (lt, rt) {
                    (Type::None, _) | (_, Type::None) => {
                        self.ctx.bool_type().const_int((lt == rt) as u64, false)
                    }
                    (Type::Bool, Type::Bool) => self.b.build_int_compare(
                        IntPredicate::EQ,
                        l.into_int_value(),
                        r.into_int_value(),
                        "",
                    )?,
                    _ => return Err(CgError(format!("`is` between {lt} and {rt}"))),
                };
                Ok(if op == CmpOp::Is { same } else { self.b.build_not(same, "")? })
            }
            CmpOp::In | CmpOp::NotIn => {
                let Type::Tuple(items) = rt else {
                    return Err(CgError("`in` on a non-tuple".into()));
                };
                let mut found = self.ctx.bool_type().const_zero();
                for (i, it) in items.iter().enumerate() {
                    let item = self.b.build_extract_value(r.into_struct_value(), i as u32, "")?;
                    let eq = self.compare(CmpOp::Eq, l, lt, item, it)?;
                    found = self.b.build_or(found, eq, "")?;
                }
                Ok(if op == CmpOp::In { found } else { self.b.build_not(found, "")? })
            }
            _ => {
                if let (Type::Tuple(ls), Type::Tuple(rs)) = (lt, rt) {
                    let mut all = self.ctx.bool_type().const_all_ones();
                    for (i, (a, b)) in ls.iter().zip(rs).enumerate() {
                        let x = self.b.build_extract_value(l.into_struct_value(), i as u32, "")?;
                        let y = self.b.build_extract_value(r.into_struct_value(), i as u32, "")?;
                        let eq = self.compare(CmpOp::Eq, x, a, y, b)?;
                        all = self.b.build_and(all, eq, "")?;
                    }
                    return Ok(if op == CmpOp::Eq { all } else { self.b.build_not(all, "")? });
                }
                if *lt == Type::Complex || *rt == Type::Complex {
                    let eq = self.complex_eq(self.to_complex(l, lt)?, self.to_complex(r, rt)?)?;
                    return Ok(if op == CmpOp::Eq { eq } else { self.b.build_not(eq, "")? });
                }
                if *lt == Type::Float || *rt == Type::Float {
                    let x = self.convert(l, lt, &Type::Float)?.into_float_value();
                    let y = self.convert(r, rt, &Type::Float)?.into_float_value();
                    Ok(self.b.build_float_compare(float_predicate(op), x, y, "")?)
                } else {
                    let x = self.convert(l, lt, &Type::Int)?.into_int_value();
                    let y = self.convert(r, rt, &Type::Int)?.into_int_value();
                    Ok(self.b.build_int_compare(int_predicate(op), x, y, "")?)
                }
            }
        }
    }

    pub(super) fn bool_op(
        &mut self,
        cx: &mut FnCx<'ctx>,
        e: &Expr,
        kind: BoolOpKind,
        values: &[Expr],
        t: &Type,
    ) -> Cg<BasicValueEnum<'ctx>> {
        // `a or b` is a if a is truthy, else b (and the reverse for `and`), evaluated lazily.
        let slot = self.entry_alloca(cx, self.llvm_type(t), "boolop")?;
        let after = self.append(cx.func, "boolop.end");
        for (i, v) in values.iter().enumerate() {
            let x = self.expr(cx, v)?;
            let xt = self.ty(cx, v);
            self.set_loc(cx.scope, &e.span);
            let converted = self.convert(x, &xt, t)?;
            self.b.build_store(slot, converted)?;
            if i + 1 == values.len() {
                self.b.build_unconditional_branch(after)?;
            } else {
                let truth = self.truthy(x, &xt)?;
                let next = self.append(cx.func, "boolop.next");
                match kind {
                    BoolOpKind::Or => self.b.build_conditional_branch(truth, after, next)?,
                    BoolOpKind::And => self.b.build_conditional_branch(truth, next, after)?,
                };
                self.b.position_at_end(next);
            }
        }
        self.b.position_at_end(after);
        Ok(self.b.build_load(self.llvm_type(t), slot, "")?)
    }
}
