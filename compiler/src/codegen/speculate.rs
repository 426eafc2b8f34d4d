//! Speculative loops: an innermost `for` loop over a range whose body only computes (numbers
//! into locals, `if`, array reads, arithmetic, the `math` functions LLVM vectorizes) runs first
//! with its error checks ANDed into one flag instead of each branching out, and both sides of
//! each `if` computed under predicates. The loop then has one exit and no branches, which
//! LLVM's vectorizer needs (it vectorizes no loop that can leave early): `s += a[i] / b[i]`,
//! with a ZeroDivisionError check and two bounds checks per iteration, runs four at a time.
//! Reads indexed by the loop variable plus a constant, or by values the loop does not change,
//! are bounds-checked once before it. When the flag says a check failed, the locals the loop
//! reads before assigning get back their values from before it and the loop runs again as
//! written, raising where Python would: the body has no other effect, so the first run is not
//! observable. A loop that also stores into arrays it does not read runs twice when its checks
//! pass (see [`Plan::Stores`]).
//!
//! Takes a loop body; gives [`Codegen::speculable_loop`] (whether and how the loop qualifies),
//! [`Codegen::locals_to_restore`] (what a rerun needs back), [`Codegen::check_reads_ahead`] and
//! [`Codegen::check_stores_ahead`] (the checks made once before the loop) and
//! [`Codegen::speculative_stmt`] (the body's statements while speculating). While speculating,
//! `FnCx::spec` holds the flag and `guard` ANDs into it instead of branching.
//!
//! Only operations that are defined for every input qualify, since a speculative iteration may
//! run with values a failed check would have stopped: float division by zero gives an infinity,
//! `math.sqrt(-1.0)` a NaN, an index out of range loads nothing. Integer floor division and
//! modulo by a variable (undefined for a zero divisor in LLVM), `int()` of a float (poison out
//! of range), integer powers, calls and anything touching Python objects keep a loop as it is;
//! so do elements of arrays that are not C-contiguous moving with the loop, and stores that
//! move on any axis but the last (see [`Codegen::vectorizable_access`]).

use super::{Cg, CgError, Codegen, CountedLoop, FnCx};
use crate::hir::{
    ArrayAttr, BinOp, Builtin, Const, Expr, ExprKind, Index, LocalId, MathFn, Stmt, StmtKind,
    Target,
};
use crate::types::{ArrayType, Type};
use inkwell::values::{BasicValueEnum, IntValue, PointerValue, StructValue};
use inkwell::IntPredicate;

/// The state of a speculative loop being generated.
pub(super) struct Speculation<'ctx> {
    /// Cleared by any check that fails.
    flag: PointerValue<'ctx>,
    /// Inside an `if`: when the branch being computed is the one taken.
    predicate: Option<IntValue<'ctx>>,
    /// Locals assigned without keeping their old value (see [`Codegen::loop_temporaries`]).
    temporaries: Vec<LocalId>,
    /// The loop variable of a step-1 loop, and the locals the body assigns: a read indexed by
    /// the loop variable plus a constant, or by what the body does not assign, is checked
    /// before the loop, once for all iterations.
    target: Option<LocalId>,
    assigned: Vec<LocalId>,
    /// Whether reads may have been checked before (a loop); straight-line code collects all.
    ahead: bool,
}

/// How a loop runs speculatively.
pub(super) enum Plan {
    /// It only computes: run it with the checks collected, and again as written if one failed.
    Pure,
    /// It also stores into arrays (`out[i] = a[i] / b[i]`), which cannot be undone: a first run
    /// only evaluates the checks (the stores' bounds included, nothing stored); if they all
    /// pass, the loop runs with every check known to pass (nothing left to branch on, so it
    /// vectorizes), else as written. Sound because the written arrays are not read in the loop
    /// and do not overlap the arrays that are: both runs compute the same values.
    Stores { writes: Vec<LocalId>, reads: Vec<LocalId>, checks_in_loop: bool },
}

/// What [`Codegen::speculable_loop`] finds in a body while checking it qualifies.
#[derive(Default)]
struct Found {
    /// Checks worth collecting: array reads and stores, divisions, powers, `math`.
    checks: bool,
    /// Checks of values (not of indexes): divisions, powers, shifts, `math` (in expressions and
    /// in augmented assignments' own operations).
    guards: bool,
    /// The arrays the body stores into.
    writes: Vec<LocalId>,
}

impl Found {
    fn operation(&mut self, op: BinOp) {
        self.checks |= matches!(op, BinOp::Div | BinOp::FloorDiv | BinOp::Mod | BinOp::Pow);
        self.guards |= matches!(
            op,
            BinOp::Div | BinOp::FloorDiv | BinOp::Mod | BinOp::Pow | BinOp::LShift | BinOp::RShift
        );
    }
}

