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

use super::facts::Facts;
use crate::hir::{
    ArrayAttr, BinOp, Builtin, Const, Expr, ExprKind, Index, LocalId, MathFn, Stmt, StmtKind,
    Target,
};
use crate::types::Type;

/// How a loop runs speculatively.
pub(crate) enum Plan {
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

/// An index known before the loop: the loop variable (`target`, of a step-1 loop) plus a
/// constant (`Some(Some(c))`), or a value the body does not change (`Some(None)`).
pub(crate) fn index_ahead(
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

impl Facts<'_> {
    /// Whether `stmts` are assignments of numbers to locals that can run speculatively (no
    /// store, nothing undefined for some input), reads moving with `moving` as in a loop.
    pub(crate) fn speculable_assignments(&self, moving: &[LocalId], stmts: &[Stmt]) -> bool {
        let mut found = Found::default();
        stmts.iter().all(|s| {
            matches!(s.kind, StmtKind::Assign { target: Target::Local(..), .. })
                && self.speculable_stmt(moving, s, &mut found)
        })
    }

    /// Whether a loop body qualifies (see the module doc) and has checks worth collecting.
    pub(crate) fn speculable_loop(
        &self,
        target: LocalId,
        unit_step: bool,
        body: &[Stmt],
    ) -> Option<Plan> {
        let mut moving = vec![target];
        assigned_locals(body, &mut moving);
        let mut found = Found::default();
        if !body.iter().all(|s| self.speculable_stmt(&moving, s, &mut found)) || !found.checks {
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
            |l: &LocalId| matches!(self.local_ty(*l), Type::Array(at) if at.contiguous);
        if writes.iter().any(|w| read_arrays.contains(w))
            || !read_arrays.iter().chain(&writes).all(contiguous)
        {
            return None;
        }
        // Stores at positions known before the loop only: a scatter (`a[k[i]] = v`) cannot be
        // vectorized, and its first run (the whole loop without stores) would only double the
        // work (homopolymer's `counts[min(run, longest)] += 1` ran slower: docs/performance.md).
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

    fn speculable_stmt(&self, moving: &[LocalId], s: &Stmt, found: &mut Found) -> bool {
        match &s.kind {
            StmtKind::Assign { target: Target::Item(arr, indices, _), value } => {
                self.speculable_store(moving, arr, indices, value, found)
            }
            // `a[i] += v`: reads the element it writes, and nothing else of `a` may be read in
            // the loop, so no check can depend on what the loop wrote (the operation's own
            // check looks at `v` alone).
            StmtKind::AugAssignItem { array, indices, op, value, .. } => {
                found.operation(*op);
                matches!(self.ty(array), Type::Array(at) if at.elem().is_number() && self.safe_op(*op, &at.elem(), value))
                    && self.speculable_store(moving, array, indices, value, found)
            }
            StmtKind::Assign { target: Target::Local(l, _), value } => {
                self.scalar_local(*l) && self.speculable_expr(moving, value, found)
            }
            StmtKind::AugAssign { target, op, value, .. } => {
                found.operation(*op);
                self.scalar_local(*target)
                    && self.safe_op(*op, &self.local_ty(*target), value)
                    && self.speculable_expr(moving, value, found)
            }
            StmtKind::If { cond, then, orelse } => {
                self.speculable_expr(moving, cond, found)
                    && then.iter().chain(orelse).all(|s| self.speculable_stmt(moving, s, found))
            }
            _ => false,
        }
    }

    /// `a[...] = value` (or `a[...] op= value`) into an array local, element by element.
    fn speculable_store(
        &self,
        moving: &[LocalId],
        arr: &Expr,
        indices: &[Index],
        value: &Expr,
        found: &mut Found,
    ) -> bool {
        let ExprKind::Local(w) = arr.kind else { return false };
        let Type::Array(at) = self.local_ty(w) else { return false };
        found.checks = true;
        found.writes.push(w);
        at.ndim == indices.len()
            && indices.iter().all(|ix| matches!(ix, Index::At(i) if self.ty(i).is_integral() && self.speculable_expr(moving, i, found)))
            && self.vectorizable_access(moving, arr, indices, true)
            && self.speculable_expr(moving, value, found)
            && (self.ty(value) != Type::Complex || matches!(at.elem(), Type::Complex))
    }

    fn scalar_local(&self, l: LocalId) -> bool {
        self.local_ty(l).is_number()
    }

    /// Whether `x op value` is defined for every input (the result type settles float or int).
    fn safe_op(&self, op: BinOp, left: &Type, right: &Expr) -> bool {
        let floats = *left == Type::Float
            || self.ty(right) == Type::Float
            || *left == Type::Complex
            || self.ty(right) == Type::Complex;
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

    fn speculable_expr(&self, moving: &[LocalId], e: &Expr, found: &mut Found) -> bool {
        let t = self.ty(e);
        if !t.is_number() {
            return false;
        }
        let all = |es: &[Expr], found: &mut Found| {
            es.iter().all(|x| self.speculable_expr(moving, x, found))
        };
        match &e.kind {
            ExprKind::Const(_) => true,
            ExprKind::Local(l) => self.scalar_local(*l),
            ExprKind::Unary(_, x) => self.speculable_expr(moving, x, found),
            ExprKind::Binary(op, a, b) => {
                found.operation(*op);
                self.safe_op(*op, &self.ty(a), b)
                    && self.speculable_expr(moving, a, found)
                    && self.speculable_expr(moving, b, found)
            }
            ExprKind::Compare(a, rest) => {
                self.speculable_expr(moving, a, found)
                    && rest.iter().all(|(_, x)| self.speculable_expr(moving, x, found))
            }
            ExprKind::BoolOp(_, xs) => all(xs, found),
            ExprKind::IfExp(c, a, b) => {
                self.speculable_expr(moving, c, found)
                    && self.speculable_expr(moving, a, found)
                    && self.speculable_expr(moving, b, found)
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
                    Builtin::Int => matches!(args.as_slice(), [x] if self.ty(x).is_integral()),
                    Builtin::Len => return matches!(args.as_slice(), [x] if self.array_local(x)),
                    // Only what LLVM vectorizes itself: a libm call (exp, log, sin…) stays one
                    // call per element, and a loop of them vectorized 32 wide only grew (simpson
                    // in examples/numeric.py: same speed, longer build, bigger module).
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
                self.array_local(arr)
                    && indices.iter().all(|ix| matches!(ix, Index::At(i) if self.ty(i).is_integral() && self.speculable_expr(moving, i, found)))
                    && matches!(self.ty(arr), Type::Array(at) if at.ndim == indices.len())
                    && self.vectorizable_access(moving, arr, indices, false)
            }
            ExprKind::Attr(x, ArrayAttr::Real | ArrayAttr::Imag) => {
                self.speculable_expr(moving, x, found)
            }
            // numpy's functions of numbers never raise (an int power by a negative exponent
            // does: excluded); as for `math`, only those LLVM vectorizes itself.
            ExprKind::Ufunc(u, _, args) => {
                use crate::hir::Ufunc::*;
                let native = self.ty(e) != Type::Object;
                let vectorized = matches!(
                    u,
                    Sqrt | Fabs
                        | Abs
                        | Floor
                        | Ceil
                        | Trunc
                        | Rint
                        | Copysign
                        | Clip
                        | Square
                        | Sign
                        | Isnan
                        | Isinf
                        | Isfinite
                        | Minimum
                        | Maximum
                        | Fmin
                        | Fmax
                        | Deg2rad
                        | Rad2deg
                );
                native && vectorized && all(args, found)
            }
            // `for v in a` over an array: the item is `a[index]`.
            ExprKind::EachItem(holders, item) => {
                holders.iter().all(|h| matches!(self.local_ty(*h), Type::Array(_)))
                    && self.speculable_expr(moving, item, found)
            }
            ExprKind::Attr(x, ArrayAttr::Ndim | ArrayAttr::Size) => self.array_local(x),
            _ => false,
        }
    }

    /// Whether the vectorizer could load (`store`: store) this element for four iterations at
    /// once: an array that is C-contiguous, its index moving with the loop on the last axis
    /// (consecutive elements) or, for a load, on another axis too: the stride is then a
    /// multiple of the row length, known at run time only, and LLVM gathers the four elements
    /// (the n-body loop's `pos[j, 0]`, its divisions and square roots four at a time; it was
    /// slower while LLVM versioned such loops on the stride being one element, a test that
    /// always failed, see backend.rs; measured: docs/performance.md). Stores move on the last axis only
    /// (AVX2 has no scatter). Any other way, a loop is left as it is: speculating costs selects
    /// and a flag per iteration, and pays only once the loop vectorizes.
    fn vectorizable_access(
        &self,
        moving: &[LocalId],
        arr: &Expr,
        indices: &[Index],
        store: bool,
    ) -> bool {
        let Type::Array(at) = self.ty(arr) else { return false };
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

    fn array_local(&self, e: &Expr) -> bool {
        matches!(e.kind, ExprKind::Local(l) if matches!(self.local_ty(l), Type::Array(_)))
    }

    /// The locals to give back their values from before the loop when it runs again: those the
    /// body assigns and reads before assigning (`s += x`). A local the body always assigns
    /// before reading is assigned again by the rerun before it could fail, so only a `try` in
    /// the function could see the difference (its handler reading a local the failing
    /// iteration had not reached yet); then every local assigned is restored. Saving fewer
    /// matters: a saved value is a use of the previous loop's last value, which stops LLVM
    /// from vectorizing that loop unless the value is a reduction.
    pub(crate) fn locals_to_restore(&self, target: LocalId, body: &[Stmt]) -> Vec<LocalId> {
        let mut assigned = vec![target];
        assigned_locals(body, &mut assigned);
        if has_try(&self.function().body) {
            return assigned;
        }
        let mut defined = vec![target];
        let mut exposed = Vec::new();
        read_before_assigned(body, &mut defined, &mut exposed);
        assigned.retain(|l| exposed.contains(l));
        assigned
    }

    /// The locals a speculative loop may assign without keeping their old value where a branch
    /// is not taken: each iteration assigns them before reading them, and nothing outside the
    /// loop reads them, so the value they keep is never seen. (A conditional assignment would
    /// carry a select from one iteration to the next, which LLVM does not vectorize.)
    pub(crate) fn loop_temporaries(&self, target: LocalId, body: &[Stmt]) -> Vec<LocalId> {
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
        let function = &self.function().body;
        assigned
            .into_iter()
            .filter(|l| !exposed.contains(l) && reads(function, *l) == reads(body, *l))
            .collect()
    }
}

/// Calls `f` with every local an expression reads.
pub(crate) fn read_locals(e: &Expr, f: &mut dyn FnMut(LocalId)) {
    crate::hir::walk_expr(e, &mut |x| {
        if let ExprKind::Local(l) = x.kind {
            f(l)
        }
    });
}

/// The array reads of a speculable statement.
pub(crate) fn subscripts_in<'h>(s: &'h Stmt, out: &mut Vec<(&'h Expr, &'h [Index])>) {
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
pub(crate) fn stores_in(body: &[Stmt]) -> Vec<(&Expr, &[Index])> {
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

/// The locals a speculable body assigns.
pub(crate) fn assigned_locals(body: &[Stmt], out: &mut Vec<LocalId>) {
    for s in body {
        match &s.kind {
            StmtKind::Assign { target: Target::Local(l, _), .. }
            | StmtKind::AugAssign { target: l, .. }
                if !out.contains(l) =>
            {
                out.push(*l);
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
pub(crate) fn read_before_assigned(
    body: &[Stmt],
    defined: &mut Vec<LocalId>,
    out: &mut Vec<LocalId>,
) {
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

pub(crate) fn has_try(stmts: &[Stmt]) -> bool {
    stmts
        .iter()
        .any(|s| matches!(s.kind, StmtKind::Try { .. }) || s.kind.blocks().into_iter().any(has_try))
}
