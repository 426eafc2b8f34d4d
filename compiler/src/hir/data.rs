//! The HIR's data: the resolved tree (`Module`, `Function`, `Stmt`, `Expr`, …) and the names
//! it resolves to (builtins, `math`, numpy functions, exceptions). A leaf: lowering (lower.rs)
//! builds it, the walkers (walk.rs) and every later pass read it.

use crate::diagnostics::Span;
use crate::export_spec::{ExportEntry, Scalar};

pub type LocalId = usize;
pub type FuncId = usize;
pub type ExprId = usize;
/// A statement's number in its function, stable from lowering on (the plan stage keys its
/// decisions by it).
pub type StmtId = usize;

#[derive(Debug)]
pub struct Module {
    pub name: String,
    pub doc: Option<String>,
    pub functions: Vec<Function>,
    pub exports: Vec<Export>,
    /// The module-level assignments that are not constants (`WORDS = {"a", "the"}`), as a
    /// function (`<module>`) run when the extension is imported: it returns the values of
    /// `module_globals`, in order, as one tuple.
    pub init: Option<FuncId>,
    pub module_globals: Vec<String>,
    /// What `from m import x` names: looked up when the extension is imported, which fails
    /// without them (ImportError, as CPython). Other paths with attributes (`os.sep`) are
    /// attribute reads of a module: a missing one fails where CPython fails, when it runs.
    pub from_imports: Vec<PyPath>,
}

#[derive(Debug)]
pub struct Export {
    pub func: FuncId,
    pub entry: ExportEntry,
}

/// Safety checks, set by directives and the command line: array indexing, and int overflow
/// (OverflowError where an int result leaves int64; off, int arithmetic wraps).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checks {
    pub boundscheck: bool,
    pub wraparound: bool,
    pub overflowcheck: bool,
    /// `# pyaot: native` (or `--native`): the function may not touch a Python object in its
    /// body (arguments and results still convert): a build error names the cause.
    pub native: bool,
}

impl Default for Checks {
    fn default() -> Self {
        Checks { boundscheck: true, wraparound: true, overflowcheck: true, native: false }
    }
}

impl Checks {
    pub(crate) fn apply(mut self, d: &crate::syntax::Directive) -> Checks {
        for (key, value) in &d.settings {
            match key {
                crate::syntax::DirectiveKey::BoundsCheck => self.boundscheck = *value,
                crate::syntax::DirectiveKey::WrapAround => self.wraparound = *value,
                crate::syntax::DirectiveKey::OverflowCheck => self.overflowcheck = *value,
                crate::syntax::DirectiveKey::Native => self.native = *value,
            }
        }
        self
    }
}

#[derive(Debug)]
pub struct Function {
    pub name: String,
    pub checks: Checks,
    /// The span of the `def` line (name and parameters), used for the function's own messages.
    pub span: Span,
    pub params: Vec<Param>,
    /// Every local, parameters first; a name assigned anywhere in the body is local (Python's rule).
    pub locals: Vec<Local>,
    pub body: Vec<Stmt>,
    pub num_exprs: usize,
    pub num_stmts: usize,
    /// Element updates under `#omp atomic`/`critical`: made as atomic read-modify-writes.
    pub atomic_items: Vec<StmtId>,
    /// The function's own docstring, kept in the compiled function's `__doc__`.
    pub doc: Option<String>,
}

#[derive(Debug)]
pub struct Param {
    pub name: String,
    pub default: Option<Const>,
    /// The default as written, for the signature in the docstring.
    pub default_text: Option<String>,
    /// A default that is not a constant (`bodies=SYSTEM`, `acc=[]`): evaluated once, when the
    /// module runs the `def` (as Python does), into this hidden module value.
    pub default_global: Option<String>,
    pub span: Span,
}

#[derive(Debug)]
pub struct Local {
    pub name: String,
    /// The first place the local is bound, for messages.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    Int(i64),
    Float(f64),
    Bool(bool),
    /// `2+3j` folds to Complex(2.0, 3.0).
    Complex(f64, f64),
    None,
    Tuple(Vec<Const>),
    /// A string literal: a Python object, created once when the module is imported.
    Str(String),
}

