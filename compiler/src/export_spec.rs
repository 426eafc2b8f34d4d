//! Export comments: parses the text after `#export` / `#pythran export` into typed signatures.
//!
//! Takes one comment's text and the byte offset where it starts in the file; gives the exported
//! entries, each a function name and its argument specs, or diagnostics pointing into the comment.
//! The spellings are Pythran's: scalars (`int`, `float64`, `uint8`, …), tuples `(T1, T2)`,
//! alternatives `T1 or T2`, a trailing `?` for arguments with a default, arrays `T[:, :]`, `T[]`,
//! `T[::1]`, `T[:, 3]`, and containers `T list`, `T set`, `K:V dict`, `list[T]`, `dict[K, V]`.

use crate::diagnostics::{Code, Diagnostic, Span};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    Bool,
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Float32,
    Float64,
    Complex64,
    Complex128,
}

impl Scalar {
    pub fn from_name(name: &str) -> Option<Scalar> {
        Some(match name {
            "bool" => Scalar::Bool,
            "int8" => Scalar::Int8,
            "int16" => Scalar::Int16,
            "int32" => Scalar::Int32,
            // intp/uintp: numpy's pointer-sized ints (64-bit on every platform pyaot targets).
            "int" | "int64" | "intp" => Scalar::Int64,
            "uint8" => Scalar::UInt8,
            "uint16" => Scalar::UInt16,
            "uint32" => Scalar::UInt32,
            "uint64" | "uintp" => Scalar::UInt64,
            "float32" => Scalar::Float32,
            "float" | "float64" => Scalar::Float64,
            "complex64" => Scalar::Complex64,
            "complex" | "complex128" => Scalar::Complex128,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Scalar::Bool => "bool",
            Scalar::Int8 => "int8",
            Scalar::Int16 => "int16",
            Scalar::Int32 => "int32",
            Scalar::Int64 => "int",
            Scalar::UInt8 => "uint8",
            Scalar::UInt16 => "uint16",
            Scalar::UInt32 => "uint32",
            Scalar::UInt64 => "uint64",
            Scalar::Float32 => "float32",
            Scalar::Float64 => "float",
            Scalar::Complex64 => "complex64",
            Scalar::Complex128 => "complex",
        }
    }

    pub fn is_integer(self) -> bool {
        !matches!(
            self,
            Scalar::Bool
                | Scalar::Float32
                | Scalar::Float64
                | Scalar::Complex64
                | Scalar::Complex128
        )
    }

    /// The inclusive range a Python int must lie in to convert to this integer type.
    pub fn int_range(self) -> Option<(i128, i128)> {
        Some(match self {
            Scalar::Int8 => (i8::MIN as i128, i8::MAX as i128),
            Scalar::Int16 => (i16::MIN as i128, i16::MAX as i128),
            Scalar::Int32 => (i32::MIN as i128, i32::MAX as i128),
            Scalar::Int64 => (i64::MIN as i128, i64::MAX as i128),
            Scalar::UInt8 => (0, u8::MAX as i128),
            Scalar::UInt16 => (0, u16::MAX as i128),
            Scalar::UInt32 => (0, u32::MAX as i128),
            Scalar::UInt64 => (0, u64::MAX as i128),
            _ => return None,
        })
    }
}

/// One dimension of an array spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dim {
    Any,
    Fixed(u64),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SpecType {
    Scalar(Scalar),
    Tuple(Vec<SpecType>),
    /// `contiguous` is set by a trailing `::1` (C order required).
    Array {
        dtype: Scalar,
        dims: Vec<Dim>,
        contiguous: bool,
    },
    List(Box<SpecType>),
    Set(Box<SpecType>),
    Dict(Box<SpecType>, Box<SpecType>),
    Str,
    Object,
    NoneType,
}

impl fmt::Display for SpecType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecType::Scalar(s) => write!(f, "{}", s.name()),
            SpecType::Tuple(items) => {
                write!(f, "(")?;
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{t}")?;
                }
                if items.len() == 1 {
                    write!(f, ",")?;
                }
                write!(f, ")")
            }
            SpecType::Array { dtype, dims, contiguous } => {
                // numpy's names for arrays: float64[:], not float[:].
                let name = match dtype {
                    Scalar::Float64 => "float64",
                    Scalar::Int64 => "int64",
                    Scalar::Complex128 => "complex128",
                    other => other.name(),
                };
                write!(f, "{name}[")?;
                for (i, d) in dims.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    match d {
                        Dim::Fixed(n) => write!(f, "{n}")?,
                        Dim::Any if *contiguous && i + 1 == dims.len() => write!(f, "::1")?,
                        Dim::Any => write!(f, ":")?,
                    }
                }
                write!(f, "]")
            }
            SpecType::List(t) => write!(f, "{t} list"),
            SpecType::Set(t) => write!(f, "{t} set"),
            SpecType::Dict(k, v) => write!(f, "{k}:{v} dict"),
            SpecType::Str => write!(f, "str"),
            SpecType::Object => write!(f, "object"),
            SpecType::NoneType => write!(f, "None"),
        }
    }
}

