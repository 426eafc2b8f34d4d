//! The plumbing every room uses: LLVM types of pyaot's types, constants, C strings, blocks,
//! debug locations and subprograms, branch weights and loop metadata, and the typed HIR of the
//! instance being generated (`ty`, `local_ty`, and `facts` for the plan's analyses).

use super::state::CgError;
use super::state::FnCx;
use super::state::{Cg, Codegen};
use crate::diagnostics::Span;
use crate::hir::{self, Expr};
use crate::types::Type;
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::basic_block::BasicBlock;
use inkwell::builder::Builder;
use inkwell::debug_info::{AsDIScope, DIFlags, DIFlagsConstants, DIScope};
use inkwell::module::Linkage;
use inkwell::types::{BasicTypeEnum, StructType};
use inkwell::values::CallSiteValue;
use inkwell::values::{BasicValueEnum, FloatValue, FunctionValue, IntValue, PointerValue};
use inkwell::AddressSpace;

/// The three inkwell lookups codegen makes everywhere, as errors instead of panics: a
/// function's parameter, a call's result, the builder's current block.
pub(super) trait FunctionParams<'ctx> {
    fn param(&self, k: u32) -> Cg<BasicValueEnum<'ctx>>;
}

impl<'ctx> FunctionParams<'ctx> for FunctionValue<'ctx> {
    fn param(&self, k: u32) -> Cg<BasicValueEnum<'ctx>> {
        self.get_nth_param(k).ok_or_else(|| CgError(format!("no parameter {k}")))
    }
}

pub(super) trait CallResult<'ctx> {
    fn value(self) -> Cg<BasicValueEnum<'ctx>>;
}

impl<'ctx> CallResult<'ctx> for CallSiteValue<'ctx> {
    fn value(self) -> Cg<BasicValueEnum<'ctx>> {
        self.try_as_basic_value().basic().ok_or_else(|| CgError("a call without a value".into()))
    }
}

pub(super) trait CurrentBlock<'ctx> {
    fn current_block(&self) -> Cg<BasicBlock<'ctx>>;
}

impl<'ctx> CurrentBlock<'ctx> for Builder<'ctx> {
    fn current_block(&self) -> Cg<BasicBlock<'ctx>> {
        self.get_insert_block().ok_or_else(|| CgError("the builder is in no block".into()))
    }
}

