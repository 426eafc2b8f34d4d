//! Inference: the instances reachable from the export signatures, each local's and
//! expression's type by a fixpoint, return types by a fixpoint over all instances, and the type
//! errors once everything settled.

use super::data::*;
use super::elementwise;
use super::numpy_calls;
use super::rules::*;
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::export_spec::{Scalar, SpecType};
use crate::hir::*;
use std::collections::HashMap;

const MAX_ROUNDS: usize = 64;
/// Types larger than this (counted in nodes) come from a value that contains itself, like a
/// function returning a tuple of its own results: inference stops growing them.
const MAX_TYPE_SIZE: usize = 64;

fn type_size(t: &Type) -> usize {
    match t {
        Type::Tuple(items) => 1 + items.iter().map(type_size).sum::<usize>(),
        _ => 1,
    }
}

/// A signature, and for each optional argument whose default is a value of another type
/// (`int?` with a default of 2.5, or None), the same signature with that argument of the
/// default's type: called without it, a function gets the default as CPython would (a float,
/// None), through an instance of its own; called with an int, the exported type's instance.
fn default_variants(func: &Function, sig: Vec<(SpecType, bool)>) -> Vec<Vec<(SpecType, bool)>> {
    let mut variants = vec![sig.clone()];
    for (i, (spec, optional)) in sig.iter().enumerate() {
        let (Ok(t), Some(d)) = (spec_to_type(spec), func.params[i].default.as_ref()) else {
            continue;
        };
        if !*optional || join(&const_type(d), &t) == Some(t.clone()) {
            continue;
        }
        if let Some(default_spec) = const_spec(d) {
            variants = variants
                .into_iter()
                .flat_map(|v| {
                    let mut w = v.clone();
                    w[i] = (default_spec.clone(), true);
                    [v, w]
                })
                .collect();
        }
    }
    variants
}

pub fn infer(module: &Module) -> (Program, Vec<Diagnostic>) {
    let mut inf = Inferencer {
        module,
        instances: Vec::new(),
        index: HashMap::new(),
        diags: Vec::new(),
        diverged: Default::default(),
    };
    let mut exports: Vec<ExportedFunction> = Vec::new();
    let mut reported = Vec::new();
    for export in &module.exports {
        let func = &module.functions[export.func];
        // Repeated export lines for one function are its overloads, tried in the order written.
        let slot = match exports.iter().position(|e| e.func == export.func) {
            Some(i) => i,
            None => {
                exports.push(ExportedFunction { func: export.func, signatures: Vec::new() });
                exports.len() - 1
            }
        };
        let mut signatures = Vec::new();
        for sig in export.entry.signatures().into_iter().flat_map(|s| default_variants(func, s)) {
            let mut params = Vec::new();
            let mut ok = true;
            for (i, (spec, optional)) in sig.iter().enumerate() {
                match spec_to_type(spec) {
                    // A default stands in for the argument: it must have the exported type, or
                    // one of its own (`default_variants` added a signature for it).
                    Ok(t)
                        if *optional
                            && func.params[i].default.as_ref().is_some_and(|d| {
                                join(&const_type(d), &t) != Some(t.clone())
                                    && const_spec(d).is_none()
                            }) =>
                    {
                        ok = false;
                        let span = export.entry.args[i].span.clone();
                        if !reported.contains(&span) {
                            let d = func.params[i]
                                .default
                                .as_ref()
                                .map(const_type)
                                .unwrap_or(Type::None);
                            inf.diags.push(Diagnostic::error(Code::ExportTarget, span.clone(), format!("the default of `{}` is {d}, which is not {t}", func.params[i].name))
                                .label("this export type")
                                .also(func.params[i].span.clone(), "the parameter with the default")
                                .hint("give a default of the exported type, or export the argument as `object`"));
                            reported.push(span);
                        }
                    }
                    Ok(t) => params.push(t),
                    Err(why) => {
                        ok = false;
                        let span = export.entry.args[i].span.clone();
                        if !reported.contains(&span) {
                            inf.diags.push(Diagnostic::error(Code::NotYet, span.clone(), why)
                                .label(format!("type of `{}`", func.params[i].name))
                                .hint("this version compiles bool, int, int8…uint64, float, float32, arrays of them and tuples"));
                            reported.push(span);
                        }
                    }
                }
            }
            if ok {
                let instance = inf.instance(export.func, params);
                let strided = |t: &Type| matches!(t, Type::Array(a) if !a.contiguous);
                let contiguous_instance = if inf.instances[instance].params.iter().any(strided) {
                    let params = inf.instances[instance]
                        .params
                        .iter()
                        .map(|t| match t {
                            Type::Array(a) => Type::Array(ArrayType { contiguous: true, ..*a }),
                            other => other.clone(),
                        })
                        .collect();
                    Some(inf.instance(export.func, params))
                } else {
                    None
                };
                signatures.push(Signature {
                    args: sig.into_iter().map(|(s, _)| s).collect(),
                    instance,
                    contiguous_instance,
                });
            }
        }
        exports[slot].signatures.extend(signatures);
    }
    let init = module.init.map(|f| inf.instance(f, Vec::new()));
    // Return types: iterate every instance until none changes (new instances join the loop).
    let mut settled = false;
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        let mut i = 0;
        while i < inf.instances.len() {
            changed |= inf.infer_instance(i, false);
            i += 1;
        }
        if !changed {
            settled = true;
            break;
        }
    }
    if settled {
        let mut i = 0;
        while i < inf.instances.len() {
            inf.infer_instance(i, true);
            i += 1;
        }
    } else {
        for e in &module.exports {
            let f = &module.functions[e.func];
            inf.diags.push(Diagnostic::error(Code::TypeConflict, f.span.clone(), format!("the types in `{}` do not settle", f.name))
                .label("inferring this function")
                .hint("a value grows without bound (a tuple extended in a loop, or a recursion returning ever larger tuples); give it a fixed shape"));
        }
    }
    // The wrapper returns either version's result as one value: a contiguous version whose
    // result is held differently (a value native in one, an object in the other; a
    // contiguous array is held as any array) is not used.
    fn held_as(t: &Type) -> Type {
        match t {
            Type::Array(a) => Type::Array(ArrayType { contiguous: false, ..*a }),
            Type::Tuple(items) => Type::Tuple(items.iter().map(held_as).collect()),
            other => other.clone(),
        }
    }
    for export in &mut exports {
        for sig in &mut export.signatures {
            if let Some(c) = sig.contiguous_instance {
                if held_as(&inf.instances[c].ret) != held_as(&inf.instances[sig.instance].ret) {
                    sig.contiguous_instance = None;
                }
            }
        }
    }
    // One function compiled several times (argument types, the contiguous-array version) finds
    // the same problem in each instance: report it once.
    let mut diags: Vec<Diagnostic> = Vec::new();
    for d in inf.diags {
        if !diags.iter().any(|e| e.code == d.code && e.span == d.span && e.message == d.message) {
            diags.push(d);
        }
    }
    (Program { instances: inf.instances, exports, init }, diags)
}

struct Inferencer<'m> {
    module: &'m Module,
    instances: Vec<Instance>,
    index: HashMap<(FuncId, Vec<Type>), InstanceId>,
    diags: Vec<Diagnostic>,
    /// Instances whose types grew without bound (their return type is pinned).
    diverged: std::collections::HashSet<InstanceId>,
}

/// The state of one walk over a function body.
struct Walk {
    func: FuncId,
    locals: Vec<Type>,
    /// Where each local first got its type, for conflict messages.
    origins: Vec<Option<Span>>,
    exprs: Vec<Type>,
    ret: Type,
    ret_origin: Option<Span>,
    calls: HashMap<ExprId, InstanceId>,
    /// See `Instance::decided`.
    decided: HashMap<ExprId, bool>,
    /// Where each local first became a Python object (the root cause `# pyaot: native` names).
    object_origins: Vec<Option<Span>>,
    changed: bool,
    report: bool,
    /// Inside the body of a parallel loop: no Python objects may be created there.
    in_parallel: bool,
    /// Locals whose assignment was already reported as an error (no second error on reads).
    poisoned: Vec<bool>,
    /// A type grew past MAX_TYPE_SIZE: the walk stops refining it.
    diverged: bool,
    /// Where objects inside parallel loops were reported.
    parallel_objects: Vec<Span>,
    /// The expression being typed is an operand of an element-wise operation (fused into its
    /// loop nest when both are arrays: it allocates nothing of its own).
    operand_of_elementwise: bool,
    /// The value stored into a view or updated in place (`a[1:] = x * 2`, `v += x`): computed
    /// into the target, allocating nothing.
    stored_into_view: Option<ExprId>,
}

