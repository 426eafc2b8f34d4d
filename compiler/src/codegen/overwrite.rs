//! Emits the zero fill of only a border ([`Codegen::zeros_then_border`]) where
//! plan/overwrite.rs found the next loop overwrites the rest (see there for why).

use super::layout::{dtype_size, DATA, SHAPE};
use super::state::{Cg, CgError, Codegen, FnCx};
use crate::hir::{ExprKind, NpFn, Stmt, StmtKind};
use crate::plan::overwrite::Overwrite;
use crate::types::Type;
use inkwell::values::IntValue;
use inkwell::IntPredicate;

impl<'ctx> Codegen<'ctx, '_> {
    /// `out = np.empty(shape)` (the statement `overwritten_zeros` took), then zeros outside the
    /// rectangle the next loop writes.
    pub(super) fn zeros_then_border(
        &mut self,
        cx: &mut FnCx<'ctx>,
        s: &Stmt,
        plan: &Overwrite,
    ) -> Cg<()> {
        let StmtKind::Assign { target, value } = &s.kind else {
            return Err(CgError("zero fill: not an assignment".into()));
        };
        let ExprKind::NpCreate(_, args, _) = &value.kind else {
            return Err(CgError("zero fill: not a numpy call".into()));
        };
        self.set_loc(cx.scope, &s.span);
        let t = self.ty(cx, value);
        let Type::Array(at) = &t else { return Err(CgError("zero fill: not an array".into())) };
        let created = self.np_create(cx, NpFn::Empty, args, &t)?;
        self.store_target(cx, target, created, &t)?;
        let arr = created.into_struct_value();
        let size = self.i64(dtype_size(at.dtype) as i64);
        let clamp = |this: &Self,
                     v: IntValue<'ctx>,
                     lo: IntValue<'ctx>,
                     hi: IntValue<'ctx>|
         -> Cg<IntValue<'ctx>> {
            let v = this
                .b
                .build_select(this.b.build_int_compare(IntPredicate::SLT, v, lo, "")?, lo, v, "")?
                .into_int_value();
            Ok(this
                .b
                .build_select(this.b.build_int_compare(IntPredicate::SGT, v, hi, "")?, hi, v, "")?
                .into_int_value())
        };
        // Per axis, the rectangle's first and last-plus-one index, within [0, length].
        let mut bounds = Vec::new();
        for (axis, (from, short)) in plan.rectangle.iter().enumerate() {
            let n = self.dim(arr, SHAPE, axis)?;
            let lo = clamp(self, self.i64(*from), self.i64(0), n)?;
            let end = self.b.build_int_sub(n, self.i64(*short), "")?;
            let hi = clamp(self, end, lo, n)?;
            bounds.push((n, lo, hi));
        }
        let data = self.field(arr, DATA)?.into_pointer_value();
        let zero_from = |this: &mut Self,
                         idx: &[IntValue<'ctx>],
                         elements: IntValue<'ctx>|
         -> Cg<()> {
            let ptr =
                if idx.iter().all(|i| i.is_const() && i.get_zero_extended_constant() == Some(0)) {
                    data
                } else {
                    this.unchecked_element_ptr(arr, at, idx)?
                };
            let bytes = this.b.build_int_mul(elements, size, "")?;
            this.b
                .build_memset(ptr, 1, this.ctx.i8_type().const_zero(), bytes)
                .map_err(|e| CgError(e.to_string()))?;
            Ok(())
        };
        let zero = self.i64(0);
        let (n, lo, hi) = bounds[0];
        let row = if at.ndim == 2 { bounds[1].0 } else { self.i64(1) };
        // Whole rows before and after the rectangle (elements, for one axis).
        let before = self.b.build_int_mul(lo, row, "")?;
        zero_from(self, &vec![zero; at.ndim], before)?;
        let after = self.b.build_int_mul(self.b.build_int_sub(n, hi, "")?, row, "")?;
        let mut start = vec![zero; at.ndim];
        start[0] = hi;
        zero_from(self, &start, after)?;
        if at.ndim == 2 {
            // The rectangle's rows: the columns left and right of it.
            let (m, col_lo, col_hi) = bounds[1];
            let right = self.b.build_int_sub(m, col_hi, "")?;
            let counter = self.entry_alloca(cx, self.ctx.i64_type().into(), "border.row")?;
            self.b.build_store(counter, lo)?;
            let head = self.append(cx.func, "border");
            let body = self.append(cx.func, "border.row");
            let done = self.append(cx.func, "border.done");
            self.b.build_unconditional_branch(head)?;
            self.b.position_at_end(head);
            let r = self.b.build_load(self.ctx.i64_type(), counter, "")?.into_int_value();
            let more = self.b.build_int_compare(IntPredicate::SLT, r, hi, "")?;
            self.b.build_conditional_branch(more, body, done)?;
            self.b.position_at_end(body);
            zero_from(self, &[r, zero], col_lo)?;
            zero_from(self, &[r, col_hi], right)?;
            self.b.build_store(counter, self.b.build_int_nsw_add(r, self.i64(1), "")?)?;
            self.b.build_unconditional_branch(head)?;
            self.b.position_at_end(done);
        }
        Ok(())
    }
}