impl Speculation<'_> {
    /// Whether this read of `value[indices]` was checked before the loop.
    pub(super) fn checked_ahead(&self, value: &Expr, indices: &[Index]) -> bool {
        self.ahead
            && matches!(value.kind, ExprKind::Local(a) if !self.assigned.contains(&a))
            && indices.iter().all(|ix| matches!(ix, Index::At(i) if self.index_ahead(i).is_some()))
    }

    fn index_ahead(&self, i: &Expr) -> Option<Option<i64>> {
        index_ahead(i, self.target, &self.assigned)
    }
}

/// An index known before the loop: the loop variable (`target`, of a step-1 loop) plus a
/// constant (`Some(Some(c))`), or a value the body does not change (`Some(None)`).
pub(super) fn index_ahead(
    i: &Expr,
    target: Option<LocalId>,
    assigned: &[LocalId],
) -> Option<Option<i64>> {
    let is_target = |e: &Expr| matches!(e.kind, ExprKind::Local(l) if Some(l) == target);
    match &i.kind {
        ExprKind::Const(Const::Int(_)) => Some(None),
        ExprKind::Local(l) if Some(*l) == target => Some(Some(0)),
        ExprKind::Local(l) if !assigned.contains(l) => Some(None),
        ExprKind::Binary(BinOp::Add, a, b) if is_target(a) || is_target(b) => {
            match (&a.kind, &b.kind) {
                (_, ExprKind::Const(Const::Int(c))) if is_target(a) => Some(Some(*c)),
                (ExprKind::Const(Const::Int(c)), _) if is_target(b) => Some(Some(*c)),
                _ => None,
            }
        }
        ExprKind::Binary(BinOp::Sub, a, b) if is_target(a) => match &b.kind {
            ExprKind::Const(Const::Int(c)) => c.checked_neg().map(Some),
            _ => None,
        },
        // Arithmetic on values the body does not change (stencil's `u[i - 1, j]` in the `j`
        // loop), evaluated once before the loop: it raises nothing.
        _ if invariant(i, target, assigned) => Some(None),
        _ => None,
    }
}

fn invariant(e: &Expr, target: Option<LocalId>, assigned: &[LocalId]) -> bool {
    match &e.kind {
        ExprKind::Const(Const::Int(_)) => true,
        ExprKind::Local(l) => Some(*l) != target && !assigned.contains(l),
        ExprKind::Binary(BinOp::Add | BinOp::Sub | BinOp::Mul, a, b) => {
            invariant(a, target, assigned) && invariant(b, target, assigned)
        }
        ExprKind::Unary(crate::hir::UnaryOp::Neg, x) => invariant(x, target, assigned),
        _ => false,
    }
}

