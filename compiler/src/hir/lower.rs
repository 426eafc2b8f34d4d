//! Lowering: the rustpython AST to the HIR (see the module doc of hir/), with a diagnostic
//! for every construct pyaot does not compile.

use super::data::*;
use super::walk::{for_each_expr, local_reads, local_writes, walk_expr};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::export_spec::{ExportEntry, Scalar, SpecType};
use crate::syntax::OmpKind;
use rustpython_parser::ast::{self, Constant, Ranged};
use std::collections::HashMap;

/// What a module-level name stands for.
#[derive(Clone)]
enum Global {
    Function(FuncId),
    Const(Const),
    MathModule,
    MathMember(String),
    NumpyModule,
    /// `from numpy import empty` (a function) or `float64` (a dtype).
    NumpyMember(String),
    /// `prange` from numba, cython.parallel or pyaot: a parallel `range`.
    Prange,
    /// Any other import: a Python object, looked up when the extension is imported.
    Foreign(PyPath),
    /// A class or an async function of the module: pyaot does not compile it (the words say
    /// which, for the messages of its uses).
    Unsupported(&'static str),
    /// A module-level name assigned a value that is not a constant: computed when the extension
    /// is imported (the `<module>` function), read by functions as a Python object.
    ModuleValue,
}

pub fn lower(
    module_name: &str,
    body: &[ast::Stmt],
    exports: &[ExportEntry],
    directives: &[crate::syntax::Directive],
    pragmas: &[crate::syntax::OmpPragma],
    defaults: Checks,
) -> (Module, Vec<Diagnostic>) {
    // `X: float = 1.0` at module level is `X = 1.0` (a constant like any other); `X: float`
    // binds nothing.
    let body: Vec<ast::Stmt> = body
        .iter()
        .filter_map(|s| match s {
            ast::Stmt::AnnAssign(a) => a.value.as_ref().map(|v| {
                ast::Stmt::Assign(ast::StmtAssign {
                    range: a.range,
                    targets: vec![(*a.target).clone()],
                    value: v.clone(),
                    type_comment: None,
                })
            }),
            other => Some(other.clone()),
        })
        .collect();
    let body = body.as_slice();
    // A directive on the line above a `def` is that function's; others before the first
    // statement are the module's.
    let def_starts: Vec<usize> = body
        .iter()
        .filter_map(|s| match s {
            ast::Stmt::FunctionDef(f) => Some(usize::from(f.range.start())),
            _ => None,
        })
        .collect();
    let first_statement = body.first().map_or(usize::MAX, |s| usize::from(s.range().start()));
    let module_checks = directives
        .iter()
        .filter(|d| d.span.start < first_statement && !def_starts.contains(&d.next_line))
        .fold(defaults, |c, d| c.apply(d));
    let mut diags = Vec::new();
    let mut globals: HashMap<String, Global> = HashMap::new();
    let mut defs = Vec::new();
    let mut doc = None;
    let mut const_assignments: HashMap<String, usize> = HashMap::new();
    let mut init_stmts: Vec<ast::Stmt> = Vec::new();
    let mut module_globals: Vec<String> = Vec::new();
    let mut from_imports = Vec::new();
    // Names some function declares `global` are module values (never folded constants), so
    // that functions can rebind them.
    let mut declared_global = Vec::new();
    for stmt in body {
        if let ast::Stmt::FunctionDef(f) = stmt {
            global_declarations(&f.body, &mut declared_global);
        }
    }
    for name in &declared_global {
        globals.insert(name.clone(), Global::ModuleValue);
    }
    // How often module-level code binds each name (assignments, loops, `with`, ...): a name
    // bound once, by `name = <constant>`, is folded as a constant.
    for stmt in body {
        match stmt {
            ast::Stmt::FunctionDef(_)
            | ast::Stmt::AsyncFunctionDef(_)
            | ast::Stmt::ClassDef(_)
            | ast::Stmt::Import(_)
            | ast::Stmt::ImportFrom(_) => {}
            ast::Stmt::If(s) if is_main_guard(&s.test) => {}
            other => collect_bound_names(std::slice::from_ref(other), &mut |n, _| {
                *const_assignments.entry(n.to_string()).or_default() += 1;
            }),
        }
    }
    // Module-level code other than definitions runs in `<module>`, in order; the names it
    // binds are module values.
    let run_at_import = |stmt: &ast::Stmt,
                         globals: &mut HashMap<String, Global>,
                         init_stmts: &mut Vec<ast::Stmt>,
                         module_globals: &mut Vec<String>| {
        init_stmts.push(stmt.clone());
        collect_bound_names(std::slice::from_ref(stmt), &mut |n, _| {
            let known = matches!(
                globals.get(n),
                Some(Global::Function(_) | Global::Unsupported(_) | Global::Const(_))
            );
            if !known && !module_globals.iter().any(|g| g == n) {
                globals.insert(n.to_string(), Global::ModuleValue);
                module_globals.push(n.to_string());
            }
        });
    };
    let mut init_stmts_after_defaults: Vec<ast::Stmt> = Vec::new();
    // Functions with a decorator applied at import: (name, def index).
    let mut decorated: Vec<(String, usize)> = Vec::new();
    for (i, stmt) in body.iter().enumerate() {
        match stmt {
            ast::Stmt::FunctionDef(f) => {
                // Numba's `@njit`/`@jit` ask for what pyaot does anyway: compiled as written.
                // Any other decorator is applied at import, as Python does, to the compiled
                // function; the name is then the decorator's result, a module value.
                let applied: Vec<&ast::Expr> = f
                    .decorator_list
                    .iter()
                    .filter(|d| !crate::export_spec::is_jit_decorator(d))
                    .collect();
                if applied.is_empty() {
                    globals.insert(f.name.to_string(), Global::Function(defs.len()));
                } else {
                    let raw = format!("__pyaot_undecorated_{}__", f.name);
                    globals.insert(raw.clone(), Global::Function(defs.len()));
                    let range = f.range;
                    let mut value = ast::Expr::Name(ast::ExprName {
                        range,
                        id: ast::Identifier::new(raw),
                        ctx: ast::ExprContext::Load,
                    });
                    for d in applied.iter().rev() {
                        value = ast::Expr::Call(ast::ExprCall {
                            range: d.range(),
                            func: Box::new((*d).clone()),
                            args: vec![value],
                            keywords: vec![],
                        });
                    }
                    let assign = ast::Stmt::Assign(ast::StmtAssign {
                        range,
                        targets: vec![ast::Expr::Name(ast::ExprName {
                            range,
                            id: f.name.clone(),
                            ctx: ast::ExprContext::Store,
                        })],
                        value: Box::new(value),
                        type_comment: None,
                    });
                    init_stmts_after_defaults.push(assign);
                    decorated.push((f.name.to_string(), defs.len()));
                }
                defs.push(f);
                // Defaults that are not constants are evaluated here, in module order, into
                // hidden module values (the function's `__defaults__`, as Python keeps them).
                let args = &f.args;
                for a in args.posonlyargs.iter().chain(&args.args).chain(&args.kwonlyargs) {
                    let Some(d) = &a.default else { continue };
                    if fold_const(d, &globals).is_some() {
                        continue;
                    }
                    let hidden = default_global_name(&f.name, &a.def.arg);
                    globals.insert(hidden.clone(), Global::ModuleValue);
                    init_stmts.push(ast::Stmt::Assign(ast::StmtAssign {
                        range: d.range(),
                        targets: vec![ast::Expr::Name(ast::ExprName {
                            range: d.range(),
                            id: ast::Identifier::new(hidden.clone()),
                            ctx: ast::ExprContext::Store,
                        })],
                        value: d.clone(),
                        type_comment: None,
                    }));
                    module_globals.push(hidden);
                }
                // The decorated value, after the defaults (Python evaluates them first).
                for assign in init_stmts_after_defaults.drain(..) {
                    globals.insert(f.name.to_string(), Global::ModuleValue);
                    init_stmts.push(assign);
                    module_globals.push(f.name.to_string());
                }
            }
            ast::Stmt::AsyncFunctionDef(f) => {
                globals.insert(f.name.to_string(), Global::Unsupported("an async function"));
                diags.push(ignored(f.range(), &format!("`{}` is an async function, which pyaot does not compile", f.name),
                    "it is not part of the compiled module; keep it in a module of its own and import it"));
            }
            ast::Stmt::Import(_) | ast::Stmt::ImportFrom(_) => {
                bind_import(stmt, &mut globals, &mut from_imports, &mut diags, true)
            }
            ast::Stmt::Assign(a) => {
                let single_name = match a.targets.as_slice() {
                    [ast::Expr::Name(n)] if const_assignments.get(n.id.as_str()) == Some(&1) => {
                        Some(n.id.to_string())
                    }
                    _ => None,
                };
                match single_name {
                    Some(name) => match fold_const(&a.value, &globals)
                        .filter(|_| !declared_global.contains(&name))
                    {
                        Some(c) => {
                            globals.insert(name, Global::Const(c));
                        }
                        None => {
                            globals.insert(name.clone(), Global::ModuleValue);
                            init_stmts.push(stmt.clone());
                            module_globals.push(name);
                        }
                    },
                    None => run_at_import(stmt, &mut globals, &mut init_stmts, &mut module_globals),
                }
            }
            ast::Stmt::Expr(e)
                if i == 0
                    && matches!(&*e.value, ast::Expr::Constant(c) if matches!(c.value, Constant::Str(_))) =>
            {
                if let ast::Expr::Constant(ast::ExprConstant { value: Constant::Str(s), .. }) =
                    &*e.value
                {
                    doc = Some(s.clone());
                }
            }
            ast::Stmt::If(s) if is_main_guard(&s.test) => {}
            // A class is a module value, made by `<module>` (FnLowerer::class).
            ast::Stmt::ClassDef(c) => match class_refusal(c) {
                None => {
                    globals.insert(c.name.to_string(), Global::ModuleValue);
                    init_stmts.push(stmt.clone());
                    module_globals.push(c.name.to_string());
                }
                Some(d) => {
                    globals.insert(c.name.to_string(), Global::Unsupported("a class"));
                    diags.push(d);
                }
            },
            ast::Stmt::Pass(_) => {}
            other => run_at_import(other, &mut globals, &mut init_stmts, &mut module_globals),
        }
    }

    // Imports inside functions bind at module level, where the module does not bind the name.
    for f in &defs {
        let mut imports = Vec::new();
        function_imports(&f.body, &mut imports);
        for stmt in imports {
            bind_import(stmt, &mut globals, &mut from_imports, &mut diags, false);
        }
    }

    let mut functions = Vec::new();
    let mut function_diags = Vec::new();
    // Functions are numbered: the `def`s, then `<module>` (if any), then lambdas as met.
    let lambdas = std::cell::RefCell::new(Vec::new());
    let first_lambda = defs.len() + usize::from(!init_stmts.is_empty());
    for f in &defs {
        let mut own = Vec::new();
        let mut lowerer = FnLowerer {
            globals: &globals,
            locals: Vec::new(),
            local_ids: HashMap::new(),
            next_expr: 0,
            next_stmt: 0,
            diags: &mut own,
            defs: &defs,
            pragmas,
            handler_depth: 0,
            loop_depth: 0,
            genexp_ok: false,
            lambdas: &lambdas,
            first_lambda,
            enclosing: Vec::new(),
            bindings: HashMap::new(),
            global_names: Vec::new(),
            atomic_locals: Vec::new(),
            atomic_items: Vec::new(),
            method_of: None,
            module_init: false,
        };
        let mut function = lowerer.lower_function(f);
        let start = usize::from(f.range.start());
        function.checks = directives
            .iter()
            .filter(|d| d.next_line == start)
            .fold(module_checks, |c, d| c.apply(d));
        functions.push(function);
        function_diags.push(own);
    }
    // A decorated function pyaot cannot compile (a generator under `@contextmanager`, say) is
    // left to Python, as is its decorated name: the compiled module does not define it.
    for (name, fid) in &decorated {
        if !function_diags[*fid].iter().any(|d| d.is_error()) {
            continue;
        }
        let raw = format!("__pyaot_undecorated_{name}__");
        init_stmts.retain(|s| !assigns_decorated(s, name, &raw));
        module_globals.retain(|g| g != name);
        globals.insert(name.clone(), Global::Unsupported("a decorated function"));
    }
    // The module-level values: one function, run at import, returning them all.
    let init = if init_stmts.is_empty() {
        None
    } else {
        let mut own = Vec::new();
        let mut lowerer = FnLowerer {
            globals: &globals,
            locals: Vec::new(),
            local_ids: HashMap::new(),
            next_expr: 0,
            next_stmt: 0,
            diags: &mut own,
            defs: &defs,
            pragmas,
            handler_depth: 0,
            loop_depth: 0,
            genexp_ok: false,
            lambdas: &lambdas,
            first_lambda,
            enclosing: Vec::new(),
            bindings: HashMap::new(),
            global_names: Vec::new(),
            atomic_locals: Vec::new(),
            atomic_items: Vec::new(),
            method_of: None,
            module_init: true,
        };
        let span = span_of(init_stmts[0].range());
        for name in &module_globals {
            lowerer.local(name, span.clone());
        }
        let mut body = lowerer.block(&init_stmts);
        let items: Vec<Expr> = module_globals
            .iter()
            .map(|name| {
                let id = lowerer.local_ids[name.as_str()];
                lowerer.expr_node(span.clone(), ExprKind::Local(id))
            })
            .collect();
        let tuple = lowerer.expr_node(span.clone(), ExprKind::Tuple(items));
        body.push(lowerer.stmt_node(span.clone(), StmtKind::Return(Some(tuple))));
        let function = Function {
            name: "<module>".into(),
            checks: module_checks,
            span,
            params: Vec::new(),
            locals: std::mem::take(&mut lowerer.locals),
            body,
            num_exprs: lowerer.next_expr,
            num_stmts: lowerer.next_stmt,
            atomic_items: std::mem::take(&mut lowerer.atomic_items),
            doc: None,
        };
        functions.push(function);
        function_diags.push(own);
        Some(functions.len() - 1)
    };
    // Lambdas, in the order they were met (a lambda inside one joins the queue).
    let mut k = 0;
    while k < lambdas.borrow().len() {
        let (def, enclosing, method_of) = lambdas.borrow()[k].clone();
        let mut own = Vec::new();
        let mut lowerer = FnLowerer {
            globals: &globals,
            locals: Vec::new(),
            local_ids: HashMap::new(),
            next_expr: 0,
            next_stmt: 0,
            diags: &mut own,
            defs: &defs,
            pragmas,
            handler_depth: 0,
            loop_depth: 0,
            genexp_ok: false,
            lambdas: &lambdas,
            first_lambda,
            enclosing,
            bindings: HashMap::new(),
            global_names: Vec::new(),
            atomic_locals: Vec::new(),
            atomic_items: Vec::new(),
            method_of,
            module_init: false,
        };
        let mut function = lowerer.lower_function(&def);
        function.checks = module_checks;
        functions.push(function);
        function_diags.push(own);
        k += 1;
    }

    let mut out_exports = Vec::new();
    for entry in exports {
        match globals.get(&entry.name) {
            Some(Global::Function(fid)) => {
                let f = &functions[*fid];
                let nparams = f.params.len();
                // Pythran's exports may leave out trailing parameters that have defaults: they
                // become optional arguments of their default's type.
                let mut entry = entry.clone();
                if entry.args.len() < nparams {
                    let omitted: Option<Vec<_>> = f.params[entry.args.len()..]
                        .iter()
                        .map(|p| match &p.default {
                            Some(Const::Bool(_)) => Some(SpecType::Scalar(Scalar::Bool)),
                            Some(Const::Int(_)) => Some(SpecType::Scalar(Scalar::Int64)),
                            Some(Const::Float(_)) => Some(SpecType::Scalar(Scalar::Float64)),
                            Some(Const::Complex(..)) => Some(SpecType::Scalar(Scalar::Complex128)),
                            Some(Const::None) => Some(SpecType::NoneType),
                            // Evaluated at import: whatever object it is.
                            None if p.default_global.is_some() => Some(SpecType::Object),
                            _ => None,
                        })
                        .collect();
                    if let Some(types) = omitted {
                        for t in types {
                            entry.args.push(crate::export_spec::ExportArg {
                                alternatives: vec![t],
                                optional: true,
                                span: entry.span.clone(),
                            });
                        }
                    }
                }
                let entry = &entry;
                // Left-out parameters whose defaults are not constants: the default's own error
                // (E004, with its fix) says what is wrong, not the count.
                let reported_default = defs.get(*fid).is_some_and(|d| {
                    let params: Vec<_> = d.args.posonlyargs.iter().chain(&d.args.args).collect();
                    entry.args.len() < params.len()
                        && params[entry.args.len()..].iter().all(|a| a.default.is_some())
                        && f.params[entry.args.len()..].iter().any(|p| p.default.is_none())
                });
                if entry.args.len() != nparams && reported_default {
                    continue;
                }
                if entry.args.len() != nparams {
                    diags.push(Diagnostic::error(Code::ExportTarget, entry.span.clone(),
                        format!("export of `{}` gives {} argument type{}, but the function takes {}", entry.name, entry.args.len(), plural(entry.args.len()), nparams))
                        .label("in this export comment")
                        .also(f.span.clone(), format!("`{}` is defined here", f.name))
                        .hint("give one type per parameter, in order"));
                    continue;
                }
                let mut ok = true;
                for (arg, p) in entry.args.iter().zip(&f.params) {
                    if arg.optional && p.default.is_none() && p.default_global.is_none() {
                        diags.push(
                            Diagnostic::error(
                                Code::ExportTarget,
                                arg.span.clone(),
                                format!(
                                    "argument `{}` is marked optional but has no default",
                                    p.name
                                ),
                            )
                            .label("`?` here")
                            .also(p.span.clone(), "no default value")
                            .hint(format!(
                                "give `{}` a default in the `def`, or remove the `?`",
                                p.name
                            )),
                        );
                        ok = false;
                    }
                }
                if ok {
                    out_exports.push(Export { func: *fid, entry: entry.clone() });
                }
            }
            _ => diags.push(
                Diagnostic::error(
                    Code::ExportTarget,
                    entry.name_span.clone(),
                    format!(
                        "export names `{}`, which is not a function of this module",
                        entry.name
                    ),
                )
                .label("no `def` with this name")
                .hint(
                    match functions.iter().map(|f| f.name.as_str()).collect::<Vec<_>>() {
                        names if names.is_empty() => "define the function in this file".to_string(),
                        names => format!("functions here: {}", names.join(", ")),
                    },
                ),
            ),
        }
    }
    // Only functions the exports reach are compiled; problems elsewhere (test helpers, code for
    // the Python side) are a warning, not a reason to refuse the module.
    let reachable = reachable_functions(
        &functions,
        out_exports.iter().map(|e| e.func).chain(init).chain(exports.iter().filter_map(|e| {
            match globals.get(&e.name) {
                Some(Global::Function(f)) => Some(*f),
                _ => None,
            }
        })),
    );
    for (i, own) in function_diags.into_iter().enumerate() {
        if reachable[i] {
            diags.extend(own);
        } else if own.iter().any(|d| d.is_error()) {
            let f = &functions[i];
            diags.push(Diagnostic::error(Code::Ignored, f.span.clone(), format!("`{}` is not compiled: no exported function calls it, and it uses what pyaot cannot compile", f.name))
                .label("left to Python")
                .hint(format!("export `{}` (or call it from an exported function) to see what pyaot cannot compile in it", f.name)));
        }
    }
    (
        Module {
            name: module_name.to_string(),
            doc,
            functions,
            exports: out_exports,
            init,
            module_globals,
            from_imports,
        },
        diags,
    )
}

/// Which functions the roots reach through calls.
fn reachable_functions(functions: &[Function], roots: impl Iterator<Item = FuncId>) -> Vec<bool> {
    let mut seen = vec![false; functions.len()];
    let mut stack: Vec<FuncId> = roots.collect();
    while let Some(f) = stack.pop() {
        if f < seen.len() && !std::mem::replace(&mut seen[f], true) {
            for_each_expr(&functions[f].body, &mut |e| {
                if let ExprKind::Call(callee, _)
                | ExprKind::Lambda(callee, _)
                | ExprKind::Closure(callee, _)
                | ExprKind::FunctionValue(callee) = e.kind
                {
                    stack.push(callee);
                }
            });
        }
    }
    seen
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn span_of(r: rustpython_parser::text_size::TextRange) -> Span {
    usize::from(r.start())..usize::from(r.end())
}

/// `math.sqrtt` or `from math import sqrtt`: an error now, with the names meant (CPython
/// fails when the line runs, or at import).
fn missing_module_attribute(module: &str, attr: &str, span: Span) -> Option<Diagnostic> {
    let near = crate::known_modules::missing_attribute(module, attr)?;
    Some(
        Diagnostic::error(
            Code::UnknownName,
            span,
            format!("module `{module}` has no attribute `{attr}`"),
        )
        .label(format!("not in `{module}`"))
        .hint(crate::known_modules::hint(module, &near)),
    )
}

fn unsupported(r: rustpython_parser::text_size::TextRange, what: &str, hint: &str) -> Diagnostic {
    Diagnostic::error(Code::Unsupported, span_of(r), format!("{what} are not supported by pyaot"))
        .label(format!("{what} here"))
        .hint(hint)
}

fn ignored(r: rustpython_parser::text_size::TextRange, message: &str, hint: &str) -> Diagnostic {
    Diagnostic::error(Code::Ignored, span_of(r), message).label("not compiled").hint(hint)
}

fn is_main_guard(test: &ast::Expr) -> bool {
    if let ast::Expr::Compare(c) = test {
        if let (ast::Expr::Name(n), [ast::Expr::Constant(k)]) = (&*c.left, c.comparators.as_slice())
        {
            return n.id.as_str() == "__name__"
                && matches!(&k.value, Constant::Str(s) if s == "__main__");
        }
    }
    false
}

fn stmt_construct(s: &ast::Stmt) -> &'static str {
    match s {
        ast::Stmt::FunctionDef(_) => "nested function definition",
        ast::Stmt::AsyncFunctionDef(_) => "async function",
        ast::Stmt::ClassDef(_) => "class definition",
        ast::Stmt::Delete(_) => "`del` statement",
        ast::Stmt::TypeAlias(_) => "type alias",
        ast::Stmt::AnnAssign(_) => "annotated assignment",
        ast::Stmt::AsyncFor(_) => "`async for` loop",
        ast::Stmt::With(_) | ast::Stmt::AsyncWith(_) => "`with` statement",
        ast::Stmt::Match(_) => "`match` statement",
        ast::Stmt::Try(_) | ast::Stmt::TryStar(_) => "`try` statement",
        ast::Stmt::Import(_) | ast::Stmt::ImportFrom(_) => "import inside a function",
        ast::Stmt::Global(_) => "`global` statement",
        ast::Stmt::Nonlocal(_) => "`nonlocal` statement",
        ast::Stmt::Expr(_) => "expression statement",
        ast::Stmt::Assign(_) | ast::Stmt::AugAssign(_) => "assignment",
        ast::Stmt::For(_) => "`for` loop",
        ast::Stmt::While(_) => "`while` loop",
        ast::Stmt::If(_) => "`if` statement",
        ast::Stmt::Raise(_) => "`raise` statement",
        ast::Stmt::Assert(_) => "`assert` statement",
        ast::Stmt::Return(_) => "`return` statement",
        ast::Stmt::Pass(_) | ast::Stmt::Break(_) | ast::Stmt::Continue(_) => "statement",
    }
}

fn expr_construct(e: &ast::Expr) -> (&'static str, &'static str) {
    match e {
        ast::Expr::Lambda(_) => ("lambda expressions", "assign to a name"),
        ast::Expr::ListComp(_) | ast::Expr::SetComp(_) | ast::Expr::DictComp(_) => ("comprehensions", "assign to a name"),
        ast::Expr::GeneratorExp(_) => ("generator expressions", "pass a list comprehension `[...]`, or write the loop out with `for`; `any`, `all`, `sum`, `min`, `max`, `sorted`, `list`, `set`, `tuple` and `str.join` take one directly"),
        ast::Expr::Await(_) => ("`await` expressions", "compile only synchronous code"),
        ast::Expr::Yield(_) | ast::Expr::YieldFrom(_) => ("generators (`yield`)", "return the results instead of yielding them"),
        ast::Expr::NamedExpr(_) => ("assignment expressions (`:=`)", "assign on a line of its own"),
        ast::Expr::Dict(_) => ("dict literals with `**` unpacking", "add the items one by one"),
        ast::Expr::Set(_) | ast::Expr::List(_) => ("literals with starred items", "add the items one by one"),
        ast::Expr::Starred(_) => ("starred expressions", "pass the arguments one by one"),
        ast::Expr::Slice(_) => ("slices", "slices go inside `[...]`"),
        ast::Expr::Attribute(_) => ("attributes of computed objects", "put the object in a local first: `o = f(); o.x += 1`"),
        ast::Expr::Subscript(_) => ("subscripts", "index a local, an array or an object"),
        ast::Expr::Constant(_) => ("literals", "assign to a name"),
        _ => ("this expression", "rewrite it with names, calls and operators"),
    }
}

/// Evaluates a module-level constant expression: numbers, bools, None, tuples, unary and
/// binary arithmetic on them, `math` constants and earlier constants.
fn fold_const(e: &ast::Expr, globals: &HashMap<String, Global>) -> Option<Const> {
    match e {
        ast::Expr::Constant(c) => literal(&c.value),
        ast::Expr::Name(n) => match globals.get(n.id.as_str()) {
            Some(Global::Const(c)) => Some(c.clone()),
            _ => None,
        },
        ast::Expr::Attribute(a) => match (&*a.value, globals) {
            (ast::Expr::Name(m), g) if matches!(g.get(m.id.as_str()), Some(Global::MathModule)) => {
                math_constant(a.attr.as_str()).map(Const::Float)
            }
            (ast::Expr::Name(m), g)
                if matches!(g.get(m.id.as_str()), Some(Global::NumpyModule)) =>
            {
                numpy_constant(a.attr.as_str())
            }
            _ => None,
        },
        ast::Expr::Tuple(t) => t
            .elts
            .iter()
            .map(|x| fold_const(x, globals))
            .collect::<Option<Vec<_>>>()
            .map(Const::Tuple),
        ast::Expr::UnaryOp(u) => match (u.op, fold_const(&u.operand, globals)?) {
            (ast::UnaryOp::USub, Const::Int(i)) => i.checked_neg().map(Const::Int),
            (ast::UnaryOp::USub, Const::Float(f)) => Some(Const::Float(-f)),
            (ast::UnaryOp::USub, Const::Complex(r, i)) => Some(Const::Complex(-r, -i)),
            (ast::UnaryOp::UAdd, c @ (Const::Int(_) | Const::Float(_))) => Some(c),
            _ => None,
        },
        ast::Expr::BinOp(b) => {
            let (l, r) = (fold_const(&b.left, globals)?, fold_const(&b.right, globals)?);
            match (l, r) {
                (Const::Int(x), Const::Int(y)) => Some(Const::Int(match b.op {
                    ast::Operator::Add => x.checked_add(y)?,
                    ast::Operator::Sub => x.checked_sub(y)?,
                    ast::Operator::Mult => x.checked_mul(y)?,
                    ast::Operator::FloorDiv if y != 0 => {
                        let q = x.checked_div(y)?;
                        if x % y != 0 && ((x < 0) != (y < 0)) {
                            q - 1
                        } else {
                            q
                        }
                    }
                    ast::Operator::Mod if y != 0 => {
                        let r = x.checked_rem(y)?;
                        if r != 0 && ((r < 0) != (y < 0)) {
                            r + y
                        } else {
                            r
                        }
                    }
                    ast::Operator::Pow if (0..64).contains(&y) => x.checked_pow(y as u32)?,
                    ast::Operator::Div if y != 0 => return Some(Const::Float(x as f64 / y as f64)),
                    ast::Operator::LShift if (0..63).contains(&y) => x.checked_mul(1i64 << y)?,
                    _ => return None,
                })),
                (x, y) => {
                    let (x, y) = (as_f64(&x)?, as_f64(&y)?);
                    Some(Const::Float(match b.op {
                        ast::Operator::Add => x + y,
                        ast::Operator::Sub => x - y,
                        ast::Operator::Mult => x * y,
                        ast::Operator::Div if y != 0.0 => x / y,
                        ast::Operator::Pow if x > 0.0 => x.powf(y),
                        _ => return None,
                    }))
                }
            }
        }
        _ => None,
    }
}

fn as_f64(c: &Const) -> Option<f64> {
    match c {
        Const::Int(i) => Some(*i as f64),
        Const::Float(f) => Some(*f),
        _ => None,
    }
}

fn literal(c: &Constant) -> Option<Const> {
    match c {
        Constant::Int(i) => i.to_string().parse::<i64>().ok().map(Const::Int),
        Constant::Float(f) => Some(Const::Float(*f)),
        Constant::Complex { real, imag } => Some(Const::Complex(*real, *imag)),
        Constant::Str(text) => Some(Const::Str(text.clone())),
        Constant::Bool(b) => Some(Const::Bool(*b)),
        Constant::None => Some(Const::None),
        Constant::Tuple(items) => {
            items.iter().map(literal).collect::<Option<Vec<_>>>().map(Const::Tuple)
        }
        _ => None,
    }
}

/// A function lowered after the module's own (a lambda, a method): its `def`, the locals of
/// the function it is written in (a lambda cannot read them), and for a method its class and
/// first parameter.
type QueuedFunction = (ast::StmtFunctionDef, Vec<String>, Option<(String, String)>);

struct FnLowerer<'a> {
    globals: &'a HashMap<String, Global>,
    locals: Vec<Local>,
    local_ids: HashMap<String, LocalId>,
    next_expr: ExprId,
    next_stmt: StmtId,
    diags: &'a mut Vec<Diagnostic>,
    defs: &'a [&'a ast::StmtFunctionDef],
    pragmas: &'a [crate::syntax::OmpPragma],
    /// How many `except` blocks enclose the statement being lowered (a bare `raise` needs one).
    handler_depth: usize,
    /// How many loop bodies enclose it (`break` and `continue` need one).
    loop_depth: usize,
    /// The generator expression about to be lowered is the one argument of a call that
    /// consumes it whole (`sum`, `sorted`, `"".join`, …): it may be built as a list.
    genexp_ok: bool,
    /// Lambdas met so far (as functions to lower after the module's own), and the id the
    /// first one gets.
    lambdas: &'a std::cell::RefCell<Vec<QueuedFunction>>,
    first_lambda: FuncId,
    /// In a lambda: the locals of the function it is written in (it cannot read them).
    enclosing: Vec<String>,
    /// Where each name of the function is bound: (offset, inside a loop). A lambda may
    /// capture a local bound exactly once, before it, outside loops.
    bindings: HashMap<String, Vec<(usize, bool)>>,
    /// Names the function declares `global`: module values it may rebind.
    global_names: Vec<String>,
    /// Updates `x op= v` of locals under `#omp atomic`/`critical`: (statement, local, operator);
    /// inside a parallel loop they become its reductions (check_parallel_loops).
    atomic_locals: Vec<(StmtId, LocalId, crate::omp::ReductionOp)>,
    /// In a method: its class and first parameter (`super()` is `super(Class, self)`).
    method_of: Option<(String, String)>,
    /// Lowering `<module>`, where module-level classes are made.
    module_init: bool,
    /// Element updates `a[i] op= v` under `#omp atomic`/`critical`, made atomically.
    atomic_items: Vec<StmtId>,
}