/// One argument of an export entry: its alternatives (`int or float`) and whether it may be omitted.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportArg {
    pub alternatives: Vec<SpecType>,
    pub optional: bool,
    pub span: Span,
}

/// `name(arg, ...)` in an export comment.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportEntry {
    pub name: String,
    pub name_span: Span,
    pub args: Vec<ExportArg>,
    pub span: Span,
}

impl ExportEntry {
    /// Expands `or` alternatives into one signature each, in the order written (first varies slowest).
    pub fn signatures(&self) -> Vec<Vec<(SpecType, bool)>> {
        let mut sigs: Vec<Vec<(SpecType, bool)>> = vec![Vec::new()];
        for arg in &self.args {
            let mut next = Vec::new();
            for sig in &sigs {
                for alt in &arg.alternatives {
                    let mut s = sig.clone();
                    s.push((alt.clone(), arg.optional));
                    next.push(s);
                }
            }
            sigs = next;
        }
        sigs
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Number(u64),
    Punct(char),
    DoubleColon,
    End,
}

struct Lexer {
    toks: Vec<(Tok, Span)>,
    pos: usize,
}

fn lex(text: &str, base: usize) -> Result<Vec<(Tok, Span)>, Diagnostic> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let Some(c) = text[i..].chars().next() else { break };
        let start = i;
        if c.is_whitespace() {
            i += c.len_utf8();
        } else if c.is_alphabetic() || c == '_' {
            // Python identifiers may be non-ASCII (`def fé`).
            while let Some(d) =
                text[i..].chars().next().filter(|d| d.is_alphanumeric() || *d == '_')
            {
                i += d.len_utf8();
            }
            // NFKC, as Python reads the `def` this names (`ﬁ` is `fi`).
            let word: String =
                unicode_normalization::UnicodeNormalization::nfkc(&text[start..i]).collect();
            out.push((Tok::Ident(word), base + start..base + i));
        } else if c.is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let n = text[start..i].parse::<u64>().map_err(|_| {
                Diagnostic::error(
                    Code::ExportSpec,
                    base + start..base + i,
                    "number too large in export comment",
                )
                .label("this size")
            })?;
            out.push((Tok::Number(n), base + start..base + i));
        } else if c == ':' && bytes.get(i + 1) == Some(&b':') {
            i += 2;
            out.push((Tok::DoubleColon, base + start..base + i));
        } else if "()[],:?".contains(c) {
            i += 1;
            out.push((Tok::Punct(c), base + start..base + i));
        } else {
            let len = text[i..].chars().next().map_or(1, |ch| ch.len_utf8());
            return Err(Diagnostic::error(
                Code::ExportSpec,
                base + start..base + start + len,
                format!("unexpected character `{}` in export comment", &text[i..i + len]),
            )
            .label("not part of a type")
            .hint("an export comment reads `#export name(type, ...)`, e.g. `#export mean(float64[:])`"));
        }
    }
    let end = base + text.len();
    out.push((Tok::End, end..end));
    Ok(out)
}