impl<'ctx> Codegen<'ctx, '_> {
    pub(super) fn speculation(
        &self,
        cx: &FnCx<'ctx>,
        flag: PointerValue<'ctx>,
        lp: &CountedLoop<'ctx, '_>,
        body: &[Stmt],
    ) -> Speculation<'ctx> {
        let mut assigned = vec![lp.target];
        assigned_locals(body, &mut assigned);
        Speculation {
            flag,
            predicate: None,
            temporaries: self.loop_temporaries(cx, lp.target, body),
            target: lp.unit_step.then_some(lp.target),
            assigned,
            ahead: true,
        }
    }

    /// Speculating straight-line assignments ([`Self::speculable_assignments`]): every check
    /// is collected into `flag`, none was made before.
    pub(super) fn straight_line(&self, flag: PointerValue<'ctx>) -> Speculation<'ctx> {
        Speculation {
            flag,
            predicate: None,
            temporaries: Vec::new(),
            target: None,
            assigned: Vec::new(),
            ahead: false,
        }
    }

    /// Whether `stmts` are assignments of numbers to locals that can run speculatively (no
    /// store, nothing undefined for some input), reads moving with `moving` as in a loop.
    pub(super) fn speculable_assignments(
        &self,
        cx: &FnCx<'ctx>,
        moving: &[LocalId],
        stmts: &[Stmt],
    ) -> bool {
        let mut found = Found::default();
        stmts.iter().all(|s| {
            matches!(s.kind, StmtKind::Assign { target: Target::Local(..), .. })
                && self.speculable_stmt(cx, moving, s, &mut found)
        })
    }

    /// Before a speculative loop: whether every read [`Speculation::checked_ahead`] covers stays
    /// in bounds for all the loop's iterations (true for an empty loop). Negative indexes
    /// count as out of bounds here: the loop as written wraps them.
    pub(super) fn check_reads_ahead(
        &mut self,
        cx: &mut FnCx<'ctx>,
        spec: &Speculation<'ctx>,
        lp: &CountedLoop<'ctx, '_>,
        body: &[Stmt],
    ) -> Cg<IntValue<'ctx>> {
        let mut reads = Vec::new();
        for s in body {
            subscripts_in(s, &mut reads);
        }
        reads.extend(stores_in(body));
        reads.retain(|(value, indices)| spec.checked_ahead(value, indices));
        let bool_t = self.ctx.bool_type();
        let mut ok = bool_t.const_int(1, false);
        let empty = self.b.build_int_compare(IntPredicate::SGE, lp.start, lp.stop, "")?;
        let last = self.b.build_int_sub(lp.stop, self.i64(1), "")?;
        for (value, indices) in reads {
            let arr = self.expr(cx, value)?.into_struct_value();
            for (k, ix) in indices.iter().enumerate() {
                let Index::At(i) = ix else { continue };
                let n = self.dim(arr, super::arrays::SHAPE, k)?;
                let inside = match spec.index_ahead(i) {
                    Some(Some(c)) => {
                        // 0 <= start + c <= stop - 1 + c < n, or no iteration at all. The loop
                        // computes i + c wrapping as these do; lo <= hi rules out a wrap between
                        // the first index and the last.
                        let lo = self.b.build_int_add(lp.start, self.i64(c), "")?;
                        let hi = self.b.build_int_add(last, self.i64(c), "")?;
                        let lo_ok =
                            self.b.build_int_compare(IntPredicate::SGE, lo, self.i64(0), "")?;
                        let ordered = self.b.build_int_compare(IntPredicate::SLE, lo, hi, "")?;
                        let hi_ok = self.b.build_int_compare(IntPredicate::SLT, hi, n, "")?;
                        let inside =
                            self.b.build_and(self.b.build_and(lo_ok, ordered, "")?, hi_ok, "")?;
                        self.b.build_or(empty, inside, "")?
                    }
                    _ => {
                        let v = self.operand(cx, i, &Type::Int)?.into_int_value();
                        let inside = self.b.build_int_compare(IntPredicate::ULT, v, n, "")?;
                        self.b.build_or(empty, inside, "")?
                    }
                };
                ok = self.b.build_and(ok, inside, "")?;
            }
        }
        Ok(ok)
    }

    /// Before a loop that stores ([`Plan::Stores`]): the arrays it writes are writable and
    /// share no byte with the arrays it reads (all C-contiguous: `size * itemsize` bytes from
    /// their data pointer).
    pub(super) fn check_stores_ahead(
        &mut self,
        cx: &mut FnCx<'ctx>,
        writes: &[LocalId],
        reads: &[LocalId],
    ) -> Cg<IntValue<'ctx>> {
        let i64t = self.ctx.i64_type();
        let mut ok = self.ctx.bool_type().const_int(1, false);
        let span = |this: &mut Self,
                    cx: &mut FnCx<'ctx>,
                    l: LocalId|
         -> Cg<(StructValue<'ctx>, IntValue<'ctx>, IntValue<'ctx>)> {
            let Type::Array(at) = this.local_ty(cx, l) else {
                return Err(CgError("speculative store into a non-array".into()));
            };
            let arr = this
                .b
                .build_load(this.llvm_type(&Type::Array(at)), cx.locals[l], "")?
                .into_struct_value();
            let mut bytes = this.i64(super::arrays::dtype_size(at.dtype) as i64);
            for k in 0..at.ndim {
                bytes = this.b.build_int_mul(bytes, this.dim(arr, super::arrays::SHAPE, k)?, "")?;
            }
            let data = this.field(arr, super::arrays::DATA)?.into_pointer_value();
            let start = this.b.build_ptr_to_int(data, i64t, "")?;
            Ok((arr, start, this.b.build_int_add(start, bytes, "")?))
        };
        for w in writes {
            // An array the function made (codegen/fresh.rs) is writable and overlaps nothing.
            if cx.fresh.contains(*w) {
                continue;
            }
            let (arr, w_start, w_end) = span(self, cx, *w)?;
            let writable = self.field(arr, super::arrays::WRITABLE)?.into_int_value();
            ok = self.b.build_and(ok, writable, "")?;
            for r in reads {
                if cx.fresh.contains(*r) {
                    continue;
                }
                let (_, r_start, r_end) = span(self, cx, *r)?;
                let before = self.b.build_int_compare(IntPredicate::ULE, w_end, r_start, "")?;
                let after = self.b.build_int_compare(IntPredicate::ULE, r_end, w_start, "")?;
                ok = self.b.build_and(ok, self.b.build_or(before, after, "")?, "")?;
            }
        }
        Ok(ok)
    }

    /// Whether a loop body qualifies (see the module doc) and has checks worth collecting.
    pub(super) fn speculable_loop(
        &self,
        cx: &FnCx<'ctx>,
        target: LocalId,
        unit_step: bool,
        body: &[Stmt],
    ) -> Option<Plan> {
        let mut moving = vec![target];
        assigned_locals(body, &mut moving);
        let mut found = Found::default();
        if !body.iter().all(|s| self.speculable_stmt(cx, &moving, s, &mut found)) || !found.checks {
            return None;
        }
        if found.writes.is_empty() {
            return Some(Plan::Pure);
        }
        // A loop that stores runs twice (see [`Plan::Stores`]): both runs must read the same
        // values, so no array it writes may be read in it (other arrays are checked for overlap
        // at run time, which needs them C-contiguous).
        let mut reads = Vec::new();
        for s in body {
            subscripts_in(s, &mut reads);
        }
        let read_arrays: Vec<LocalId> = reads
            .iter()
            .filter_map(|(value, _)| match value.kind {
                ExprKind::Local(l) => Some(l),
                _ => None,
            })
            .collect();
        let mut writes = found.writes;
        let contiguous =
            |l: &LocalId| matches!(self.local_ty(cx, *l), Type::Array(at) if at.contiguous);
        if writes.iter().any(|w| read_arrays.contains(w))
            || !read_arrays.iter().chain(&writes).all(contiguous)
        {
            return None;
        }
        // Stores at positions known before the loop only: a scatter (`a[k[i]] = v`) cannot be
        // vectorized, and its first run (the whole loop without stores) would only double the
        // work (homopolymer's `counts[min(run, longest)] += 1`: 3.1 → 5.2 ms).
        let target = unit_step.then_some(target);
        let ahead = |indices: &[Index]| {
            indices
                .iter()
                .all(|ix| matches!(ix, Index::At(i) if index_ahead(i, target, &moving).is_some()))
        };
        if !stores_in(body).iter().all(|(_, indices)| ahead(indices)) {
            return None;
        }
        writes.dedup();
        // With every check made before the loop (indexes at i + c, no check of a value), the
        // checks-only run would check nothing: the stores run at once.
        let checks_in_loop = found.guards
            || !reads.iter().all(|(value, indices)| {
                matches!(value.kind, ExprKind::Local(a) if !moving.contains(&a)) && ahead(indices)
            });
        Some(Plan::Stores { writes, reads: read_arrays, checks_in_loop })
    }

    fn speculable_stmt(
        &self,
        cx: &FnCx<'ctx>,
        moving: &[LocalId],
        s: &Stmt,
        found: &mut Found,
    ) -> bool {
        match &s.kind {
            StmtKind::Assign { target: Target::Item(arr, indices, _), value } => {
                self.speculable_store(cx, moving, arr, indices, value, found)
            }
            // `a[i] += v`: reads the element it writes, and nothing else of `a` may be read in
            // the loop, so no check can depend on what the loop wrote (the operation's own
            // check looks at `v` alone).
            StmtKind::AugAssignItem { array, indices, op, value, .. } => {
                found.operation(*op);
                matches!(self.ty(cx, array), Type::Array(at) if at.elem().is_number() && self.safe_op(cx, *op, &at.elem(), value))
                    && self.speculable_store(cx, moving, array, indices, value, found)
            }
            StmtKind::Assign { target: Target::Local(l, _), value } => {
                self.scalar_local(cx, *l) && self.speculable_expr(cx, moving, value, found)
            }
            StmtKind::AugAssign { target, op, value, .. } => {
                found.operation(*op);
                self.scalar_local(cx, *target)
                    && self.safe_op(cx, *op, &self.local_ty(cx, *target), value)
                    && self.speculable_expr(cx, moving, value, found)
            }
            StmtKind::If { cond, then, orelse } => {
                self.speculable_expr(cx, moving, cond, found)
                    && then.iter().chain(orelse).all(|s| self.speculable_stmt(cx, moving, s, found))
            }
            _ => false,
        }
    }

    /// `a[...] = value` (or `a[...] op= value`) into an array local, element by element.
    fn speculable_store(
        &self,
        cx: &FnCx<'ctx>,
        moving: &[LocalId],
        arr: &Expr,
        indices: &[Index],
        value: &Expr,
        found: &mut Found,
    ) -> bool {
        let ExprKind::Local(w) = arr.kind else { return false };
        let Type::Array(at) = self.local_ty(cx, w) else { return false };
        found.checks = true;
        found.writes.push(w);
        at.ndim == indices.len()
            && indices.iter().all(|ix| matches!(ix, Index::At(i) if self.ty(cx, i).is_integral() && self.speculable_expr(cx, moving, i, found)))
            && self.vectorizable_access(cx, moving, arr, indices, true)
            && self.speculable_expr(cx, moving, value, found)
            && (self.ty(cx, value) != Type::Complex || matches!(at.elem(), Type::Complex))
    }

    fn scalar_local(&self, cx: &FnCx<'ctx>, l: LocalId) -> bool {
        self.local_ty(cx, l).is_number()
    }

    /// Whether `x op value` is defined for every input (the result type settles float or int).
    fn safe_op(&self, cx: &FnCx<'ctx>, op: BinOp, left: &Type, right: &Expr) -> bool {
        let floats = *left == Type::Float
            || self.ty(cx, right) == Type::Float
            || *left == Type::Complex
            || self.ty(cx, right) == Type::Complex;
        match op {
            BinOp::FloorDiv | BinOp::Mod if !floats => {
                // A constant divisor other than 0 and -1 (INT_MIN // -1 overflows) is safe.
                matches!(right.kind, ExprKind::Const(Const::Int(k)) if k != 0 && k != -1)
            }
            // x ** 2 becomes x * x; any other power is a libm call (see `speculable_expr`).
            BinOp::Pow => {
                floats && matches!(right.kind, ExprKind::Const(Const::Int(2)))
                    || matches!(right.kind, ExprKind::Const(Const::Float(y)) if y == 2.0)
            }
            _ => true,
        }
    }

    fn speculable_expr(
        &self,
        cx: &FnCx<'ctx>,
        moving: &[LocalId],
        e: &Expr,
        found: &mut Found,
    ) -> bool {
        let t = self.ty(cx, e);
        if !t.is_number() {
            return false;
        }
        let all = |es: &[Expr], found: &mut Found| {
            es.iter().all(|x| self.speculable_expr(cx, moving, x, found))
        };
        match &e.kind {
            ExprKind::Const(_) => true,
            ExprKind::Local(l) => self.scalar_local(cx, *l),
            ExprKind::Unary(_, x) => self.speculable_expr(cx, moving, x, found),
            ExprKind::Binary(op, a, b) => {
                found.operation(*op);
                self.safe_op(cx, *op, &self.ty(cx, a), b)
                    && self.speculable_expr(cx, moving, a, found)
                    && self.speculable_expr(cx, moving, b, found)
            }
            ExprKind::Compare(a, rest) => {
                self.speculable_expr(cx, moving, a, found)
                    && rest.iter().all(|(_, x)| self.speculable_expr(cx, moving, x, found))
            }
            ExprKind::BoolOp(_, xs) => all(xs, found),
            ExprKind::IfExp(c, a, b) => {
                self.speculable_expr(cx, moving, c, found)
                    && self.speculable_expr(cx, moving, a, found)
                    && self.speculable_expr(cx, moving, b, found)
            }
            ExprKind::Builtin(b, args) => {
                let ok = match b {
                    Builtin::Abs
                    | Builtin::Min
                    | Builtin::Max
                    | Builtin::Float
                    | Builtin::Bool
                    | Builtin::Complex
                    | Builtin::Conjugate => true,
                    // int() of an int converts nothing (of a float it would: excluded).
                    Builtin::Int => matches!(args.as_slice(), [x] if self.ty(cx, x).is_integral()),
                    Builtin::Len => {
                        return matches!(args.as_slice(), [x] if self.array_local(cx, x))
                    }
                    // Only what LLVM vectorizes itself: a libm call (exp, log, sin…) stays one
                    // call per element, and a loop of them vectorized 32 wide only grew (simpson
                    // in examples/numeric.py: same speed, +60 ms to build, +16 KB).
                    Builtin::Math(f) => matches!(
                        f,
                        MathFn::Sqrt
                            | MathFn::Fabs
                            | MathFn::Copysign
                            | MathFn::Degrees
                            | MathFn::Radians
                            | MathFn::IsNan
                            | MathFn::IsInf
                            | MathFn::IsFinite
                    ),
                    _ => false,
                };
                if matches!(b, Builtin::Math(_)) {
                    found.checks = true;
                    found.guards = true;
                }
                ok && all(args, found)
            }
            ExprKind::Subscript(arr, indices) => {
                found.checks = true;
                self.array_local(cx, arr)
                    && indices.iter().all(|ix| matches!(ix, Index::At(i) if self.ty(cx, i).is_integral() && self.speculable_expr(cx, moving, i, found)))
                    && matches!(self.ty(cx, arr), Type::Array(at) if at.ndim == indices.len())
                    && self.vectorizable_access(cx, moving, arr, indices, false)
            }
            ExprKind::Attr(x, ArrayAttr::Real | ArrayAttr::Imag) => {
                self.speculable_expr(cx, moving, x, found)
            }
            // `for v in a` over an array: the item is `a[index]`.
            ExprKind::EachItem(holders, item) => {
                holders.iter().all(|h| matches!(self.local_ty(cx, *h), Type::Array(_)))
                    && self.speculable_expr(cx, moving, item, found)
            }
            ExprKind::Attr(x, ArrayAttr::Ndim | ArrayAttr::Size) => self.array_local(cx, x),
            _ => false,
        }
    }

    /// Whether the vectorizer could load (`store`: store) this element for four iterations at
    /// once: an array that is C-contiguous, its index moving with the loop on the last axis
    /// (consecutive elements) or, for a load, on another axis too: the stride is then a
    /// multiple of the row length, known at run time only, and LLVM gathers the four elements
    /// (the n-body loop's `pos[j, 0]`: 0.59 → 0.36 ms, its divisions and square roots four at
    /// a time; it was 10 % slower while LLVM versioned such loops on the stride being one
    /// element, a test that always failed, see backend.rs). Stores move on the last axis only
    /// (AVX2 has no scatter). Any other way, a loop is left as it is: speculating costs selects
    /// and a flag per iteration, and pays only once the loop vectorizes.
    fn vectorizable_access(
        &self,
        cx: &FnCx<'ctx>,
        moving: &[LocalId],
        arr: &Expr,
        indices: &[Index],
        store: bool,
    ) -> bool {
        let Type::Array(at) = self.ty(cx, arr) else { return false };
        let moves = |i: &Expr| {
            let mut found = false;
            read_locals(i, &mut |l| found |= moving.contains(&l));
            found
        };
        indices.iter().enumerate().all(|(k, ix)| match ix {
            Index::At(i) if moves(i) => at.contiguous && (k + 1 == indices.len() || !store),
            _ => true,
        })
    }

    fn array_local(&self, cx: &FnCx<'ctx>, e: &Expr) -> bool {
        matches!(e.kind, ExprKind::Local(l) if matches!(self.local_ty(cx, l), Type::Array(_)))
    }

    /// `arr[idx...]` while speculating: a failed bounds check (negative indexes included; the
    /// loop run as written wraps them) clears the flag and loads nothing, giving zero. The load
    /// sits in a branch of its own, which the vectorizer turns into a masked load.
    pub(super) fn speculative_element(
        &mut self,
        cx: &mut FnCx<'ctx>,
        array: &Expr,
        arr: StructValue<'ctx>,
        at: &ArrayType,
        idx: &[IntValue<'ctx>],
    ) -> Cg<BasicValueEnum<'ctx>> {
        let mut inside = self.ctx.bool_type().const_int(1, false);
        for (k, i) in idx.iter().enumerate() {
            let n = self.dim(arr, super::arrays::SHAPE, k)?;
            let in_axis = self.b.build_int_compare(IntPredicate::ULT, *i, n, "")?;
            inside = self.b.build_and(inside, in_axis, "")?;
        }
        self.collect_check(cx, inside)?;
        let from = self.b.get_insert_block().ok_or_else(|| CgError("no insert block".into()))?;
        let load = self.append(cx.func, "spec.load");
        let join = self.append(cx.func, "spec.loaded");
        let br = self.b.build_conditional_branch(inside, load, join)?;
        self.expect_true(br);
        self.b.position_at_end(load);
        let ptr = self.unchecked_element_ptr(arr, at, idx)?;
        let value = self.load_element(ptr, at.dtype)?;
        self.tag_element_access(cx, array, ptr);
        self.b.build_unconditional_branch(join)?;
        self.b.position_at_end(join);
        let phi = self.b.build_phi(value.get_type(), "")?;
        let zero = value.get_type().const_zero();
        phi.add_incoming(&[(&value, load), (&zero, from)]);
        Ok(phi.as_basic_value())
    }

    fn elem_type(&self, cx: &FnCx<'ctx>, arr: &Expr) -> Cg<Type> {
        match self.ty(cx, arr) {
            Type::Array(at) => Ok(at.elem()),
            other => Err(CgError(format!("element of {other}"))),
        }
    }

    /// `flag &= ok`, for a check in a branch that runs (`ok or not predicate`).
    pub(super) fn collect_check(&self, cx: &FnCx<'ctx>, ok: IntValue<'ctx>) -> Cg<()> {
        let spec = cx
            .spec
            .as_ref()
            .ok_or_else(|| CgError("a collected check outside a speculative loop".into()))?;
        let flag = spec.flag;
        let ok = match spec.predicate {
            Some(p) => self.b.build_or(ok, self.b.build_not(p, "")?, "")?,
            None => ok,
        };
        let so_far = self.b.build_load(self.ctx.bool_type(), flag, "")?.into_int_value();
        self.b.build_store(flag, self.b.build_and(so_far, ok, "")?)?;
        Ok(())
    }

    /// A statement of a speculative loop. `if` runs both branches under predicates (the body
    /// has no effects, so computing the branch not taken is harmless): assignments keep the old
    /// value where the predicate is false, and `x += v` adds `-0.0` there (exact for every
    /// float), so a conditional sum stays a sum LLVM can vectorize in order.
    pub(super) fn speculative_stmt(&mut self, cx: &mut FnCx<'ctx>, s: &Stmt) -> Cg<()> {
        self.set_loc(cx.scope, &s.span);
        match &s.kind {
            StmtKind::Assign { target: Target::Local(l, _), value } => {
                let v = self.expr(cx, value)?;
                let lt = self.local_ty(cx, *l);
                let v = self.coerce(cx, v, &self.ty(cx, value), &lt)?;
                let temporary = cx.spec.as_ref().is_some_and(|sp| sp.temporaries.contains(l));
                let v = match predicate(cx) {
                    Some(p) if !temporary => {
                        let old = self.b.build_load(self.llvm_type(&lt), cx.locals[*l], "")?;
                        self.b.build_select(p, v, old, "")?
                    }
                    _ => v,
                };
                self.b.build_store(cx.locals[*l], v)?;
            }
            // The first run of a loop that stores: the value's checks, no store. (Its element's
            // bounds were checked before the loop: `speculable_loop` takes stores at positions
            // known there only.)
            StmtKind::Assign { target: Target::Item(arr, indices, _), value } => {
                if !cx.spec.as_ref().is_some_and(|sp| sp.checked_ahead(arr, indices)) {
                    return Err(CgError(
                        "a speculative store whose bounds were not checked before the loop".into(),
                    ));
                }
                self.expr(cx, value)?;
            }
            // Its element read (checked like any read) and the operation's checks, no store.
            StmtKind::AugAssignItem { array: arr, indices, op, value, .. } => {
                let current = self.subscript(cx, arr, indices, &self.elem_type(cx, arr)?)?;
                let v = self.expr(cx, value)?;
                let vt = self.ty(cx, value);
                let et = self.elem_type(cx, arr)?;
                self.element_binary(cx, *op, current, &et, v, &vt, value)?;
            }
            StmtKind::AugAssign { target, op, value, target_span } => {
                let lt = self.local_ty(cx, *target);
                let current = self.b.build_load(self.llvm_type(&lt), cx.locals[*target], "")?;
                let mut v = self.expr(cx, value)?;
                let mut vt = self.ty(cx, value);
                self.set_loc(cx.scope, target_span);
                let sum = matches!(op, BinOp::Add | BinOp::Sub)
                    && matches!(lt, Type::Float | Type::Int)
                    && (vt.is_integral() || vt == lt);
                if let (Some(p), true) = (predicate(cx), sum) {
                    // x + (-0.0) is x for every float x (-0.0 included); x - (+0.0) too.
                    v = self.convert(v, &vt, &lt)?;
                    vt = lt.clone();
                    let neutral: BasicValueEnum = match (&lt, op) {
                        (Type::Float, BinOp::Add) => self.f64(-0.0).into(),
                        (Type::Float, _) => self.f64(0.0).into(),
                        _ => self.i64(0).into(),
                    };
                    v = self.b.build_select(p, v, neutral, "")?;
                }
                let (r, rt) = self.binary(cx, *op, current, &lt, v, &vt, value)?;
                let mut r = self.convert(r, &rt, &lt)?;
                if let (Some(p), false) = (predicate(cx), sum) {
                    r = self.b.build_select(p, r, current, "")?;
                }
                self.b.build_store(cx.locals[*target], r)?;
            }
            StmtKind::If { cond, then, orelse } => {
                let c = self.condition(cx, cond)?;
                let outer = predicate(cx);
                let not_c = self.b.build_not(c, "")?;
                let (p_then, p_else) = match outer {
                    Some(p) => (self.b.build_and(p, c, "")?, self.b.build_and(p, not_c, "")?),
                    None => (c, not_c),
                };
                set_predicate(cx, Some(p_then));
                let ran = then.iter().try_for_each(|s| self.speculative_stmt(cx, s));
                set_predicate(cx, Some(p_else));
                let ran =
                    ran.and_then(|_| orelse.iter().try_for_each(|s| self.speculative_stmt(cx, s)));
                set_predicate(cx, outer);
                ran?;
            }
            _ => return Err(CgError("statement not speculable".into())),
        }
        Ok(())
    }
}