impl FnLowerer<'_> {
    fn lower_function(&mut self, f: &ast::StmtFunctionDef) -> Function {
        let args = &f.args;
        // `def name`: short and on one line, for messages about the whole function.
        let def_start = usize::from(f.range.start());
        let span = def_start..def_start + "def ".len() + f.name.len();
        if let Some(v) = &args.vararg {
            self.diags.push(unsupported(
                v.range,
                "`*args` parameters",
                "list the parameters one by one",
            ));
        }
        if let Some(v) = &args.kwarg {
            self.diags.push(unsupported(
                v.range,
                "`**kwargs` parameters",
                "list the parameters one by one",
            ));
        }
        let mut params = Vec::new();
        for a in args.posonlyargs.iter().chain(&args.args).chain(&args.kwonlyargs) {
            let name = a.def.arg.to_string();
            let pspan = span_of(a.def.range);
            self.local(&name, pspan.clone());
            let mut default_global = None;
            let (default, default_text) = match &a.default {
                None => (None, None),
                Some(d) => match fold_const(d, self.globals) {
                    Some(c) => (Some(c.clone()), Some(const_text(&c))),
                    None if matches!(
                        self.globals.get(&default_global_name(&f.name, &name)),
                        Some(Global::ModuleValue)
                    ) =>
                    {
                        default_global = Some(default_global_name(&f.name, &name));
                        (None, Some("...".to_string()))
                    }
                    None => {
                        let mutable = matches!(
                            &**d,
                            ast::Expr::List(_) | ast::Expr::Dict(_) | ast::Expr::Set(_)
                        );
                        let hint = if mutable {
                            format!("write `{name}=None` and, in the body, `if {name} is None: {name} = {}` (a new one per call, as Python programs usually mean)", if matches!(&**d, ast::Expr::List(_)) { "[]" } else if matches!(&**d, ast::Expr::Dict(_)) { "{}" } else { "set()" })
                        } else {
                            "defaults must be constants that pyaot can evaluate at compile time"
                                .to_string()
                        };
                        self.diags.push(
                            Diagnostic::error(
                                Code::Unsupported,
                                span_of(d.range()),
                                format!("the default of `{name}` is not a constant"),
                            )
                            .label("not a number, bool, None or tuple of them")
                            .hint(hint),
                        );
                        (None, None)
                    }
                },
            };
            params.push(Param { name, default, default_text, default_global, span: pspan });
        }
        // `global x`: `x` is the module's, not a local.
        let mut declared = Vec::new();
        global_declarations(&f.body, &mut declared);
        self.global_names = declared;
        // Python's scoping rule: a name bound anywhere in the body is local to the whole body.
        let globals_here = self.global_names.clone();
        collect_bound_names(&f.body, &mut |name, span| {
            if !globals_here.iter().any(|g| g == name) {
                self.local(name, span);
            }
        });
        for a in args.posonlyargs.iter().chain(&args.args).chain(&args.kwonlyargs) {
            self.bindings
                .entry(a.def.arg.to_string())
                .or_default()
                .push((usize::from(a.def.range.start()), false));
        }
        let mut sites = Vec::new();
        binding_sites(&f.body, false, &mut sites);
        for (name, at, in_loop) in sites {
            self.bindings.entry(name).or_default().push((at, in_loop));
        }
        let mut body = self.block(&f.body);
        self.check_parallel_loops(&mut body);
        Function {
            name: f.name.to_string(),
            checks: Checks::default(),
            span,
            params,
            locals: std::mem::take(&mut self.locals),
            body,
            num_exprs: self.next_expr,
            num_stmts: self.next_stmt,
            atomic_items: std::mem::take(&mut self.atomic_items),
            doc: match f.body.first() {
                Some(ast::Stmt::Expr(e)) => match &*e.value {
                    ast::Expr::Constant(ast::ExprConstant { value: Constant::Str(s), .. }) => {
                        Some(s.clone())
                    }
                    _ => None,
                },
                _ => None,
            },
        }
    }

    /// The rules of parallel loops: no `return` or `break` out of them, reduction variables
    /// only updated in place, and no shared variable written by the iterations (a race).
    /// Variables the body assigns that are not used outside it are private to each iteration.
    /// `#omp atomic` or `#omp critical` on the statement about to be made: an update of a local
    /// (a reduction of the parallel loop around it, folded as OpenMP's critical section would
    /// add it, in some order) or of an array element (an atomic read-modify-write).
    fn atomic_update(&mut self, kind: &StmtKind, pragma: Span) {
        use crate::omp::ReductionOp;
        let op = match kind {
            StmtKind::AugAssign { op, .. } | StmtKind::AugAssignItem { op, .. } => *op,
            _ => {
                self.diags.push(Diagnostic::error(Code::NotYet, pragma, "`#omp atomic` and `#omp critical` apply here to an update `x op= v` only")
                    .label("this pragma")
                    .hint("write the update as `total += value` (or `a[k] += value`) under the pragma"));
                return;
            }
        };
        match kind {
            StmtKind::AugAssign { target, .. } => {
                let reduction = match op {
                    BinOp::Add | BinOp::Sub => ReductionOp::Add,
                    BinOp::Mul => ReductionOp::Mul,
                    BinOp::BitAnd => ReductionOp::And,
                    BinOp::BitOr => ReductionOp::Or,
                    BinOp::BitXor => ReductionOp::Xor,
                    _ => {
                        self.diags.push(
                            Diagnostic::error(
                                Code::NotYet,
                                pragma,
                                "an atomic update of a shared variable takes `+= -= *= &= |= ^=`",
                            )
                            .label("this pragma")
                            .hint("use one of those operators, or a `reduction(...)` clause"),
                        );
                        return;
                    }
                };
                self.atomic_locals.push((self.next_stmt, *target, reduction));
            }
            _ if matches!(
                op,
                BinOp::Add | BinOp::Sub | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor
            ) =>
            {
                self.atomic_items.push(self.next_stmt)
            }
            _ => self.diags.push(
                Diagnostic::error(
                    Code::NotYet,
                    pragma,
                    "an atomic update of an array element takes `+= -= &= |= ^=`",
                )
                .label("this pragma")
                .hint("use one of those operators"),
            ),
        }
    }

    fn check_parallel_loops(&mut self, body: &mut [Stmt]) {
        let mut total = vec![0usize; self.locals.len()];
        local_refs(body, &mut total);
        let mut loops = Vec::new();
        fn find<'s>(stmts: &'s mut [Stmt], out: &mut Vec<&'s mut Stmt>) {
            for s in stmts {
                let parallel = matches!(&s.kind, StmtKind::ForRange { parallel: Some(_), .. });
                if parallel {
                    out.push(s);
                    continue;
                }
                match &mut s.kind {
                    StmtKind::If { then: a, orelse: b, .. }
                    | StmtKind::While { body: a, orelse: b, .. }
                    | StmtKind::ForRange { body: a, orelse: b, .. } => {
                        find(a, out);
                        find(b, out);
                    }
                    StmtKind::Try { body, handlers, orelse, finalbody } => {
                        find(body, out);
                        for h in handlers.iter_mut() {
                            find(&mut h.body, out);
                        }
                        find(orelse, out);
                        find(finalbody, out);
                    }
                    _ => {}
                }
            }
        }
        find(body, &mut loops);
        let mut problems = Vec::new();
        for lp in loops {
            let StmtKind::ForRange { target, body, parallel: Some(p), .. } = &mut lp.kind else {
                continue;
            };
            let mut inside = vec![0usize; self.locals.len()];
            local_refs(body, &mut inside);
            inside[*target] += 1;
            let outside = |l: LocalId| total[l] > inside[l];
            if p.inferred {
                p.reductions.retain(|(_, l)| outside(*l));
            }
            // `#omp atomic`/`critical` updates of shared variables: reductions of this loop.
            let mut ids = Vec::new();
            fn stmt_ids(stmts: &[Stmt], out: &mut Vec<StmtId>) {
                for s in stmts {
                    out.push(s.id);
                    s.kind.blocks().into_iter().for_each(|b| stmt_ids(b, out));
                }
            }
            stmt_ids(body, &mut ids);
            for (id, l, op) in &self.atomic_locals {
                if ids.contains(id) && outside(*l) && !p.reductions.iter().any(|(_, r)| r == l) {
                    p.reductions.push((*op, *l));
                }
            }
            // prange: only outer variables are reductions.
            let reductions: Vec<LocalId> = p.reductions.iter().map(|(_, l)| *l).collect();
            jumps_out(body, true, &mut |span, what| {
                problems.push(
                    Diagnostic::error(
                        Code::Unsupported,
                        span,
                        format!("`{what}` cannot leave a parallel loop"),
                    )
                    .label("here")
                    .also(p.span.clone(), "parallel loop")
                    .hint("compute a flag or a result array in the loop and act on it after"),
                )
            });
            // `m = max(m, x)` (and min) is how Python spells a max reduction: allowed.
            let minmax: Vec<LocalId> = p
                .reductions
                .iter()
                .filter(|(op, _)| {
                    matches!(op, crate::omp::ReductionOp::Min | crate::omp::ReductionOp::Max)
                })
                .map(|(_, l)| *l)
                .collect();
            let mut allowed = Vec::new();
            minmax_updates(body, &minmax, &mut allowed);
            let mut reads = Vec::new();
            local_reads(body, &mut reads);
            for (l, span) in reads {
                if reductions.contains(&l) && !allowed.contains(&span) {
                    problems.push(Diagnostic::error(Code::BadOperation, span, format!("`{}` is a reduction variable: inside the loop it holds only a partial result", self.locals[l].name))
                        .label("read here").also(p.span.clone(), "reduction declared here").hint("only update it in place (`s += ...`); read it after the loop"));
                }
            }
            let mut writes = Vec::new();
            local_writes(body, &mut writes);
            for (l, span, in_place) in writes {
                if l == *target || p.lastprivate.contains(&l) {
                    continue;
                }
                if reductions.contains(&l) {
                    if !in_place && !allowed.contains(&span) {
                        problems.push(Diagnostic::error(Code::BadOperation, span, format!("the reduction variable `{}` is assigned, not updated in place", self.locals[l].name))
                            .label("assigned here").hint("write `s += value` (or the pragma's operator) inside a parallel loop"));
                    }
                } else if outside(l) {
                    problems.push(Diagnostic::error(Code::BadOperation, span, format!("race: `{}` is shared, and every iteration of the parallel loop writes it", self.locals[l].name))
                        .label("written here").also(p.span.clone(), "parallel loop")
                        .hint(format!("declare it `reduction(+:{0})` (or another operator), or `lastprivate({0})`, or use a new name inside the loop", self.locals[l].name)));
                }
            }
        }
        self.diags.extend(problems);
    }

    fn local(&mut self, name: &str, span: Span) -> LocalId {
        if let Some(&id) = self.local_ids.get(name) {
            return id;
        }
        let id = self.locals.len();
        self.locals.push(Local { name: name.to_string(), span });
        self.local_ids.insert(name.to_string(), id);
        id
    }

    fn expr_node(&mut self, span: Span, kind: ExprKind) -> Expr {
        let id = self.next_expr;
        self.next_expr += 1;
        Expr { id, span, kind }
    }

    fn stmt_node(&mut self, span: Span, kind: StmtKind) -> Stmt {
        let id = self.next_stmt;
        self.next_stmt += 1;
        Stmt { id, span, kind }
    }

    fn loop_body(&mut self, stmts: &[ast::Stmt]) -> Vec<Stmt> {
        self.loop_depth += 1;
        let body = self.block(stmts);
        self.loop_depth -= 1;
        body
    }

    fn block(&mut self, stmts: &[ast::Stmt]) -> Vec<Stmt> {
        let mut out = Vec::new();
        for (i, s) in stmts.iter().enumerate() {
            // A docstring at the top of a body is not code.
            if i == 0 {
                if let ast::Stmt::Expr(e) = s {
                    if matches!(&*e.value, ast::Expr::Constant(c) if matches!(c.value, Constant::Str(_)))
                    {
                        continue;
                    }
                }
            }
            self.stmt(s, &mut out);
        }
        out
    }

    fn stmt(&mut self, s: &ast::Stmt, out: &mut Vec<Stmt>) {
        let span = span_of(s.range());
        let kind = match s {
            ast::Stmt::Pass(_) | ast::Stmt::Global(_) => return,
            // `x: T = v` is `x = v` (the annotation is not checked, as in CPython); `x: T` binds
            // nothing.
            ast::Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    let assign = ast::Stmt::Assign(ast::StmtAssign {
                        range: a.range,
                        targets: vec![(*a.target).clone()],
                        value: value.clone(),
                        type_comment: None,
                    });
                    self.stmt(&assign, out);
                }
                return;
            }
            // Only `<module>` meets one (module-level classes; others are refused below).
            // A nested `def`: a closure over locals bound once before it (by value, which is
            // the same as Python's reference while they cannot change).
            ast::Stmt::FunctionDef(f) if !self.module_init => {
                let Some(id) = self.local_ids.get(f.name.as_str()).copied() else { return };
                let Some(value) = self.nested_def(f, span.clone()) else { return };
                StmtKind::Assign { target: Target::Local(id, span.clone()), value }
            }
            ast::Stmt::ClassDef(c) if self.module_init => {
                let id = self.local_ids[c.name.as_str()];
                let value = self.class(c);
                StmtKind::Assign { target: Target::Local(id, span.clone()), value }
            }
            // Bound at module level (`bind_import`): the extension imports it when it is imported.
            ast::Stmt::Import(_) | ast::Stmt::ImportFrom(_) => return,
            ast::Stmt::Break(_) | ast::Stmt::Continue(_) if self.loop_depth == 0 => {
                let word = if matches!(s, ast::Stmt::Break(_)) { "break" } else { "continue" };
                self.diags.push(
                    Diagnostic::error(
                        Code::Syntax,
                        span.clone(),
                        format!("`{word}` outside a loop"),
                    )
                    .label("not inside a `for` or `while`")
                    .hint("Python rejects this too (SyntaxError)"),
                );
                return;
            }
            ast::Stmt::Break(_) => StmtKind::Break,
            ast::Stmt::Continue(_) => StmtKind::Continue,
            ast::Stmt::Return(r) => StmtKind::Return(r.value.as_ref().map(|v| self.expr(v))),
            ast::Stmt::Expr(e) => StmtKind::Expr(self.expr(&e.value)),
            ast::Stmt::Assign(a) => {
                let value = self.expr(&a.value);
                if a.targets.len() == 1 {
                    match self.target(&a.targets[0]) {
                        Some(target) => StmtKind::Assign { target, value },
                        None => return,
                    }
                } else {
                    // `a = b = v`: evaluate once into a hidden local, then assign each target.
                    let tmp = self.local(&format!("$chain{}", value.id), value.span.clone());
                    let vspan = value.span.clone();
                    out.push(self.stmt_node(
                        span.clone(),
                        StmtKind::Assign { target: Target::Local(tmp, vspan.clone()), value },
                    ));
                    for t in &a.targets {
                        if let Some(target) = self.target(t) {
                            let value = self.expr_node(vspan.clone(), ExprKind::Local(tmp));
                            out.push(
                                self.stmt_node(span.clone(), StmtKind::Assign { target, value }),
                            );
                        }
                    }
                    return;
                }
            }
            ast::Stmt::AugAssign(a) => {
                if matches!(a.op, ast::Operator::MatMult) {
                    self.diags.push(
                        Diagnostic::error(Code::NotYet, span.clone(), "`@=` is not supported yet")
                            .label("here")
                            .hint("write `x = x @ y` (a new array; numpy's `@=` writes into `x`)"),
                    );
                    return;
                }
                let value = self.expr(&a.value);
                let op = binop(&a.op);
                match &*a.target {
                    // `x += v` of a module value: x = x + v (read, compute, rebind).
                    ast::Expr::Name(n) if self.global_names.iter().any(|g| g == n.id.as_str()) => {
                        let current = self.name(n.id.as_str(), span_of(n.range));
                        let sum = self.expr_node(
                            span.clone(),
                            ExprKind::Binary(op, Box::new(current), Box::new(value)),
                        );
                        StmtKind::Assign {
                            target: Target::Global(n.id.to_string(), span_of(n.range)),
                            value: sum,
                        }
                    }
                    ast::Expr::Name(n) => {
                        let target = self.local(n.id.as_str(), span_of(n.range));
                        StmtKind::AugAssign { target, target_span: span_of(n.range), op, value }
                    }
                    ast::Expr::Subscript(sub) => {
                        let array = self.expr(&sub.value);
                        let indices = self.indices(&sub.slice);
                        StmtKind::AugAssignItem {
                            array,
                            indices,
                            target_span: span_of(sub.range),
                            op,
                            value,
                        }
                    }
                    // `o.x += v` with `o` a name: o.x = o.x + v (`o` read twice: a name cannot change).
                    ast::Expr::Attribute(a) if matches!(&*a.value, ast::Expr::Name(_)) => {
                        let current_obj = self.expr(&a.value);
                        let current = self.expr_node(
                            span_of(a.range),
                            ExprKind::GetAttr(Box::new(current_obj), a.attr.to_string()),
                        );
                        let sum = self.expr_node(
                            span.clone(),
                            ExprKind::Binary(op, Box::new(current), Box::new(value)),
                        );
                        let target_obj = self.expr(&a.value);
                        StmtKind::Assign {
                            target: Target::Attr(
                                Box::new(target_obj),
                                a.attr.to_string(),
                                span_of(a.range),
                            ),
                            value: sum,
                        }
                    }
                    other => {
                        let (what, hint) = expr_construct(other);
                        self.diags.push(unsupported(
                            other.range(),
                            &format!("augmented assignments to {what}"),
                            hint,
                        ));
                        return;
                    }
                }
            }
            ast::Stmt::If(i) => StmtKind::If {
                cond: self.expr(&i.test),
                then: self.block(&i.body),
                orelse: self.block(&i.orelse),
            },
            ast::Stmt::Try(t) => {
                let body = self.block(&t.body);
                let mut handlers = Vec::new();
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    let types = h.type_.as_ref().map(|x| self.expr(x));
                    let name = h.name.as_ref().map(|n| self.local(n.as_str(), span_of(h.range)));
                    self.handler_depth += 1;
                    let hbody = self.block(&h.body);
                    self.handler_depth -= 1;
                    handlers.push(Handler { types, name, body: hbody, span: span_of(h.range) });
                }
                let orelse = self.block(&t.orelse);
                let finalbody = self.block(&t.finalbody);
                StmtKind::Try { body, handlers, orelse, finalbody }
            }
            ast::Stmt::With(w) => {
                for s in with_as_try(w) {
                    self.stmt(&s, out);
                }
                return;
            }
            ast::Stmt::While(w) => StmtKind::While {
                cond: self.expr(&w.test),
                body: self.loop_body(&w.body),
                orelse: self.block(&w.orelse),
            },
            ast::Stmt::For(f) => return self.for_stmt(f, span, out),
            ast::Stmt::Raise(r) => {
                let Some(exc) = &r.exc else {
                    if self.handler_depth > 0 {
                        out.push(self.stmt_node(span, StmtKind::Reraise));
                        return;
                    }
                    self.diags.push(
                        Diagnostic::error(
                            Code::Unsupported,
                            span_of(r.range),
                            "a bare `raise` outside an `except` block has no exception to raise",
                        )
                        .label("here")
                        .hint("raise a named exception: `raise ValueError(\"...\")`"),
                    );
                    return;
                };
                match (&r.cause, self.exception(exc)) {
                    (None, Some((exception, message))) => StmtKind::Raise { exception, message },
                    (cause, _) => {
                        let value = self.expr(exc);
                        StmtKind::RaiseObject(value, cause.as_ref().map(|c| self.expr(c)))
                    }
                }
            }
            ast::Stmt::Assert(a) => {
                let message = match &a.msg {
                    None => None,
                    Some(m) => match &**m {
                        ast::Expr::Constant(ast::ExprConstant {
                            value: Constant::Str(s), ..
                        }) => Some(s.clone()),
                        other => {
                            self.diags.push(Diagnostic::error(Code::Unsupported, span_of(other.range()), "the message of `assert` must be a string literal")
                                .label("not a string literal").hint("write the message as a plain string: `assert x > 0, \"x must be positive\"`"));
                            None
                        }
                    },
                };
                StmtKind::Assert { cond: self.expr(&a.test), message }
            }
            other => {
                let what = stmt_construct(other);
                let hint = match other {
                    ast::Stmt::TryStar(_) => "catch exception groups in the Python caller",
                    ast::Stmt::Global(_) | ast::Stmt::Nonlocal(_) => {
                        "pass the value as an argument and return the new value"
                    }
                    ast::Stmt::AsyncWith(_) => {
                        "do the work with a context manager in the Python caller"
                    }
                    ast::Stmt::FunctionDef(_) | ast::Stmt::ClassDef(_) => {
                        "define it at module level"
                    }
                    ast::Stmt::AnnAssign(_) => "drop the annotation: types are inferred",
                    ast::Stmt::Import(_) | ast::Stmt::ImportFrom(_) => "import at module level",
                    _ => "rewrite it with assignments, `if`, `while` and `for ... in range(...)`",
                };
                let plural_what = format!("{what}s");
                self.diags.push(unsupported(other.range(), &plural_what, hint));
                return;
            }
        };
        let update_pragma = self
            .pragmas
            .iter()
            .find(|p| {
                p.next_line == span.start && matches!(p.kind, OmpKind::Atomic | OmpKind::Critical)
            })
            .map(|p| p.span.clone());
        if let Some(pragma) = update_pragma {
            self.atomic_update(&kind, pragma);
        }
        out.push(self.stmt_node(span, kind));
    }

    fn for_stmt(&mut self, f: &ast::StmtFor, span: Span, out: &mut Vec<Stmt>) {
        let is_builtin = |this: &Self, c: &ast::ExprCall, name: &str| matches!(&*c.func, ast::Expr::Name(n) if n.id.as_str() == name && !this.local_ids.contains_key(name));
        let is_prange = |this: &Self, c: &ast::ExprCall| matches!(&*c.func, ast::Expr::Name(n) if matches!(this.globals.get(n.id.as_str()), Some(Global::Prange)) && !this.local_ids.contains_key(n.id.as_str()));
        let (range_call, prange) = match &*f.iter {
            ast::Expr::Call(c) if is_builtin(self, c, "range") => (c, false),
            ast::Expr::Call(c) if is_prange(self, c) => (c, true),
            _ => {
                if let Some(p) = self
                    .pragmas
                    .iter()
                    .find(|p| p.next_line == span.start && p.kind == OmpKind::ParallelFor)
                {
                    self.diags.push(
                        Diagnostic::error(
                            Code::Unsupported,
                            p.span.clone(),
                            "`#omp parallel for` needs a `for` over `range(...)`",
                        )
                        .label("this pragma")
                        .also(span_of(f.iter.range()), "not a range")
                        .hint("write `for i in range(n):` under the pragma"),
                    );
                }
                return self.for_each(f, span, out);
            }
        };
        let (target, target_span) = match &*f.target {
            ast::Expr::Name(n) => (self.local(n.id.as_str(), span_of(n.range)), span_of(n.range)),
            other => {
                self.diags.push(
                    Diagnostic::error(
                        Code::Unsupported,
                        span_of(other.range()),
                        "a `for` over `range` must bind one name",
                    )
                    .label("not a single name")
                    .hint("write `for i in range(...)`"),
                );
                return;
            }
        };
        if !range_call.keywords.is_empty()
            || range_call.args.is_empty()
            || range_call.args.len() > 3
        {
            self.diags.push(
                Diagnostic::error(
                    Code::BadCall,
                    span_of(range_call.range),
                    "`range` takes one to three positional arguments",
                )
                .label("here")
                .hint("write `range(stop)`, `range(start, stop)` or `range(start, stop, step)`"),
            );
            return;
        }
        let mut args: Vec<Expr> = range_call.args.iter().map(|a| self.expr(a)).collect();
        let (start, stop, step) = match args.len() {
            1 => (None, args.pop().unwrap(), None),
            2 => {
                let stop = args.pop().unwrap();
                (args.pop(), stop, None)
            }
            _ => {
                let step = args.pop();
                let stop = args.pop().unwrap();
                (args.pop(), stop, step)
            }
        };
        let body = self.loop_body(&f.body);
        let orelse = self.block(&f.orelse);
        let pragma = self
            .pragmas
            .iter()
            .find(|p| p.next_line == span.start && p.kind == OmpKind::ParallelFor);
        let parallel = match (pragma, prange) {
            (Some(p), _) => self.parallel_from_pragma(p),
            (None, true) => {
                Some(Box::new(self.parallel_from_prange(&body, span_of(range_call.range))))
            }
            (None, false) => None,
        };
        let collapse = pragma.and_then(|p| {
            p.clauses.iter().find_map(|c| match c {
                crate::omp::Clause::Collapse(n, at) if *n > 1 => Some((*n, at.clone())),
                _ => None,
            })
        });
        if let (Some((depth, at)), true) = (collapse, parallel.is_some()) {
            match self.collapse(target, target_span.clone(), start, stop, step, body, depth) {
                Ok((pre, target, stop, body)) => {
                    out.extend(pre);
                    out.push(self.stmt_node(
                        span,
                        StmtKind::ForRange {
                            target,
                            target_span,
                            start: None,
                            stop,
                            step: None,
                            body,
                            orelse,
                            parallel,
                            each: None,
                        },
                    ));
                }
                Err(why) => self.diags.push(
                    Diagnostic::error(Code::NotYet, at, why)
                        .label("this clause")
                        .hint("collapse takes loops nested directly in each other, `for i in range(a, b)` with step 1, whose bounds do not depend on the outer loops' variables"),
                ),
            }
            return;
        }
        if parallel.is_some() && !orelse.is_empty() {
            self.diags.push(
                Diagnostic::error(
                    Code::Unsupported,
                    span.clone(),
                    "a parallel loop cannot have an `else`",
                )
                .label("this loop")
                .hint("move the `else` code after the loop"),
            );
        }
        out.push(self.stmt_node(
            span,
            StmtKind::ForRange {
                target,
                target_span,
                start,
                stop,
                step,
                body,
                orelse,
                parallel,
                each: None,
            },
        ));
    }

    /// `collapse(n)`: `for i in range(a1, b1): for j in range(a2, b2): body` becomes one loop
    /// `for k in range(n1 * n2)` setting `i = a1 + k // n2` and `j = a2 + k % n2` (and so on for
    /// deeper nests), the bounds evaluated once before it, the outer first, as Python evaluates
    /// them. Gives the statements before the loop, its variable, its stop and its body.
    #[allow(clippy::too_many_arguments)]
    fn collapse(
        &mut self,
        target: LocalId,
        target_span: Span,
        start: Option<Expr>,
        stop: Expr,
        step: Option<Expr>,
        body: Vec<Stmt>,
        depth: usize,
    ) -> Result<(Vec<Stmt>, LocalId, Expr, Vec<Stmt>), String> {
        let unit = |step: &Option<Expr>| {
            step.as_ref().is_none_or(|e| matches!(e.kind, ExprKind::Const(Const::Int(1))))
        };
        // The nest, outermost first: (variable, start, stop, step).
        let mut levels = vec![(target, start, stop, step)];
        let mut body = body;
        while levels.len() < depth {
            let nested = format!("`collapse({depth})` needs {depth} loops over `range(...)` nested directly in each other");
            let [inner] = <[Stmt; 1]>::try_from(body).map_err(|_| nested.clone())?;
            let StmtKind::ForRange {
                target,
                start,
                stop,
                step,
                body: inner_body,
                orelse,
                parallel: None,
                each: None,
                ..
            } = inner.kind
            else {
                return Err(nested);
            };
            if !orelse.is_empty() {
                return Err("a collapsed loop cannot have an `else`".into());
            }
            let outer: Vec<LocalId> = levels.iter().map(|l| l.0).collect();
            let mut reads_outer = false;
            for e in start.iter().chain([&stop]).chain(step.iter()) {
                walk_expr(e, &mut |x| {
                    reads_outer |= matches!(x.kind, ExprKind::Local(l) if outer.contains(&l))
                });
            }
            if reads_outer {
                return Err(
                    "the bounds of a collapsed loop depend on an outer loop's variable".into()
                );
            }
            levels.push((target, start, stop, step));
            body = inner_body;
        }
        if !levels.iter().all(|l| unit(&l.3)) {
            return Err("collapsed loops need step 1".into());
        }
        let span = target_span;
        let base = format!("$collapse{}", span.start);
        let read = |this: &mut Self, l: LocalId| this.expr_node(span.clone(), ExprKind::Local(l));
        let int =
            |this: &mut Self, k: i64| this.expr_node(span.clone(), ExprKind::Const(Const::Int(k)));
        let assign = |this: &mut Self, l: LocalId, value: Expr| {
            this.stmt_node(
                span.clone(),
                StmtKind::Assign { target: Target::Local(l, span.clone()), value },
            )
        };
        let binary = |this: &mut Self, op: BinOp, a: Expr, b: Expr| {
            this.expr_node(span.clone(), ExprKind::Binary(op, Box::new(a), Box::new(b)))
        };
        // Before the loop: each level's start and count, max(stop - start, 0); their product.
        let mut pre = Vec::new();
        let mut nest = Vec::new(); // (variable, start local, count local)
        for (k, (var, start, stop, _)) in levels.into_iter().enumerate() {
            let lo = self.local(&format!("{base}.lo{k}"), span.clone());
            let n = self.local(&format!("{base}.n{k}"), span.clone());
            let start = start.unwrap_or_else(|| int(self, 0));
            pre.push(assign(self, lo, start));
            let l = read(self, lo);
            let diff = binary(self, BinOp::Sub, stop, l);
            let zero = int(self, 0);
            let count =
                self.expr_node(span.clone(), ExprKind::Builtin(Builtin::Max, vec![diff, zero]));
            pre.push(assign(self, n, count));
            nest.push((var, lo, n));
        }
        let total = self.local(&format!("{base}.total"), span.clone());
        let mut product = read(self, nest[0].2);
        for &(_, _, n) in &nest[1..] {
            let r = read(self, n);
            product = binary(self, BinOp::Mul, product, r);
        }
        pre.push(assign(self, total, product));
        // In the loop: each variable from k, the innermost moving fastest:
        // var = lo + (k // (product of the inner counts)) % n (no `% n` for the outermost).
        let k = self.local(&format!("{base}.k"), span.clone());
        let mut head = Vec::new();
        for level in 0..nest.len() {
            let mut index = read(self, k);
            if level + 1 < nest.len() {
                let mut stride = read(self, nest[level + 1].2);
                for &(_, _, n) in &nest[level + 2..] {
                    let r = read(self, n);
                    stride = binary(self, BinOp::Mul, stride, r);
                }
                index = binary(self, BinOp::FloorDiv, index, stride);
            }
            if level > 0 {
                let n = read(self, nest[level].2);
                index = binary(self, BinOp::Mod, index, n);
            }
            let lo = read(self, nest[level].1);
            let value = binary(self, BinOp::Add, lo, index);
            head.push(assign(self, nest[level].0, value));
        }
        head.extend(body);
        let stop = read(self, total);
        Ok((pre, k, stop, head))
    }

    fn parallel_from_pragma(&mut self, pragma: &crate::syntax::OmpPragma) -> Option<Box<Parallel>> {
        use crate::omp::{Clause, Schedule};
        let mut p = Parallel {
            reductions: Vec::new(),
            lastprivate: Vec::new(),
            schedule: Schedule::Auto,
            chunk: None,
            num_threads: None,
            condition: None,
            span: pragma.span.clone(),
            inferred: false,
        };
        for clause in &pragma.clauses {
            match clause {
                Clause::Reduction(op, vars) => {
                    for (name, span) in vars {
                        if let Some(l) = self.pragma_local(name, span) {
                            p.reductions.push((*op, l));
                        }
                    }
                }
                // Locals first assigned in the body are private anyway; the clause only documents it.
                Clause::Private(vars) => {
                    for (name, span) in vars {
                        self.pragma_local(name, span);
                    }
                }
                Clause::LastPrivate(vars) => {
                    for (name, span) in vars {
                        if let Some(l) = self.pragma_local(name, span) {
                            p.lastprivate.push(l);
                        }
                    }
                }
                Clause::Schedule(kind, chunk) => {
                    p.schedule = *kind;
                    p.chunk = chunk.as_ref().and_then(|(text, at)| self.pragma_expr(text, *at));
                }
                Clause::NumThreads(text, at) => p.num_threads = self.pragma_expr(text, *at),
                Clause::If(text, at) => p.condition = self.pragma_expr(text, *at),
                // Applied to the loops themselves (see `collapse`).
                Clause::Collapse(..) => {}
            }
        }
        Some(Box::new(p))
    }

    /// `prange`: reductions are the outer variables the body updates in place (`s += x`).
    fn parallel_from_prange(&mut self, body: &[Stmt], span: Span) -> Parallel {
        use crate::omp::{ReductionOp, Schedule};
        let mut reductions: Vec<(ReductionOp, LocalId)> = Vec::new();
        let mut inner = vec![0usize; self.locals.len()];
        local_refs(body, &mut inner);
        fn walk(stmts: &[Stmt], out: &mut Vec<(ReductionOp, LocalId)>) {
            for s in stmts {
                match &s.kind {
                    StmtKind::AugAssign { target, op, .. } => {
                        let op = match op {
                            BinOp::Add | BinOp::Sub => Some(ReductionOp::Add),
                            BinOp::Mul => Some(ReductionOp::Mul),
                            BinOp::BitAnd => Some(ReductionOp::And),
                            BinOp::BitOr => Some(ReductionOp::Or),
                            BinOp::BitXor => Some(ReductionOp::Xor),
                            _ => None,
                        };
                        if let Some(op) = op {
                            if !out.iter().any(|(_, l)| l == target) {
                                out.push((op, *target));
                            }
                        }
                    }
                    StmtKind::If { then: a, orelse: b, .. }
                    | StmtKind::While { body: a, orelse: b, .. }
                    | StmtKind::ForRange { body: a, orelse: b, .. } => {
                        walk(a, out);
                        walk(b, out);
                    }
                    _ => {}
                }
            }
        }
        walk(body, &mut reductions);
        // Only variables that live outside the loop accumulate; the rest are private. Which is
        // which is settled in `check_parallel_loops`, once the whole function is lowered.
        Parallel {
            reductions,
            lastprivate: Vec::new(),
            schedule: Schedule::Auto,
            chunk: None,
            num_threads: None,
            condition: None,
            span,
            inferred: true,
        }
    }

    fn pragma_local(&mut self, name: &str, span: &Span) -> Option<LocalId> {
        match self.local_ids.get(name) {
            Some(&l) => Some(l),
            None => {
                self.diags.push(
                    Diagnostic::error(
                        Code::UnknownName,
                        span.clone(),
                        format!("`{name}` is not a local variable of this function"),
                    )
                    .label("named in the pragma")
                    .hint("name variables the function assigns"),
                );
                None
            }
        }
    }

    /// A Python expression inside a pragma clause (`num_threads(n)`, `if(n > 1000)`).
    fn pragma_expr(&mut self, text: &str, at: usize) -> Option<Expr> {
        let offset = rustpython_parser::text_size::TextSize::from(at as u32);
        match rustpython_parser::parse_starts_at(
            text,
            rustpython_parser::Mode::Expression,
            "<pragma>",
            offset,
        ) {
            Ok(ast::Mod::Expression(e)) => Some(self.expr(&e.body)),
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        Code::Syntax,
                        at..at + text.len().max(1),
                        format!("`{text}` is not a Python expression"),
                    )
                    .label("in this clause")
                    .hint(
                        "write an expression over the function's variables, e.g. `num_threads(n)`",
                    ),
                );
                None
            }
        }
    }

    /// `for x in a`, `for i, x in enumerate(a)`, `for x, y in zip(a, b)` over arrays: each
    /// iterable is evaluated once, then the loop runs over indices and binds the items.
    fn for_each(&mut self, f: &ast::StmtFor, span: Span, out: &mut Vec<Stmt>) {
        #[derive(PartialEq)]
        enum Kind {
            Plain,
            Enumerate,
            Zip,
        }
        let builtin_call = |this: &Self, name: &str| match &*f.iter {
            ast::Expr::Call(c)
                if matches!(&*c.func, ast::Expr::Name(n) if n.id.as_str() == name && !this.local_ids.contains_key(name))
                    && c.keywords.is_empty() =>
            {
                Some(c)
            }
            _ => None,
        };
        let mut enumerate_start = None;
        let (kind, sources): (Kind, Vec<&ast::Expr>) =
            if let Some(c) = builtin_call(self, "enumerate") {
                if !(1..=2).contains(&c.args.len()) {
                    self.diags.push(
                        Diagnostic::error(
                            Code::BadCall,
                            span_of(c.range),
                            "`enumerate` takes an iterable and a start",
                        )
                        .label("here")
                        .hint("write `for i, x in enumerate(a)` or `enumerate(a, 1)`"),
                    );
                    return;
                }
                enumerate_start = c.args.get(1);
                (Kind::Enumerate, vec![&c.args[0]])
            } else if let Some(c) = builtin_call(self, "zip") {
                if c.args.len() < 2 {
                    self.diags.push(
                        Diagnostic::error(
                            Code::BadCall,
                            span_of(c.range),
                            "`zip` takes two or more arrays",
                        )
                        .label("here")
                        .hint("write `for x, y in zip(a, b)`"),
                    );
                    return;
                }
                (Kind::Zip, c.args.iter().collect())
            } else {
                (Kind::Plain, vec![&*f.iter])
            };
        let Some(target) = self.target(&f.target) else { return };
        let iter_span = span_of(f.iter.range());
        let mut holders = Vec::new();
        for (k, src) in sources.iter().enumerate() {
            let value = self.expr(src);
            let holder = self.local(&format!("$iter{}.{k}", iter_span.start), value.span.clone());
            out.push(self.stmt_node(
                span.clone(),
                StmtKind::Assign { target: Target::Local(holder, value.span.clone()), value },
            ));
            holders.push(holder);
        }
        // `enumerate(a, start)`: the start is evaluated once, before the loop.
        let start_holder = enumerate_start.map(|e| {
            let value = self.expr(e);
            let holder = self.local(&format!("$start{}", iter_span.start), value.span.clone());
            out.push(self.stmt_node(
                span.clone(),
                StmtKind::Assign { target: Target::Local(holder, value.span.clone()), value },
            ));
            holder
        });
        let idx = self.local(&format!("$index{}", iter_span.start), iter_span.clone());
        let lens: Vec<Expr> = holders
            .iter()
            .map(|h| {
                let arr = self.expr_node(iter_span.clone(), ExprKind::Local(*h));
                self.expr_node(iter_span.clone(), ExprKind::Builtin(Builtin::Len, vec![arr]))
            })
            .collect();
        let stop = if lens.len() == 1 {
            lens.into_iter().next().unwrap()
        } else {
            self.expr_node(iter_span.clone(), ExprKind::Builtin(Builtin::Min, lens))
        };
        let mut items: Vec<Expr> = holders
            .iter()
            .map(|h| {
                let arr = self.expr_node(iter_span.clone(), ExprKind::Local(*h));
                let at = self.expr_node(iter_span.clone(), ExprKind::Local(idx));
                let item = self.expr_node(
                    iter_span.clone(),
                    ExprKind::Subscript(Box::new(arr), vec![Index::At(at)]),
                );
                self.expr_node(
                    iter_span.clone(),
                    ExprKind::EachItem(holders.clone(), Box::new(item)),
                )
            })
            .collect();
        let value = match kind {
            Kind::Plain => items.pop().unwrap(),
            Kind::Enumerate => {
                let mut at = self.expr_node(iter_span.clone(), ExprKind::Local(idx));
                if let Some(h) = start_holder {
                    let start = self.expr_node(iter_span.clone(), ExprKind::Local(h));
                    at = self.expr_node(
                        iter_span.clone(),
                        ExprKind::Binary(BinOp::Add, Box::new(at), Box::new(start)),
                    );
                }
                let item = items.pop().unwrap();
                self.expr_node(iter_span.clone(), ExprKind::Tuple(vec![at, item]))
            }
            Kind::Zip => self.expr_node(iter_span.clone(), ExprKind::Tuple(items)),
        };
        let mut body =
            vec![self.stmt_node(span_of(f.target.range()), StmtKind::Assign { target, value })];
        body.extend(self.loop_body(&f.body));
        let orelse = self.block(&f.orelse);
        out.push(self.stmt_node(
            span,
            StmtKind::ForRange {
                target: idx,
                target_span: iter_span,
                start: None,
                stop,
                step: None,
                body,
                orelse,
                parallel: None,
                each: Some(holders),
            },
        ));
    }

    /// `raise Name` or `raise Name("literal")` of a builtin exception (raised without Python
    /// objects, so also inside parallel loops); None for anything else.
    fn exception(&mut self, exc: &ast::Expr) -> Option<(String, Option<String>)> {
        let (name_expr, args) = match exc {
            ast::Expr::Call(c) if c.keywords.is_empty() => (&*c.func, c.args.as_slice()),
            ast::Expr::Call(_) => return None,
            other => (other, &[][..]),
        };
        let name = match name_expr {
            ast::Expr::Name(n)
                if EXCEPTIONS.contains(&n.id.as_str())
                    && !self.local_ids.contains_key(n.id.as_str())
                    && !self.globals.contains_key(n.id.as_str()) =>
            {
                n.id.to_string()
            }
            _ => return None,
        };
        let message = match args {
            [] => None,
            [ast::Expr::Constant(ast::ExprConstant { value: Constant::Str(s), .. })] => {
                Some(s.clone())
            }
            _ => return None,
        };
        Some((name, message))
    }

    fn target(&mut self, t: &ast::Expr) -> Option<Target> {
        match t {
            ast::Expr::Name(n) if self.global_names.iter().any(|g| g == n.id.as_str()) => {
                Some(Target::Global(n.id.to_string(), span_of(n.range)))
            }
            ast::Expr::Name(n) => {
                Some(Target::Local(self.local(n.id.as_str(), span_of(n.range)), span_of(n.range)))
            }
            ast::Expr::Tuple(tu) => {
                let items: Option<Vec<_>> = tu.elts.iter().map(|e| self.target(e)).collect();
                Some(Target::Tuple(items?, span_of(tu.range)))
            }
            ast::Expr::List(l) => {
                let items: Option<Vec<_>> = l.elts.iter().map(|e| self.target(e)).collect();
                Some(Target::Tuple(items?, span_of(l.range)))
            }
            ast::Expr::Subscript(sub) => {
                let array = self.expr(&sub.value);
                let indices = self.indices(&sub.slice);
                Some(Target::Item(Box::new(array), indices, span_of(sub.range)))
            }
            ast::Expr::Attribute(a) => {
                let value = self.expr(&a.value);
                Some(Target::Attr(Box::new(value), a.attr.to_string(), span_of(a.range)))
            }
            other => {
                let (what, hint) = expr_construct(other);
                self.diags.push(unsupported(
                    other.range(),
                    &format!("assignments to {what}"),
                    hint,
                ));
                None
            }
        }
    }

    /// An expression that failed to lower: a placeholder so lowering can go on.
    fn error_expr(&mut self, span: Span) -> Expr {
        self.expr_node(span, ExprKind::Const(Const::Int(0)))
    }

    fn expr(&mut self, e: &ast::Expr) -> Expr {
        let span = span_of(e.range());
        let kind = match e {
            ast::Expr::Constant(c) => match literal(&c.value) {
                Some(k) => ExprKind::Const(k),
                None => {
                    let msg = match &c.value {
                        Constant::Int(_) => "this integer does not fit in 64 bits".to_string(),
                        Constant::Complex { .. } => {
                            "complex numbers are not supported yet".to_string()
                        }
                        _ => "bytes values are not supported yet".to_string(),
                    };
                    let code = if matches!(c.value, Constant::Int(_) | Constant::Complex { .. }) {
                        Code::NotYet
                    } else {
                        Code::Unsupported
                    };
                    self.diags.push(Diagnostic::error(code, span.clone(), msg).label("here")
                        .hint("pyaot compiles int64, float64, bool and str values; decode bytes to str in the Python caller"));
                    return self.error_expr(span);
                }
            },
            ast::Expr::Name(n) => return self.name(n.id.as_str(), span),
            ast::Expr::Tuple(t) => ExprKind::Tuple(t.elts.iter().map(|x| self.expr(x)).collect()),
            ast::Expr::UnaryOp(u) => {
                let op = match u.op {
                    ast::UnaryOp::USub => UnaryOp::Neg,
                    ast::UnaryOp::UAdd => UnaryOp::Pos,
                    ast::UnaryOp::Invert => UnaryOp::Invert,
                    ast::UnaryOp::Not => UnaryOp::Not,
                };
                // Fold `-<literal>` so that `x ** -1` sees a constant exponent.
                if let (UnaryOp::Neg, ast::Expr::Constant(c)) = (op, &*u.operand) {
                    match literal(&c.value) {
                        Some(Const::Int(i)) if i != i64::MIN => {
                            return self.expr_node(span, ExprKind::Const(Const::Int(-i)))
                        }
                        Some(Const::Float(f)) => {
                            return self.expr_node(span, ExprKind::Const(Const::Float(-f)))
                        }
                        _ => {}
                    }
                }
                ExprKind::Unary(op, Box::new(self.expr(&u.operand)))
            }
            ast::Expr::BinOp(b) => {
                // `a @ b` is `operator.matmul(a, b)`: Python's own operator for any operands;
                // of native arrays, numpy's matmul with a native result (types/numpy_calls.rs).
                if matches!(b.op, ast::Operator::MatMult) {
                    let path = PyPath { module: "operator".into(), attrs: vec!["matmul".into()] };
                    let f = self.expr_node(span.clone(), ExprKind::Global(path));
                    let args = vec![self.expr(&b.left), self.expr(&b.right)];
                    return self.expr_node(span, ExprKind::CallObject(Box::new(f), args, vec![]));
                }
                ExprKind::Binary(
                    binop(&b.op),
                    Box::new(self.expr(&b.left)),
                    Box::new(self.expr(&b.right)),
                )
            }
            ast::Expr::BoolOp(b) => {
                let kind =
                    if matches!(b.op, ast::BoolOp::And) { BoolOpKind::And } else { BoolOpKind::Or };
                ExprKind::BoolOp(kind, b.values.iter().map(|v| self.expr(v)).collect())
            }
            ast::Expr::Compare(c) => {
                let first = self.expr(&c.left);
                let mut rest = Vec::new();
                for (op, right) in c.ops.iter().zip(&c.comparators) {
                    let op = match op {
                        ast::CmpOp::Eq => CmpOp::Eq,
                        ast::CmpOp::NotEq => CmpOp::NotEq,
                        ast::CmpOp::Lt => CmpOp::Lt,
                        ast::CmpOp::LtE => CmpOp::LtE,
                        ast::CmpOp::Gt => CmpOp::Gt,
                        ast::CmpOp::GtE => CmpOp::GtE,
                        ast::CmpOp::In => CmpOp::In,
                        ast::CmpOp::NotIn => CmpOp::NotIn,
                        ast::CmpOp::Is => CmpOp::Is,
                        ast::CmpOp::IsNot => CmpOp::IsNot,
                    };
                    rest.push((op, self.expr(right)));
                }
                ExprKind::Compare(Box::new(first), rest)
            }
            ast::Expr::IfExp(i) => ExprKind::IfExp(
                Box::new(self.expr(&i.test)),
                Box::new(self.expr(&i.body)),
                Box::new(self.expr(&i.orelse)),
            ),
            ast::Expr::Call(c) => return self.call(c, span),
            ast::Expr::Attribute(a) => {
                if let ast::Expr::Name(m) = &*a.value {
                    if !self.local_ids.contains_key(m.id.as_str()) {
                        match self.globals.get(m.id.as_str()) {
                            Some(Global::MathModule) => {
                                if let Some(v) = math_constant(a.attr.as_str()) {
                                    return self.expr_node(span, ExprKind::Const(Const::Float(v)));
                                }
                                if let Some(d) =
                                    missing_module_attribute("math", &a.attr, span.clone())
                                {
                                    self.diags.push(d);
                                    return self.error_expr(span);
                                }
                                let path = PyPath {
                                    module: "math".into(),
                                    attrs: vec![a.attr.to_string()],
                                };
                                return self.expr_node(span, ExprKind::Global(path));
                            }
                            Some(Global::Foreign(path)) => {
                                if path.attrs.is_empty() {
                                    if let Some(d) = missing_module_attribute(
                                        &path.module,
                                        &a.attr,
                                        span.clone(),
                                    ) {
                                        self.diags.push(d);
                                        return self.error_expr(span);
                                    }
                                }
                                let mut path = path.clone();
                                path.attrs.push(a.attr.to_string());
                                return self.expr_node(span, ExprKind::Global(path));
                            }
                            Some(Global::NumpyModule) => {
                                // numpy's constants are Python floats: folded, as math's are.
                                if let Some(c) = numpy_constant(a.attr.as_str()) {
                                    return self.expr_node(span, ExprKind::Const(c));
                                }
                                let path = PyPath {
                                    module: "numpy".into(),
                                    attrs: vec![a.attr.to_string()],
                                };
                                return self.expr_node(span, ExprKind::Global(path));
                            }
                            _ => {}
                        }
                    }
                }
                let attr = match a.attr.as_str() {
                    "shape" => Some(ArrayAttr::Shape),
                    "ndim" => Some(ArrayAttr::Ndim),
                    "size" => Some(ArrayAttr::Size),
                    "T" => Some(ArrayAttr::T),
                    "real" => Some(ArrayAttr::Real),
                    "imag" => Some(ArrayAttr::Imag),
                    _ => None,
                };
                match attr {
                    Some(attr) => ExprKind::Attr(Box::new(self.expr(&a.value)), attr),
                    None => ExprKind::GetAttr(Box::new(self.expr(&a.value)), a.attr.to_string()),
                }
            }
            ast::Expr::Subscript(sub) => {
                let value = self.expr(&sub.value);
                let indices = self.indices(&sub.slice);
                ExprKind::Subscript(Box::new(value), indices)
            }
            ast::Expr::List(l) if !l.elts.iter().any(|x| matches!(x, ast::Expr::Starred(_))) => {
                ExprKind::List(l.elts.iter().map(|x| self.expr(x)).collect())
            }
            ast::Expr::Set(l) if !l.elts.iter().any(|x| matches!(x, ast::Expr::Starred(_))) => {
                ExprKind::Set(l.elts.iter().map(|x| self.expr(x)).collect())
            }
            ast::Expr::Dict(d) if d.keys.iter().all(|k| k.is_some()) => ExprKind::Dict(
                d.keys
                    .iter()
                    .zip(&d.values)
                    .map(|(k, v)| (self.expr(k.as_ref().unwrap()), self.expr(v)))
                    .collect(),
            ),
            ast::Expr::JoinedStr(j) => ExprKind::FString(self.fstring_parts(&j.values)),
            ast::Expr::Lambda(l) => return self.lambda(l, span),
            ast::Expr::ListComp(c) => {
                return self.comprehension(CompKind::List, c.range, &c.generators, &c.elt, None)
            }
            ast::Expr::GeneratorExp(g) if std::mem::replace(&mut self.genexp_ok, false) => {
                return self.comprehension(CompKind::List, g.range, &g.generators, &g.elt, None);
            }
            ast::Expr::SetComp(c) => {
                return self.comprehension(CompKind::Set, c.range, &c.generators, &c.elt, None)
            }
            ast::Expr::DictComp(c) => {
                return self.comprehension(
                    CompKind::Dict,
                    c.range,
                    &c.generators,
                    &c.key,
                    Some(&c.value),
                )
            }
            ast::Expr::FormattedValue(_) => {
                ExprKind::FString(self.fstring_parts(std::slice::from_ref(e)))
            }
            other => {
                let (what, hint) = expr_construct(other);
                self.diags.push(unsupported(other.range(), what, hint));
                return self.error_expr(span);
            }
        };
        self.expr_node(span, kind)
    }

    fn name(&mut self, name: &str, span: Span) -> Expr {
        if let Some(&id) = self.local_ids.get(name) {
            return self.expr_node(span, ExprKind::Local(id));
        }
        match self.globals.get(name) {
            Some(Global::Const(c)) => {
                let c = c.clone();
                self.expr_node(span, ExprKind::Const(c))
            }
            Some(Global::Foreign(path)) => {
                let path = path.clone();
                self.expr_node(span, ExprKind::Global(path))
            }
            // This module's own value: an empty module path names it.
            Some(Global::ModuleValue) => self.expr_node(
                span,
                ExprKind::Global(PyPath { module: String::new(), attrs: vec![name.to_string()] }),
            ),
            Some(Global::MathModule) => self
                .expr_node(span, ExprKind::Global(PyPath { module: "math".into(), attrs: vec![] })),
            Some(Global::NumpyModule) => self.expr_node(
                span,
                ExprKind::Global(PyPath { module: "numpy".into(), attrs: vec![] }),
            ),
            Some(Global::MathMember(m)) => {
                let path = PyPath { module: "math".into(), attrs: vec![m.clone()] };
                self.expr_node(span, ExprKind::Global(path))
            }
            Some(Global::NumpyMember(m)) => {
                let path = PyPath { module: "numpy".into(), attrs: vec![m.clone()] };
                self.expr_node(span, ExprKind::Global(path))
            }
            None if PYTHON_BUILTINS.contains(&name) => {
                self.expr_node(span, ExprKind::Global(PyPath::builtin(name)))
            }
            Some(Global::Unsupported(what)) => {
                let d = Diagnostic::error(
                    Code::Unsupported,
                    span.clone(),
                    format!("`{name}` is {what} of this module, which pyaot does not compile"),
                )
                .label("used here")
                .hint("keep it in a module of its own and import it: compiled code then uses it through Python");
                self.diags.push(d);
                self.error_expr(span)
            }
            // A Python callable of the function (object parameters), made once at import.
            Some(Global::Function(fid)) => self.expr_node(span, ExprKind::FunctionValue(*fid)),
            Some(Global::Prange) => {
                self.diags.push(
                    Diagnostic::error(
                        Code::Unsupported,
                        span.clone(),
                        format!("`{name}` is pyaot's parallel range; it is not a value"),
                    )
                    .label("used as a value")
                    .hint(format!("loop over it: `for i in {name}(n):`")),
                );
                self.error_expr(span)
            }
            None if self.enclosing.iter().any(|n| n == name) => {
                self.diags.push(Diagnostic::error(Code::NotYet, span.clone(), format!("this lambda reads `{name}`, a local variable of the function it is written in"))
                    .label("would need a closure").hint(format!("pass `{name}` as an argument of a module-level `def`, or make it a module-level value")));
                self.error_expr(span)
            }
            None => {
                let hint = match name {
                    "True" | "False" | "None" => "".to_string(),
                    _ => "assign it before use in this function, define it at module level as a constant, or import it at module level".to_string(),
                };
                self.diags.push(
                    Diagnostic::error(
                        Code::UnknownName,
                        span.clone(),
                        format!("unknown name `{name}`"),
                    )
                    .label("not a local, module constant or function")
                    .hint(hint),
                );
                self.error_expr(span)
            }
        }
    }

    fn call(&mut self, c: &ast::ExprCall, span: Span) -> Expr {
        // `super()` in a method: Python finds the class and the instance from the frame; here
        // they are written out, `super(Class, self)`.
        if let (Some((class, first)), ast::Expr::Name(n)) = (&self.method_of, &*c.func) {
            let plain = n.id.as_str() == "super"
                && c.args.is_empty()
                && c.keywords.is_empty()
                && !self.local_ids.contains_key("super")
                && !self.globals.contains_key("super");
            if plain {
                let (class, first) = (class.clone(), first.clone());
                let func = self.expr_node(span.clone(), ExprKind::Global(PyPath::builtin("super")));
                let cls = self.name(&class, span.clone());
                let inst = match self.local_ids.get(first.as_str()) {
                    Some(id) => self.expr_node(span.clone(), ExprKind::Local(*id)),
                    None => return self.error_expr(span),
                };
                return self.expr_node(
                    span,
                    ExprKind::CallObject(Box::new(func), vec![cls, inst], vec![]),
                );
            }
        }
        if let Some((all, g)) = self.search_call(c) {
            return self.search(all, g);
        }
        if let Some(u) = self.ufunc_call(c) {
            let func = self.expr(&c.func);
            let args = c.args.iter().map(|a| self.expr(a)).collect();
            return self.expr_node(span, ExprKind::Ufunc(u, Box::new(func), args));
        }
        if let Some((r, axis)) = self.reduction_call(c) {
            let array = self.expr(&c.args[0]);
            let func = self.expr(&c.func);
            let axis = axis.map(|(value, at)| self.axis(value, at));
            return self
                .expr_node(span, ExprKind::Reduce(r, Box::new(array), Some(Box::new(func)), axis));
        }
        enum Callee {
            User(FuncId),
            Builtin(Builtin),
            Numpy(NpFn),
            Object(Expr),
        }
        let callee = match &*c.func {
            ast::Expr::Name(n) if !self.local_ids.contains_key(n.id.as_str()) => {
                let name = n.id.as_str();
                let nspan = span_of(n.range);
                match self.globals.get(name) {
                    Some(Global::Function(f)) => Callee::User(*f),
                    Some(Global::MathMember(m)) => match MathFn::from_name(m) {
                        Some(f) => Callee::Builtin(Builtin::Math(f)),
                        None => Callee::Object(self.name(name, nspan)),
                    },
                    Some(Global::NumpyMember(m)) => match NpFn::from_name(m) {
                        Some(f) => Callee::Numpy(f),
                        None => Callee::Object(self.name(name, nspan)),
                    },
                    Some(Global::Foreign(_) | Global::ModuleValue) => {
                        Callee::Object(self.name(name, nspan))
                    }
                    // A class or async function of the module: `name` says so.
                    Some(Global::Unsupported(_)) => return self.name(name, nspan),
                    _ => match builtin(name) {
                        // Keywords (`max(a, key=f)`) go to Python's own builtin.
                        Some(b) if c.keywords.is_empty() => Callee::Builtin(b),
                        _ if PYTHON_BUILTINS.contains(&name) => {
                            Callee::Object(self.name(name, nspan))
                        }
                        _ => {
                            let (msg, hint) = if EXCEPTIONS.contains(&name) {
                                (format!("`{name}(...)` creates an exception object, which pyaot cannot hold"), format!("write `raise {name}(\"...\")`"))
                            } else {
                                (format!("unknown function `{name}`"), "call a function defined or imported in this module, or a builtin".to_string())
                            };
                            let code = if msg.starts_with("unknown") {
                                Code::UnknownName
                            } else {
                                Code::NotYet
                            };
                            self.diags.push(
                                Diagnostic::error(code, nspan, msg).label("called here").hint(hint),
                            );
                            return self.error_expr(span);
                        }
                    },
                }
            }
            ast::Expr::Attribute(a) => match &*a.value {
                ast::Expr::Name(m) if !self.local_ids.contains_key(m.id.as_str()) => {
                    match self.globals.get(m.id.as_str()) {
                        Some(Global::MathModule) => match MathFn::from_name(a.attr.as_str()) {
                            Some(f) => Callee::Builtin(Builtin::Math(f)),
                            None => Callee::Object(self.expr(&c.func)),
                        },
                        Some(Global::NumpyModule) => match NpFn::from_name(a.attr.as_str()) {
                            Some(f) => Callee::Numpy(f),
                            None => Callee::Object(self.expr(&c.func)),
                        },
                        Some(Global::Foreign(_)) => Callee::Object(self.expr(&c.func)),
                        _ => return self.method(a, c, span),
                    }
                }
                _ => return self.method(a, c, span),
            },
            other => Callee::Object(self.expr(other)),
        };
        for a in &c.args {
            if let ast::Expr::Starred(s) = a {
                self.diags.push(unsupported(
                    s.range,
                    "starred arguments",
                    "pass the arguments one by one",
                ));
                return self.error_expr(span);
            }
        }
        match callee {
            Callee::Object(f) => {
                let (args, kwargs) = self.object_args(c);
                self.expr_node(span, ExprKind::CallObject(Box::new(f), args, kwargs))
            }
            // A dtype known only when the code runs (a parameter, a value computed): numpy's own
            // function, called through Python with the arguments as given.
            Callee::Numpy(f) if self.runtime_dtype(f, c) => {
                let func = self.expr(&c.func);
                let (args, kwargs) = self.object_args(c);
                self.expr_node(span, ExprKind::CallObject(Box::new(func), args, kwargs))
            }
            Callee::Numpy(f) => self.numpy_call(f, c, span),
            Callee::Builtin(b) => {
                if let Some(k) = c.keywords.first() {
                    self.diags.push(
                        Diagnostic::error(
                            Code::BadCall,
                            span_of(k.range),
                            "builtin and `math` functions take positional arguments only in pyaot",
                        )
                        .label("keyword argument")
                        .hint("pass the argument by position"),
                    );
                    return self.error_expr(span);
                }
                self.genexp_ok = consumes_generator(c, self);
                let args = c.args.iter().map(|a| self.expr(a)).collect();
                self.genexp_ok = false;
                self.expr_node(span, ExprKind::Builtin(b, args))
            }
            Callee::User(fid) => {
                let def = self.defs[fid];
                let params: Vec<&ast::ArgWithDefault> = def
                    .args
                    .posonlyargs
                    .iter()
                    .chain(&def.args.args)
                    .chain(&def.args.kwonlyargs)
                    .collect();
                let n_positional = def.args.posonlyargs.len() + def.args.args.len();
                if def.args.vararg.is_some() || def.args.kwarg.is_some() {
                    let star = if def.args.vararg.is_some() { "*args" } else { "**kwargs" };
                    self.diags.push(
                        Diagnostic::error(Code::NotYet, span.clone(), format!("`{}` takes `{star}`, which pyaot does not compile yet", def.name))
                            .label("this call")
                            .also(span_of(def.range).start..span_of(def.range).start + 4 + def.name.len(), "defined here")
                            .hint("give the function one parameter per argument, or pass a tuple and index it inside"),
                    );
                    return self.error_expr(span);
                }
                let mut bound: Vec<Option<Expr>> = (0..params.len()).map(|_| None).collect();
                if c.args.len() > n_positional {
                    self.diags.push(
                        Diagnostic::error(
                            Code::BadCall,
                            span.clone(),
                            format!(
                                "`{}` takes {} positional argument{} but {} were given",
                                def.name,
                                n_positional,
                                plural(n_positional),
                                c.args.len()
                            ),
                        )
                        .label("this call")
                        .also(
                            span_of(def.range).start..span_of(def.range).start + 4 + def.name.len(),
                            "defined here",
                        )
                        .hint("pass as many arguments as the function has parameters"),
                    );
                    return self.error_expr(span);
                }
                for (i, a) in c.args.iter().enumerate() {
                    bound[i] = Some(self.expr(a));
                }
                for k in &c.keywords {
                    let Some(name) = &k.arg else {
                        self.diags.push(unsupported(
                            k.range,
                            "`**` arguments",
                            "pass the arguments by name one by one",
                        ));
                        return self.error_expr(span);
                    };
                    match params.iter().position(|p| p.def.arg.as_str() == name.as_str()) {
                        Some(i) if i >= def.args.posonlyargs.len() && bound[i].is_none() => {
                            bound[i] = Some(self.expr(&k.value))
                        }
                        Some(_) => {
                            self.diags.push(
                                Diagnostic::error(
                                    Code::BadCall,
                                    span_of(k.range),
                                    format!(
                                        "`{}` got multiple values for argument `{name}`",
                                        def.name
                                    ),
                                )
                                .label("given again here")
                                .hint("pass each argument once"),
                            );
                            return self.error_expr(span);
                        }
                        None => {
                            self.diags.push(
                                Diagnostic::error(
                                    Code::BadCall,
                                    span_of(k.range),
                                    format!("`{}` has no parameter named `{name}`", def.name),
                                )
                                .label("unknown keyword")
                                .hint(format!(
                                    "parameters of `{}`: {}",
                                    def.name,
                                    params
                                        .iter()
                                        .map(|p| p.def.arg.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )),
                            );
                            return self.error_expr(span);
                        }
                    }
                }
                let mut args = Vec::new();
                for (i, b) in bound.into_iter().enumerate() {
                    match b {
                        Some(e) => args.push(Arg::Given(e)),
                        None => match params[i]
                            .default
                            .as_ref()
                            .and_then(|d| fold_const(d, self.globals))
                        {
                            Some(c) => args.push(Arg::Default(c)),
                            // A default evaluated at import: its hidden module value.
                            None if params[i].default.is_some()
                                && matches!(
                                    self.globals
                                        .get(&default_global_name(&def.name, &params[i].def.arg)),
                                    Some(Global::ModuleValue)
                                ) =>
                            {
                                let hidden = default_global_name(&def.name, &params[i].def.arg);
                                let value = self.name(&hidden, span.clone());
                                args.push(Arg::Given(value));
                            }
                            None => {
                                self.diags.push(
                                    Diagnostic::error(
                                        Code::BadCall,
                                        span.clone(),
                                        format!(
                                            "`{}` is missing argument `{}`",
                                            def.name, params[i].def.arg
                                        ),
                                    )
                                    .label("in this call")
                                    .hint(format!("pass `{}`", params[i].def.arg)),
                                );
                                return self.error_expr(span);
                            }
                        },
                    }
                }
                self.expr_node(span, ExprKind::Call(fid, args))
            }
        }
    }

    fn indices(&mut self, slice: &ast::Expr) -> Vec<Index> {
        let items: Vec<&ast::Expr> = match slice {
            ast::Expr::Tuple(t) => t.elts.iter().collect(),
            other => vec![other],
        };
        items
            .into_iter()
            .map(|item| match item {
                ast::Expr::Slice(sl) => {
                    let mut part =
                        |e: &Option<Box<ast::Expr>>| e.as_ref().map(|x| Box::new(self.expr(x)));
                    let (lo, hi, step) = (part(&sl.lower), part(&sl.upper), part(&sl.step));
                    Index::Slice(lo, hi, step)
                }
                other => Index::At(self.expr(other)),
            })
            .collect()
    }

    /// `x.name(...)`: `.copy()` and `.conjugate()` of arrays and numbers, any method of a
    /// Python object.
    fn method(&mut self, a: &ast::ExprAttribute, c: &ast::ExprCall, span: Span) -> Expr {
        if a.attr.as_str() == "copy" && c.args.is_empty() && c.keywords.is_empty() {
            let value = self.expr(&a.value);
            return self.expr_node(span, ExprKind::Copy(Box::new(value)));
        }
        if let Some(r) = Reduction::from_name(a.attr.as_str(), true) {
            if let Some(axis) = reduction_axis(&c.args, &c.keywords, 0) {
                let value = self.expr(&a.value);
                let axis = axis.map(|(k, at)| self.axis(k, at));
                return self.expr_node(span, ExprKind::Reduce(r, Box::new(value), None, axis));
            }
        }
        if a.attr.as_str() == "astype" && c.args.len() == 1 && c.keywords.is_empty() {
            if let Some(dtype) = self.known_dtype(&c.args[0]) {
                let value = self.expr(&a.value);
                let written = self.expr(&c.args[0]);
                return self
                    .expr_node(span, ExprKind::AsType(Box::new(value), dtype, Box::new(written)));
            }
        }
        if a.attr.as_str() == "conjugate" && c.args.is_empty() && c.keywords.is_empty() {
            let value = self.expr(&a.value);
            return self.expr_node(span, ExprKind::Builtin(Builtin::Conjugate, vec![value]));
        }
        let value = self.expr(&a.value);
        let (args, kwargs) = self.object_args(c);
        self.expr_node(
            span,
            ExprKind::CallMethod(Box::new(value), a.attr.to_string(), args, kwargs),
        )
    }

    /// The arguments of a call of a Python object: positional, then keywords by name.
    fn object_args(&mut self, c: &ast::ExprCall) -> (Vec<Expr>, Vec<(String, Expr)>) {
        self.genexp_ok = consumes_generator(c, self);
        let args = c.args.iter().map(|a| self.expr(a)).collect();
        self.genexp_ok = false;
        let mut kwargs = Vec::new();
        for k in &c.keywords {
            match &k.arg {
                Some(name) => kwargs.push((name.to_string(), self.expr(&k.value))),
                None => self.diags.push(unsupported(
                    k.range,
                    "`**` arguments",
                    "pass the arguments by name one by one",
                )),
            }
        }
        (args, kwargs)
    }

    /// A comprehension, lowered as the loops it stands for: the first iterable is evaluated
    /// outside (in the function's scope), the loop variables are hidden locals of their own
    /// (they do not leak, as in Python 3), and each item is appended to the result.
    fn comprehension(
        &mut self,
        kind: CompKind,
        range: rustpython_parser::text_size::TextRange,
        generators: &[ast::Comprehension],
        elt: &ast::Expr,
        value: Option<&ast::Expr>,
    ) -> Expr {
        let span = span_of(range);
        if generators.iter().any(|g| g.is_async) {
            self.diags.push(unsupported(
                range,
                "async comprehensions",
                "write the loop out with `for`",
            ));
            return self.error_expr(span);
        }
        let base = format!("$comp{}", span.start);
        let result = self.local(&base, span.clone());
        let (first_iter_name, first_iter_local, first_iter, shadowed) =
            self.comprehension_locals(&base, generators, &span);
        let name = |id: &str| {
            ast::Expr::Name(ast::ExprName {
                range,
                id: ast::Identifier::new(id),
                ctx: ast::ExprContext::Load,
            })
        };
        let method = |m: &str, args: Vec<ast::Expr>| {
            ast::Stmt::Expr(ast::StmtExpr {
                range,
                value: Box::new(ast::Expr::Call(ast::ExprCall {
                    range,
                    func: Box::new(ast::Expr::Attribute(ast::ExprAttribute {
                        range,
                        value: Box::new(name(&base)),
                        attr: ast::Identifier::new(m),
                        ctx: ast::ExprContext::Load,
                    })),
                    args,
                    keywords: vec![],
                })),
            })
        };
        let mut body = vec![match (kind, value) {
            (CompKind::Dict, Some(v)) => ast::Stmt::Assign(ast::StmtAssign {
                range,
                targets: vec![ast::Expr::Subscript(ast::ExprSubscript {
                    range,
                    value: Box::new(name(&base)),
                    slice: Box::new(elt.clone()),
                    ctx: ast::ExprContext::Store,
                })],
                value: Box::new(v.clone()),
                type_comment: None,
            }),
            (CompKind::Set, _) => method("add", vec![elt.clone()]),
            _ => method("append", vec![elt.clone()]),
        }];
        for (i, g) in generators.iter().enumerate().rev() {
            for cond in g.ifs.iter().rev() {
                body = vec![ast::Stmt::If(ast::StmtIf {
                    range,
                    test: Box::new(cond.clone()),
                    body,
                    orelse: vec![],
                })];
            }
            let iter = if i == 0 { name(&first_iter_name) } else { g.iter.clone() };
            body = vec![ast::Stmt::For(ast::StmtFor {
                range,
                target: Box::new(g.target.clone()),
                iter: Box::new(iter),
                body,
                orelse: vec![],
                type_comment: None,
            })];
        }
        self.finish_comprehension(
            span,
            kind,
            result,
            (first_iter_local, first_iter),
            &body,
            shadowed,
        )
    }

    /// The hidden locals of a comprehension or a searching generator named `base`: the first
    /// iterable's (evaluated outside the loops, as Python does: its name, local and value) and
    /// the loop variables', visible under their own names only inside (the names they hid).
    #[allow(clippy::type_complexity)]
    fn comprehension_locals(
        &mut self,
        base: &str,
        generators: &[ast::Comprehension],
        span: &Span,
    ) -> (String, LocalId, Expr, Vec<(String, Option<LocalId>)>) {
        let first_iter_name = format!("{base}.iter");
        let first_iter_local = self.local(&first_iter_name, span.clone());
        let first_iter = self.expr(&generators[0].iter);
        let mut shadowed = Vec::new();
        for g in generators {
            let mut names = Vec::new();
            collect_target_names(&g.target, &mut names);
            for name in names {
                let hidden = self.local(&format!("{base}.{name}"), span.clone());
                shadowed.push((name.clone(), self.local_ids.insert(name, hidden)));
            }
        }
        (first_iter_name, first_iter_local, first_iter, shadowed)
    }

    /// The comprehension's statements (the first iterable stored, then the loops in `body`),
    /// the loop variables' names given back, and the expression giving `result`.
    fn finish_comprehension(
        &mut self,
        span: Span,
        kind: CompKind,
        result: LocalId,
        (first_iter_local, first_iter): (LocalId, Expr),
        body: &[ast::Stmt],
        shadowed: Vec<(String, Option<LocalId>)>,
    ) -> Expr {
        let mut stmts = vec![self.stmt_node(
            span.clone(),
            StmtKind::Assign {
                target: Target::Local(first_iter_local, span.clone()),
                value: first_iter,
            },
        )];
        stmts.extend(self.block(body));
        for (name, previous) in shadowed.into_iter().rev() {
            match previous {
                Some(id) => self.local_ids.insert(name, id),
                None => self.local_ids.remove(&name),
            };
        }
        self.expr_node(span, ExprKind::Comprehension(kind, result, stmts))
    }

    /// `np.sum(x)` (`np.max`, `np.amin`, `np.mean`, `np.any`, …) of one array, no keywords.
    fn reduction_call(&self, c: &ast::ExprCall) -> Option<(Reduction, Option<(i64, Span)>)> {
        let name = self.numpy_function_name(c)?;
        let r = Reduction::from_name(&name, false)?;
        if c.args.is_empty() || matches!(c.args[0], ast::Expr::Starred(_)) {
            return None;
        }
        Some((r, reduction_axis(&c.args, &c.keywords, 1)?))
    }

    /// The constant `axis` of a reduction as an expression.
    fn axis(&mut self, value: i64, at: Span) -> Axis {
        Axis { value, expr: Box::new(self.expr_node(at, ExprKind::Const(Const::Int(value)))) }
    }

    /// The name of the numpy function `c` calls (`np.f(...)`, or `f(...)` imported from numpy).
    fn numpy_function_name(&self, c: &ast::ExprCall) -> Option<String> {
        match &*c.func {
            ast::Expr::Name(n) if !self.local_ids.contains_key(n.id.as_str()) => {
                match self.globals.get(n.id.as_str()) {
                    Some(Global::NumpyMember(m)) => Some(m.clone()),
                    _ => None,
                }
            }
            ast::Expr::Attribute(a) => match &*a.value {
                ast::Expr::Name(m)
                    if !self.local_ids.contains_key(m.id.as_str())
                        && matches!(self.globals.get(m.id.as_str()), Some(Global::NumpyModule)) =>
                {
                    Some(a.attr.to_string())
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// `np.sqrt(x)` (or `sqrt(x)` imported from numpy) with its positional arguments only.
    fn ufunc_call(&self, c: &ast::ExprCall) -> Option<Ufunc> {
        let name = match &*c.func {
            ast::Expr::Name(n) if !self.local_ids.contains_key(n.id.as_str()) => {
                match self.globals.get(n.id.as_str()) {
                    Some(Global::NumpyMember(m)) => m.as_str(),
                    _ => return None,
                }
            }
            ast::Expr::Attribute(a) => match &*a.value {
                ast::Expr::Name(m)
                    if !self.local_ids.contains_key(m.id.as_str())
                        && matches!(self.globals.get(m.id.as_str()), Some(Global::NumpyModule)) =>
                {
                    a.attr.as_str()
                }
                _ => return None,
            },
            _ => return None,
        };
        let u = Ufunc::from_name(name)?;
        let plain =
            c.keywords.is_empty() && !c.args.iter().any(|a| matches!(a, ast::Expr::Starred(_)));
        (plain && c.args.len() == u.arity()).then_some(u)
    }

    /// `any(<generator>)` or `all(<generator>)` of Python's own builtins: (whether `all`, the
    /// generator).
    fn search_call<'c>(&self, c: &'c ast::ExprCall) -> Option<(bool, &'c ast::ExprGeneratorExp)> {
        let ast::Expr::Name(n) = &*c.func else { return None };
        let all = match n.id.as_str() {
            "any" => false,
            "all" => true,
            _ => return None,
        };
        let shadowed =
            self.local_ids.contains_key(n.id.as_str()) || self.globals.contains_key(n.id.as_str());
        match c.args.as_slice() {
            [ast::Expr::GeneratorExp(g)] if c.keywords.is_empty() && !shadowed => Some((all, g)),
            _ => None,
        }
    }

    /// `any(elt for ... if ...)` (`all`): a search that stops at the first item that decides,
    /// as Python's lazy generator does (what comes after it is never evaluated):
    ///
    /// ```text
    /// found = False                # all: True
    /// for t1 in it1:
    ///     if c1:
    ///         for t2 in it2:
    ///             if elt:          # all: if not elt
    ///                 found = True # all: False
    ///                 break
    ///         if found: break      # all: if not found
    /// ```
    ///
    /// The loop variables are hidden locals, as in a comprehension; the value is `found`.
    fn search(&mut self, all: bool, g: &ast::ExprGeneratorExp) -> Expr {
        let range = g.range;
        let span = span_of(range);
        if g.generators.iter().any(|c| c.is_async) {
            self.diags.push(unsupported(
                range,
                "async generators",
                "write the loop out with `for`",
            ));
            return self.error_expr(span);
        }
        let base = format!("$search{}", span.start);
        let found = self.local(&base, span.clone());
        let (first_iter_name, first_iter_local, first_iter, shadowed) =
            self.comprehension_locals(&base, &g.generators, &span);
        let name = |id: &str| {
            ast::Expr::Name(ast::ExprName {
                range,
                id: ast::Identifier::new(id),
                ctx: ast::ExprContext::Load,
            })
        };
        let not = |e: ast::Expr| {
            ast::Expr::UnaryOp(ast::ExprUnaryOp {
                range,
                op: ast::UnaryOp::Not,
                operand: Box::new(e),
            })
        };
        let set_found = |value: bool| {
            ast::Stmt::Assign(ast::StmtAssign {
                range,
                targets: vec![ast::Expr::Name(ast::ExprName {
                    range,
                    id: ast::Identifier::new(base.as_str()),
                    ctx: ast::ExprContext::Store,
                })],
                value: Box::new(ast::Expr::Constant(ast::ExprConstant {
                    range,
                    value: ast::Constant::Bool(value),
                    kind: None,
                })),
                type_comment: None,
            })
        };
        let brk = ast::Stmt::Break(ast::StmtBreak { range });
        let if_then = |test: ast::Expr, body: Vec<ast::Stmt>| {
            ast::Stmt::If(ast::StmtIf { range, test: Box::new(test), body, orelse: vec![] })
        };
        // Decided: `found` is no longer its starting value.
        let decided = || if all { not(name(&base)) } else { name(&base) };
        let elt = *g.elt.clone();
        let mut body =
            vec![if_then(if all { not(elt) } else { elt }, vec![set_found(!all), brk.clone()])];
        for (i, c) in g.generators.iter().enumerate().rev() {
            for cond in c.ifs.iter().rev() {
                body = vec![if_then(cond.clone(), body)];
            }
            let iter = if i == 0 { name(&first_iter_name) } else { c.iter.clone() };
            let lp = ast::Stmt::For(ast::StmtFor {
                range,
                target: Box::new(c.target.clone()),
                iter: Box::new(iter),
                body,
                orelse: vec![],
                type_comment: None,
            });
            // An inner loop that decided ends the loops around it too.
            body = if i > 0 { vec![lp, if_then(decided(), vec![brk.clone()])] } else { vec![lp] };
        }
        body.insert(0, set_found(all));
        let first = (first_iter_local, first_iter);
        self.finish_comprehension(span, CompKind::Search, found, first, &body, shadowed)
    }

    /// `lambda params: body` as a function of its own (lowered later). It may read its
    /// parameters, module values, imports and builtins; reading a local of the enclosing
    /// function would need a closure, which is refused with a hint.
    /// `class C(B): ...` in `<module>`: its bases and class attributes are evaluated here; each
    /// method is a function of its own, lowered after the module's (as lambdas are) and typed
    /// with object parameters.
    fn class(&mut self, c: &ast::StmtClassDef) -> Expr {
        let span = span_of(c.range);
        let name = c.name.to_string();
        let bases = c.bases.iter().map(|b| self.expr(b)).collect();
        let keywords = c
            .keywords
            .iter()
            .filter_map(|k| k.arg.as_ref().map(|n| (n.to_string(), self.expr(&k.value))))
            .collect();
        let mut doc = None;
        let mut attrs = Vec::new();
        let mut methods = Vec::new();
        let mut annotations = Vec::new();
        for (i, stmt) in c.body.iter().enumerate() {
            match stmt {
                ast::Stmt::Expr(e) if i == 0 => match &*e.value {
                    ast::Expr::Constant(ast::ExprConstant {
                        value: Constant::Str(text), ..
                    }) => doc = Some(text.clone()),
                    other => self.diags.push(unsupported(
                        other.range(),
                        "expressions in a class body",
                        "define methods with `def` and class attributes with `name = value`",
                    )),
                },
                ast::Stmt::Pass(_) => {}
                ast::Stmt::Assign(a) if matches!(a.targets.as_slice(), [ast::Expr::Name(_)]) => {
                    let ast::Expr::Name(n) = &a.targets[0] else { unreachable!() };
                    let value = self.expr(&a.value);
                    attrs.push((n.id.to_string(), value));
                }
                ast::Stmt::AnnAssign(a) if matches!(&*a.target, ast::Expr::Name(_)) => {
                    let ast::Expr::Name(n) = &*a.target else { unreachable!() };
                    let annotation = self.expr(&a.annotation);
                    annotations.push((n.id.to_string(), annotation));
                    if let Some(v) = &a.value {
                        let value = self.expr(v);
                        attrs.push((n.id.to_string(), value));
                    }
                }
                ast::Stmt::FunctionDef(f) => {
                    if let Some(m) = self.class_method(&name, f, &methods) {
                        methods.push(m);
                    }
                }
                other => self.diags.push(unsupported(
                    other.range(),
                    &format!("{}s in a class body", stmt_construct(other)),
                    "define methods with `def` and class attributes with `name = value`",
                )),
            }
        }
        let class = ClassDef { name, bases, doc, attrs, methods, keywords, annotations };
        let mut value = self.expr_node(span.clone(), ExprKind::MakeClass(Box::new(class)));
        // Class decorators (`@dataclass`) apply to the made class, innermost first.
        for d in c.decorator_list.iter().rev() {
            let deco = self.expr(d);
            value = self
                .expr_node(span.clone(), ExprKind::CallObject(Box::new(deco), vec![value], vec![]));
        }
        value
    }

    /// A method of `class`: how it binds (its decorator), and its function, queued.
    fn class_method(
        &mut self,
        class: &str,
        f: &ast::StmtFunctionDef,
        earlier: &[Method],
    ) -> Option<Method> {
        // The innermost decorator may say how the method binds; the others apply to the result
        // when the class is made, innermost first (`@x.setter` to the property `x` made above).
        let mut listed: Vec<&ast::Expr> = f.decorator_list.iter().collect();
        let kind = match listed.last() {
            Some(ast::Expr::Name(d)) if d.id.as_str() == "staticmethod" => MethodKind::Static,
            Some(ast::Expr::Name(d)) if d.id.as_str() == "classmethod" => MethodKind::Class,
            Some(ast::Expr::Name(d)) if d.id.as_str() == "property" => MethodKind::Property,
            _ => MethodKind::Instance,
        };
        if kind != MethodKind::Instance {
            listed.pop();
        }
        let mut decorators = Vec::new();
        for d in listed.into_iter().rev() {
            let target = match d {
                ast::Expr::Call(c) => &*c.func,
                other => other,
            };
            let last = match target {
                ast::Expr::Name(n) => n.id.as_str(),
                ast::Expr::Attribute(a) => a.attr.as_str(),
                _ => "",
            };
            if last == "abstractmethod" {
                self.diags.push(unsupported(
                    d.range(),
                    "`@abstractmethod` on compiled methods",
                    "raise NotImplementedError in the base class's method instead",
                ));
                return None;
            }
            match d {
                ast::Expr::Attribute(a)
                    if matches!(a.attr.as_str(), "setter" | "getter" | "deleter")
                        && matches!(&*a.value, ast::Expr::Name(p)
                            if earlier.iter().any(|m| m.name == p.id.as_str())) =>
                {
                    let ast::Expr::Name(p) = &*a.value else { unreachable!() };
                    decorators
                        .push(MethodDecorator::Accessor(p.id.to_string(), a.attr.to_string()));
                }
                other => decorators.push(MethodDecorator::Call(self.expr(other))),
            }
        }
        let first =
            f.args.posonlyargs.iter().chain(&f.args.args).next().map(|a| a.def.arg.to_string());
        if kind != MethodKind::Static && first.is_none() {
            self.diags.push(
                Diagnostic::error(
                    Code::NotYet,
                    span_of(f.range),
                    format!("method `{}` has no parameter for the instance", f.name),
                )
                .label("called on an instance, it gets one argument")
                .hint("add `self` as its first parameter, or make it `@staticmethod`"),
            );
            return None;
        }
        let mut def = f.clone();
        def.decorator_list.clear();
        def.name = ast::Identifier::new(format!("{class}.{}", f.name));
        let method_of =
            first.filter(|_| kind != MethodKind::Static).map(|p| (class.to_string(), p));
        let id = {
            let mut queue = self.lambdas.borrow_mut();
            queue.push((def, Vec::new(), method_of));
            self.first_lambda + queue.len() - 1
        };
        let func = self.expr_node(span_of(f.range), ExprKind::Lambda(id, Vec::new()));
        Some(Method { name: f.name.to_string(), kind, func, decorators })
    }

    /// `def g(...)` inside a function: a function of its own (lowered after the module's, as
    /// lambdas are) whose first parameters take the enclosing locals it reads, evaluated here;
    /// the value is a Python callable (arguments by position or name, constant defaults).
    fn nested_def(&mut self, f: &ast::StmtFunctionDef, span: Span) -> Option<Expr> {
        if let Some(d) = f.decorator_list.first() {
            self.diags.push(unsupported(
                d.range(),
                "decorators on nested functions",
                "apply the decorator where the function is called, or define it at module level",
            ));
            return None;
        }
        let args = &f.args;
        let params: Vec<String> = args
            .posonlyargs
            .iter()
            .chain(&args.args)
            .chain(&args.kwonlyargs)
            .map(|a| a.def.arg.to_string())
            .collect();
        let mut names = NameUses::default();
        for s in &f.body {
            rustpython_ast::Visitor::visit_stmt(&mut names, s.clone());
        }
        let mut own = Vec::new();
        collect_bound_names(&f.body, &mut |n, _| own.push(n.to_string()));
        let mut nonlocal = None;
        find_nonlocal(&f.body, &mut nonlocal);
        if let Some(at) = nonlocal {
            self.diags.push(unsupported(
                at,
                "`nonlocal` statements",
                "return the new value and assign it in the enclosing function",
            ));
            return None;
        }
        let mut captured: Vec<String> = Vec::new();
        for (name, at) in &names.loads {
            if params.contains(name)
                || own.contains(name)
                || !self.local_ids.contains_key(name.as_str())
                || captured.contains(name)
            {
                continue;
            }
            if name.as_str() == f.name.as_str() {
                self.diags.push(Diagnostic::error(Code::NotYet, at.clone(), format!("the nested function `{name}` calls itself"))
                    .label("a recursive closure")
                    .hint("define it at module level (passing what it reads from the enclosing function as arguments)"));
                return None;
            }
            let sites = self.bindings.get(name).cloned().unwrap_or_default();
            if !(sites.len() == 1 && !sites[0].1 && sites[0].0 < span.start) {
                self.diags.push(Diagnostic::error(Code::NotYet, at.clone(), format!("the nested function `{}` reads `{name}`, which is assigned more than once, in a loop, or after it", f.name))
                    .label("a closure over a changing variable")
                    .hint(format!("assign `{name}` once before the `def`, or pass it as an argument")));
                return None;
            }
            captured.push(name.clone());
        }
        let captures: Vec<Expr> = captured
            .iter()
            .map(|n| {
                let id = self.local_ids[n.as_str()];
                self.expr_node(span.clone(), ExprKind::Local(id))
            })
            .collect();
        let mut def = f.clone();
        let capture_params: Vec<ast::ArgWithDefault> = captured
            .iter()
            .map(|n| ast::ArgWithDefault {
                range: f.range.into(),
                def: ast::Arg {
                    range: f.range,
                    arg: ast::Identifier::new(n.clone()),
                    annotation: None,
                    type_comment: None,
                },
                default: None,
            })
            .collect();
        let mut new_args = (*f.args).clone();
        // Captured values come first, positional-only (callers cannot name them).
        new_args.posonlyargs = capture_params.into_iter().chain(new_args.posonlyargs).collect();
        def.args = Box::new(new_args);
        let enclosing: Vec<String> =
            self.local_ids.keys().filter(|n| !n.starts_with('$')).cloned().collect();
        let id = {
            let mut queue = self.lambdas.borrow_mut();
            queue.push((def, enclosing, None));
            self.first_lambda + queue.len() - 1
        };
        Some(self.expr_node(span, ExprKind::Closure(id, captures)))
    }

    fn lambda(&mut self, l: &ast::ExprLambda, span: Span) -> Expr {
        let args = &l.args;
        if args.vararg.is_some()
            || args.kwarg.is_some()
            || args
                .posonlyargs
                .iter()
                .chain(&args.args)
                .chain(&args.kwonlyargs)
                .any(|a| a.default.is_some())
        {
            self.diags.push(unsupported(
                l.range,
                "lambdas with defaults or `*args`",
                "write a module-level `def` and pass it",
            ));
            return self.error_expr(span);
        }
        // The enclosing locals the body reads become leading parameters, passed by value.
        let params: Vec<String> = args
            .posonlyargs
            .iter()
            .chain(&args.args)
            .chain(&args.kwonlyargs)
            .map(|a| a.def.arg.to_string())
            .collect();
        let mut names = NameUses::default();
        rustpython_ast::Visitor::visit_expr(&mut names, (*l.body).clone());
        let mut captured: Vec<String> = Vec::new();
        for (name, at) in &names.loads {
            if params.contains(name)
                || names.stores.contains(name)
                || !self.local_ids.contains_key(name.as_str())
                || captured.contains(name)
            {
                continue;
            }
            let sites = self.bindings.get(name).cloned().unwrap_or_default();
            if !(sites.len() == 1 && !sites[0].1 && sites[0].0 < span.start) {
                self.diags.push(Diagnostic::error(Code::NotYet, at.clone(), format!("this lambda reads `{name}`, which is assigned more than once, in a loop, or after the lambda"))
                    .label("a closure over a changing variable")
                    .hint(format!("assign `{name}` once before the lambda, or pass it as an argument")));
                return self.error_expr(span);
            }
            captured.push(name.clone());
        }
        let captures: Vec<Expr> = captured
            .iter()
            .map(|n| {
                let id = self.local_ids[n.as_str()];
                self.expr_node(span.clone(), ExprKind::Local(id))
            })
            .collect();
        let mut lambda_args = (*l.args).clone();
        let capture_params: Vec<ast::ArgWithDefault> = captured
            .iter()
            .map(|n| ast::ArgWithDefault {
                range: l.range.into(),
                def: ast::Arg {
                    range: l.range,
                    arg: ast::Identifier::new(n.clone()),
                    annotation: None,
                    type_comment: None,
                },
                default: None,
            })
            .collect();
        lambda_args.args = capture_params.into_iter().chain(lambda_args.args).collect();
        let enclosing: Vec<String> =
            self.local_ids.keys().filter(|n| !n.starts_with('$')).cloned().collect();
        let def = ast::StmtFunctionDef {
            range: l.range,
            name: ast::Identifier::new("<lambda>"),
            args: Box::new(lambda_args),
            body: vec![ast::Stmt::Return(ast::StmtReturn {
                range: l.range,
                value: Some(l.body.clone()),
            })],
            decorator_list: vec![],
            returns: None,
            type_comment: None,
            type_params: vec![],
        };
        let id = {
            let mut lambdas = self.lambdas.borrow_mut();
            lambdas.push((def, enclosing, None));
            self.first_lambda + lambdas.len() - 1
        };
        self.expr_node(span, ExprKind::Lambda(id, captures))
    }

    /// The pieces of an f-string.
    fn fstring_parts(&mut self, values: &[ast::Expr]) -> Vec<FPart> {
        let mut parts = Vec::new();
        for v in values {
            match v {
                ast::Expr::Constant(ast::ExprConstant { value: Constant::Str(text), .. }) => {
                    parts.push(FPart::Text(text.clone()))
                }
                ast::Expr::FormattedValue(f) => {
                    let value = Box::new(self.expr(&f.value));
                    let conversion = f.conversion.to_byte().map(|b| b as char);
                    let spec = f.format_spec.as_ref().map(|s| Box::new(self.expr(s)));
                    parts.push(FPart::Value(value, conversion, spec));
                }
                other => {
                    let value = Box::new(self.expr(other));
                    parts.push(FPart::Value(value, None, None));
                }
            }
        }
        parts
    }

    /// A dtype pyaot reads (as `dtype`), or None without a diagnostic: `astype`'s argument,
    /// numpy's to interpret where pyaot cannot.
    fn known_dtype(&mut self, e: &ast::Expr) -> Option<Dtype> {
        let errors = self.diags.len();
        let d = self.dtype(e);
        if self.diags.len() > errors {
            self.diags.truncate(errors);
            return None;
        }
        d
    }

    /// A dtype as written: `np.float64`, `float64` imported from numpy, `'float32'`, `float`, `int`, `bool`.
    fn dtype(&mut self, e: &ast::Expr) -> Option<Dtype> {
        // `x.dtype` of anything but the numpy module: the dtype of that array (types.rs).
        if let ast::Expr::Attribute(a) = e {
            let numpy = matches!(&*a.value, ast::Expr::Name(m)
                if matches!(self.globals.get(m.id.as_str()), Some(Global::NumpyModule)));
            if a.attr.as_str() == "dtype" && !numpy {
                return Some(Dtype::Of(Box::new(self.expr(&a.value))));
            }
        }
        let name = match e {
            ast::Expr::Constant(ast::ExprConstant { value: Constant::Str(s), .. }) => s.clone(),
            ast::Expr::Name(n) => match self.globals.get(n.id.as_str()) {
                Some(Global::NumpyMember(m)) => m.clone(),
                None if matches!(n.id.as_str(), "float" | "int" | "bool" | "complex") => {
                    n.id.to_string()
                }
                _ => String::new(),
            },
            ast::Expr::Attribute(a) => match &*a.value {
                ast::Expr::Name(m)
                    if matches!(self.globals.get(m.id.as_str()), Some(Global::NumpyModule)) =>
                {
                    a.attr.to_string()
                }
                _ => String::new(),
            },
            _ => String::new(),
        };
        let name = match name.as_str() {
            "float_" | "double" => "float64",
            "int_" | "intp" => "int64",
            "bool_" => "bool",
            "uint" => "uint64",
            other => other,
        };
        match Scalar::from_name(name) {
            Some(s) => Some(Dtype::Named(s)),
            _ => {
                self.diags.push(Diagnostic::error(Code::NotYet, span_of(e.range()), "unsupported dtype")
                    .label("not a dtype pyaot knows")
                    .hint("write a numpy dtype such as `np.float64`, `np.int32`, `'float32'`, `float`, `int` or `bool`"));
                None
            }
        }
    }

    /// Whether an array creator's `dtype` (by keyword, or by position after the others) is a
    /// value only the running code knows: not a dtype name, `np.<dtype>`, or an array's `.dtype`.
    fn runtime_dtype(&self, f: NpFn, c: &ast::ExprCall) -> bool {
        let (_, most) = f.arity();
        let keyword = c.keywords.iter().find(|k| k.arg.as_deref() == Some("dtype"));
        let given = match keyword {
            Some(k) => &k.value,
            None if f != NpFn::Arange && c.args.len() == most + 1 => &c.args[most],
            None => return false,
        };
        let numpy = |e: &ast::Expr| {
            matches!(e, ast::Expr::Name(m)
                if matches!(self.globals.get(m.id.as_str()), Some(Global::NumpyModule)))
        };
        // Names the compiler reads itself (a misspelled one is an error there, not here).
        let static_dtype = match given {
            ast::Expr::Constant(_) => true,
            ast::Expr::Name(n) if self.local_ids.contains_key(n.id.as_str()) => false,
            ast::Expr::Name(n) => !matches!(
                self.globals.get(n.id.as_str()),
                Some(Global::Foreign(_) | Global::ModuleValue)
            ),
            ast::Expr::Attribute(a) => numpy(&a.value) || a.attr.as_str() == "dtype",
            _ => false,
        };
        !static_dtype
    }

    fn numpy_call(&mut self, f: NpFn, c: &ast::ExprCall, span: Span) -> Expr {
        let (required, most) = f.arity();
        let mut positional: Vec<&ast::Expr> = c.args.iter().collect();
        let mut dtype_expr = None;
        let (mut shape_kw, mut fill_kw) = (None, None);
        // numpy also takes the dtype positionally right after the other arguments (not for arange).
        if f != NpFn::Arange && positional.len() == most + 1 {
            dtype_expr = positional.pop();
        }
        for k in &c.keywords {
            match k.arg.as_ref().map(|a| a.as_str()) {
                Some("dtype") => dtype_expr = Some(&k.value),
                // numpy's names for the leading arguments, put in their places below.
                Some("shape" | "a" | "prototype") if shape_kw.is_none() => {
                    shape_kw = Some(&k.value)
                }
                Some("fill_value") if matches!(f, NpFn::Full | NpFn::FullLike) => {
                    fill_kw = Some(&k.value)
                }
                other => {
                    self.diags.push(
                        Diagnostic::error(
                            Code::BadCall,
                            span_of(k.range),
                            format!(
                                "`np.{}` keyword `{}` is not supported",
                                f.name(),
                                other.unwrap_or("**")
                            ),
                        )
                        .label("here")
                        .hint(
                            "pass the shape (and fill value) by position and the type as `dtype=`",
                        ),
                    );
                    return self.error_expr(span);
                }
            }
        }
        if let Some(shape) = shape_kw {
            positional.insert(0, shape);
        }
        positional.extend(fill_kw);
        if positional.len() < required || positional.len() > most {
            self.diags.push(
                Diagnostic::error(
                    Code::BadCall,
                    span.clone(),
                    format!(
                        "`np.{}` takes {} positional argument(s) here, {} given",
                        f.name(),
                        if required == most {
                            required.to_string()
                        } else {
                            format!("{required} to {most}")
                        },
                        positional.len()
                    ),
                )
                .label("this call")
                .hint("write e.g. `np.zeros((n, m), dtype=np.float64)`"),
            );
            return self.error_expr(span);
        }
        let dtype = match dtype_expr {
            Some(d) => match self.dtype(d) {
                Some(s) => s,
                None => return self.error_expr(span),
            },
            None => Dtype::Default,
        };
        let args = positional.into_iter().map(|a| self.expr(a)).collect();
        self.expr_node(span, ExprKind::NpCreate(f, args, dtype))
    }
}

/// A constant as Python would print it, for the text signature in the docstring.
fn const_text(c: &Const) -> String {
    fn show(c: &Const) -> String {
        match c {
            Const::Int(i) => i.to_string(),
            Const::Float(f) if f.is_nan() => "nan".into(),
            Const::Float(f) if f.is_infinite() => {
                if *f > 0.0 {
                    "inf".into()
                } else {
                    "-inf".into()
                }
            }
            Const::Float(f) => format!("{f:?}"),
            Const::Bool(b) => {
                if *b {
                    "True".into()
                } else {
                    "False".into()
                }
            }
            Const::Complex(r, i) => format!("({r:?}{i:+?}j)"),
            Const::None => "None".into(),
            Const::Str(text) => format!("{text:?}"),
            Const::Tuple(items) => {
                let inner: Vec<_> = items.iter().map(show).collect();
                if items.len() == 1 {
                    format!("({},)", inner[0])
                } else {
                    format!("({})", inner.join(", "))
                }
            }
        }
    }
    show(c)
}

fn binop(op: &ast::Operator) -> BinOp {
    match op {
        ast::Operator::Add => BinOp::Add,
        ast::Operator::Sub => BinOp::Sub,
        ast::Operator::Mult => BinOp::Mul,
        // Refused before lowering (`@` is a call, `@=` an error).
        ast::Operator::MatMult => BinOp::Mul,
        ast::Operator::Div => BinOp::Div,
        ast::Operator::FloorDiv => BinOp::FloorDiv,
        ast::Operator::Mod => BinOp::Mod,
        ast::Operator::Pow => BinOp::Pow,
        ast::Operator::LShift => BinOp::LShift,
        ast::Operator::RShift => BinOp::RShift,
        ast::Operator::BitAnd => BinOp::BitAnd,
        ast::Operator::BitOr => BinOp::BitOr,
        ast::Operator::BitXor => BinOp::BitXor,
    }
}

fn builtin(name: &str) -> Option<Builtin> {
    Some(match name {
        "abs" => Builtin::Abs,
        "min" => Builtin::Min,
        "max" => Builtin::Max,
        "int" => Builtin::Int,
        "float" => Builtin::Float,
        "bool" => Builtin::Bool,
        "round" => Builtin::Round,
        "divmod" => Builtin::DivMod,
        "pow" => Builtin::Pow,
        "len" => Builtin::Len,
        "complex" => Builtin::Complex,
        _ => return None,
    })
}

/// Python's builtin names: those pyaot does not compile natively are Python objects.
const PYTHON_BUILTINS: &[&str] = &[
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "ascii",
    "bin",
    "bool",
    "breakpoint",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "compile",
    "complex",
    "delattr",
    "dict",
    "dir",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "filter",
    "float",
    "format",
    "frozenset",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "help",
    "hex",
    "id",
    "input",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "list",
    "locals",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "property",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "vars",
    "zip",
    "BaseException",
    "Exception",
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BufferError",
    "EOFError",
    "FloatingPointError",
    "GeneratorExit",
    "ImportError",
    "IndexError",
    "KeyError",
    "KeyboardInterrupt",
    "LookupError",
    "MemoryError",
    "ModuleNotFoundError",
    "NameError",
    "NotImplemented",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "RecursionError",
    "ReferenceError",
    "RuntimeError",
    "StopIteration",
    "SyntaxError",
    "SystemError",
    "SystemExit",
    "TypeError",
    "UnboundLocalError",
    "UnicodeError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "ValueError",
    "ZeroDivisionError",
    "Warning",
    "UserWarning",
    "DeprecationWarning",
    "RuntimeWarning",
    "Ellipsis",
    "FileNotFoundError",
    "PermissionError",
    "TimeoutError",
    "StopAsyncIteration",
];

/// Counts every read and write of each local in a body.
fn local_refs(stmts: &[Stmt], counts: &mut [usize]) {
    let mut reads = Vec::new();
    local_reads(stmts, &mut reads);
    let mut writes = Vec::new();
    local_writes(stmts, &mut writes);
    for l in reads.into_iter().map(|(l, _)| l).chain(writes.into_iter().map(|(l, _, _)| l)) {
        if l < counts.len() {
            counts[l] += 1;
        }
    }
}

/// Spans of `m = max(m, ...)` / `m = min(m, ...)` updates of min/max reduction variables: the
/// assigned name and its reads among the arguments.
fn minmax_updates(stmts: &[Stmt], vars: &[LocalId], out: &mut Vec<Span>) {
    for s in stmts {
        match &s.kind {
            StmtKind::Assign { target: Target::Local(l, tspan), value } if vars.contains(l) => {
                if let ExprKind::Builtin(Builtin::Min | Builtin::Max, args) = &value.kind {
                    let own: Vec<Span> = args
                        .iter()
                        .filter(|a| matches!(a.kind, ExprKind::Local(x) if x == *l))
                        .map(|a| a.span.clone())
                        .collect();
                    if !own.is_empty() {
                        out.push(tspan.clone());
                        out.extend(own);
                    }
                }
            }
            StmtKind::If { .. }
            | StmtKind::While { .. }
            | StmtKind::ForRange { .. }
            | StmtKind::Try { .. } => {
                s.kind.blocks().into_iter().for_each(|b| minmax_updates(b, vars, out));
            }
            _ => {}
        }
    }
}

/// Calls `found` for each `return` in a body, and each `break` of the loop itself (`top`).
fn jumps_out(stmts: &[Stmt], top: bool, found: &mut dyn FnMut(Span, &'static str)) {
    for s in stmts {
        match &s.kind {
            StmtKind::Return(_) => found(s.span.clone(), "return"),
            StmtKind::Break if top => found(s.span.clone(), "break"),
            StmtKind::If { then, orelse, .. } => {
                jumps_out(then, top, found);
                jumps_out(orelse, top, found);
            }
            StmtKind::While { body, orelse, .. } | StmtKind::ForRange { body, orelse, .. } => {
                jumps_out(body, false, found);
                jumps_out(orelse, top, found);
            }
            StmtKind::Try { .. } => {
                s.kind.blocks().into_iter().for_each(|b| jumps_out(b, top, found))
            }
            _ => {}
        }
    }
}

/// Whether a call's one argument is a generator expression that the callee consumes whole, so
/// building it as a list first cannot be told apart (`any`/`all` stop early: not these).
fn consumes_generator(c: &ast::ExprCall, lowerer: &FnLowerer) -> bool {
    if c.args.len() != 1
        || !c
            .keywords
            .iter()
            .all(|k| matches!(k.arg.as_deref(), Some("key" | "reverse" | "default" | "start")))
        || !matches!(c.args[0], ast::Expr::GeneratorExp(_))
    {
        return false;
    }
    match &*c.func {
        ast::Expr::Name(n) => {
            let name = n.id.as_str();
            matches!(
                name,
                "sum" | "min" | "max" | "sorted" | "list" | "set" | "frozenset" | "tuple"
            ) && !lowerer.local_ids.contains_key(name)
                && !lowerer.globals.contains_key(name)
        }
        ast::Expr::Attribute(a) => a.attr.as_str() == "join",
        _ => false,
    }
}

/// The names an expression reads (with where) and binds (comprehension targets).
#[derive(Default)]
struct NameUses {
    loads: Vec<(String, Span)>,
    stores: Vec<String>,
}

impl rustpython_ast::Visitor for NameUses {
    fn visit_expr_name(&mut self, node: ast::ExprName) {
        match node.ctx {
            ast::ExprContext::Load => self.loads.push((node.id.to_string(), span_of(node.range))),
            _ => self.stores.push(node.id.to_string()),
        }
    }
}

/// Where a body binds each name: (name, offset, inside a loop).
fn binding_sites(stmts: &[ast::Stmt], in_loop: bool, out: &mut Vec<(String, usize, bool)>) {
    let bind = |name: &str, span: Span, out: &mut Vec<(String, usize, bool)>, looped: bool| {
        out.push((name.to_string(), span.start, looped))
    };
    for s in stmts {
        match s {
            ast::Stmt::For(f) => {
                let mut names = Vec::new();
                collect_target_names(&f.target, &mut names);
                names.into_iter().for_each(|n| bind(&n, span_of(f.range), out, true));
                binding_sites(&f.body, true, out);
                binding_sites(&f.orelse, in_loop, out);
            }
            ast::Stmt::While(w) => {
                binding_sites(&w.body, true, out);
                binding_sites(&w.orelse, in_loop, out);
            }
            ast::Stmt::If(i) => {
                binding_sites(&i.body, in_loop, out);
                binding_sites(&i.orelse, in_loop, out);
            }
            ast::Stmt::With(w) => {
                for item in &w.items {
                    if let Some(v) = &item.optional_vars {
                        let mut names = Vec::new();
                        collect_target_names(v, &mut names);
                        names.into_iter().for_each(|n| bind(&n, span_of(w.range), out, in_loop));
                    }
                }
                binding_sites(&w.body, in_loop, out);
            }
            ast::Stmt::Try(t) => {
                binding_sites(&t.body, in_loop, out);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(n) = &h.name {
                        bind(n.as_str(), span_of(h.range), out, in_loop);
                    }
                    binding_sites(&h.body, in_loop, out);
                }
                binding_sites(&t.orelse, in_loop, out);
                binding_sites(&t.finalbody, in_loop, out);
            }
            other => {
                let mut local = Vec::new();
                collect_bound_names(std::slice::from_ref(other), &mut |n, span| {
                    local.push((n.to_string(), span))
                });
                local.into_iter().for_each(|(n, span)| bind(&n, span, out, in_loop));
            }
        }
    }
}

/// `with m as v: body` as the statements Python runs for it (PEP 343), in terms pyaot already
/// compiles:
///
/// ```text
/// $mgr = m;  $exit = $mgr.__exit__;  v = $mgr.__enter__();  $ok = True
/// try: body
/// except BaseException as $exc:
///     $ok = False
///     if not $exit(type($exc), $exc, $exc.__traceback__): raise
/// finally:
///     if $ok: $exit(None, None, None)
/// ```
/// Several items nest, the first outermost. `$` names cannot clash with the user's.
fn with_as_try(w: &ast::StmtWith) -> Vec<ast::Stmt> {
    let range = w.range;
    let tag = usize::from(range.start());
    let name = |id: &str, ctx: ast::ExprContext| {
        ast::Expr::Name(ast::ExprName { range, id: ast::Identifier::new(id), ctx })
    };
    let load = |id: &str| name(id, ast::ExprContext::Load);
    let constant =
        |value: Constant| ast::Expr::Constant(ast::ExprConstant { range, value, kind: None });
    let attr = |value: ast::Expr, attr: &str| {
        ast::Expr::Attribute(ast::ExprAttribute {
            range,
            value: Box::new(value),
            attr: ast::Identifier::new(attr),
            ctx: ast::ExprContext::Load,
        })
    };
    let call = |func: ast::Expr, args: Vec<ast::Expr>| {
        ast::Expr::Call(ast::ExprCall { range, func: Box::new(func), args, keywords: vec![] })
    };
    let assign = |target: ast::Expr, value: ast::Expr| {
        ast::Stmt::Assign(ast::StmtAssign {
            range,
            targets: vec![target],
            value: Box::new(value),
            type_comment: None,
        })
    };
    let mut body = w.body.clone();
    for (k, item) in w.items.iter().enumerate().rev() {
        let (mgr, exit, ok, exc) = (
            format!("$with{tag}.{k}.mgr"),
            format!("$with{tag}.{k}.exit"),
            format!("$with{tag}.{k}.ok"),
            format!("$with{tag}.{k}.exc"),
        );
        let enter = call(attr(load(&mgr), "__enter__"), vec![]);
        let mut stmts = vec![
            assign(name(&mgr, ast::ExprContext::Store), item.context_expr.clone()),
            assign(name(&exit, ast::ExprContext::Store), attr(load(&mgr), "__exit__")),
            match &item.optional_vars {
                Some(target) => assign((**target).clone(), enter),
                None => ast::Stmt::Expr(ast::StmtExpr { range, value: Box::new(enter) }),
            },
            assign(name(&ok, ast::ExprContext::Store), constant(Constant::Bool(true))),
        ];
        let suppressed = call(
            load(&exit),
            vec![
                call(load("type"), vec![load(&exc)]),
                load(&exc),
                attr(load(&exc), "__traceback__"),
            ],
        );
        let handler = ast::ExceptHandler::ExceptHandler(ast::ExceptHandlerExceptHandler {
            range,
            type_: Some(Box::new(load("BaseException"))),
            name: Some(ast::Identifier::new(exc.clone())),
            body: vec![
                assign(name(&ok, ast::ExprContext::Store), constant(Constant::Bool(false))),
                ast::Stmt::If(ast::StmtIf {
                    range,
                    test: Box::new(ast::Expr::UnaryOp(ast::ExprUnaryOp {
                        range,
                        op: ast::UnaryOp::Not,
                        operand: Box::new(suppressed),
                    })),
                    body: vec![ast::Stmt::Raise(ast::StmtRaise { range, exc: None, cause: None })],
                    orelse: vec![],
                }),
            ],
        });
        let finally = ast::Stmt::If(ast::StmtIf {
            range,
            test: Box::new(load(&ok)),
            body: vec![ast::Stmt::Expr(ast::StmtExpr {
                range,
                value: Box::new(call(
                    load(&exit),
                    vec![
                        constant(Constant::None),
                        constant(Constant::None),
                        constant(Constant::None),
                    ],
                )),
            })],
            orelse: vec![],
        });
        stmts.push(ast::Stmt::Try(ast::StmtTry {
            range,
            body,
            handlers: vec![handler],
            orelse: vec![],
            finalbody: vec![finally],
        }));
        body = stmts;
    }
    body
}

/// Binds the names an `import` or `from m import x` statement binds. At module level
/// (`replace`) they are the module's; inside a function they are bound here too, once, unless
/// the module binds the name otherwise: the import runs when the extension is imported (where
/// a module level import would), and the function reads the module.
fn bind_import(
    stmt: &ast::Stmt,
    globals: &mut HashMap<String, Global>,
    from_imports: &mut Vec<PyPath>,
    diags: &mut Vec<Diagnostic>,
    replace: bool,
) {
    match stmt {
        ast::Stmt::Import(imp) => {
            for alias in &imp.names {
                let name = alias.name.as_str();
                let bound = alias
                    .asname
                    .as_ref()
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| name.split('.').next().unwrap_or(name).to_string());
                let g = match name {
                    "math" => Global::MathModule,
                    "numpy" => Global::NumpyModule,
                    // `import a.b` binds `a`; `import a.b as c` binds the submodule.
                    _ if alias.asname.is_none() => {
                        Global::Foreign(PyPath { module: bound.clone(), attrs: vec![] })
                    }
                    _ => Global::Foreign(PyPath { module: name.to_string(), attrs: vec![] }),
                };
                if replace || !globals.contains_key(&bound) {
                    globals.insert(bound, g);
                }
            }
        }
        ast::Stmt::ImportFrom(imp) => {
            let module = imp.module.as_ref().map(|m| m.to_string()).unwrap_or_default();
            for alias in &imp.names {
                let name = alias.name.to_string();
                if let Some(d) = missing_module_attribute(&module, &name, span_of(alias.range)) {
                    diags.push(d);
                    continue;
                }
                from_imports.push(PyPath { module: module.clone(), attrs: vec![name.clone()] });
                let bound =
                    alias.asname.as_ref().map(|a| a.to_string()).unwrap_or_else(|| name.clone());
                let g = if module == "math" {
                    match math_constant(&name) {
                        Some(v) => Global::Const(Const::Float(v)),
                        None => Global::MathMember(name),
                    }
                } else if name == "prange"
                    && matches!(module.as_str(), "numba" | "cython.parallel" | "pyaot")
                {
                    Global::Prange
                } else if module == "numpy" {
                    match numpy_constant(&name) {
                        Some(c) => Global::Const(c),
                        None => Global::NumpyMember(name),
                    }
                } else {
                    Global::Foreign(PyPath { module: module.clone(), attrs: vec![name.clone()] })
                };
                if replace || !globals.contains_key(&bound) {
                    globals.insert(bound, g);
                }
            }
        }
        _ => {}
    }
}

/// Calls `f` on every statement of `stmts` and of the blocks nested in them (loops, `if`,
/// `with`, `try`), not entering nested functions.
fn each_statement<'a>(stmts: &'a [ast::Stmt], f: &mut impl FnMut(&'a ast::Stmt)) {
    for s in stmts {
        f(s);
        match s {
            ast::Stmt::For(l) => {
                each_statement(&l.body, f);
                each_statement(&l.orelse, f);
            }
            ast::Stmt::While(w) => {
                each_statement(&w.body, f);
                each_statement(&w.orelse, f);
            }
            ast::Stmt::If(i) => {
                each_statement(&i.body, f);
                each_statement(&i.orelse, f);
            }
            ast::Stmt::With(w) => each_statement(&w.body, f),
            ast::Stmt::Try(t) => {
                each_statement(&t.body, f);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    each_statement(&h.body, f);
                }
                each_statement(&t.orelse, f);
                each_statement(&t.finalbody, f);
            }
            _ => {}
        }
    }
}

/// The `import` statements anywhere in a function's body (not in nested functions).
fn function_imports<'a>(stmts: &'a [ast::Stmt], out: &mut Vec<&'a ast::Stmt>) {
    each_statement(stmts, &mut |s| {
        if matches!(s, ast::Stmt::Import(_) | ast::Stmt::ImportFrom(_)) {
            out.push(s);
        }
    });
}

