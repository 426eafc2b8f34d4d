//! Emits the if-conversions planned by plan/ifconvert.rs (see there for what qualifies and
//! why it is still Python): `if <cond reading a[i]>: a[i] = v` as a select and an
//! unconditional store ([`Codegen::conditional_update`]), and both branches of an `if` computed
//! and selected ([`Codegen::select_branches`]).

use super::layout;
use super::state::{Cg, CgError, Codegen, FnCx};
use crate::hir::{self, Expr, Stmt, StmtKind, Target};
use crate::plan::ifconvert::BranchPlan;
use crate::types::Type;
use inkwell::values::{BasicValueEnum, IntValue};
use inkwell::IntPredicate;

impl<'ctx> Codegen<'ctx, '_> {
    /// `if <cond reading a[idx]>: a[idx] = value` as a select and an unconditional store of
    /// the old or new value, which vectorizes as a blend instead of masked stores (floyd,
    /// running minima). Only when nothing can tell the difference: the element is read by the
    /// condition (so its index is valid and it is loaded anyway), the value cannot raise or
    /// call anything and reads only elements the condition reads, and the module has no
    /// parallel loops (another thread could write the element meanwhile). A read-only array
    /// still raises only when the condition holds. Returns false when the pattern does not apply.
    pub(super) fn conditional_update(
        &mut self,
        cx: &mut FnCx<'ctx>,
        cond: &Expr,
        then: &[Stmt],
    ) -> Cg<()> {
        let [Stmt {
            kind: StmtKind::Assign { target: Target::Item(array, indices, span), value },
            ..
        }] = then
        else {
            return Err(CgError("if-select planned for another statement".into()));
        };
        let c = self.condition(cx, cond)?;
        let v = self.expr(cx, value)?;
        let vt = self.ty(cx, value);
        self.set_loc(cx.scope, span);
        let (arr_v, at, ptr) = self.item_address(cx, array, indices)?;
        // Raise for a read-only array only when the condition holds, as Python would.
        let writable = self.field(arr_v, layout::WRITABLE)?.into_int_value();
        let ok = self.b.build_or(writable, self.b.build_not(c, "")?, "")?;
        self.guard(cx, ok, "ValueError", "assignment destination is read-only")?;
        let old = self.load_element(ptr, at.dtype)?;
        let new = self.convert(v, &vt, &at.elem())?;
        let chosen = self.b.build_select(c, new, old, "")?;
        self.store_element_unchecked(ptr, at.dtype, chosen, &at.elem())?;
        self.tag_element_access(cx, array, ptr);
        Ok(())
    }

    /// `if c: <local updates> else: <local updates>` with one `a[i] += v` (or `-=`) in one branch,
    /// as selects (see the module doc). Returns false when the pattern does not apply.
    pub(super) fn select_branches(
        &mut self,
        cx: &mut FnCx<'ctx>,
        cond: &Expr,
        then: &[Stmt],
        orelse: &[Stmt],
        plan: &BranchPlan<'_>,
    ) -> Cg<()> {
        let (locals, item) = plan;
        let c = self.condition(cx, cond)?;
        // The element's address, checked without raising: in range (after wraparound) and writable.
        self.set_loc(cx.scope, item.span);
        let arr = self.expr(cx, item.array)?.into_struct_value();
        let Type::Array(at) = self.ty(cx, item.array) else {
            return Err(CgError("item update of a non-array".into()));
        };
        let mut positions = Vec::new();
        for e in &item.indices {
            positions.push(self.operand(cx, e, &Type::Int)?.into_int_value());
        }
        let (ptr, fits) = self.element_ptr_if_valid(cx, arr, &at, &positions)?;
        let writable = self.field(arr, layout::WRITABLE)?.into_int_value();
        let ok = self.b.build_and(fits, writable, "")?;
        let fast = self.append(cx.func, "ifconv");
        let slow = self.append(cx.func, "ifconv.branches");
        let after = self.append(cx.func, "ifconv.end");
        let br = self.b.build_conditional_branch(ok, fast, slow)?;
        self.expect_true(br);

        // Anything unusual: the branches as written (they raise the IndexError or ValueError).
        self.b.position_at_end(slow);
        self.branches(cx, c, then, orelse, after)?;

        // Both branches' values, all computed from the values before the `if`.
        self.b.position_at_end(fast);
        let mut chosen: Vec<(
            hir::LocalId,
            Option<BasicValueEnum<'ctx>>,
            Option<BasicValueEnum<'ctx>>,
        )> = Vec::new();
        for u in locals {
            let lt = self.local_ty(cx, u.local);
            let v = self.expr(cx, u.value)?;
            let vt = self.ty(cx, u.value);
            self.set_loc(cx.scope, u.span);
            let new = match u.op {
                Some(op) => {
                    let current = self.b.build_load(self.llvm_type(&lt), cx.locals[u.local], "")?;
                    let (r, rt) = self.binary(cx, op, current, &lt, v, &vt, u.value)?;
                    self.convert(r, &rt, &lt)?
                }
                None => self.convert(v, &vt, &lt)?,
            };
            match chosen.iter_mut().find(|(l, _, _)| *l == u.local) {
                Some(entry) if u.then_branch => entry.1 = Some(new),
                Some(entry) => entry.2 = Some(new),
                None if u.then_branch => chosen.push((u.local, Some(new), None)),
                None => chosen.push((u.local, None, Some(new))),
            }
        }
        self.set_loc(cx.scope, item.span);
        let elem = at.elem();
        let current = self.load_element(ptr, at.dtype)?;
        let v = self.expr(cx, item.value)?;
        let vt = self.ty(cx, item.value);
        let (r, rt) = self.element_binary(cx, item.op, current, &elem, v, &vt, item.value)?;
        let updated = self.convert(r, &rt, &elem)?;
        let applies = if item.then_branch { c } else { self.b.build_not(c, "")? };
        let stored = self.b.build_select(applies, updated, current, "")?;
        self.store_element_unchecked(ptr, at.dtype, stored, &elem)?;
        self.tag_element_access(cx, item.array, ptr);
        for (local, in_then, in_else) in chosen {
            let lt = self.local_ty(cx, local);
            let before = self.b.build_load(self.llvm_type(&lt), cx.locals[local], "")?;
            let v =
                self.b.build_select(c, in_then.unwrap_or(before), in_else.unwrap_or(before), "")?;
            self.b.build_store(cx.locals[local], v)?;
        }
        self.b.build_unconditional_branch(after)?;
        self.b.position_at_end(after);
        Ok(())
    }

    /// The address of `arr[idx...]` and whether every index is in range (after wraparound, as
    /// the build's checks say): computed without raising; the address is only valid when it is.
    fn element_ptr_if_valid(
        &mut self,
        cx: &FnCx<'ctx>,
        arr: inkwell::values::StructValue<'ctx>,
        at: &crate::types::ArrayType,
        idx: &[IntValue<'ctx>],
    ) -> Cg<(inkwell::values::PointerValue<'ctx>, IntValue<'ctx>)> {
        let checks = self.hir.functions[self.prog.instances[cx.inst].func].checks;
        let mut offset = self.i64(0);
        let mut fits = self.ctx.bool_type().const_all_ones();
        for (k, i) in idx.iter().enumerate() {
            let n = self.dim(arr, layout::SHAPE, k)?;
            let i = if checks.wraparound {
                let neg = self.b.build_int_compare(IntPredicate::SLT, *i, self.i64(0), "")?;
                self.b.build_select(neg, self.b.build_int_add(*i, n, "")?, *i, "")?.into_int_value()
            } else {
                *i
            };
            if checks.boundscheck {
                let inside = self.b.build_int_compare(IntPredicate::ULT, i, n, "")?;
                fits = self.b.build_and(fits, inside, "")?;
            }
            let s = self.stride(arr, at, k)?;
            offset = self.b.build_int_add(offset, self.b.build_int_mul(i, s, "")?, "")?;
        }
        let data = self.field(arr, layout::DATA)?.into_pointer_value();
        Ok((unsafe { self.b.build_gep(self.ctx.i8_type(), data, &[offset], "elem")? }, fits))
    }
}