impl<'ctx> Codegen<'ctx, '_> {
    /// The locals to give back their values from before the loop when it runs again: those the
    /// body assigns and reads before assigning (`s += x`). A local the body always assigns
    /// before reading is assigned again by the rerun before it could fail, so only a `try` in
    /// the function could see the difference (its handler reading a local the failing
    /// iteration had not reached yet); then every local assigned is restored. Saving fewer
    /// matters: a saved value is a use of the previous loop's last value, which stops LLVM
    /// from vectorizing that loop unless the value is a reduction.
    pub(super) fn locals_to_restore(
        &self,
        cx: &FnCx<'ctx>,
        target: LocalId,
        body: &[Stmt],
    ) -> Vec<LocalId> {
        let mut assigned = vec![target];
        assigned_locals(body, &mut assigned);
        if has_try(&self.hir.functions[self.prog.instances[cx.inst].func].body) {
            return assigned;
        }
        let mut defined = vec![target];
        let mut exposed = Vec::new();
        read_before_assigned(body, &mut defined, &mut exposed);
        assigned.retain(|l| exposed.contains(l));
        assigned
    }
}

impl<'ctx> Codegen<'ctx, '_> {
    /// The locals a speculative loop may assign without keeping their old value where a branch
    /// is not taken: each iteration assigns them before reading them, and nothing outside the
    /// loop reads them, so the value they keep is never seen. (A conditional assignment would
    /// carry a select from one iteration to the next, which LLVM does not vectorize.)
    pub(super) fn loop_temporaries(
        &self,
        cx: &FnCx<'ctx>,
        target: LocalId,
        body: &[Stmt],
    ) -> Vec<LocalId> {
        let mut assigned = Vec::new();
        assigned_locals(body, &mut assigned);
        let mut defined = vec![target];
        let mut exposed = Vec::new();
        read_before_assigned(body, &mut defined, &mut exposed);
        let reads = |stmts: &[Stmt], l: LocalId| {
            let mut n = 0;
            crate::hir::for_each_expr(stmts, &mut |e| {
                n += matches!(e.kind, ExprKind::Local(x) if x == l) as usize
            });
            n
        };
        let function = &self.hir.functions[self.prog.instances[cx.inst].func].body;
        assigned
            .into_iter()
            .filter(|l| !exposed.contains(l) && reads(function, *l) == reads(body, *l))
            .collect()
    }
}

