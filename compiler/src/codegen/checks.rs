//! Failing as Python does: the single place every runtime check goes through (`guard`, and
//! `rarely` for checks worth collecting; inside a speculative loop they AND into its flag
//! instead of branching, which is what keeps speculation sound), raising, and the unwind and
//! propagate paths that release what a failing function holds.

use super::state::{poison, FnCx};
use super::state::{Cg, Codegen};
use super::{capi, escape};
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::basic_block::BasicBlock;
use inkwell::values::{BasicValueEnum, IntValue, StructValue};

impl<'ctx> Codegen<'ctx, '_> {
    /// The block that returns failure from the current function (the error is already set).
    /// With temporaries alive, a block releasing them first.
    pub(super) fn unwind_block(&mut self, cx: &mut FnCx<'ctx>) -> Cg<BasicBlock<'ctx>> {
        // Inside a `try`: its handler, after releasing what was evaluated since it began.
        if let Some(&(handler, depth)) = cx.handlers.last() {
            if cx.temps.len() == depth {
                return Ok(handler);
            }
            let here = self.b.get_insert_block();
            let bb = self.append(cx.func, "unwind.temps");
            self.b.position_at_end(bb);
            for t in &cx.temps[depth..] {
                self.obj_decref(*t)?;
            }
            self.b.build_unconditional_branch(handler)?;
            if let Some(h) = here {
                self.b.position_at_end(h);
            }
            return Ok(bb);
        }
        if !cx.temps.is_empty() && !cx.parallel_body {
            let temps = std::mem::take(&mut cx.temps);
            let shared = self.unwind_block(cx)?;
            cx.temps = temps;
            let here = self.b.get_insert_block();
            let bb = self.append(cx.func, "unwind.temps");
            self.b.position_at_end(bb);
            for t in &cx.temps {
                self.obj_decref(*t)?;
            }
            self.b.build_unconditional_branch(shared)?;
            if let Some(h) = here {
                self.b.position_at_end(h);
            }
            return Ok(bb);
        }
        if let Some(bb) = cx.unwind {
            return Ok(bb);
        }
        let here = self.b.get_insert_block();
        let bb = self.append(cx.func, "unwind");
        self.b.position_at_end(bb);
        if let Some(jump_buffer) = cx.escape {
            // Holds nothing to release (see `fails_by_escape`): straight back to the entry.
            escape::escape(self, jump_buffer, escape::ERROR_SET)?;
            if let Some(h) = here {
                self.b.position_at_end(h);
            }
            cx.unwind = Some(bb);
            return Ok(bb);
        }
        if cx.parallel_body {
            self.b.build_return(Some(&self.ctx.i32_type().const_int(1, false)))?;
            if let Some(h) = here {
                self.b.position_at_end(h);
            }
            cx.unwind = Some(bb);
            return Ok(bb);
        }
        self.b.build_store(cx.failed, self.ctx.bool_type().const_all_ones())?;
        let propagate = self.propagate_block(cx)?;
        self.b.position_at_end(bb);
        self.b.build_unconditional_branch(propagate)?;
        if let Some(h) = here {
            self.b.position_at_end(h);
        }
        cx.unwind = Some(bb);
        Ok(bb)
    }

    /// The block that leaves the function after a failed call when nothing needs handling: the
    /// callee set the flag; releases what the function holds and returns poison.
    pub(super) fn propagate_block(&mut self, cx: &mut FnCx<'ctx>) -> Cg<BasicBlock<'ctx>> {
        if cx.escape.is_some() {
            return self.unwind_block(cx);
        }
        if let Some(bb) = cx.propagate {
            return Ok(bb);
        }
        let here = self.b.get_insert_block();
        let bb = self.append(cx.func, "unwind.propagate");
        self.b.position_at_end(bb);
        self.release_objects(cx)?;
        self.release_arena(cx)?;
        let ret = self.llvm_type(&self.prog.instances[cx.inst].ret);
        self.b.build_return(Some(&poison(ret)))?;
        if let Some(h) = here {
            self.b.position_at_end(h);
        }
        cx.propagate = Some(bb);
        Ok(bb)
    }

    /// After a call of a native function: leaves (or goes to the handler) if it failed.
    pub(super) fn check_native_call(&mut self, cx: &mut FnCx<'ctx>) -> Cg<()> {
        let failed = self.b.build_load(self.ctx.bool_type(), cx.failed, "failed")?.into_int_value();
        let direct = cx.handlers.is_empty() && cx.temps.is_empty() && !cx.parallel_body;
        let target = if direct { self.propagate_block(cx)? } else { self.unwind_block(cx)? };
        let cont = self.append(cx.func, "call.ok");
        let br = self.b.build_conditional_branch(failed, target, cont)?;
        self.expect_false(br);
        self.b.position_at_end(cont);
        Ok(())
    }

    /// Sets a Python exception and leaves the function with failure.
    pub(super) fn raise(
        &mut self,
        cx: &mut FnCx<'ctx>,
        exception: &str,
        message: Option<&str>,
    ) -> Cg<()> {
        if let Some(jump_buffer) = cx.escape {
            // The entry raises it: the body calls nothing that writes memory, so LLVM still
            // sees it free of side effects (and merges equal calls, as in `fib`).
            let key = (exception.to_string(), message.map(str::to_string));
            let k = match self.escape_raises.iter().position(|r| *r == key) {
                Some(k) => k,
                None => {
                    self.escape_raises.push(key);
                    self.escape_raises.len() - 1
                }
            };
            escape::escape(self, jump_buffer, escape::FIRST_RAISE + k as u64)?;
            self.open_dead_block(cx.func);
            return Ok(());
        }
        let raise = capi::raise_fn(self, exception)?;
        let msg = match message {
            Some(m) => self.cstr(m)?,
            None => self.ptr_type().const_null(),
        };
        let call = self.b.build_call(raise, &[msg.into()], "")?;
        self.keep_apart(call);
        let unwind = self.unwind_block(cx)?;
        self.b.build_unconditional_branch(unwind)?;
        self.open_dead_block(cx.func);
        Ok(())
    }

    /// Marks a raising call `nomerge`: LLVM would otherwise merge equal error calls of different
    /// lines into one at line 0, and the report would lose which lines can raise. Error paths
    /// are cold, so the copies cost only size.
    pub(super) fn keep_apart(&self, call: inkwell::values::CallSiteValue<'ctx>) {
        let kind = Attribute::get_named_enum_kind_id("nomerge");
        call.add_attribute(AttributeLoc::Function, self.ctx.create_enum_attribute(kind, 0));
    }

    /// Continues when `ok` holds, else raises `exception(message)`.
    pub(super) fn guard(
        &mut self,
        cx: &mut FnCx<'ctx>,
        ok: IntValue<'ctx>,
        exception: &str,
        message: &str,
    ) -> Cg<()> {
        if cx.spec.is_some() {
            return self.collect_check(cx, ok);
        }
        if cx.checks_pass {
            return Ok(());
        }
        let cont = self.append(cx.func, "ok");
        let fail = self.append(cx.func, "fail");
        let br = self.b.build_conditional_branch(ok, cont, fail)?;
        self.expect_true(br);
        self.b.position_at_end(fail);
        self.raise(cx, exception, Some(message))?;
        self.b.build_unconditional_branch(cont)?;
        self.b.position_at_end(cont);
        Ok(())
    }

    /// Checks that almost never fail, behind one cheap test of a result: where `suspicious` is
    /// false (the hot path) nothing more runs; where it is true, the checks `checks` computes
    /// (each: holds when fine, exception, message) work out whether Python raises. In a
    /// speculative loop, which must not branch, each check is collected as `ok or not suspicious`.
    pub(super) fn rarely(
        &mut self,
        cx: &mut FnCx<'ctx>,
        suspicious: IntValue<'ctx>,
        checks: impl FnOnce(&mut Self) -> Cg<Vec<(IntValue<'ctx>, &'static str, &'static str)>>,
    ) -> Cg<()> {
        if cx.spec.is_some() || cx.checks_pass {
            let fine = self.b.build_not(suspicious, "")?;
            for (ok, exception, message) in checks(self)? {
                let ok = self.b.build_or(ok, fine, "")?;
                self.guard(cx, ok, exception, message)?;
            }
            return Ok(());
        }
        let cold = self.append(cx.func, "rare");
        let join = self.append(cx.func, "rare.done");
        let br = self.b.build_conditional_branch(suspicious, cold, join)?;
        self.expect_false(br);
        self.b.position_at_end(cold);
        for (ok, exception, message) in checks(self)? {
            self.guard(cx, ok, exception, message)?;
        }
        self.b.build_unconditional_branch(join)?;
        self.b.position_at_end(join);
        Ok(())
    }

    /// Extracts the value of a native call's `{value, failed}`, leaving the function on failure.
    pub(super) fn check_failed(
        &mut self,
        cx: &mut FnCx<'ctx>,
        result: StructValue<'ctx>,
    ) -> Cg<BasicValueEnum<'ctx>> {
        let failed = self.b.build_extract_value(result, 1, "failed")?.into_int_value();
        let unwind = self.unwind_block(cx)?;
        let cont = self.append(cx.func, "call.ok");
        let br = self.b.build_conditional_branch(failed, unwind, cont)?;
        self.expect_false(br);
        self.b.position_at_end(cont);
        Ok(self.b.build_extract_value(result, 0, "")?)
    }
}