/// The names `global` statements of a body declare.
fn global_declarations(stmts: &[ast::Stmt], out: &mut Vec<String>) {
    each_statement(stmts, &mut |s| {
        if let ast::Stmt::Global(g) = s {
            out.extend(g.names.iter().map(|n| n.to_string()));
        }
    });
}

/// The names a `for` target binds.
fn collect_target_names(e: &ast::Expr, out: &mut Vec<String>) {
    match e {
        ast::Expr::Name(n) => out.push(n.id.to_string()),
        ast::Expr::Tuple(t) => t.elts.iter().for_each(|x| collect_target_names(x, out)),
        ast::Expr::List(t) => t.elts.iter().for_each(|x| collect_target_names(x, out)),
        _ => {}
    }
}

/// Calls `bind` for every name a body binds (assignment targets, `for` targets), in order.
fn collect_bound_names(stmts: &[ast::Stmt], bind: &mut dyn FnMut(&str, Span)) {
    fn target(e: &ast::Expr, bind: &mut dyn FnMut(&str, Span)) {
        match e {
            ast::Expr::Name(n) => bind(n.id.as_str(), span_of(n.range)),
            ast::Expr::Tuple(t) => t.elts.iter().for_each(|x| target(x, bind)),
            ast::Expr::List(t) => t.elts.iter().for_each(|x| target(x, bind)),
            _ => {}
        }
    }
    for s in stmts {
        match s {
            ast::Stmt::Assign(a) => a.targets.iter().for_each(|t| target(t, bind)),
            ast::Stmt::AugAssign(a) => target(&a.target, bind),
            ast::Stmt::AnnAssign(a) => target(&a.target, bind),
            ast::Stmt::FunctionDef(f) => bind(f.name.as_str(), span_of(f.range)),
            ast::Stmt::For(f) => {
                target(&f.target, bind);
                collect_bound_names(&f.body, bind);
                collect_bound_names(&f.orelse, bind);
            }
            ast::Stmt::While(w) => {
                collect_bound_names(&w.body, bind);
                collect_bound_names(&w.orelse, bind);
            }
            ast::Stmt::If(i) => {
                collect_bound_names(&i.body, bind);
                collect_bound_names(&i.orelse, bind);
            }
            ast::Stmt::With(w) => {
                for item in &w.items {
                    if let Some(v) = &item.optional_vars {
                        target(v, bind);
                    }
                }
                collect_bound_names(&w.body, bind);
            }
            ast::Stmt::Try(t) => {
                collect_bound_names(&t.body, bind);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(n) = &h.name {
                        bind(n.as_str(), span_of(h.range));
                    }
                    collect_bound_names(&h.body, bind);
                }
                collect_bound_names(&t.orelse, bind);
                collect_bound_names(&t.finalbody, bind);
            }
            _ => {}
        }
    }
}