/// Calls `f` with every local an expression reads.
fn read_locals(e: &Expr, f: &mut dyn FnMut(LocalId)) {
    crate::hir::walk_expr(e, &mut |x| {
        if let ExprKind::Local(l) = x.kind {
            f(l)
        }
    });
}

/// The array reads of a speculable statement.
pub(super) fn subscripts_in<'h>(s: &'h Stmt, out: &mut Vec<(&'h Expr, &'h [Index])>) {
    let mut reads = |e: &'h Expr| {
        crate::hir::walk_expr(e, &mut |x| {
            if let ExprKind::Subscript(value, indices) = &x.kind {
                out.push((value, indices));
            }
        })
    };
    match &s.kind {
        // The element a store (or `a[i] += v`) writes is not counted as a read here.
        StmtKind::Assign { target: Target::Item(_, indices, _), value }
        | StmtKind::AugAssignItem { indices, value, .. } => {
            indices.iter().for_each(|ix| {
                if let Index::At(i) = ix {
                    reads(i)
                }
            });
            reads(value);
        }
        StmtKind::Assign { value, .. } | StmtKind::AugAssign { value, .. } => reads(value),
        StmtKind::If { cond, then, orelse } => {
            reads(cond);
            then.iter().chain(orelse).for_each(|s| subscripts_in(s, out));
        }
        _ => {}
    }
}