impl Lexer {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }
    fn span(&self) -> Span {
        self.toks[self.pos].1.clone()
    }
    fn next(&mut self) -> (Tok, Span) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn eat(&mut self, c: char) -> bool {
        if *self.peek() == Tok::Punct(c) {
            self.next();
            true
        } else {
            false
        }
    }
    fn eat_ident(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Tok::Ident(w) if w == word) {
            self.next();
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: char, what: &str) -> Result<Span, Diagnostic> {
        let span = self.span();
        if self.eat(c) {
            Ok(span)
        } else {
            Err(self.unexpected(&format!("expected `{c}` {what}")))
        }
    }
    fn unexpected(&self, message: &str) -> Diagnostic {
        let found = match self.peek() {
            Tok::End => "the end of the comment".to_string(),
            Tok::Ident(w) => format!("`{w}`"),
            Tok::Number(n) => format!("`{n}`"),
            Tok::Punct(c) => format!("`{c}`"),
            Tok::DoubleColon => "`::`".to_string(),
        };
        Diagnostic::error(Code::ExportSpec, self.span(), format!("{message}, found {found}"))
            .label("here")
            .hint("an export comment reads `#export name(type, ...)`, e.g. `#export mean(float64[:])`")
    }
}

/// Parses the text after the `export` keyword. `base` is the byte offset of `text` in the file.
pub fn parse_export(text: &str, base: usize) -> Result<Vec<ExportEntry>, Diagnostic> {
    let mut lx = Lexer { toks: lex(text, base)?, pos: 0 };
    let mut entries = Vec::new();
    loop {
        let (tok, name_span) = lx.next();
        let name = match tok {
            Tok::Ident(n) => n,
            _ => {
                lx.pos = lx.pos.saturating_sub(1);
                return Err(lx.unexpected("expected the name of a function to export"));
            }
        };
        if *lx.peek() != Tok::Punct('(') {
            return Err(lx.unexpected(&format!("expected `(` and the argument types of `{name}`")));
        }
        lx.next();
        let mut args = Vec::new();
        if !lx.eat(')') {
            loop {
                args.push(parse_arg(&mut lx)?);
                if lx.eat(')') {
                    break;
                }
                lx.expect(',', "between argument types")?;
            }
        }
        let span = name_span.start..lx.toks[lx.pos.saturating_sub(1)].1.end;
        entries.push(ExportEntry { name, name_span, args, span });
        if *lx.peek() == Tok::End {
            return Ok(entries);
        }
        lx.expect(',', "between exported functions")?;
    }
}

fn parse_arg(lx: &mut Lexer) -> Result<ExportArg, Diagnostic> {
    let start = lx.span().start;
    let mut alternatives = parse_type(lx)?;
    while lx.eat_ident("or") {
        alternatives.extend(parse_type(lx)?);
    }
    let optional = lx.eat('?');
    let end = lx.toks[lx.pos.saturating_sub(1)].1.end;
    Ok(ExportArg { alternatives, optional, span: start..end })
}

/// Every combination of one alternative from each part (`(A or B, C)` is `(A, C)` or `(B, C)`).
fn product(parts: Vec<Vec<SpecType>>) -> Vec<Vec<SpecType>> {
    parts.into_iter().fold(vec![Vec::new()], |acc, alts| {
        acc.iter()
            .flat_map(|prefix| {
                alts.iter().map(move |a| {
                    let mut v = prefix.clone();
                    v.push(a.clone());
                    v
                })
            })
            .collect()
    })
}

/// A type with its postfix forms: `T[:]`, `T list`, `T set`, and `K:V dict`; as the
/// alternatives it stands for (one, unless a part is `[A or B]`).
fn parse_type(lx: &mut Lexer) -> Result<Vec<SpecType>, Diagnostic> {
    let mut t = parse_postfix(lx)?;
    if *lx.peek() == Tok::Punct(':') {
        lx.next();
        let value = parse_postfix(lx)?;
        if !lx.eat_ident("dict") {
            return Err(lx.unexpected("expected `dict` after `key:value`"));
        }
        t = product(vec![t, value])
            .into_iter()
            .map(|kv| SpecType::Dict(Box::new(kv[0].clone()), Box::new(kv[1].clone())))
            .collect();
        t = parse_container_suffix(lx, t);
    }
    Ok(t)
}