/// The axis of `np.sum(x, ...)` / `x.sum(...)`: `Some(None)` without one, `Some(Some(k))` for
/// a constant int given as `axis=k` or as the one positional argument after the first `skip`;
/// `None` for anything else (other keywords, an axis that is not a constant int, a tuple).
/// The first `nonlocal` statement of a body (not looking into nested functions).
fn find_nonlocal(stmts: &[ast::Stmt], found: &mut Option<rustpython_parser::text_size::TextRange>) {
    for s in stmts {
        if found.is_some() {
            return;
        }
        match s {
            ast::Stmt::Nonlocal(n) => *found = Some(n.range),
            ast::Stmt::If(i) => {
                find_nonlocal(&i.body, found);
                find_nonlocal(&i.orelse, found);
            }
            ast::Stmt::For(f) => {
                find_nonlocal(&f.body, found);
                find_nonlocal(&f.orelse, found);
            }
            ast::Stmt::While(w) => {
                find_nonlocal(&w.body, found);
                find_nonlocal(&w.orelse, found);
            }
            ast::Stmt::With(w) => find_nonlocal(&w.body, found),
            ast::Stmt::Try(t) => {
                find_nonlocal(&t.body, found);
                t.handlers.iter().for_each(|h| {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    find_nonlocal(&h.body, found)
                });
                find_nonlocal(&t.orelse, found);
                find_nonlocal(&t.finalbody, found);
            }
            _ => {}
        }
    }
}