/// The elements a speculable body stores (`a[...] = v`, `a[...] += v`).
pub(super) fn stores_in(body: &[Stmt]) -> Vec<(&Expr, &[Index])> {
    let mut out = Vec::new();
    for s in body {
        match &s.kind {
            StmtKind::Assign { target: Target::Item(arr, indices, _), .. } => {
                out.push((&**arr, indices.as_slice()))
            }
            StmtKind::AugAssignItem { array, indices, .. } => out.push((array, indices.as_slice())),
            StmtKind::If { then, orelse, .. } => {
                out.extend(stores_in(then));
                out.extend(stores_in(orelse));
            }
            _ => {}
        }
    }
    out
}

fn predicate<'ctx>(cx: &FnCx<'ctx>) -> Option<IntValue<'ctx>> {
    cx.spec.as_ref().and_then(|s| s.predicate)
}

fn set_predicate<'ctx>(cx: &mut FnCx<'ctx>, p: Option<IntValue<'ctx>>) {
    if let Some(s) = cx.spec.as_mut() {
        s.predicate = p;
    }
}

/// The locals a speculable body assigns.
fn assigned_locals(body: &[Stmt], out: &mut Vec<LocalId>) {
    for s in body {
        match &s.kind {
            StmtKind::Assign { target: Target::Local(l, _), .. }
            | StmtKind::AugAssign { target: l, .. } => {
                if !out.contains(l) {
                    out.push(*l);
                }
            }
            StmtKind::If { then, orelse, .. } => {
                assigned_locals(then, out);
                assigned_locals(orelse, out);
            }
            _ => {}
        }
    }
}