impl<'ctx> Codegen<'ctx, '_> {
    pub(super) fn llvm_type(&self, t: &Type) -> BasicTypeEnum<'ctx> {
        match t {
            Type::Bool => self.ctx.bool_type().into(),
            Type::Int | Type::Unknown => self.ctx.i64_type().into(),
            Type::Float => self.ctx.f64_type().into(),
            Type::Complex => self.complex_type().into(),
            Type::None => self.ctx.struct_type(&[], false).into(),
            Type::Tuple(items) => {
                let fields: Vec<_> = items.iter().map(|i| self.llvm_type(i)).collect();
                self.ctx.struct_type(&fields, false).into()
            }
            Type::Array(a) => self.array_struct(a.ndim).into(),
            Type::Object => self.ptr_type().into(),
        }
    }

    /// `{ T, i1 failed }`: what the unboxing helpers return (native functions use the flag).
    pub(super) fn ret_type(&self, t: &Type) -> StructType<'ctx> {
        self.ctx.struct_type(&[self.llvm_type(t), self.ctx.bool_type().into()], false)
    }

    pub(super) fn i64(&self, v: i64) -> IntValue<'ctx> {
        self.ctx.i64_type().const_int(v as u64, true)
    }

    pub(super) fn f64(&self, v: f64) -> FloatValue<'ctx> {
        self.ctx.f64_type().const_float(v)
    }

    pub(super) fn ptr_type(&self) -> inkwell::types::PointerType<'ctx> {
        self.ctx.ptr_type(AddressSpace::default())
    }

    /// A NUL-terminated string constant, shared between uses.
    pub(super) fn cstr(&mut self, s: &str) -> Cg<PointerValue<'ctx>> {
        if let Some(p) = self.strings.get(s) {
            return Ok(*p);
        }
        let bytes = s.as_bytes();
        let value = self.ctx.const_string(bytes, true);
        let g =
            self.module.add_global(value.get_type(), None, &format!("str.{}", self.strings.len()));
        g.set_initializer(&value);
        g.set_constant(true);
        g.set_linkage(Linkage::Private);
        g.set_unnamed_addr(true);
        let p = g.as_pointer_value();
        self.strings.insert(s.to_string(), p);
        Ok(p)
    }

    pub(super) fn line_col(&self, offset: usize) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let col = offset - self.line_starts[line - 1] + 1;
        (line as u32, col as u32)
    }

    pub(super) fn set_loc(&self, scope: DIScope<'ctx>, span: &Span) {
        let (line, col) = self.line_col(span.start);
        let loc = self.di.create_debug_location(self.ctx, line, col, scope, None);
        self.b.set_current_debug_location(loc);
    }

    /// Attaches a debug subprogram to `func`, starting at `span`.
    pub(super) fn subprogram(
        &self,
        func: FunctionValue<'ctx>,
        name: &str,
        span: &Span,
    ) -> DIScope<'ctx> {
        let (line, _) = self.line_col(span.start);
        let file = self.cu.get_file();
        let ty = self.di.create_subroutine_type(file, None, &[], DIFlags::PUBLIC);
        let sp = self.di.create_function(
            self.cu.as_debug_info_scope(),
            name,
            None,
            file,
            line,
            ty,
            true,
            true,
            line,
            DIFlags::PUBLIC,
            true,
        );
        func.set_subprogram(sp);
        sp.as_debug_info_scope()
    }

    /// A debug subprogram at line 0 for pyaot's generated helpers (names start with `pyaot.`).
    pub(super) fn glue_subprogram(&self, func: FunctionValue<'ctx>, name: &str) -> DIScope<'ctx> {
        let file = self.cu.get_file();
        let ty = self.di.create_subroutine_type(file, None, &[], DIFlags::PUBLIC);
        let sp = self.di.create_function(
            self.cu.as_debug_info_scope(),
            name,
            None,
            file,
            0,
            ty,
            true,
            true,
            0,
            DIFlags::ARTIFICIAL,
            true,
        );
        func.set_subprogram(sp);
        sp.as_debug_info_scope()
    }

    pub(super) fn add_attr(&self, func: FunctionValue<'ctx>, name: &str) {
        let kind = Attribute::get_named_enum_kind_id(name);
        func.add_attribute(AttributeLoc::Function, self.ctx.create_enum_attribute(kind, 0));
    }

    pub(super) fn append(&self, func: FunctionValue<'ctx>, name: &str) -> BasicBlock<'ctx> {
        self.ctx.append_basic_block(func, name)
    }

    /// Continues in a fresh block after a terminator, so the builder always has an open block.
    pub(super) fn open_dead_block(&self, func: FunctionValue<'ctx>) {
        let bb = self.append(func, "dead");
        self.b.position_at_end(bb);
    }

    /// The plan stage's view of the instance being generated, for the analyses lowering reads.
    pub(super) fn facts(&self, cx: &FnCx<'ctx>) -> crate::plan::Facts<'_> {
        crate::plan::Facts {
            hir: self.hir,
            prog: self.prog,
            inst: cx.inst,
            has_parallel_loops: self.has_parallel_loops,
            fresh: &self.plan.instances[cx.inst].fresh,
        }
    }

    /// The truth of a condition the types decided in this instance (see `Instance::decided`):
    /// only the branch taken is compiled.
    pub(super) fn decided(&self, cx: &FnCx<'ctx>, cond: &Expr) -> Option<bool> {
        self.prog.instances[cx.inst].decided.get(&cond.id).copied()
    }

    /// The operands of an `and`/`or` that run: up to the first one the types decide stops it
    /// (the rest were never typed; Python never evaluates them).
    pub(super) fn live_operands<'e>(
        &self,
        cx: &FnCx<'ctx>,
        kind: hir::BoolOpKind,
        values: &'e [Expr],
    ) -> &'e [Expr] {
        let stops = |v: &Expr| self.decided(cx, v) == Some(kind == hir::BoolOpKind::Or);
        match values.iter().position(stops) {
            Some(k) => &values[..=k],
            None => values,
        }
    }

    /// Whether an index is numpy's to apply (a mask, an index array; `types::numpy_index`),
    /// through Python, even on an array held natively.
    pub(super) fn object_index(&self, cx: &FnCx<'ctx>, indices: &[hir::Index]) -> bool {
        indices.iter().any(
            |ix| matches!(ix, hir::Index::At(e) if crate::types::numpy_index(e, &self.ty(cx, e))),
        )
    }

    pub(super) fn ty(&self, cx: &FnCx<'ctx>, e: &Expr) -> Type {
        self.prog.instances[cx.inst].exprs[e.id].clone()
    }

    pub(super) fn local_ty(&self, cx: &FnCx<'ctx>, l: hir::LocalId) -> Type {
        self.prog.instances[cx.inst].locals[l].clone()
    }

    /// Marks a branch whose condition is almost always true (the error path is the other one),
    /// so LLVM lays the hot path out straight and keeps error code out of loops.
    pub(super) fn expect_true(&self, br: inkwell::values::InstructionValue<'ctx>) {
        self.branch_weights(br, 2000, 1);
    }

    pub(super) fn expect_false(&self, br: inkwell::values::InstructionValue<'ctx>) {
        self.branch_weights(br, 1, 2000);
    }

    pub(super) fn branch_weights(
        &self,
        br: inkwell::values::InstructionValue<'ctx>,
        taken: u64,
        not_taken: u64,
    ) {
        let i32t = self.ctx.i32_type();
        let node = self.ctx.metadata_node(&[
            self.ctx.metadata_string("branch_weights").into(),
            i32t.const_int(taken, false).into(),
            i32t.const_int(not_taken, false).into(),
        ]);
        // Only fails for a value that is not an instruction, which `br` always is.
        let _ = br.set_metadata(node, self.ctx.get_kind_id("prof"));
    }

    /// Gives a loop's back edge `!llvm.loop` metadata holding the loop statement's location, so
    /// LLVM's remarks about the loop name its line even after inlining moved it elsewhere.
    pub(super) fn mark_loop(&self, back_edge: inkwell::values::InstructionValue<'ctx>) {
        use inkwell::values::AsValueRef;
        // SAFETY: plain LLVM-C metadata calls on values of this context; the temporary node is
        // replaced (and so freed) before the function returns.
        unsafe {
            let ctx = self.ctx.raw();
            let inst = back_edge.as_value_ref();
            let location = llvm_sys::debuginfo::LLVMInstructionGetDebugLoc(inst);
            if location.is_null() {
                return;
            }
            let placeholder =
                llvm_sys::debuginfo::LLVMTemporaryMDNode(ctx, std::ptr::null_mut(), 0);
            let mut items = [placeholder, location];
            let node = llvm_sys::core::LLVMMDNodeInContext2(ctx, items.as_mut_ptr(), items.len());
            llvm_sys::debuginfo::LLVMMetadataReplaceAllUsesWith(placeholder, node);
            let kind = llvm_sys::core::LLVMGetMDKindIDInContext(
                ctx,
                c"llvm.loop".as_ptr(),
                "llvm.loop".len() as u32,
            );
            llvm_sys::core::LLVMSetMetadata(
                inst,
                kind,
                llvm_sys::core::LLVMMetadataAsValue(ctx, node),
            );
        }
    }
}
