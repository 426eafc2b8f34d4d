//! The scoped-noalias tags of the fresh arrays plan/fresh.rs finds ([`FreshArrays`]), and
//! [`Codegen::tag_element_access`], which marks the loads and stores at one element address.

use super::state::{Codegen, FnCx, FreshArrays};
use crate::hir::{self, Expr, ExprKind, LocalId};
use inkwell::values::{
    AnyValueEnum, BasicValue, BasicValueEnum, FunctionValue, InstructionOpcode, InstructionValue,
    MetadataValue, PointerValue,
};

impl<'ctx> FreshArrays<'ctx> {
    /// The tags for `func`, whose instance has the fresh arrays `locals` (names from `f`).
    pub(super) fn new(
        cg: &Codegen<'ctx, '_>,
        func: FunctionValue<'ctx>,
        f: &hir::Function,
        locals: &[LocalId],
    ) -> FreshArrays<'ctx> {
        if locals.is_empty() {
            return FreshArrays::default();
        }
        // Scope and domain names are unique per native function: LLVM tells scopes apart by
        // their nodes, and inlining gives an inlined body's scopes new ones. (An outlined
        // parallel body shares its function's: it is called only through the runtime.)
        let fname = func.get_name().to_string_lossy().into_owned();
        let domain =
            cg.ctx.metadata_node(&[cg.ctx.metadata_string(&format!("pyaot.fresh.{fname}")).into()]);
        let scopes: Vec<MetadataValue> = locals
            .iter()
            .map(|l| {
                cg.ctx.metadata_node(&[
                    cg.ctx
                        .metadata_string(&format!("pyaot.fresh.{fname}.{}#{l}", f.locals[*l].name))
                        .into(),
                    domain.into(),
                ])
            })
            .collect();
        let list = |items: Vec<MetadataValue<'ctx>>| {
            (!items.is_empty()).then(|| {
                cg.ctx.metadata_node(&items.into_iter().map(Into::into).collect::<Vec<_>>())
            })
        };
        let own = locals
            .iter()
            .enumerate()
            .map(|(k, l)| {
                let others =
                    scopes.iter().enumerate().filter(|(j, _)| *j != k).map(|(_, s)| *s).collect();
                (
                    *l,
                    (
                        list(vec![scopes[k]]).expect("a list of one scope is not empty"),
                        list(others),
                    ),
                )
            })
            .collect();
        FreshArrays { own, all: list(scopes) }
    }
}

impl FreshArrays<'_> {
    /// Whether `l` holds only arrays this function made, which nothing else can alias.
    pub(super) fn contains(&self, l: LocalId) -> bool {
        self.own.contains_key(&l)
    }
}

impl<'ctx> Codegen<'ctx, '_> {
    /// Marks the loads and stores at `ptr`, an element of `array`, with what is known about
    /// aliasing (see the module doc). Call it after they are built.
    pub(super) fn tag_element_access(
        &self,
        cx: &FnCx<'ctx>,
        array: &Expr,
        ptr: PointerValue<'ctx>,
    ) {
        let Some(all) = cx.fresh.all else { return };
        let (scope, noalias) = match array.kind {
            ExprKind::Local(l) => cx
                .fresh
                .own
                .get(&l)
                .map_or((None, Some(all)), |(scope, others)| (Some(*scope), *others)),
            _ => (None, Some(all)),
        };
        let scope_kind = self.ctx.get_kind_id("alias.scope");
        let noalias_kind = self.ctx.get_kind_id("noalias");
        let mut next = ptr.get_first_use();
        while let Some(u) = next {
            next = u.get_next_use();
            let Some(inst) = instruction(u.get_user()) else { continue };
            let address = match inst.get_opcode() {
                InstructionOpcode::Load => 0,
                InstructionOpcode::Store => 1,
                _ => continue,
            };
            if inst.get_operand(address).and_then(|o| o.value()) != Some(ptr.as_basic_value_enum())
            {
                continue;
            }
            for (md, kind) in [(scope, scope_kind), (noalias, noalias_kind)] {
                if let Some(md) = md {
                    // Only fails for a metadata string, and these are nodes.
                    let _ = inst.set_metadata(md, kind);
                }
            }
        }
    }
}

fn instruction(v: AnyValueEnum<'_>) -> Option<InstructionValue<'_>> {
    match v {
        AnyValueEnum::InstructionValue(i) => Some(i),
        other => BasicValueEnum::try_from(other).ok().and_then(|b| b.as_instruction_value()),
    }
}