impl Inferencer<'_> {
    fn instance(&mut self, func: FuncId, params: Vec<Type>) -> InstanceId {
        if let Some(&id) = self.index.get(&(func, params.clone())) {
            return id;
        }
        let id = self.instances.len();
        let f = &self.module.functions[func];
        self.instances.push(Instance {
            func,
            params: params.clone(),
            locals: vec![Type::Unknown; f.locals.len()],
            exprs: vec![Type::Unknown; f.num_exprs],
            ret: Type::Unknown,
            calls: HashMap::new(),
            decided: HashMap::new(),
            object_origins: Vec::new(),
        });
        self.index.insert((func, params), id);
        id
    }

    /// Infers one instance's locals to a fixpoint; returns whether its return type changed.
    fn infer_instance(&mut self, id: InstanceId, report: bool) -> bool {
        let module = self.module;
        let f = &module.functions[self.instances[id].func];
        let mut w = Walk {
            func: self.instances[id].func,
            locals: vec![Type::Unknown; f.locals.len()],
            origins: vec![None; f.locals.len()],
            exprs: vec![Type::Unknown; f.num_exprs],
            ret: Type::Unknown,
            ret_origin: None,
            calls: HashMap::new(),
            decided: HashMap::new(),
            object_origins: vec![None; f.locals.len()],
            changed: false,
            report: false,
            in_parallel: false,
            poisoned: vec![false; f.locals.len()],
            diverged: false,
            parallel_objects: Vec::new(),
            operand_of_elementwise: false,
            stored_into_view: None,
        };
        for (i, t) in self.instances[id].params.iter().enumerate() {
            w.locals[i] = t.clone();
            w.origins[i] = Some(f.params[i].span.clone());
        }
        let mut rounds = 0;
        loop {
            w.changed = false;
            w.ret = Type::Unknown;
            w.decided.clear();
            self.block(&mut w, &f.body);
            rounds += 1;
            if !w.changed || rounds > MAX_ROUNDS {
                break;
            }
        }
        if rounds > MAX_ROUNDS && report {
            self.diags.push(Diagnostic::error(Code::TypeConflict, f.span.clone(), format!("the types of the locals of `{}` do not settle", f.name))
                .label("inferring this function").hint("a value grows without bound, like a tuple extended in a loop; give it a fixed shape"));
        }
        let errors_before = self.diags.len();
        if report {
            w.ret = Type::Unknown;
            w.report = true;
            w.decided.clear();
            self.block(&mut w, &f.body);
            // The import-time function of module values is Python's business, native or not.
            if f.checks.native && f.name != "<module>" {
                self.check_native(&w, f);
            }
        }
        // No error reported inside this function, by this instance or by another one (a
        // repeat is not reported twice, see `error`).
        let end = f.body.iter().map(|s| s.span.end).max().unwrap_or(f.span.end).max(f.span.end);
        let clean = self.diags.len() == errors_before
            && !self.diags.iter().any(|d| {
                d.severity == crate::diagnostics::Severity::Error
                    && d.span.start >= f.span.start
                    && d.span.end <= end
            });
        if falls_through(&f.body) {
            match join(&w.ret, &Type::None) {
                Some(t) => w.ret = t,
                // A value on some paths, None on the others (an optional result): an object.
                None => {
                    if report {
                        let mut d = Diagnostic::error(Code::Boxed, f.span.clone(),
                            format!("`{}` returns {} on some paths and None (by reaching its end) on others: its result is a Python object", f.name, w.ret))
                            .label("this function");
                        if let Some(o) = &w.ret_origin {
                            d = d.also(o.clone(), format!("returns {} here", w.ret));
                        }
                        let d = d.hint("callers get a boxed value; end every path with a `return` of the same type, or raise an exception, to keep it native");
                        if !self.diags.iter().any(|x| x.code == d.code && x.span == d.span) {
                            self.diags.push(d);
                        }
                    }
                    w.ret = Type::Object;
                }
            }
        }
        // A function that always raises (no `return` anywhere) returns None, for its callers.
        if w.ret == Type::Unknown && !has_return(&f.body) {
            w.ret = Type::None;
        }
        if report && clean && w.ret == Type::Unknown {
            self.diags.push(
                Diagnostic::error(
                    Code::TypeConflict,
                    f.span.clone(),
                    format!("cannot infer what `{}` returns", f.name),
                )
                .label("every path of this function recurses")
                .hint("add a base case that returns a value"),
            );
        }
        // A type that grew past MAX_TYPE_SIZE pins the instance's return type where it was, so
        // the fixpoint settles and the report pass can point at the growing value.
        if w.diverged {
            self.diverged.insert(id);
        }
        let inst = &mut self.instances[id];
        if self.diverged.contains(&id) && inst.ret != Type::Unknown {
            w.ret = inst.ret.clone();
        }
        let changed = inst.ret != w.ret;
        inst.ret = w.ret;
        inst.locals = w.locals;
        inst.exprs = w.exprs;
        inst.calls = w.calls;
        inst.decided = w.decided;
        inst.object_origins = w.object_origins;
        changed
    }

    /// `# pyaot: native`: the first expression of the body that is a Python object is an error
    /// naming its root cause (for a local, the assignment that made it an object).
    fn check_native(&mut self, w: &Walk, f: &Function) {
        // The cause, not its consequences: an object with no object inside it (`LIMIT`, not
        // `v < LIMIT`), the first in the source.
        let mut first: Option<&Expr> = None;
        for_each_expr(&f.body, &mut |e| {
            if w.exprs[e.id] != Type::Object {
                return;
            }
            let mut inner_object = false;
            walk_expr(e, &mut |x| inner_object |= x.id != e.id && w.exprs[x.id] == Type::Object);
            if !inner_object && first.is_none_or(|x| e.span.start < x.span.start) {
                first = Some(e);
            }
        });
        let Some(e) = first else { return };
        let mut d = Diagnostic::error(
            Code::NotNative,
            e.span.clone(),
            format!(
                "`{}` must run without Python (`# pyaot: native`), but this is a Python object",
                f.name
            ),
        )
        .label("a Python object");
        if let ExprKind::Local(l) = e.kind {
            if let Some(origin) = &w.object_origins[l] {
                d = d.also(
                    origin.clone(),
                    format!("`{}` became a Python object here", f.locals[l].name),
                );
            }
        }
        let d = d.hint("keep to numbers, tuples and numpy arrays in this function (`math.inf`, not a Python value; an array, not a list); or drop `native` to let it call Python");
        self.error(w, d);
    }

    fn error(&mut self, w: &Walk, d: Diagnostic) {
        // Each instance of a function (the C-contiguous version, other argument types) is
        // checked apart: one mistake in the source is one diagnostic.
        if w.report && !self.diags.iter().any(|x| x.code == d.code && x.span == d.span) {
            self.diags.push(d);
        }
    }

    fn assign_local(&mut self, w: &mut Walk, local: LocalId, t: &Type, span: &Span) {
        // A value whose error was just reported: reading the local later is no second mistake.
        if *t == Type::Unknown && w.report {
            w.poisoned[local] = true;
        }
        match join(&w.locals[local], t) {
            Some(j) if type_size(&j) > MAX_TYPE_SIZE => {
                w.diverged = true;
                if !w.poisoned[local] {
                    w.poisoned[local] = true;
                    let name = &self.module.functions[w.func].locals[local].name;
                    let d = Diagnostic::error(Code::TypeConflict, span.clone(), format!("the type of `{name}` grows without bound"))
                        .label("assigned here").hint("a tuple that contains itself, or grows in a loop, has no fixed type; give it a fixed shape");
                    self.error(w, d);
                }
            }
            Some(j) => {
                if j != w.locals[local] {
                    if w.locals[local] == Type::Unknown {
                        w.origins[local] = Some(span.clone());
                    }
                    if j == Type::Object {
                        w.object_origins[local] = Some(span.clone());
                    }
                    w.locals[local] = j;
                    w.changed = true;
                }
            }
            None => {
                let name = &self.module.functions[w.func].locals[local].name;
                let mut d = Diagnostic::error(
                    Code::TypeConflict,
                    span.clone(),
                    format!(
                        "cannot infer one type for `{name}`: it is given {t} here and {} elsewhere",
                        w.locals[local]
                    ),
                )
                .label(format!("{t} here"));
                if let Some(o) = &w.origins[local] {
                    d = d.also(o.clone(), format!("{} here", w.locals[local]));
                }
                let d = d.hint(format!("use a new name for the {t} value"));
                self.error(w, d);
            }
        }
    }

    fn assign_target(&mut self, w: &mut Walk, target: &Target, t: &Type, value_span: &Span) {
        match target {
            Target::Local(l, span) => self.assign_local(w, *l, t, span),
            Target::Item(array, indices, span) => {
                let at = self.expr(w, array);
                let target_t = self.subscript(w, &at, indices, span);
                self.check_store(w, &target_t, t, span);
            }
            // A module value: any value, boxed.
            Target::Global(..) => {}
            Target::Attr(value, name, span) => {
                let vt = self.expr(w, value);
                if !matches!(vt, Type::Object | Type::Unknown) {
                    let d = Diagnostic::error(
                        Code::BadOperation,
                        span.clone(),
                        format!("cannot set the attribute `{name}` of {vt}"),
                    )
                    .label("here")
                    .hint("only Python objects have attributes to set");
                    self.error(w, d);
                }
            }
            Target::Tuple(items, span) => match t {
                Type::Unknown | Type::Object => {
                    items.iter().for_each(|i| self.assign_target(w, i, t, value_span))
                }
                Type::Tuple(ts) if ts.len() == items.len() => {
                    for (i, ti) in items.iter().zip(ts) {
                        self.assign_target(w, i, ti, value_span);
                    }
                }
                other => {
                    fn poison(t: &Target, w: &mut Walk) {
                        match t {
                            Target::Local(l, _) => w.poisoned[*l] = true,
                            Target::Tuple(items, _) => items.iter().for_each(|i| poison(i, w)),
                            Target::Item(..) | Target::Attr(..) | Target::Global(..) => {}
                        }
                    }
                    poison(target, w);
                    let d = Diagnostic::error(
                        Code::TypeConflict,
                        span.clone(),
                        format!("cannot unpack {other} into {} names", items.len()),
                    )
                    .label(format!("{} names", items.len()))
                    .also(value_span.clone(), format!("this is {other}"))
                    .hint("unpack a tuple with as many items as there are names");
                    self.error(w, d);
                }
            },
        }
    }

    fn block(&mut self, w: &mut Walk, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(w, s);
            // After an `if` the types decided whose branch taken never falls through (`if n is
            // None: return x`), the rest of the block is dead in this instance: not typed.
            if let StmtKind::If { cond, then, orelse } = &s.kind {
                match w.decided.get(&cond.id) {
                    Some(true) if !falls_through(then) => break,
                    Some(false) if !falls_through(orelse) => break,
                    _ => {}
                }
            }
        }
    }

    fn stmt(&mut self, w: &mut Walk, s: &Stmt) {
        match &s.kind {
            StmtKind::Assign { target, value } => {
                if let Target::Item(..) = target {
                    w.stored_into_view = Some(value.id);
                }
                let t = self.expr(w, value);
                // `a, b = x, y` assigns item by item: a tuple of an object and a number
                // still gives the number's target a native type.
                match (target, &value.kind) {
                    (Target::Tuple(targets, _), ExprKind::Tuple(values))
                        if targets.len() == values.len() =>
                    {
                        for (target, value) in targets.iter().zip(values) {
                            let t = w.exprs[value.id].clone();
                            self.assign_target(w, target, &t, &value.span);
                        }
                    }
                    _ => self.assign_target(w, target, &t, &value.span),
                }
            }
            StmtKind::Try { body, handlers, orelse, finalbody } => {
                if w.in_parallel {
                    let d = Diagnostic::error(Code::BadOperation, s.span.clone(), "a parallel loop cannot catch exceptions")
                        .label("`try` inside a parallel loop")
                        .hint("an error in an iteration stops the loop and is raised after it; catch it around the loop");
                    self.error(w, d);
                }
                self.block(w, body);
                for h in handlers {
                    if let Some(t) = &h.types {
                        let tt = self.expr(w, t);
                        if !matches!(tt, Type::Object | Type::Unknown) {
                            let d = Diagnostic::error(Code::BadOperation, t.span.clone(), format!("`except` takes exception classes, not {tt}"))
                                .label("not an exception class").hint("write `except ValueError:` or `except (KeyError, IndexError) as e:`");
                            self.error(w, d);
                        }
                    }
                    if let Some(l) = h.name {
                        self.assign_local(w, l, &Type::Object, &h.span);
                    }
                    self.block(w, &h.body);
                }
                self.block(w, orelse);
                self.block(w, finalbody);
            }
            StmtKind::Reraise => {}
            StmtKind::RaiseObject(e, cause) => {
                if let Some(c) = cause {
                    self.expr(w, c);
                }
                let t = self.expr(w, e);
                if !matches!(t, Type::Object | Type::Unknown) {
                    let d = Diagnostic::error(
                        Code::BadOperation,
                        e.span.clone(),
                        format!("cannot raise {t}"),
                    )
                    .label("not an exception")
                    .hint("raise an exception class or instance: `raise ValueError(f\"bad {x}\")`");
                    self.error(w, d);
                }
            }
            StmtKind::AugAssign { target, target_span, op, value } => {
                w.stored_into_view = Some(value.id);
                let vt = self.expr(w, value);
                let current = w.locals[*target].clone();
                if current == Type::Unknown && vt != Type::Unknown && w.report {
                    let name = self.module.functions[w.func].locals[*target].name.clone();
                    let d = Diagnostic::error(Code::UnknownName, target_span.clone(), format!("`{name}` is updated before anything is assigned to it"))
                        .label("updated here").hint(format!("assign `{name}` a starting value first; Python raises UnboundLocalError here"));
                    self.error(w, d);
                }
                let t = self.binary(w, *op, &current, &vt, None, value, &s.span);
                // `v += x` on an array updates it in place (numpy): `v` keeps its type.
                let t = match (&current, &t) {
                    (Type::Array(at), Type::Array(rt))
                        if elementwise::in_place(at.dtype, rt.dtype) =>
                    {
                        current.clone()
                    }
                    (Type::Array(_), Type::Array(_)) => {
                        let d = Diagnostic::error(Code::BadOperation, s.span.clone(), format!("cannot update {current} in place with {t} results"))
                            .label("numpy raises UFuncTypeError here")
                            .hint("write `v = v + x` for a new array of the wider dtype, or convert the value first");
                        self.error(w, d);
                        current.clone()
                    }
                    _ => t,
                };
                self.assign_local(w, *target, &t, target_span);
            }
            StmtKind::AugAssignItem { array, indices, target_span, op, value } => {
                let at = self.expr(w, array);
                let current = self.subscript(w, &at, indices, target_span);
                w.stored_into_view = Some(value.id);
                let vt = self.expr(w, value);
                let t = self.binary(w, *op, &current, &vt, None, value, &s.span);
                if let (Type::Array(at), Type::Array(rt)) = (&current, &t) {
                    if !elementwise::in_place(at.dtype, rt.dtype) {
                        let d = Diagnostic::error(
                            Code::BadOperation,
                            s.span.clone(),
                            format!("cannot update {current} in place with {t} results"),
                        )
                        .label("numpy raises UFuncTypeError here")
                        .hint("convert the value first, or make the array of the wider dtype");
                        self.error(w, d);
                    }
                }
                self.check_store(w, &current, &t, target_span);
                // `#omp atomic`: a read-modify-write of an int or float element, whose value
                // the element's type holds (atomic.rs).
                let atomic = self.module.functions[w.func].atomic_items.contains(&s.id);
                let fits = match (&current, &vt) {
                    (Type::Unknown, _) | (_, Type::Unknown) => true,
                    (Type::Int, v) => v.is_integral(),
                    (Type::Float, v) => v.is_numeric() && *v != Type::Complex,
                    _ => false,
                };
                let bool_array = matches!(&at, Type::Array(a) if a.dtype == Scalar::Bool);
                if atomic && (!fits || bool_array) {
                    let d = Diagnostic::error(Code::NotYet, s.span.clone(), format!("an atomic update of {current} elements by {vt} values is not supported"))
                        .label("under `#omp atomic`")
                        .hint("atomic updates take int or float arrays, and values the element holds (an int into an int array)");
                    self.error(w, d);
                }
            }
            StmtKind::Expr(e) => {
                self.expr(w, e);
            }
            StmtKind::If { cond, then, orelse } => {
                self.condition(w, cond);
                match self.decide(w, cond) {
                    Some(true) => self.block(w, then),
                    Some(false) => self.block(w, orelse),
                    None => {
                        self.block(w, then);
                        self.block(w, orelse);
                    }
                }
            }
            StmtKind::While { cond, body, orelse } => {
                self.condition(w, cond);
                self.block(w, body);
                self.block(w, orelse);
            }
            StmtKind::ForRange {
                target,
                target_span,
                start,
                stop,
                step,
                body,
                orelse,
                parallel,
                ..
            } => {
                if let Some(p) = parallel {
                    for e in p.chunk.iter().chain(p.num_threads.iter()) {
                        let t = self.expr(w, e);
                        if !(t.is_integral() || t == Type::Unknown) {
                            let d = Diagnostic::error(
                                Code::BadOperation,
                                e.span.clone(),
                                format!("a chunk size or thread count must be an int, not {t}"),
                            )
                            .label("here")
                            .hint("write an integer: `schedule(dynamic, 64)`, `num_threads(4)`");
                            self.error(w, d);
                        }
                    }
                    for e in p.condition.iter() {
                        self.expr(w, e);
                    }
                }
                // The bounds are evaluated once, before the loop's threads start.
                for e in start.iter().chain(Some(stop)).chain(step.iter()) {
                    let t = self.expr(w, e);
                    if !(t.is_integral() || t == Type::Unknown || t == Type::Object) {
                        let d = Diagnostic::error(
                            Code::BadOperation,
                            e.span.clone(),
                            format!("`range` takes integers, not {t}"),
                        )
                        .label(format!("this is {t}"))
                        .hint("convert with `int(...)`; Python raises TypeError here too");
                        self.error(w, d);
                    }
                }
                let inner = w.in_parallel || parallel.is_some();
                let was_parallel = std::mem::replace(&mut w.in_parallel, inner);
                self.assign_local(w, *target, &Type::Int, target_span);
                self.block(w, body);
                w.in_parallel = was_parallel;
                if let Some(p) = parallel {
                    use crate::omp::ReductionOp as R;
                    for (op, l) in &p.reductions {
                        let t = w.locals[*l].clone();
                        let ok = matches!(
                            (&t, op),
                            (Type::Unknown, _)
                                | (Type::Int, _)
                                | (Type::Float, R::Add | R::Mul | R::Min | R::Max)
                                | (Type::Bool, R::And | R::Or | R::Xor)
                        );
                        if !ok {
                            let name = self.module.functions[w.func].locals[*l].name.clone();
                            let sym = match op {
                                R::Add => "+",
                                R::Mul => "*",
                                R::Min => "min",
                                R::Max => "max",
                                R::And => "&",
                                R::Or => "|",
                                R::Xor => "^",
                            };
                            let d = Diagnostic::error(Code::NotYet, p.span.clone(), format!("`reduction({sym}:{name})` over {t} is not supported"))
                                .label("in this parallel loop")
                                .hint("reductions combine ints, floats (+ * min max) or bools (& | ^); reduce the parts of a complex number separately");
                            self.error(w, d);
                        }
                    }
                }
                self.block(w, orelse);
            }
            StmtKind::Break | StmtKind::Continue | StmtKind::Raise { .. } => {}
            StmtKind::Return(value) => {
                let t = match value {
                    Some(v) => self.expr(w, v),
                    None => Type::None,
                };
                if type_size(&t) > MAX_TYPE_SIZE {
                    w.diverged = true;
                    let name = self.module.functions[w.func].name.clone();
                    let d = Diagnostic::error(
                        Code::TypeConflict,
                        s.span.clone(),
                        format!("the return type of `{name}` grows without bound"),
                    )
                    .label("returns a value containing its own result")
                    .hint("a function returning a tuple of its own results has no fixed type");
                    self.error(w, d);
                    return;
                }
                match join(&w.ret, &t) {
                    Some(j) => {
                        if w.ret_origin.is_none() && t != Type::Unknown {
                            w.ret_origin = Some(s.span.clone());
                        }
                        w.ret = j;
                    }
                    // Values of types with no native join (a float and None, tuples of two
                    // lengths): Python allows it, so the result is a Python object.
                    None => {
                        let f = &self.module.functions[w.func];
                        let mut d = Diagnostic::error(
                            Code::Boxed,
                            s.span.clone(),
                            format!("`{}` returns {t} here but {} elsewhere: its result is a Python object", f.name, w.ret),
                        )
                        .label(format!("returns {t}"));
                        if let Some(o) = &w.ret_origin {
                            d = d.also(o.clone(), format!("returns {}", w.ret));
                        }
                        let d = d.hint("callers get a boxed value; return one type on every path (int and float mix: the result is float) to keep it native");
                        w.ret = Type::Object;
                        self.error(w, d);
                    }
                }
            }
            StmtKind::Assert { cond, .. } => {
                self.condition(w, cond);
            }
        }
    }

    fn set(&mut self, w: &mut Walk, e: &Expr, t: Type) -> Type {
        // One error per place: the innermost object expression (children are typed first).
        let reported =
            w.parallel_objects.iter().any(|r| r.start <= e.span.end && e.span.start <= r.end);
        if t == Type::Object && w.in_parallel && !reported && w.report {
            w.parallel_objects.push(e.span.clone());
            let d = Diagnostic::error(Code::BadOperation, e.span.clone(), "a parallel loop cannot use Python objects")
                .label("a Python object, inside a parallel loop")
                .hint("threads of a parallel loop run without Python: convert to numbers or arrays before the loop");
            self.error(w, d);
        }
        w.exprs[e.id] = t.clone();
        t
    }

    fn bad(&mut self, w: &mut Walk, e: &Expr, message: String, hint: &str) -> Type {
        let d =
            Diagnostic::error(Code::BadOperation, e.span.clone(), message).label("here").hint(hint);
        self.error(w, d);
        self.set(w, e, Type::Unknown)
    }

    fn expr(&mut self, w: &mut Walk, e: &Expr) -> Type {
        let as_operand = std::mem::take(&mut w.operand_of_elementwise);
        let t = match &e.kind {
            ExprKind::Const(c) => const_type(c),
            ExprKind::Local(l) => {
                let t = w.locals[*l].clone();
                if t == Type::Unknown && w.report && !w.poisoned[*l] {
                    let name = self.module.functions[w.func].locals[*l].name.clone();
                    return self.bad(
                        w,
                        e,
                        format!("`{name}` is read before anything is assigned to it"),
                        "assign it first; Python raises UnboundLocalError here",
                    );
                }
                t
            }
            ExprKind::Tuple(items) => {
                let ts = items.iter().map(|i| self.expr(w, i)).collect();
                tuple_type(ts)
            }
            ExprKind::Unary(op, operand) => {
                w.operand_of_elementwise = *op != UnaryOp::Not;
                let t = self.expr(w, operand);
                match (op, &t) {
                    (_, Type::Unknown) => Type::Unknown,
                    (UnaryOp::Not, Type::Object) => Type::Bool,
                    (_, Type::Object) => Type::Object,
                    (UnaryOp::Not, Type::Array(_)) => return self.array_truth(w, e),
                    // `-a` of a whole array: native where elementwise.rs says so, else numpy's
                    // through Python (see `binary`).
                    (UnaryOp::Neg | UnaryOp::Pos | UnaryOp::Invert, Type::Array(_)) => {
                        elementwise::unary(*op, &t).unwrap_or(Type::Object)
                    }
                    (UnaryOp::Not, _) => Type::Bool,
                    (UnaryOp::Neg | UnaryOp::Pos, Type::Bool | Type::Int) => Type::Int,
                    (UnaryOp::Neg | UnaryOp::Pos, Type::Float) => Type::Float,
                    (UnaryOp::Neg | UnaryOp::Pos, Type::Complex) => Type::Complex,
                    (UnaryOp::Invert, Type::Bool | Type::Int) => Type::Int,
                    _ => {
                        let sym = match op {
                            UnaryOp::Neg => "-",
                            UnaryOp::Pos => "+",
                            UnaryOp::Invert => "~",
                            UnaryOp::Not => "not",
                        };
                        return self.bad(
                            w,
                            e,
                            format!("bad operand type for unary `{sym}`: {t}"),
                            "Python raises TypeError here too",
                        );
                    }
                }
            }
            ExprKind::Binary(op, l, r) => {
                w.operand_of_elementwise = true;
                let lt = self.expr(w, l);
                w.operand_of_elementwise = true;
                let rt = self.expr(w, r);
                self.binary(w, *op, &lt, &rt, Some(l), r, &e.span)
            }
            ExprKind::Compare(first, rest) => {
                w.operand_of_elementwise = rest.len() == 1;
                let mut left = self.expr(w, first);
                let mut result = Type::Bool;
                for (op, right) in rest {
                    w.operand_of_elementwise = rest.len() == 1;
                    let rt = self.expr(w, right);
                    let ok = match (op, &left, &rt) {
                        (_, Type::Unknown, _) | (_, _, Type::Unknown) => true,
                        (CmpOp::Is | CmpOp::IsNot, l, r) => identity_comparable(l, r),
                        (CmpOp::In | CmpOp::NotIn, _, Type::Object) => true,
                        (CmpOp::In | CmpOp::NotIn, Type::Object, Type::Tuple(_)) => true,
                        (_, Type::Object, _) | (_, _, Type::Object) => {
                            // Rich comparisons of objects give objects (numpy arrays compare
                            // element-wise), so the chain's value is an object.
                            result = Type::Object;
                            true
                        }
                        // Whole arrays against numbers or arrays (`a > 0.5`): numpy's
                        // element-wise comparison, through Python; a boolean array.
                        (op, l, r)
                            if !matches!(op, CmpOp::In | CmpOp::NotIn) && numpy_operands(l, r) =>
                        {
                            let native = (rest.len() == 1)
                                .then(|| elementwise::compare(*op, (l, &**first), (r, right)))
                                .flatten();
                            result = native.unwrap_or(Type::Object);
                            true
                        }
                        (CmpOp::In | CmpOp::NotIn, l, Type::Tuple(items)) => {
                            items.iter().all(|i| comparable_eq(l, i))
                        }
                        (CmpOp::In | CmpOp::NotIn, _, _) => false,
                        (CmpOp::Eq | CmpOp::NotEq, l, r) => comparable_eq(l, r),
                        (_, l, r) => l.is_numeric() && r.is_numeric(),
                    };
                    if !ok {
                        let hint = match op {
                            CmpOp::Is | CmpOp::IsNot => {
                                let msg = format!("cannot compare the identity of {left} and {rt} values");
                                return self.bad(w, e, msg, "native values have no identity of their own in compiled code (and CPython's answer for numbers depends on its caches): compare values with `==`");
                            }
                            CmpOp::In | CmpOp::NotIn => "`in` tests membership in a tuple of numbers",
                            _ => "compare numbers with numbers; tuples compare with `==` and `!=` only",
                        };
                        return self.bad(w, e, format!("cannot compare {left} with {rt}"), hint);
                    }
                    left = rt;
                }
                result
            }
            ExprKind::BoolOp(kind, values) => {
                let mut t = Type::Unknown;
                for v in values {
                    // An operand the types decide ends the chain where it stops Python's:
                    // what follows is never evaluated, so it is not typed (nor compiled).
                    let stops = |truth: bool| truth == (*kind == BoolOpKind::Or);
                    let vt = self.expr(w, v);
                    if let Type::Array(_) = vt {
                        return self.array_truth(w, v);
                    }
                    match join(&t, &vt) {
                        Some(j) => t = j,
                        None => {
                            let word = if *kind == BoolOpKind::And { "and" } else { "or" };
                            return self.bad(w, e, format!("the operands of `{word}` have different types: {t} and {vt}"),
                                "`and`/`or` return one of their operands, so pyaot needs one type for all of them");
                        }
                    }
                    if self.decide(w, v).is_some_and(stops) {
                        break;
                    }
                }
                t
            }
            ExprKind::IfExp(cond, then, orelse) => {
                self.condition(w, cond);
                match self.decide(w, cond) {
                    // Decided: the branch taken only (its type is the expression's).
                    Some(taken) => self.expr(w, if taken { then } else { orelse }),
                    None => {
                        let a = self.expr(w, then);
                        let b = self.expr(w, orelse);
                        match join(&a, &b) {
                            Some(t) => t,
                            None => return self.bad(w, e, format!("the branches of this conditional expression have different types: {a} and {b}"),
                                "make both branches numbers, or tuples of the same length"),
                        }
                    }
                }
            }
            ExprKind::Call(fid, args) => {
                let mut types = Vec::new();
                for a in args {
                    types.push(match a {
                        Arg::Given(x) => self.expr(w, x),
                        Arg::Default(c) => const_type(c),
                    });
                }
                if types.contains(&Type::Unknown) {
                    Type::Unknown
                } else if let Some(i) = types.iter().position(|t| *t == Type::None) {
                    let name = &self.module.functions[*fid].params[i].name;
                    return self.bad(
                        w,
                        e,
                        format!("argument `{name}` is None"),
                        "pass a number or a tuple",
                    );
                } else {
                    let inst = self.instance(*fid, types);
                    w.calls.insert(e.id, inst);
                    let ret = self.instances[inst].ret.clone();
                    if w.in_parallel
                        && w.report
                        && (contains_array(&ret) || creates_objects(self.module, *fid))
                    {
                        let name = self.module.functions[*fid].name.clone();
                        self.no_objects_in_parallel(
                            w,
                            e,
                            &format!("calls `{name}`, which creates numpy arrays (Python objects)"),
                        );
                    }
                    ret
                }
            }
            ExprKind::Builtin(b, args) => {
                let types: Vec<Type> = args.iter().map(|a| self.expr(w, a)).collect();
                if types.contains(&Type::Object) && !types.contains(&Type::Unknown) {
                    // Conversions and `math` keep their native result (the object is converted
                    // first); the others are Python's own builtins.
                    let t = match b {
                        Builtin::Len | Builtin::Int => Type::Int,
                        Builtin::Float => Type::Float,
                        Builtin::Bool => Type::Bool,
                        Builtin::Math(m) if m.arity().contains(&types.len()) => match m {
                            MathFn::Floor | MathFn::Ceil | MathFn::Trunc => Type::Int,
                            MathFn::IsNan | MathFn::IsInf | MathFn::IsFinite => Type::Bool,
                            _ => Type::Float,
                        },
                        _ => Type::Object,
                    };
                    return self.set(w, e, t);
                }
                return match self.builtin(*b, &types) {
                    Ok(t) => self.set(w, e, t),
                    Err((msg, hint)) => self.bad(w, e, msg, &hint),
                };
            }
            ExprKind::Subscript(value, indices) => {
                let vt = self.expr(w, value);
                self.subscript(w, &vt, indices, &e.span)
            }
            ExprKind::Attr(value, attr) => {
                let vt = self.expr(w, value);
                match (&vt, attr) {
                    (Type::Unknown, _) => Type::Unknown,
                    (Type::Object, _) => Type::Object,
                    (Type::Array(a), ArrayAttr::Shape) => Type::Tuple(vec![Type::Int; a.ndim]),
                    (Type::Array(_), ArrayAttr::Ndim | ArrayAttr::Size) => Type::Int,
                    (Type::Array(a), ArrayAttr::T) => {
                        Type::Array(ArrayType { contiguous: a.contiguous && a.ndim == 1, ..*a })
                    }
                    (Type::Complex, ArrayAttr::Real | ArrayAttr::Imag) => Type::Float,
                    (t, ArrayAttr::Real | ArrayAttr::Imag) if t.is_numeric() => {
                        if *t == Type::Bool {
                            Type::Int
                        } else {
                            t.clone()
                        }
                    }
                    (other, _) => {
                        return self.bad(
                            w,
                            e,
                            format!("{other} has no attribute `{}`", attr_name(*attr)),
                            "`.shape`, `.ndim`, `.size` and `.T` are array attributes",
                        )
                    }
                }
            }
            ExprKind::Copy(value) => match self.copy_type(w, e, value) {
                Type::Unknown => Type::Unknown,
                Type::Object => Type::Object,
                Type::Array(a) => Type::Array(ArrayType { contiguous: true, ..a }),
                other => {
                    return self.bad(
                        w,
                        e,
                        format!("{other} has no `.copy()`"),
                        "`.copy()` copies an array",
                    )
                }
            },
            ExprKind::NpCreate(f, args, dtype) => {
                self.no_objects_in_parallel(
                    w,
                    e,
                    &format!("creates a numpy array (`np.{}`)", f.name()),
                );
                let types: Vec<Type> = args.iter().map(|a| self.expr(w, a)).collect();
                let dtype = match dtype {
                    Dtype::Default => None,
                    Dtype::Named(s) => Some(*s),
                    Dtype::Of(x) => match self.expr(w, x) {
                        Type::Array(at) => Some(at.dtype),
                        Type::Unknown => return Type::Unknown,
                        other => return self.bad(w, e, format!("`dtype=` takes a numpy dtype or an array's `.dtype`; this is the `.dtype` of {other}"), "write `x.dtype` of an array, or a dtype such as `np.float64`"),
                    },
                };
                match self.np_create(*f, &types, dtype) {
                    Ok(t) => t,
                    Err((msg, hint)) => return self.bad(w, e, msg, &hint),
                }
            }
            ExprKind::AsType(x, dtype, written) => {
                w.operand_of_elementwise = true;
                let t = self.expr(w, x);
                let target = match dtype {
                    Dtype::Named(s) => Some(*s),
                    Dtype::Of(y) => match self.expr(w, y) {
                        Type::Array(at) => Some(at.dtype),
                        _ => None,
                    },
                    Dtype::Default => None,
                };
                match target.and_then(|d| elementwise::astype(&t, d)) {
                    Some(at) => at,
                    None if t == Type::Unknown => Type::Unknown,
                    None => {
                        self.expr(w, written);
                        Type::Object
                    }
                }
            }
            // A numpy function of numbers: native; of anything else, numpy's own, through Python.
            ExprKind::Ufunc(u, func, args) => {
                let types: Vec<Type> = args
                    .iter()
                    .map(|a| {
                        w.operand_of_elementwise = true;
                        self.expr(w, a)
                    })
                    .collect();
                match ufunc_type(*u, &types).or_else(|| elementwise::ufunc(*u, &types, args)) {
                    Some(t) => t,
                    None => {
                        self.expr(w, func);
                        Type::Object
                    }
                }
            }
            ExprKind::Reduce(r, array, function, axis) => {
                w.operand_of_elementwise = true;
                let at = self.expr(w, array);
                if let Some(a) = axis {
                    self.expr(w, &a.expr);
                }
                let fused =
                    elementwise::fused_operands(array, &|x| w.exprs[x.id].clone()).is_some();
                let native = match axis {
                    None => elementwise::reduction(*r, &at, fused),
                    Some(a) => elementwise::reduction_along(*r, &at, fused, a.value),
                };
                if matches!(native, Some(Type::Array(_))) {
                    self.no_objects_in_parallel(
                        w,
                        e,
                        "creates a numpy array (a reduction along an axis)",
                    );
                }
                match native {
                    Some(t) => {
                        // A float sum of a 2-D or more expression reads a temporary array.
                        if fused && matches!(&at, Type::Array(a) if a.ndim > 1) && t == Type::Float
                        {
                            self.no_objects_in_parallel(
                                w,
                                e,
                                "reads a temporary array (a float sum of a 2-D expression)",
                            );
                        }
                        t
                    }
                    None if at == Type::Unknown => Type::Unknown,
                    None => {
                        if let Some(f) = function {
                            self.expr(w, f);
                        }
                        // numpy computes it; its result may still be held natively.
                        match numpy_calls::numpy_reduction(*r, &at, axis.as_ref().map(|a| a.value))
                        {
                            Some(t) => {
                                self.no_objects_in_parallel(w, e, "calls numpy (a reduction)");
                                t
                            }
                            None => Type::Object,
                        }
                    }
                }
            }
            ExprKind::Global(_) => Type::Object,
            ExprKind::List(items) | ExprKind::Set(items) => {
                items.iter().for_each(|i| {
                    self.expr(w, i);
                });
                Type::Object
            }
            ExprKind::Dict(pairs) => {
                for (k, v) in pairs {
                    self.expr(w, k);
                    self.expr(w, v);
                }
                Type::Object
            }
            ExprKind::GetAttr(value, _) => {
                self.expr(w, value);
                Type::Object
            }
            ExprKind::CallObject(f, args, kwargs) => {
                self.expr(w, f);
                args.iter().chain(kwargs.iter().map(|(_, a)| a)).for_each(|a| {
                    self.expr(w, a);
                });
                let callee = numpy_calls::callee_of(f);
                self.numpy_call_type(w, e, callee, args, kwargs)
            }
            ExprKind::CallMethod(obj, name, args, kwargs) => {
                let receiver = self.expr(w, obj);
                args.iter().chain(kwargs.iter().map(|(_, a)| a)).for_each(|a| {
                    self.expr(w, a);
                });
                if receiver == Type::Unknown {
                    return self.set(w, e, Type::Unknown);
                }
                let callee = numpy_calls::method_callee(obj, &receiver, name);
                self.numpy_call_type(w, e, callee, args, kwargs)
            }
            ExprKind::FString(parts) => {
                for p in parts {
                    if let FPart::Value(x, _, spec) = p {
                        self.expr(w, x);
                        if let Some(spec) = spec {
                            self.expr(w, spec);
                        }
                    }
                }
                Type::Object
            }
            // A class: its bases and attributes are objects; each method an instance with
            // object parameters (as a lambda's), called by Python through its binding.
            ExprKind::MakeClass(class) => {
                for b in &class.bases {
                    self.expr(w, b);
                }
                for (_, a) in &class.attrs {
                    self.expr(w, a);
                }
                for m in &class.methods {
                    self.expr(w, &m.func);
                    for d in &m.decorators {
                        if let MethodDecorator::Call(x) = d {
                            self.expr(w, x);
                        }
                    }
                }
                for (_, x) in class.keywords.iter().chain(&class.annotations) {
                    self.expr(w, x);
                }
                Type::Object
            }
            ExprKind::FunctionValue(fid) => {
                let n = self.module.functions[*fid].params.len();
                let inst = self.instance(*fid, vec![Type::Object; n]);
                w.calls.insert(e.id, inst);
                Type::Object
            }
            ExprKind::Lambda(fid, captures) | ExprKind::Closure(fid, captures) => {
                for c in captures {
                    self.expr(w, c);
                }
                let n = self.module.functions[*fid].params.len();
                let inst = self.instance(*fid, vec![Type::Object; n]);
                w.calls.insert(e.id, inst);
                Type::Object
            }
            // `any`/`all`: the bool its statements leave in `result`.
            ExprKind::Comprehension(CompKind::Search, result, body) => {
                self.block(w, body);
                w.locals[*result].clone()
            }
            ExprKind::Comprehension(_, result, body) => {
                self.assign_local(w, *result, &Type::Object, &e.span);
                self.block(w, body);
                Type::Object
            }
            ExprKind::EachItem(holders, item) => {
                // A loop over a tuple of mixed items: say so in the loop's words.
                for h in holders {
                    if let Type::Tuple(items) = &w.locals[*h] {
                        if let Err(recovered) = one_item_type(items) {
                            let d = Diagnostic::error(Code::BadOperation, e.span.clone(), format!("a `for` loop over a tuple needs items of one type; this one is {}", w.locals[*h]))
                                .label("the tuple")
                                .hint("make the items one type (`float(n)` for a number), or write the loop body once per item");
                            self.error(w, d);
                            return self.set(w, e, recovered);
                        }
                    }
                }
                let t = self.expr(w, item);
                if holders.iter().any(|h| w.locals[*h] == Type::Object) {
                    Type::Object
                } else {
                    t
                }
            }
        };
        // A whole-array result that is neither fused into the operation using it nor stored
        // into an existing array is a new array: threads of a parallel loop cannot make one.
        let elementwise_kind = matches!(
            e.kind,
            ExprKind::Binary(..)
                | ExprKind::Unary(..)
                | ExprKind::Compare(..)
                | ExprKind::Ufunc(..)
                | ExprKind::AsType(..)
        );
        if matches!(t, Type::Array(_))
            && elementwise_kind
            && !as_operand
            && w.stored_into_view != Some(e.id)
        {
            self.no_objects_in_parallel(w, e, "creates a numpy array (an element-wise result)");
        }
        self.set(w, e, t)
    }

    fn copy_type(&mut self, w: &mut Walk, e: &Expr, value: &Expr) -> Type {
        self.no_objects_in_parallel(w, e, "creates a numpy array (`.copy()`)");
        self.expr(w, value)
    }

    /// The type of a call numpy computes (types/numpy_calls.rs): native where numpy's rules say
    /// what it returns, a Python object otherwise; unknown while an argument's type is.
    fn numpy_call_type(
        &mut self,
        w: &mut Walk,
        e: &Expr,
        callee: Option<numpy_calls::Callee>,
        args: &[Expr],
        kwargs: &[(String, Expr)],
    ) -> Type {
        let Some(callee) = callee else { return Type::Object };
        fn unknown_inside(x: &Expr, exprs: &[Type]) -> bool {
            exprs[x.id] == Type::Unknown
                || matches!(&x.kind, ExprKind::List(items) | ExprKind::Tuple(items)
                    if items.iter().any(|i| unknown_inside(i, exprs)))
        }
        let all = args.iter().chain(kwargs.iter().map(|(_, a)| a));
        if all.clone().any(|a| unknown_inside(a, &w.exprs)) {
            return Type::Unknown;
        }
        let exprs = &w.exprs;
        let ty = |x: &Expr| exprs[x.id].clone();
        let call = numpy_calls::Args {
            positional: args.iter().map(|a| (a, ty(a))).collect(),
            keywords: kwargs.iter().map(|(k, a)| (k.as_str(), a, ty(a))).collect(),
            ty: &ty,
        };
        match numpy_calls::result(&callee, &call) {
            Some(t) => {
                let what = format!("calls {} through Python", numpy_calls::call_name(e));
                self.no_objects_in_parallel(w, e, &what);
                t
            }
            None => Type::Object,
        }
    }

    fn no_objects_in_parallel(&mut self, w: &mut Walk, e: &Expr, what: &str) {
        // One error per place (as `set` does for objects).
        let reported =
            w.parallel_objects.iter().any(|r| r.start <= e.span.end && e.span.start <= r.end);
        if w.in_parallel && !reported && w.report {
            w.parallel_objects.push(e.span.clone());
            let d = Diagnostic::error(Code::BadOperation, e.span.clone(), format!("a parallel loop cannot create Python objects: this {what}"))
                .label("inside a parallel loop")
                .hint("create arrays before the loop and fill them inside it; threads of a parallel loop run without Python");
            self.error(w, d);
        }
    }

    fn array_truth(&mut self, w: &mut Walk, e: &Expr) -> Type {
        self.bad(
            w,
            e,
            "the truth value of an array is ambiguous".into(),
            "test its size (`a.size > 0`) or an element; numpy raises ValueError here",
        )
    }

    /// The truth of a condition when the types alone decide it (and evaluating it has no
    /// effect): `x is None` / `is not None` of a value that is always None or never is, `not`
    /// of such, `and`/`or` chains decided by such operands, a local that is always None.
    /// Recorded in `Walk::decided`.
    fn decide(&mut self, w: &mut Walk, e: &Expr) -> Option<bool> {
        let truth = static_truth(w, e)?;
        w.decided.insert(e.id, truth);
        Some(truth)
    }

    fn condition(&mut self, w: &mut Walk, cond: &Expr) {
        if let Type::Array(_) = self.expr(w, cond) {
            let d = Diagnostic::error(
                Code::BadOperation,
                cond.span.clone(),
                "the truth value of an array is ambiguous",
            )
            .label("an array used as a condition")
            .hint("test its size (`a.size > 0`) or an element; numpy raises ValueError here");
            self.error(w, d);
        }
    }

    /// The type of `value[indices]`: a tuple item, an array element, or an array view.
    fn subscript(&mut self, w: &mut Walk, vt: &Type, indices: &[Index], span: &Span) -> Type {
        let bad = |this: &mut Self, w: &mut Walk, msg: String, hint: &str| {
            let d =
                Diagnostic::error(Code::BadOperation, span.clone(), msg).label("here").hint(hint);
            this.error(w, d);
            Type::Unknown
        };
        // Type every index expression, whatever the base.
        let mut index_types = Vec::new();
        for ix in indices {
            match ix {
                Index::At(x) => index_types.push(Some(self.expr(w, x))),
                Index::Slice(a, b, c) => {
                    for part in [a, b, c].into_iter().flatten() {
                        let t = self.expr(w, part);
                        if !(t.is_integral()
                            || t == Type::Unknown
                            || (t == Type::Object && *vt == Type::Object))
                        {
                            return bad(
                                self,
                                w,
                                format!("slice bounds must be integers, not {t}"),
                                "numpy raises TypeError here too",
                            );
                        }
                    }
                    index_types.push(None);
                }
            }
        }
        match vt {
            Type::Unknown => Type::Unknown,
            Type::Object => Type::Object,
            Type::Tuple(items) => {
                let k = match indices {
                    [Index::At(Expr { kind: ExprKind::Const(Const::Int(k)), .. })] => *k,
                    // By a variable (`for k in (10, n, 20)` comes here too): the items must
                    // share one type, which is the result's.
                    [Index::At(_)] => {
                        let index = index_types[0].clone().unwrap_or(Type::Unknown);
                        if !(index.is_integral() || index == Type::Unknown) {
                            return bad(
                                self,
                                w,
                                format!("tuple indices must be integers, not {index}"),
                                "Python raises TypeError here",
                            );
                        }
                        return match one_item_type(items) {
                            _ if items.is_empty() => bad(self, w, "an empty tuple has no items to index".into(), "Python raises IndexError here"),
                            Ok(Type::Object) => bad(self, w, "a tuple of Python objects can only be indexed by an integer literal".into(), "write `t[0]`, `t[-1]`"),
                            Ok(t) => t,
                            Err(recovered) => {
                                let d = Diagnostic::error(Code::BadOperation, span.clone(), format!("a tuple indexed by a variable must hold items of one type; this one is {vt}"))
                                    .label("here")
                                    .hint("make the items one type (`float(n)` for a number), or index with a literal: `t[0]`");
                                self.error(w, d);
                                recovered
                            }
                        };
                    }
                    _ => {
                        return bad(
                            self,
                            w,
                            "a tuple takes one index".into(),
                            "write `t[i]`; slices of tuples are not supported",
                        )
                    }
                };
                let n = items.len() as i64;
                let j = if k < 0 { k + n } else { k };
                if (0..n).contains(&j) {
                    items[j as usize].clone()
                } else {
                    bad(
                        self,
                        w,
                        format!("tuple index {k} is out of range for a tuple of {n}"),
                        "Python raises IndexError here",
                    )
                }
            }
            Type::Array(a) => {
                let added = indices.iter().filter(|ix| elementwise::new_axis(ix)).count();
                if indices.len() - added > a.ndim {
                    return bad(
                        self,
                        w,
                        format!(
                            "too many indices: {} for an array of {} dimension(s)",
                            indices.len(),
                            a.ndim
                        ),
                        "numpy raises IndexError here",
                    );
                }
                // A mask or an index array: numpy's own indexing, through Python (an object).
                let numpy = indices.iter().zip(&index_types).any(|(ix, t)| match (ix, t) {
                    (Index::At(e), Some(t)) => numpy_index(e, t),
                    _ => false,
                });
                if numpy {
                    return Type::Object;
                }
                for (ix, t) in indices.iter().zip(&index_types) {
                    let Some(t) = t else { continue };
                    if elementwise::new_axis(ix) {
                        continue;
                    }
                    if !(t.is_integral() || *t == Type::Unknown || *t == Type::Object) {
                        return bad(
                            self,
                            w,
                            format!("array indices must be integers, not {t}"),
                            "convert with `int(...)`; numpy raises IndexError here",
                        );
                    }
                }
                let ats = index_types.iter().filter(|t| t.is_some()).count();
                if ats == a.ndim && added == 0 {
                    return a.elem();
                }
                Type::Array(elementwise::view_type(a, indices))
            }
            other => bad(self, w, format!("{other} cannot be indexed"), "index tuples and arrays"),
        }
    }

    /// `target = value` for an array element: numbers only (numpy casts them).
    fn check_store(&mut self, w: &mut Walk, target: &Type, value: &Type, span: &Span) {
        // Through a mask or an index array, or numpy's own assignment into a view of what
        // pyaot does not store natively: numpy's indexing, which needs Python.
        let numpy_store = match target {
            Type::Object => true,
            Type::Array(view) => !elementwise::native_store(view, value, None),
            _ => false,
        };
        if numpy_store && w.in_parallel {
            let d = Diagnostic::error(
                Code::BadOperation,
                span.clone(),
                "a parallel loop cannot use Python objects",
            )
            .label("numpy's own indexing or assignment, through Python, inside a parallel loop")
            .hint("threads of a parallel loop run without Python: index with ints or slices, and store numbers or arrays of bool, int or float there");
            self.error(w, d);
        }
        match (target, value) {
            (Type::Unknown, _) | (_, Type::Unknown) | (Type::Object, _) => {}
            (t, Type::Object) if t.is_number() => {}
            (t, v) if t.is_numeric() && v.is_numeric() => {}
            (Type::Complex, v) if v.is_number() => {}
            (t, Type::Complex) if t.is_numeric() => {
                let d = Diagnostic::error(Code::BadOperation, span.clone(), format!("cannot store a complex number into an array of {t}"))
                    .label("here").hint("take `.real` or `abs(...)` of it, or make the array complex; numpy raises TypeError here");
                self.error(w, d);
            }
            // A view: filled natively with a number or an array broadcast into it
            // (elementwise.rs), or by numpy's own assignment, through Python.
            (Type::Array(_), _) => {}
            (t, v) => {
                let d = Diagnostic::error(
                    Code::BadOperation,
                    span.clone(),
                    format!("cannot store {v} into {t}"),
                )
                .label("here")
                .hint("array elements hold numbers; tuples cannot be changed");
                self.error(w, d);
            }
        }
    }

    fn np_create(
        &mut self,
        f: NpFn,
        args: &[Type],
        dtype: Option<Scalar>,
    ) -> Result<Type, (String, String)> {
        if args.contains(&Type::Unknown) {
            return Ok(Type::Unknown);
        }
        let shape_ndim = |t: &Type| -> Result<usize, (String, String)> {
            match t {
                t if t.is_integral() => Ok(1),
                Type::Tuple(items)
                    if !items.is_empty() && items.iter().all(|i| i.is_integral()) =>
                {
                    Ok(items.len())
                }
                other => Err((
                    format!(
                        "`np.{}` takes a shape (an int or a tuple of ints), not {other}",
                        f.name()
                    ),
                    "write `np.zeros(n)` or `np.zeros((n, m))`".into(),
                )),
            }
        };
        let from_value = |t: &Type| match t {
            Type::Bool => Scalar::Bool,
            Type::Int => Scalar::Int64,
            Type::Complex => Scalar::Complex128,
            _ => Scalar::Float64,
        };
        let like = |t: &Type| -> Result<ArrayType, (String, String)> {
            match t {
                Type::Array(a) => Ok(*a),
                other => Err((
                    format!("`np.{}` takes an array, not {other}", f.name()),
                    "pass the array whose shape to copy".into(),
                )),
            }
        };
        let numeric = |t: &Type| -> Result<(), (String, String)> {
            if t.is_number() {
                Ok(())
            } else {
                Err((
                    format!("`np.{}` fills with a number, not {t}", f.name()),
                    "pass an int, float, complex or bool".into(),
                ))
            }
        };
        let (dtype, ndim) = match f {
            NpFn::Empty | NpFn::Zeros | NpFn::Ones => {
                (dtype.unwrap_or(Scalar::Float64), shape_ndim(&args[0])?)
            }
            NpFn::Full => {
                numeric(&args[1])?;
                (dtype.unwrap_or(from_value(&args[1])), shape_ndim(&args[0])?)
            }
            NpFn::EmptyLike | NpFn::ZerosLike | NpFn::OnesLike => {
                let a = like(&args[0])?;
                (dtype.unwrap_or(a.dtype), a.ndim)
            }
            NpFn::FullLike => {
                let a = like(&args[0])?;
                numeric(&args[1])?;
                (dtype.unwrap_or(a.dtype), a.ndim)
            }
            NpFn::Arange => {
                for t in args {
                    numeric(t)?;
                }
                let all_int = args.iter().all(|t| t.is_integral());
                (dtype.unwrap_or(if all_int { Scalar::Int64 } else { Scalar::Float64 }), 1)
            }
        };
        Ok(Type::Array(ArrayType { dtype, ndim, contiguous: true }))
    }

    fn binary(
        &mut self,
        w: &mut Walk,
        op: BinOp,
        l: &Type,
        r: &Type,
        left: Option<&Expr>,
        right: &Expr,
        span: &Span,
    ) -> Type {
        use Type::*;
        if let Some(t) = elementwise::binary(op, l, r, left, right) {
            return t;
        }
        let t = match (l, r) {
            (Unknown, _) | (_, Unknown) => Unknown,
            (Object, _) | (_, Object) => Object,
            (Tuple(a), Tuple(b)) if op == BinOp::Add => Tuple(a.iter().chain(b).cloned().collect()),
            (a, b) if (*a == Complex || *b == Complex) && a.is_number() && b.is_number() => {
                match op {
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow => Complex,
                    _ => Unknown,
                }
            }
            (a, b) if a.is_numeric() && b.is_numeric() => match op {
                BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor if *a == Bool && *b == Bool => Bool,
                BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor | BinOp::LShift | BinOp::RShift => {
                    if a.is_integral() && b.is_integral() {
                        Int
                    } else {
                        Unknown
                    }
                }
                BinOp::Div => Float,
                BinOp::Pow if a.is_integral() && b.is_integral() => {
                    // Python gives a float for a negative exponent: known only for a constant one.
                    if matches!(right.kind, ExprKind::Const(Const::Int(k)) if k < 0) {
                        Float
                    } else {
                        Int
                    }
                }
                _ => {
                    if *a == Float || *b == Float {
                        Float
                    } else {
                        Int
                    }
                }
            },
            // Whole arrays with numbers or arrays (`a + b * 2.0`): numpy computes them, called
            // through Python, and the result is a Python object (a new numpy array).
            (a, b) if numpy_operands(a, b) => Object,
            _ => Unknown,
        };
        if t == Unknown && *l != Unknown && *r != Unknown {
            let d = Diagnostic::error(Code::BadOperation, span.clone(), format!("unsupported operand types for `{}`: {l} and {r}", op.symbol()))
                .label("here")
                .hint(if l.is_number() && r.is_number() { "bitwise operators and shifts take integers, and complex numbers have no `//` or `%`; Python raises TypeError here too" } else { "arithmetic takes numbers; tuples support only `+`" });
            self.error(w, d);
        }
        t
    }

    fn builtin(&mut self, b: Builtin, args: &[Type]) -> Result<Type, (String, String)> {
        use Type::*;
        if args.contains(&Unknown) {
            return Ok(Unknown);
        }
        let name = builtin_name(b);
        let arity = |range: std::ops::RangeInclusive<usize>| -> Result<(), (String, String)> {
            if range.contains(&args.len()) {
                Ok(())
            } else {
                let want = if range.start() == range.end() {
                    format!("{}", range.start())
                } else {
                    format!("{} to {}", range.start(), range.end())
                };
                Err((
                    format!("`{name}` takes {want} argument(s), {} given", args.len()),
                    format!("see the Python documentation of `{name}`"),
                ))
            }
        };
        let numeric = |i: usize| -> Result<(), (String, String)> {
            if args[i].is_numeric() {
                Ok(())
            } else {
                Err((
                    format!("`{name}` takes numbers, not {}", args[i]),
                    "pass an int, float or bool".into(),
                ))
            }
        };
        Ok(match b {
            Builtin::Abs => {
                arity(1..=1)?;
                if args[0] == Complex {
                    return Ok(Float);
                }
                numeric(0)?;
                if args[0] == Float {
                    Float
                } else {
                    Int
                }
            }
            Builtin::Complex => {
                arity(1..=2)?;
                if let Some(a) = args.iter().find(|a| !a.is_number()) {
                    return Err((
                        format!("`complex` takes numbers, not {a}"),
                        "write `complex(re, im)`".into(),
                    ));
                }
                Complex
            }
            Builtin::Conjugate => {
                arity(1..=1)?;
                match &args[0] {
                    Complex => Complex,
                    t if t.is_numeric() => {
                        if *t == Bool {
                            Int
                        } else {
                            t.clone()
                        }
                    }
                    other => {
                        return Err((
                            format!("{other} has no `.conjugate()`"),
                            "conjugate a number".into(),
                        ))
                    }
                }
            }
            Builtin::Min | Builtin::Max => {
                let items: Vec<Type> = match args {
                    [Tuple(items)] if !items.is_empty() => items.clone(),
                    [_] | [] => {
                        return Err((
                            format!("`{name}` takes a non-empty tuple or two or more numbers"),
                            format!("write `{name}(a, b)`"),
                        ))
                    }
                    _ => args.to_vec(),
                };
                let mut t = Unknown;
                for i in &items {
                    if !i.is_numeric() {
                        return Err((
                            format!("`{name}` takes numbers, not {i}"),
                            "pass ints, floats or bools".into(),
                        ));
                    }
                    t = join(&t, i).unwrap_or(Float);
                }
                t
            }
            Builtin::Int => {
                arity(1..=1)?;
                numeric(0)?;
                Int
            }
            Builtin::Float => {
                arity(1..=1)?;
                numeric(0)?;
                Float
            }
            Builtin::Bool => {
                arity(1..=1)?;
                if let Array(_) = args[0] {
                    return Err((
                        "the truth value of an array is ambiguous".into(),
                        "test its size (`a.size > 0`) or an element; numpy raises ValueError here"
                            .into(),
                    ));
                }
                Bool
            }
            Builtin::Round => {
                arity(1..=2)?;
                numeric(0)?;
                if args.len() == 2 && !args[1].is_integral() {
                    return Err((
                        "the second argument of `round` must be an int".into(),
                        "write `round(x, 2)`".into(),
                    ));
                }
                match (args.len(), &args[0]) {
                    (2, Float) => Float,
                    _ => Int,
                }
            }
            Builtin::DivMod => {
                arity(2..=2)?;
                numeric(0)?;
                numeric(1)?;
                let t = if args[0] == Float || args[1] == Float { Float } else { Int };
                Tuple(vec![t.clone(), t])
            }
            Builtin::Pow
                if args.len() == 2
                    && args.contains(&Complex)
                    && args.iter().all(|a| a.is_number()) =>
            {
                Complex
            }
            Builtin::Pow => {
                arity(2..=3)?;
                numeric(0)?;
                numeric(1)?;
                if args.len() == 3 {
                    if !(args.iter().all(|a| a.is_integral())) {
                        return Err((
                            "`pow` with a modulus takes integers".into(),
                            "Python raises TypeError here too".into(),
                        ));
                    }
                    Int
                } else if args[0] == Float || args[1] == Float {
                    Float
                } else {
                    Int
                }
            }
            Builtin::Len => {
                arity(1..=1)?;
                match &args[0] {
                    Tuple(_) | Array(_) => Int,
                    other => {
                        return Err((
                            format!("{other} has no `len`"),
                            "`len` takes a tuple or an array".into(),
                        ))
                    }
                }
            }
            Builtin::Math(m) => {
                if !m.arity().contains(&args.len()) {
                    return Err((
                        format!(
                            "`math.{}` takes {} argument(s), {} given",
                            m.name(),
                            m.arity().end(),
                            args.len()
                        ),
                        format!("see the documentation of `math.{}`", m.name()),
                    ));
                }
                for i in 0..args.len() {
                    numeric(i)?;
                }
                match m {
                    MathFn::Floor | MathFn::Ceil | MathFn::Trunc => Int,
                    MathFn::IsNan | MathFn::IsInf | MathFn::IsFinite => Bool,
                    _ => Float,
                }
            }
        })
    }
}