fn parse_container_suffix(lx: &mut Lexer, mut t: Vec<SpecType>) -> Vec<SpecType> {
    loop {
        if lx.eat_ident("list") {
            t = t.into_iter().map(|x| SpecType::List(Box::new(x))).collect();
        } else if lx.eat_ident("set") {
            t = t.into_iter().map(|x| SpecType::Set(Box::new(x))).collect();
        } else {
            return t;
        }
    }
}

fn parse_postfix(lx: &mut Lexer) -> Result<Vec<SpecType>, Diagnostic> {
    let alternatives = parse_atom(lx)?;
    let t = if *lx.peek() == Tok::Punct('[') {
        let dtype = match alternatives.as_slice() {
            [SpecType::Scalar(s)] => *s,
            [other] => {
                return Err(Diagnostic::error(
                    Code::ExportSpec,
                    lx.span(),
                    format!("arrays hold scalars, not `{other}`"),
                )
                .label("array brackets here")
                .hint("write an element type such as `float64[:]` or `int32[:, :]`"))
            }
            _ => {
                return Err(lx.unexpected(
                    "array brackets after alternatives: write `[A[:] or B[:]]` instead",
                ))
            }
        };
        let mut dims = Vec::new();
        let mut contiguous = false;
        while lx.eat('[') {
            if contiguous {
                return Err(lx.unexpected("`::1` must be the last dimension"));
            }
            if lx.eat(']') {
                dims.push(Dim::Any); // Pythran's `T[]`
                continue;
            }
            loop {
                if contiguous {
                    return Err(lx.unexpected("`::1` must be the last dimension"));
                }
                match lx.peek().clone() {
                    Tok::Punct(':') => {
                        lx.next();
                        dims.push(Dim::Any);
                    }
                    Tok::DoubleColon => {
                        lx.next();
                        if let Tok::Number(n) = lx.peek().clone() {
                            if n != 1 {
                                return Err(
                                    lx.unexpected("only `::1` (contiguous) is allowed as a step")
                                );
                            }
                            lx.next();
                            contiguous = true;
                        }
                        dims.push(Dim::Any);
                    }
                    Tok::Number(n) => {
                        lx.next();
                        dims.push(Dim::Fixed(n));
                    }
                    // Pythran's `T[,]`: an empty slot is any size.
                    Tok::Punct(',') | Tok::Punct(']') => dims.push(Dim::Any),
                    _ => {
                        return Err(lx.unexpected("expected `:`, `::1` or a size in array brackets"))
                    }
                }
                if lx.eat(']') {
                    break;
                }
                lx.expect(',', "between array dimensions")?;
            }
        }
        // Pythran's `T[:, :] order(C)` (C-contiguous) and `order(F)` (Fortran order, compiled
        // for any strides here).
        if lx.eat_ident("order") {
            lx.expect('(', "after `order`")?;
            match lx.peek().clone() {
                Tok::Ident(o) if o == "C" => contiguous = true,
                Tok::Ident(o) if o == "F" => {}
                _ => return Err(lx.unexpected("expected `C` or `F` in `order(...)`")),
            }
            lx.next();
            lx.expect(')', "after the order")?;
        }
        vec![SpecType::Array { dtype, dims, contiguous }]
    } else {
        alternatives
    };
    Ok(parse_container_suffix(lx, t))
}

