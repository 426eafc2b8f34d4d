//! `#omp atomic` (and `#omp critical`) on an array element update `a[k] op= v` inside a
//! parallel loop: one atomic read-modify-write, so iterations that update the same element at
//! once lose nothing (a histogram filled in parallel). Integers use LLVM's `atomicrmw` (they
//! wrap, as numpy's in-place update of an int array does); floats, which `atomicrmw` here does
//! not take, a compare-and-swap loop on the element's bits. The element's address is checked
//! (IndexError, read-only ValueError) before, as for any store. hir/lower.rs records which
//! statements are atomic; types/infer.rs checks the operator and value types.

use super::basics::CurrentBlock;
use super::state::{Cg, Codegen, FnCx};
use crate::hir::{BinOp, Expr, Index};
use crate::types::Type;
use inkwell::values::BasicValueEnum;
use inkwell::{AtomicOrdering, AtomicRMWBinOp};

impl<'ctx> Codegen<'ctx, '_> {
    pub(super) fn atomic_element_update(
        &mut self,
        cx: &mut FnCx<'ctx>,
        array: &Expr,
        indices: &[Index],
        op: BinOp,
        value: &Expr,
        target_span: &crate::diagnostics::Span,
    ) -> Cg<()> {
        let (arr, at, ptr) = self.item_address(cx, array, indices)?;
        let v = self.expr(cx, value)?;
        let vt = self.ty(cx, value);
        self.set_loc(cx.scope, target_span);
        let writable = self.field(arr, super::layout::WRITABLE)?.into_int_value();
        self.guard(cx, writable, "ValueError", "assignment destination is read-only")?;
        let elem = at.elem();
        let v = self.convert(v, &vt, &elem)?;
        let stored = self.dtype_type(at.dtype);
        if elem == Type::Int {
            let bits = stored.into_int_type();
            let v = self.b.build_int_truncate_or_bit_cast(v.into_int_value(), bits, "")?;
            let rmw = match op {
                BinOp::Add => AtomicRMWBinOp::Add,
                BinOp::Sub => AtomicRMWBinOp::Sub,
                BinOp::BitAnd => AtomicRMWBinOp::And,
                BinOp::BitOr => AtomicRMWBinOp::Or,
                _ => AtomicRMWBinOp::Xor,
            };
            self.b.build_atomicrmw(rmw, ptr, v, AtomicOrdering::Monotonic)?;
        } else {
            // Floats: swap in old + v until no other thread changed the element meanwhile.
            let float = stored.into_float_type();
            let bits = self.ctx.custom_width_int_type(float.get_bit_width());
            let v = self.b.build_float_cast(v.into_float_value(), float, "")?;
            let before = self.b.build_load(bits, ptr, "")?.into_int_value();
            let from = self.b.current_block()?;
            let retry = self.append(cx.func, "atomic.retry");
            let done = self.append(cx.func, "atomic.done");
            self.b.build_unconditional_branch(retry)?;
            self.b.position_at_end(retry);
            let old = self.b.build_phi(bits, "")?;
            old.add_incoming(&[(&before, from)]);
            let old_bits = old.as_basic_value().into_int_value();
            let old_value = self.b.build_bit_cast(old_bits, float, "")?.into_float_value();
            let new_value = match op {
                BinOp::Sub => self.b.build_float_sub(old_value, v, "")?,
                _ => self.b.build_float_add(old_value, v, "")?,
            };
            let new_bits = self.b.build_bit_cast(new_value, bits, "")?.into_int_value();
            let swapped = self.b.build_cmpxchg(
                ptr,
                old_bits,
                new_bits,
                AtomicOrdering::Monotonic,
                AtomicOrdering::Monotonic,
            )?;
            let seen = self.b.build_extract_value(swapped, 0, "")?.into_int_value();
            let ok = self.b.build_extract_value(swapped, 1, "")?.into_int_value();
            let here = self.b.current_block()?;
            old.add_incoming(&[(&BasicValueEnum::from(seen), here)]);
            self.b.build_conditional_branch(ok, done, retry)?;
            self.b.position_at_end(done);
        }
        self.tag_element_access(cx, array, ptr);
        Ok(())
    }
}