/// See `Inferencer::decide` (types already inferred in `w`).
fn static_truth(w: &Walk, e: &Expr) -> Option<bool> {
    let never_none = |t: &Type| {
        matches!(
            t,
            Type::Bool | Type::Int | Type::Float | Type::Complex | Type::Tuple(_) | Type::Array(_)
        )
    };
    match &e.kind {
        ExprKind::Const(Const::Bool(b)) => Some(*b),
        ExprKind::Const(Const::None) => Some(false),
        ExprKind::Local(l) if w.locals[*l] == Type::None => Some(false),
        ExprKind::Compare(first, rest) => match rest.as_slice() {
            [(op @ (CmpOp::Is | CmpOp::IsNot), right)] => {
                let (lt, rt) = (&w.exprs[first.id], &w.exprs[right.id]);
                let same = match (lt, rt) {
                    (Type::None, Type::None) => true,
                    (Type::None, t) | (t, Type::None) if never_none(t) => false,
                    _ => return None,
                };
                let pure = |x: &Expr| matches!(x.kind, ExprKind::Local(_) | ExprKind::Const(_));
                (pure(first) && pure(right)).then_some(same == (*op == CmpOp::Is))
            }
            // `x.ndim == 1` (any comparison of an array's ndim with a number): its type knows.
            [(op, right)] if static_int(w, first).is_some() && static_int(w, right).is_some() => {
                let (a, b) = (static_int(w, first)?, static_int(w, right)?);
                match op {
                    CmpOp::Eq => Some(a == b),
                    CmpOp::NotEq => Some(a != b),
                    CmpOp::Lt => Some(a < b),
                    CmpOp::LtE => Some(a <= b),
                    CmpOp::Gt => Some(a > b),
                    CmpOp::GtE => Some(a >= b),
                    _ => None,
                }
            }
            // `x.dtype == np.float32` (or `'float32'`, `float`) of an array: its type knows.
            [(op @ (CmpOp::Eq | CmpOp::NotEq), right)] => {
                let (a, b) = match (array_dtype(w, first), array_dtype(w, right)) {
                    (Some(a), None) => (a, dtype_named(right)?),
                    (None, Some(b)) => (b, dtype_named(first)?),
                    _ => return None,
                };
                Some((a == b) == (*op == CmpOp::Eq))
            }
            _ => None,
        },
        ExprKind::Unary(UnaryOp::Not, x) => static_truth(w, x).map(|b| !b),
        // Decided only through operands that are decided themselves (no effect skipped).
        ExprKind::BoolOp(kind, values) => {
            let stop = *kind == BoolOpKind::Or;
            for v in values {
                match static_truth(w, v)? {
                    truth if truth == stop => return Some(truth),
                    _ => {}
                }
            }
            Some(!stop)
        }
        _ => None,
    }
}