/// The locals a speculable body may read before it assigns them (`defined`: assigned on every
/// path so far).
fn read_before_assigned(body: &[Stmt], defined: &mut Vec<LocalId>, out: &mut Vec<LocalId>) {
    fn reads(e: &Expr, defined: &[LocalId], out: &mut Vec<LocalId>) {
        read_locals(e, &mut |l| {
            if !defined.contains(&l) && !out.contains(&l) {
                out.push(l);
            }
        });
    }
    for s in body {
        match &s.kind {
            StmtKind::Assign { target: Target::Local(l, _), value } => {
                reads(value, defined, out);
                defined.push(*l);
            }
            StmtKind::Assign { target: Target::Item(arr, indices, _), value } => {
                reads(arr, defined, out);
                indices.iter().for_each(|ix| {
                    if let Index::At(i) = ix {
                        reads(i, defined, out)
                    }
                });
                reads(value, defined, out);
            }
            StmtKind::AugAssignItem { array, indices, value, .. } => {
                reads(array, defined, out);
                indices.iter().for_each(|ix| {
                    if let Index::At(i) = ix {
                        reads(i, defined, out)
                    }
                });
                reads(value, defined, out);
            }
            StmtKind::AugAssign { target, value, .. } => {
                reads(value, defined, out);
                if !defined.contains(target) && !out.contains(target) {
                    out.push(*target);
                }
                defined.push(*target);
            }
            StmtKind::If { cond, then, orelse } => {
                reads(cond, defined, out);
                let mut in_then = defined.clone();
                read_before_assigned(then, &mut in_then, out);
                let mut in_else = defined.clone();
                read_before_assigned(orelse, &mut in_else, out);
                defined.extend(in_then.into_iter().filter(|l| in_else.contains(l)));
            }
            _ => {}
        }
    }
}

pub(super) fn has_try(stmts: &[Stmt]) -> bool {
    stmts
        .iter()
        .any(|s| matches!(s.kind, StmtKind::Try { .. }) || s.kind.blocks().into_iter().any(has_try))
}