/// Whether `s` is `name = deco(...(raw))`, the statement applying a function's decorators.
fn assigns_decorated(s: &ast::Stmt, name: &str, raw: &str) -> bool {
    let ast::Stmt::Assign(a) = s else { return false };
    let [ast::Expr::Name(target)] = a.targets.as_slice() else { return false };
    let mut value = &*a.value;
    while let ast::Expr::Call(c) = value {
        match c.args.first() {
            Some(inner) => value = inner,
            None => return false,
        }
    }
    target.id.as_str() == name && matches!(value, ast::Expr::Name(n) if n.id.as_str() == raw)
}

/// The hidden module value holding the default of `param` of module function `func`.
fn default_global_name(func: &str, param: &str) -> String {
    format!("__pyaot_default_{func}_{param}__")
}

/// Why a module-level class is not compiled (a diagnostic), or None when it is.
fn class_refusal(c: &ast::StmtClassDef) -> Option<Diagnostic> {
    if let Some(k) = c.keywords.iter().find(|k| k.arg.is_none()) {
        return Some(unsupported(
            k.range,
            "`**` keywords of a class",
            "write the keywords out one by one (`metaclass=M`)",
        ));
    }
    None
}

fn reduction_axis(
    args: &[ast::Expr],
    keywords: &[ast::Keyword],
    skip: usize,
) -> Option<Option<(i64, Span)>> {
    let constant = |e: &ast::Expr| -> Option<(i64, Span)> {
        let span = span_of(e.range());
        match e {
            ast::Expr::Constant(c) => match &c.value {
                Constant::Int(k) => Some((i64::try_from(k).ok()?, span)),
                _ => None,
            },
            ast::Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::USub) => match &*u.operand {
                ast::Expr::Constant(c) => match &c.value {
                    Constant::Int(k) => Some((-i64::try_from(k).ok()?, span)),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    };
    match (&args[skip.min(args.len())..], keywords) {
        ([], []) => Some(None),
        ([a], []) => Some(Some(constant(a)?)),
        ([], [k]) if k.arg.as_ref().is_some_and(|n| n.as_str() == "axis") => {
            Some(Some(constant(&k.value)?))
        }
        _ => None,
    }
}

/// numpy's constants: plain Python floats in numpy itself, and `np.newaxis`, which is None.
fn numpy_constant(name: &str) -> Option<Const> {
    if name == "newaxis" {
        return Some(Const::None);
    }
    Some(Const::Float(match name {
        "pi" => std::f64::consts::PI,
        "e" => std::f64::consts::E,
        "inf" => f64::INFINITY,
        "nan" => f64::NAN,
        "euler_gamma" => 0.577_215_664_901_532_9,
        _ => return None,
    }))
}