/// The dtype of `x.dtype` where `x` is a local holding an array.
fn array_dtype(w: &Walk, e: &Expr) -> Option<Scalar> {
    match &e.kind {
        ExprKind::GetAttr(x, attr) if attr == "dtype" && matches!(x.kind, ExprKind::Local(_)) => {
            match &w.exprs[x.id] {
                Type::Array(at) => Some(at.dtype),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The dtype a value names: `np.float32`, `'float32'`, or the builtins numpy reads as dtypes.
fn dtype_named(e: &Expr) -> Option<Scalar> {
    let name = match &e.kind {
        ExprKind::Global(p) if p.module == "numpy" && p.attrs.len() == 1 => p.attrs[0].as_str(),
        ExprKind::Global(p) if p.module == "builtins" && p.attrs.len() == 1 => {
            match p.attrs[0].as_str() {
                "float" => "float64",
                "int" => "int64",
                "complex" => "complex128",
                other => other,
            }
        }
        ExprKind::Const(Const::Str(s)) => s.as_str(),
        _ => return None,
    };
    let name = match name {
        "float_" | "double" => "float64",
        "int_" | "intp" => "int64",
        "bool_" => "bool",
        other => other,
    };
    Scalar::from_name(name)
}

/// An int the types know: a literal, or the `.ndim` of a local holding an array.
fn static_int(w: &Walk, e: &Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Const(Const::Int(k)) => Some(*k),
        ExprKind::Attr(x, ArrayAttr::Ndim) if matches!(x.kind, ExprKind::Local(_)) => {
            match &w.exprs[x.id] {
                Type::Array(at) => Some(at.ndim as i64),
                _ => None,
            }
        }
        _ => None,
    }
}