/// A Python object outside the compiled code, looked up when the extension is imported:
/// `module` imported, then each of `attrs` read in turn (`fractions.Fraction`, `builtins.print`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PyPath {
    pub module: String,
    pub attrs: Vec<String>,
}

impl PyPath {
    pub fn builtin(name: &str) -> PyPath {
        PyPath { module: "builtins".into(), attrs: vec![name.into()] }
    }
    pub fn dotted(&self) -> String {
        std::iter::once(self.module.as_str())
            .chain(self.attrs.iter().map(|a| a.as_str()))
            .collect::<Vec<_>>()
            .join(".")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompKind {
    List,
    Set,
    Dict,
    /// `any(...)`/`all(...)` of a generator: a native bool, the loops stopping at the first
    /// item that decides (no object is built).
    Search,
}

/// A piece of an f-string: literal text, or a value with its `!r`/`!s`/`!a` conversion and
/// format spec.
#[derive(Debug)]
pub enum FPart {
    Text(String),
    Value(Box<Expr>, Option<char>, Option<Box<Expr>>),
}

#[derive(Debug)]
pub struct Stmt {
    pub id: StmtId,
    pub span: Span,
    pub kind: StmtKind,
}

#[derive(Debug)]
pub enum StmtKind {
    Assign {
        target: Target,
        value: Expr,
    },
    AugAssign {
        target: LocalId,
        target_span: Span,
        op: BinOp,
        value: Expr,
    },
    /// `a[i] += v`: the index is evaluated once.
    AugAssignItem {
        array: Expr,
        indices: Vec<Index>,
        target_span: Span,
        op: BinOp,
        value: Expr,
    },
    Expr(Expr),
    If {
        cond: Expr,
        then: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    While {
        cond: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    ForRange {
        target: LocalId,
        target_span: Span,
        start: Option<Expr>,
        stop: Expr,
        step: Option<Expr>,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
        parallel: Option<Box<Parallel>>,
        each: Option<Vec<LocalId>>,
    },
    Break,
    Continue,
    Return(Option<Expr>),
    /// `raise Name` or `raise Name("message")` of a builtin exception.
    Raise {
        exception: String,
        message: Option<String>,
    },
    /// `raise <expression> [from <cause>]`: an exception object or class computed at run time.
    RaiseObject(Expr, Option<Expr>),
    /// `try`/`except`/`else`/`finally`.
    Try {
        body: Vec<Stmt>,
        handlers: Vec<Handler>,
        orelse: Vec<Stmt>,
        finalbody: Vec<Stmt>,
    },
    /// A bare `raise` inside an `except` block: the exception being handled, again.
    Reraise,
    Assert {
        cond: Expr,
        message: Option<String>,
    },
}

/// One `except` clause.
#[derive(Debug)]
pub struct Handler {
    /// The exception class (or tuple of classes) matched; None for a bare `except:`.
    pub types: Option<Expr>,
    /// `except E as name`.
    pub name: Option<LocalId>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

impl StmtKind {
    /// The statement lists nested in this statement, in order.
    pub fn blocks(&self) -> Vec<&[Stmt]> {
        match self {
            StmtKind::If { then: a, orelse: b, .. }
            | StmtKind::While { body: a, orelse: b, .. }
            | StmtKind::ForRange { body: a, orelse: b, .. } => vec![a, b],
            StmtKind::Try { body, handlers, orelse, finalbody } => {
                let mut out: Vec<&[Stmt]> = vec![body];
                out.extend(handlers.iter().map(|h| h.body.as_slice()));
                out.push(orelse);
                out.push(finalbody);
                out
            }
            _ => vec![],
        }
    }
}

/// A `for` loop to run in parallel (`#omp parallel for` or `prange`).
#[derive(Debug)]
pub struct Parallel {
    pub reductions: Vec<(crate::omp::ReductionOp, LocalId)>,
    pub lastprivate: Vec<LocalId>,
    pub schedule: crate::omp::Schedule,
    pub chunk: Option<Expr>,
    pub num_threads: Option<Expr>,
    pub condition: Option<Expr>,
    /// The pragma (or the `prange` call), for messages.
    pub span: Span,
    /// `prange`: the reductions were inferred from in-place updates, and are kept only for
    /// variables that live outside the loop.
    pub inferred: bool,
}

#[derive(Debug)]
pub enum Target {
    Local(LocalId, Span),
    Tuple(Vec<Target>, Span),
    /// `a[i, j] = v`: an array element (or an item of a Python object).
    Item(Box<Expr>, Vec<Index>, Span),
    /// `obj.name = v` on a Python object.
    Attr(Box<Expr>, String, Span),
    /// A module value rebound by a function that declared it `global`.
    Global(String, Span),
}

/// One position inside `[...]`: an index or a slice `start:stop:step`.
#[derive(Debug)]
pub enum Index {
    At(Expr),
    Slice(Option<Box<Expr>>, Option<Box<Expr>>, Option<Box<Expr>>),
}

#[derive(Debug)]
pub struct Expr {
    pub id: ExprId,
    pub span: Span,
    pub kind: ExprKind,
}

#[derive(Debug)]
pub enum ExprKind {
    Const(Const),
    Local(LocalId),
    Tuple(Vec<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `a < b <= c`: each operand evaluated once, stops at the first false comparison.
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    BoolOp(BoolOpKind, Vec<Expr>),
    IfExp(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A call of a module function, arguments bound to its parameters in order.
    Call(FuncId, Vec<Arg>),
    Builtin(Builtin, Vec<Expr>),
    /// `x[...]`: a tuple item (constant index) or an array element or view.
    Subscript(Box<Expr>, Vec<Index>),
    /// `a.shape`, `a.ndim`, `a.size`, `a.T` of an array.
    Attr(Box<Expr>, ArrayAttr),
    /// `a.copy()`.
    Copy(Box<Expr>),
    /// `np.empty(shape, dtype=...)` and friends; `dtype` as written, if given.
    NpCreate(NpFn, Vec<Expr>, Dtype),
    /// `np.sqrt(x)` and the like: the ufunc, numpy's function (for the object path), the args.
    Ufunc(Ufunc, Box<Expr>, Vec<Expr>),
    /// A whole array reduced to one value, or along one axis (`axis`, a constant): `np.sum(x)`
    /// (numpy's function kept for the object path) or `x.sum()` (the method form: none).
    Reduce(Reduction, Box<Expr>, Option<Box<Expr>>, Option<Axis>),
    /// `x.astype(dtype)`: the dtype as pyaot reads it, and as written (for the object path).
    AsType(Box<Expr>, Dtype, Box<Expr>),
    /// A module-level import or a builtin: a Python object.
    Global(PyPath),
    List(Vec<Expr>),
    Set(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    /// `obj.name` of anything but an array's own attributes.
    GetAttr(Box<Expr>, String),
    /// A call of a Python object: positional arguments, then keywords.
    CallObject(Box<Expr>, Vec<Expr>, Vec<(String, Expr)>),
    /// `obj.name(...)`.
    CallMethod(Box<Expr>, String, Vec<Expr>, Vec<(String, Expr)>),
    FString(Vec<FPart>),
    /// `[elt for x in xs if c]` (and the set and dict forms): `result` starts empty, `body` (the
    /// loops, lowered like statements, with the comprehension's own hidden locals) fills it,
    /// and the expression's value is `result`.
    Comprehension(CompKind, LocalId, Vec<Stmt>),
    /// `lambda x: ...`: its body is the function `FuncId`, whose first parameters take the
    /// values of the enclosing locals it reads (`captures`, evaluated when the lambda is made;
    /// only locals bound once, before it, so the value cannot change). Without captures the
    /// callable is made once, when the extension is imported.
    Lambda(FuncId, Vec<Expr>),
    /// A nested `def`: its function (first parameters: the captured locals) and the captured
    /// values, as a Python callable taking arguments by position or name.
    Closure(FuncId, Vec<Expr>),
    /// A module function used as a value (`sorted(xs, key=f)`, `{"sor": bench_sor}`): a
    /// Python callable of it, with object parameters.
    FunctionValue(FuncId),
    /// `class C(B): ...` at module level (in `<module>`): the class, made as Python makes it.
    MakeClass(Box<ClassDef>),
    /// The current item of a `for x in <holders>` loop (lowered to an index loop over
    /// `holders`): `subscript` reads it for arrays; over Python objects codegen takes it from
    /// the iterator instead.
    EachItem(Vec<LocalId>, Box<Expr>),
}

/// A class of the module: `type(name, bases, namespace)` when the module is imported, its
/// methods compiled functions (with Python objects for parameters) bound as Python binds them.
#[derive(Debug)]
pub struct ClassDef {
    pub name: String,
    pub bases: Vec<Expr>,
    pub doc: Option<String>,
    /// Class attributes (`count = 0`), in order.
    pub attrs: Vec<(String, Expr)>,
    pub methods: Vec<Method>,
    /// `class C(Base, metaclass=M)`: the keywords.
    pub keywords: Vec<(String, Expr)>,
    /// `x: float` lines: the class's `__annotations__` (what `@dataclass` reads).
    pub annotations: Vec<(String, Expr)>,
}

#[derive(Debug)]
pub struct Method {
    pub name: String,
    pub kind: MethodKind,
    /// `Lambda(function, [])`: the method's function, typed with object parameters.
    pub func: Expr,
    /// Decorators applied when the class is made, innermost first.
    pub decorators: Vec<MethodDecorator>,
}

#[derive(Debug)]
pub enum MethodDecorator {
    /// Any callable (`functools.cached_property`): called with the method.
    Call(Expr),
    /// `@x.setter` (`getter`, `deleter`) of the property `x` made earlier in the class.
    Accessor(String, String),
}

/// How a method binds: to the instance, to nothing (`@staticmethod`), to the class
/// (`@classmethod`), or as a read-only attribute (`@property`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodKind {
    Instance,
    Static,
    Class,
    Property,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArrayAttr {
    Shape,
    Ndim,
    Size,
    T,
    /// `.real` and `.imag` of numbers.
    Real,
    Imag,
}

/// numpy functions that create arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NpFn {
    Empty,
    Zeros,
    Ones,
    Full,
    EmptyLike,
    ZerosLike,
    OnesLike,
    FullLike,
    Arange,
}

impl NpFn {
    pub(crate) fn from_name(name: &str) -> Option<NpFn> {
        Some(match name {
            "empty" => NpFn::Empty,
            "zeros" => NpFn::Zeros,
            "ones" => NpFn::Ones,
            "full" => NpFn::Full,
            "empty_like" => NpFn::EmptyLike,
            "zeros_like" => NpFn::ZerosLike,
            "ones_like" => NpFn::OnesLike,
            "full_like" => NpFn::FullLike,
            "arange" => NpFn::Arange,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            NpFn::Empty => "empty",
            NpFn::Zeros => "zeros",
            NpFn::Ones => "ones",
            NpFn::Full => "full",
            NpFn::EmptyLike => "empty_like",
            NpFn::ZerosLike => "zeros_like",
            NpFn::OnesLike => "ones_like",
            NpFn::FullLike => "full_like",
            NpFn::Arange => "arange",
        }
    }

    /// The positional arguments before `dtype`: (required, at most).
    pub fn arity(self) -> (usize, usize) {
        match self {
            NpFn::Empty
            | NpFn::Zeros
            | NpFn::Ones
            | NpFn::EmptyLike
            | NpFn::ZerosLike
            | NpFn::OnesLike => (1, 1),
            NpFn::Full | NpFn::FullLike => (2, 2),
            NpFn::Arange => (1, 3),
        }
    }
}

/// A numpy function applied to numbers (`np.sqrt(x)`, `np.minimum(a, b)`): compiled to the scalar
/// operation with numpy's semantics (no exception where numpy gives NaN or infinity; NaN
/// propagation of `minimum`; ints wrapping), or, for anything but ints and floats, numpy's own
/// function through Python.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ufunc {
    Sqrt,
    Exp,
    Exp2,
    Log,
    Log2,
    Log10,
    Log1p,
    Expm1,
    Sin,
    Cos,
    Tan,
    Arcsin,
    Arccos,
    Arctan,
    Sinh,
    Cosh,
    Tanh,
    Arcsinh,
    Arccosh,
    Arctanh,
    Floor,
    Ceil,
    Trunc,
    Rint,
    Fabs,
    Cbrt,
    Deg2rad,
    Rad2deg,
    Square,
    Abs,
    Sign,
    Isnan,
    Isinf,
    Isfinite,
    Arctan2,
    Hypot,
    Power,
    Minimum,
    Maximum,
    Fmin,
    Fmax,
    Copysign,
    /// `np.clip(a, lo, hi)`: maximum, then minimum (NaN stays NaN).
    Clip,
    /// `np.where(cond, x, y)` element-wise (of arrays only: of numbers numpy gives a 0-d array).
    Where,
}

impl Ufunc {
    pub fn from_name(name: &str) -> Option<Ufunc> {
        use Ufunc::*;
        Some(match name {
            "sqrt" => Sqrt,
            "exp" => Exp,
            "exp2" => Exp2,
            "log" => Log,
            "log2" => Log2,
            "log10" => Log10,
            "log1p" => Log1p,
            "expm1" => Expm1,
            "sin" => Sin,
            "cos" => Cos,
            "tan" => Tan,
            "arcsin" => Arcsin,
            "arccos" => Arccos,
            "arctan" => Arctan,
            "sinh" => Sinh,
            "cosh" => Cosh,
            "tanh" => Tanh,
            "arcsinh" => Arcsinh,
            "arccosh" => Arccosh,
            "arctanh" => Arctanh,
            "floor" => Floor,
            "ceil" => Ceil,
            "trunc" => Trunc,
            "rint" => Rint,
            "fabs" => Fabs,
            "cbrt" => Cbrt,
            "deg2rad" | "radians" => Deg2rad,
            "rad2deg" | "degrees" => Rad2deg,
            "square" => Square,
            "abs" | "absolute" => Abs,
            "sign" => Sign,
            "isnan" => Isnan,
            "isinf" => Isinf,
            "isfinite" => Isfinite,
            "arctan2" => Arctan2,
            "hypot" => Hypot,
            "power" => Power,
            "minimum" => Minimum,
            "maximum" => Maximum,
            "fmin" => Fmin,
            "fmax" => Fmax,
            "copysign" => Copysign,
            "clip" => Clip,
            "where" => Where,
            _ => return None,
        })
    }

    pub fn arity(self) -> usize {
        use Ufunc::*;
        match self {
            Clip | Where => 3,
            Arctan2 | Hypot | Power | Minimum | Maximum | Fmin | Fmax | Copysign => 2,
            _ => 1,
        }
    }
}

/// The `axis=` of a reduction: its value, and the constant as an expression (passed on when
/// numpy does the reduction).
#[derive(Debug)]
pub struct Axis {
    pub value: i64,
    pub expr: Box<Expr>,
}

/// The reductions of a whole array to one value (`np.sum(x)`, `x.max()`, axis None): native
/// on native arrays (types/elementwise.rs), numpy's own through Python otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    Sum,
    Mean,
    Max,
    Min,
    Any,
    All,
    /// `np.argmax` / `np.argmin`: the first index (in C order) of the largest / smallest.
    ArgMax,
    ArgMin,
}

impl Reduction {
    /// numpy's function (`np.amax` too) or, `method`, the array method of this name.
    pub fn from_name(name: &str, method: bool) -> Option<Reduction> {
        Some(match name {
            "sum" => Reduction::Sum,
            "mean" => Reduction::Mean,
            "max" => Reduction::Max,
            "min" => Reduction::Min,
            "amax" if !method => Reduction::Max,
            "amin" if !method => Reduction::Min,
            "any" => Reduction::Any,
            "argmax" => Reduction::ArgMax,
            "argmin" => Reduction::ArgMin,
            "all" => Reduction::All,
            _ => return None,
        })
    }

    /// The method's name (numpy's reduction names in messages).
    pub fn name(self) -> &'static str {
        match self {
            Reduction::Sum => "sum",
            Reduction::Mean => "mean",
            Reduction::Max => "max",
            Reduction::Min => "min",
            Reduction::Any => "any",
            Reduction::ArgMax => "argmax",
            Reduction::ArgMin => "argmin",
            Reduction::All => "all",
        }
    }
}

/// The `dtype=` of an array creator.
#[derive(Debug)]
pub enum Dtype {
    /// None given: numpy's default for the function.
    Default,
    Named(Scalar),
    /// `dtype=x.dtype`: the dtype of another array, known from its type.
    Of(Box<Expr>),
}

#[derive(Debug)]
pub enum Arg {
    Given(Expr),
    Default(Const),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Pos,
    Invert,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    BitAnd,
    BitOr,
    BitXor,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
    In,
    NotIn,
    Is,
    IsNot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoolOpKind {
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Abs,
    Min,
    Max,
    Int,
    Float,
    Bool,
    Round,
    DivMod,
    Pow,
    Len,
    Complex,
    /// `z.conjugate()`.
    Conjugate,
    Math(MathFn),
}

/// `math` functions. The unary float functions follow CPython's rule for errors: a NaN from a
/// non-NaN argument is ValueError, an infinity from a finite one is OverflowError for the
/// functions that can overflow and ValueError for the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathFn {
    Sqrt,
    Exp,
    Exp2,
    Expm1,
    Log,
    Log10,
    Log2,
    Log1p,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Fabs,
    Degrees,
    Radians,
    Floor,
    Ceil,
    Trunc,
    Atan2,
    Copysign,
    Hypot,
    Pow,
    Fmod,
    IsNan,
    IsInf,
    IsFinite,
}

impl MathFn {
    pub(crate) fn from_name(name: &str) -> Option<MathFn> {
        use MathFn::*;
        Some(match name {
            "sqrt" => Sqrt,
            "exp" => Exp,
            "exp2" => Exp2,
            "expm1" => Expm1,
            "log" => Log,
            "log10" => Log10,
            "log2" => Log2,
            "log1p" => Log1p,
            "sin" => Sin,
            "cos" => Cos,
            "tan" => Tan,
            "asin" => Asin,
            "acos" => Acos,
            "atan" => Atan,
            "sinh" => Sinh,
            "cosh" => Cosh,
            "tanh" => Tanh,
            "asinh" => Asinh,
            "acosh" => Acosh,
            "atanh" => Atanh,
            "fabs" => Fabs,
            "degrees" => Degrees,
            "radians" => Radians,
            "floor" => Floor,
            "ceil" => Ceil,
            "trunc" => Trunc,
            "atan2" => Atan2,
            "copysign" => Copysign,
            "hypot" => Hypot,
            "pow" => Pow,
            "fmod" => Fmod,
            "isnan" => IsNan,
            "isinf" => IsInf,
            "isfinite" => IsFinite,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        use MathFn::*;
        match self {
            Sqrt => "sqrt",
            Exp => "exp",
            Exp2 => "exp2",
            Expm1 => "expm1",
            Log => "log",
            Log10 => "log10",
            Log2 => "log2",
            Log1p => "log1p",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Asin => "asin",
            Acos => "acos",
            Atan => "atan",
            Sinh => "sinh",
            Cosh => "cosh",
            Tanh => "tanh",
            Asinh => "asinh",
            Acosh => "acosh",
            Atanh => "atanh",
            Fabs => "fabs",
            Degrees => "degrees",
            Radians => "radians",
            Floor => "floor",
            Ceil => "ceil",
            Trunc => "trunc",
            Atan2 => "atan2",
            Copysign => "copysign",
            Hypot => "hypot",
            Pow => "pow",
            Fmod => "fmod",
            IsNan => "isnan",
            IsInf => "isinf",
            IsFinite => "isfinite",
        }
    }

    /// How many arguments it takes (`log` takes one or two).
    pub fn arity(self) -> std::ops::RangeInclusive<usize> {
        use MathFn::*;
        match self {
            Log => 1..=2,
            Atan2 | Copysign | Hypot | Pow | Fmod => 2..=2,
            _ => 1..=1,
        }
    }
}

pub(super) fn math_constant(name: &str) -> Option<f64> {
    Some(match name {
        "pi" => std::f64::consts::PI,
        "e" => std::f64::consts::E,
        "tau" => std::f64::consts::TAU,
        "inf" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => return None,
    })
}

/// Builtin exceptions that `raise` and `assert` may name.
pub const EXCEPTIONS: &[&str] = &[
    "ArithmeticError",
    "AssertionError",
    "BufferError",
    "EOFError",
    "Exception",
    "FloatingPointError",
    "IndexError",
    "KeyError",
    "LookupError",
    "MemoryError",
    "NotImplementedError",
    "OverflowError",
    "RecursionError",
    "RuntimeError",
    "StopIteration",
    "TypeError",
    "ValueError",
    "ZeroDivisionError",
];