fn parse_atom(lx: &mut Lexer) -> Result<Vec<SpecType>, Diagnostic> {
    let span = lx.span();
    match lx.peek().clone() {
        Tok::Punct('(') => {
            lx.next();
            let mut items: Vec<Vec<SpecType>> = Vec::new();
            if lx.eat(')') {
                return Ok(vec![SpecType::Tuple(Vec::new())]);
            }
            loop {
                items.push(parse_type(lx)?);
                if lx.eat(')') {
                    break;
                }
                lx.expect(',', "between tuple items")?;
                if lx.eat(')') {
                    break;
                }
            }
            Ok(product(items).into_iter().map(SpecType::Tuple).collect())
        }
        // `[A or B]`: the alternatives as one part of a bigger type (`[int or float] list`).
        Tok::Punct('[') => {
            lx.next();
            let mut alternatives = parse_type(lx)?;
            while lx.eat_ident("or") {
                alternatives.extend(parse_type(lx)?);
            }
            lx.expect(']', "after the alternatives")?;
            Ok(alternatives)
        }
        Tok::Ident(word) => {
            lx.next();
            if let Some(s) = Scalar::from_name(&word) {
                return Ok(vec![SpecType::Scalar(s)]);
            }
            match word.as_str() {
                "str" => Ok(vec![SpecType::Str]),
                "object" => Ok(vec![SpecType::Object]),
                "None" => Ok(vec![SpecType::NoneType]),
                "list" | "set" if *lx.peek() == Tok::Punct('[') => {
                    lx.next();
                    let inner = parse_type(lx)?;
                    lx.expect(']', "after the element type")?;
                    Ok(inner
                        .into_iter()
                        .map(|t| {
                            if word == "list" {
                                SpecType::List(Box::new(t))
                            } else {
                                SpecType::Set(Box::new(t))
                            }
                        })
                        .collect())
                }
                "dict" if *lx.peek() == Tok::Punct('[') => {
                    lx.next();
                    let k = parse_type(lx)?;
                    lx.expect(',', "between the key and value types")?;
                    let v = parse_type(lx)?;
                    lx.expect(']', "after the value type")?;
                    Ok(product(vec![k, v])
                        .into_iter()
                        .map(|kv| SpecType::Dict(Box::new(kv[0].clone()), Box::new(kv[1].clone())))
                        .collect())
                }
                _ => Err(Diagnostic::error(
                    Code::ExportSpec,
                    span,
                    format!("unknown type `{word}` in export comment"),
                )
                .label("not a type pyaot knows")
                .hint(suggest(&word))),
            }
        }
        _ => Err(lx.unexpected("expected a type")),
    }
}

fn suggest(word: &str) -> String {
    let near = match word {
        "double" | "f64" | "float_" => Some("float64"),
        "long" | "i64" | "int_" | "integer" => Some("int64"),
        "i32" | "intc" => Some("int32"),
        "boolean" | "bool_" => Some("bool"),
        "string" | "unicode" => Some("str"),
        "ndarray" | "array" => Some("float64[:]"),
        _ => None,
    };
    match near {
        Some(n) => format!("did you mean `{n}`? Types are Pythran's: int, float, bool, complex, int8…uint64, float32, float64, T[:], T list, K:V dict"),
        None => "types are Pythran's: int, float, bool, complex, int8…uint64, float32, float64, (T1, T2), T[:], T list, K:V dict".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(text: &str) -> Vec<String> {
        let e = parse_export(text, 0).expect("parses");
        e[0].args
            .iter()
            .map(|a| a.alternatives.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" or "))
            .collect()
    }

    #[test]
    fn scalars_and_aliases() {
        assert_eq!(
            types("f(int, float, bool, complex, uint8, float32)"),
            ["int", "float", "bool", "complex", "uint8", "float32"]
        );
        assert_eq!(types("f(int64, float64, complex128)"), ["int", "float", "complex"]);
    }

    #[test]
    fn no_arguments_and_several_entries() {
        let e = parse_export("a(), b(int)", 10).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].name, "a");
        assert!(e[0].args.is_empty());
        assert_eq!(e[1].name_span, 15..16);
    }

    #[test]
    fn tuples_alternatives_and_defaults() {
        let e = parse_export("f((int, float), int or float, float?)", 0).unwrap();
        assert_eq!(e[0].args[0].alternatives[0].to_string(), "(int, float)");
        assert_eq!(e[0].args[1].alternatives.len(), 2);
        assert!(e[0].args[2].optional);
        assert!(!e[0].args[1].optional);
        let sigs = e[0].signatures();
        assert_eq!(sigs.len(), 2);
        assert_eq!(sigs[1][1].0, SpecType::Scalar(Scalar::Float64));
    }

    #[test]
    fn one_item_tuple() {
        assert_eq!(types("f((int,))"), ["(int,)"]);
    }

    #[test]
    fn arrays() {
        assert_eq!(types("f(float64[:], int[:,:], float[], float[][], uint8[::], float[:, ::1], float64[:,3])"),
            ["float64[:]", "int64[:, :]", "float64[:]", "float64[:, :]", "uint8[:]", "float64[:, ::1]", "float64[:, 3]"]);
        let e = parse_export("f(float32[::1])", 0).unwrap();
        assert_eq!(
            e[0].args[0].alternatives[0],
            SpecType::Array { dtype: Scalar::Float32, dims: vec![Dim::Any], contiguous: true }
        );
    }

    #[test]
    fn containers() {
        assert_eq!(types("f(int list, str:float dict, float set, (int, str) list, list[int], dict[str, int], set[float], object, str)"),
            ["int list", "str:float dict", "float set", "(int, str) list", "int list", "str:int dict", "float set", "object", "str"]);
        assert_eq!(types("f(int list list)"), ["int list list"]);
    }

    #[test]
    fn errors_point_into_the_comment() {
        let err = parse_export("f(int, flaot)", 100).unwrap_err();
        assert_eq!(err.span, 107..112);
        assert!(err.message.contains("flaot"));
        let err = parse_export("f(int", 0).unwrap_err();
        assert!(err.message.contains("end of the comment"), "{}", err.message);
        let err = parse_export("f int", 0).unwrap_err();
        assert!(err.message.contains("expected `(`"));
        let err = parse_export("f(float[:, ::1, :])", 0).unwrap_err();
        assert!(err.message.contains("last dimension"));
        let err = parse_export("f(int $)", 0).unwrap_err();
        assert_eq!(err.span, 6..7);
        let err = parse_export("f(float[::2])", 0).unwrap_err();
        assert!(err.message.contains("::1"));
        assert!(parse_export("", 0).is_err());
        assert!(parse_export("f(int list[:])", 0).is_err());
    }

    #[test]
    fn suggestions() {
        let err = parse_export("f(double)", 0).unwrap_err();
        assert!(err.hint.unwrap().contains("float64"));
    }
}

/// Numba's `@jit`/`@njit` (called with options or not, however imported): a request to compile
/// the function, which pyaot does anyway.
pub fn is_jit_decorator(d: &rustpython_parser::ast::Expr) -> bool {
    use rustpython_parser::ast;
    let target = match d {
        ast::Expr::Call(c) => &*c.func,
        other => other,
    };
    let last = match target {
        ast::Expr::Name(n) => n.id.as_str(),
        ast::Expr::Attribute(a) => a.attr.as_str(),
        _ => return false,
    };
    matches!(last, "jit" | "njit")
}

/// The exports of a module without export comments: every top-level function (not async,
/// not decorated), each parameter a Python object (optional where it has a default).
pub fn untyped_exports(body: &[rustpython_parser::ast::Stmt]) -> Vec<ExportEntry> {
    use rustpython_parser::ast::{self, Ranged};
    let span_of = |r: rustpython_parser::text_size::TextRange| -> Span {
        usize::from(r.start())..usize::from(r.end())
    };
    body.iter()
        .filter_map(|stmt| match stmt {
            ast::Stmt::FunctionDef(f) if f.decorator_list.iter().all(is_jit_decorator) => Some(f),
            _ => None,
        })
        .map(|f| {
            let args = &f.args;
            let params = args.posonlyargs.iter().chain(&args.args).chain(&args.kwonlyargs);
            ExportEntry {
                name: f.name.to_string(),
                name_span: span_of(f.range()),
                args: params
                    .map(|a| ExportArg {
                        alternatives: vec![SpecType::Object],
                        optional: a.default.is_some(),
                        span: span_of(a.def.range),
                    })
                    .collect(),
                span: span_of(f.range()),
            }
        })
        .collect()
}
