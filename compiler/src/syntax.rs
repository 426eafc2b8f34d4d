//! Syntax: parses the source with rustpython-parser and reads the comments the AST drops.
//!
//! Takes the source text; gives the module's statements and its export comments
//! (`#export f(int)` and `#pythran export f(int)`, parsed by [`crate::export_spec`]), or
//! diagnostics: a syntax error, malformed export specs (all of them, not just the first).

use crate::diagnostics::{Code, Diagnostic, Span};
use crate::export_spec::{parse_export, ExportEntry};
use rustpython_parser::ast::Stmt;
use rustpython_parser::{lexer, Mode, Tok};

pub struct ParsedModule {
    pub body: Vec<Stmt>,
    pub exports: Vec<ExportEntry>,
    pub directives: Vec<Directive>,
    pub pragmas: Vec<OmpPragma>,
    /// Export lines read and set aside (Pythran's `capsule` exports), as W001 warnings.
    pub warnings: Vec<Diagnostic>,
}

/// What an omp pragma asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OmpKind {
    /// `#omp parallel for [clauses]`.
    ParallelFor,
    /// `#omp atomic`: the next statement, an update `x op= v`, is made atomically.
    Atomic,
    /// `#omp critical`: the next statement runs one thread at a time (here: an update, made
    /// as `atomic` makes it).
    Critical,
}

/// An omp pragma: applies to the statement starting at `next_line`.
pub struct OmpPragma {
    pub kind: OmpKind,
    pub clauses: Vec<crate::omp::Clause>,
    pub span: Span,
    pub next_line: usize,
}

/// A `# pyaot: boundscheck=False, wraparound=False` comment.
pub struct Directive {
    pub settings: Vec<(DirectiveKey, bool)>,
    pub span: Span,
    /// Where the first code line after the comment starts, when only comment lines come between
    /// (a blank line detaches it): a `def` starting there is the function it applies to.
    pub next_line: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectiveKey {
    BoundsCheck,
    WrapAround,
    OverflowCheck,
    Native,
}

/// `source` with every identifier in NFKC form, as Python reads them (`ﬁ = 1` binds `fi`);
/// borrowed unchanged when no identifier changes (always for ASCII source). Spans and the
/// report then refer to the normalized text.
pub fn nfkc_identifiers(source: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    if source.is_ascii() {
        return std::borrow::Cow::Borrowed(source);
    }
    let mut changes = Vec::new();
    // Up to the first lexical error (the parser reports it): after one, the lexer may repeat
    // it forever (an unclosed bracket at the end of the file), so skipping errors never ends.
    for (tok, range) in lexer::lex(source, Mode::Module).map_while(Result::ok) {
        if let Tok::Name { name } = tok {
            let normal: String = name.nfkc().collect();
            if !name.is_ascii() && normal != name.as_str() {
                changes.push((usize::from(range.start())..usize::from(range.end()), normal));
            }
        }
    }
    if changes.is_empty() {
        return std::borrow::Cow::Borrowed(source);
    }
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    for (range, normal) in changes {
        out.push_str(&source[at..range.start]);
        out.push_str(&normal);
        at = range.end;
    }
    out.push_str(&source[at..]);
    std::borrow::Cow::Owned(out)
}

pub fn parse(source: &str, file_name: &str) -> Result<ParsedModule, Vec<Diagnostic>> {
    let body = match rustpython_parser::parse(source, Mode::Module, file_name) {
        Ok(rustpython_parser::ast::Mod::Module(m)) => m.body,
        Ok(_) => Vec::new(),
        Err(e) => {
            let at = usize::from(e.offset).min(source.len());
            let end = source[at..]
                .chars()
                .next()
                .filter(|c| *c != '\n')
                .map_or(at, |c| at + c.len_utf8());
            return Err(vec![Diagnostic::error(
                Code::Syntax,
                at..end,
                format!("invalid Python syntax: {}", e.error),
            )
            .label("here")
            .hint("pyaot compiles Python 3 source; check that the file runs under `python3`")]);
        }
    };
    if let Some(too_deep) = nesting_beyond(&body, MAX_NESTING) {
        let at = usize::from(too_deep.start());
        let end =
            source[at..].chars().next().filter(|c| *c != '\n').map_or(at, |c| at + c.len_utf8());
        return Err(vec![Diagnostic::error(Code::Syntax, at..end, format!("code nested more than {MAX_NESTING} levels deep"))
            .label("this is nested too deeply")
            .hint("CPython refuses this too (RecursionError while compiling): split the expression or the `elif` chain over several statements, or use a loop")]);
    }
    let mut exports = Vec::new();
    let mut directives = Vec::new();
    let mut pragmas = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let comments: Vec<(String, usize)> = lexer::lex(source, Mode::Module)
        .filter_map(|token| match token {
            Ok((Tok::Comment(text), range)) => Some((text, usize::from(range.start()))),
            _ => None,
        })
        .collect();
    let mut continued = 0;
    for (k, (text, start)) in comments.iter().enumerate() {
        let (text, start) = (text.as_str(), *start);
        if k < continued {
            continue; // the continuation of an export above
        }
        if let Some(offset) = export_body_offset(text) {
            let (body, end) = export_with_continuations(source, &comments, k, offset);
            continued = end;
            if let Some(name) = body
                .trim_start()
                .strip_prefix("capsule")
                .filter(|rest| rest.starts_with(char::is_whitespace))
            {
                let name = name.trim_start().split('(').next().unwrap_or("").trim();
                warnings.push(Diagnostic::error(Code::Ignored, start..start + text.len(), format!("capsule export of `{name}` skipped"))
                    .label("a C function pointer for other compiled code")
                    .hint("pyaot exports functions Python calls; add `#export` with the argument types to call it from Python"));
                continue;
            }
            match parse_export(&body, start + offset) {
                Ok(entries) => exports.extend(entries),
                Err(d) => errors.push(d),
            }
        } else if let Some(directive) = omp_directive(text) {
            let end = start + text.len();
            let next_line = next_code_line(source, end);
            match directive {
                Ok((kind, offset)) if kind == OmpKind::ParallelFor => {
                    match crate::omp::parse_clauses(&text[offset..], start + offset) {
                        Ok(clauses) => {
                            pragmas.push(OmpPragma { kind, clauses, span: start..end, next_line })
                        }
                        Err(d) => errors.push(d),
                    }
                }
                Ok((kind, _)) => pragmas.push(OmpPragma {
                    kind,
                    clauses: Vec::new(),
                    span: start..end,
                    next_line,
                }),
                // Never ignored in silence: a construct that would change what runs.
                Err(name) => errors.push(
                    Diagnostic::error(
                        Code::NotYet,
                        start..end,
                        format!("`#omp {name}` is not supported yet"),
                    )
                    .label("this pragma")
                    .hint("pyaot runs `#omp parallel for` loops, with `#omp atomic` or `#omp critical` on updates `x op= v` inside them; put `#omp parallel for` on the loop itself"),
                ),
            }
        } else if let Some(rest) =
            text.strip_prefix('#').map(str::trim_start).and_then(|t| t.strip_prefix("pyaot:"))
        {
            let end = start + text.len();
            let next_line = next_code_line(source, end);
            match parse_directive(rest) {
                Ok(settings) => directives.push(Directive { settings, span: start..end, next_line }),
                Err(message) => errors.push(Diagnostic::error(Code::ExportSpec, start..end, message)
                    .label("in this directive")
                    .hint("write `# pyaot: boundscheck=False, wraparound=False` at the top of the file or on the line above a `def`")),
            }
        }
    }
    if errors.is_empty() {
        Ok(ParsedModule { body, exports, directives, pragmas, warnings })
    } else {
        Err(errors)
    }
}

/// If the comment is an omp pragma (`#omp ...` or `#pragma omp ...`): its kind and where its
/// clauses start, or the construct's name when pyaot does not run it.
fn omp_directive(comment: &str) -> Option<Result<(OmpKind, usize), String>> {
    let rest = comment.strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("pragma").map(str::trim_start).unwrap_or(rest);
    let rest = rest.strip_prefix("omp")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim_start();
    let word = |text: &str, w: &str| -> Option<usize> {
        let after = text.strip_prefix(w)?;
        (after.is_empty() || after.starts_with(|c: char| c.is_whitespace() || c == '('))
            .then_some(text.len() - after.len())
    };
    let at = |rest_len: usize| comment.len() - rest_len;
    if let Some(n) = word(rest, "parallel") {
        let after = rest[n..].trim_start();
        if let Some(m) = word(after, "for") {
            return Some(Ok((OmpKind::ParallelFor, at(after.len() - m))));
        }
        return Some(Err("parallel".into()));
    }
    if let Some(n) = word(rest, "atomic") {
        let after = rest[n..].trim();
        return Some(match after {
            "" | "update" => Ok((OmpKind::Atomic, comment.len())),
            other => Err(format!("atomic {other}")),
        });
    }
    if word(rest, "critical").is_some() {
        return Some(Ok((OmpKind::Critical, comment.len())));
    }
    // OpenMP's other constructs: refused by name. Any other word after `omp` is prose.
    let name: String = rest.chars().take_while(|c| !c.is_whitespace() && *c != '(').collect();
    const CONSTRUCTS: [&str; 16] = [
        "for",
        "single",
        "master",
        "masked",
        "barrier",
        "sections",
        "section",
        "task",
        "taskwait",
        "taskloop",
        "simd",
        "ordered",
        "flush",
        "threadprivate",
        "teams",
        "loop",
    ];
    CONSTRUCTS.contains(&name.as_str()).then_some(Err(name))
}

fn next_code_line(source: &str, comment_end: usize) -> usize {
    let mut at = source[comment_end..].find('\n').map_or(source.len(), |i| comment_end + i + 1);
    while at < source.len() {
        let line_end = source[at..].find('\n').map_or(source.len(), |i| at + i);
        let raw = &source[at..line_end];
        let line = raw.trim();
        if line.is_empty() {
            return usize::MAX;
        }
        if !line.starts_with('#') {
            // Where the statement starts: after the indentation.
            return at + (raw.len() - raw.trim_start().len());
        }
        at = line_end + 1;
    }
    usize::MAX
}

/// The text of the export comment `comments[k]` from `offset`, joined with the comment lines
/// right below it while its parentheses are open (an export spread over lines, as Pythran
/// allows: `#pythran export f(int,` then `#                 float)`). Each `#` (and a
/// `pythran` after it) and line break becomes spaces, so positions in the text are still
/// positions in the source. Also gives the index of the first comment not used.
fn export_with_continuations(
    source: &str,
    comments: &[(String, usize)],
    k: usize,
    offset: usize,
) -> (String, usize) {
    let (text, start) = (&comments[k].0, comments[k].1);
    let open = |t: &str| t.matches('(').count() > t.matches(')').count();
    let mut end = start + text.len();
    let mut next = k + 1;
    while open(&source[start + offset..end]) {
        let Some((more, at)) = comments.get(next) else { break };
        // Only a comment alone on the very next line continues it.
        let gap = &source[end..*at];
        if gap.matches('\n').count() != 1 || !gap.trim().is_empty() {
            break;
        }
        end = at + more.len();
        next += 1;
    }
    if next == k + 1 {
        return (text[offset..].to_string(), next);
    }
    let mut body = String::with_capacity(end - start - offset);
    let mut rest = &source[start + offset..end];
    while let Some(cut) = rest.find('\n') {
        body.push_str(&rest[..cut]);
        body.push(' ');
        rest = &rest[cut + 1..];
        let indent = rest.len() - rest.trim_start().len();
        body.push_str(&rest[..indent]);
        rest = &rest[indent..];
        if let Some(after) = rest.strip_prefix('#') {
            body.push(' ');
            rest = after;
            if let Some(after) = rest.strip_prefix("pythran") {
                body.push_str("       ");
                rest = after;
            }
        }
    }
    body.push_str(rest);
    (body, next)
}

/// How deeply statements and expressions may nest: CPython's compiler stops near 3,000 levels
/// (`n + 1 + 1 ...` with 3,000 terms, a 3,000-branch `elif` chain: RecursionError). Every pass
/// after this one recurses over the tree, so bounding it here keeps them within their stack.
pub const MAX_NESTING: usize = 3000;

/// Where the tree first nests deeper than `limit`, if it does.
fn nesting_beyond(body: &[Stmt], limit: usize) -> Option<rustpython_parser::text_size::TextRange> {
    use rustpython_ast::{Expr, Ranged, Visitor};
    struct Depth {
        depth: usize,
        limit: usize,
        found: Option<rustpython_parser::text_size::TextRange>,
    }
    impl Depth {
        fn enter(&mut self, range: rustpython_parser::text_size::TextRange) -> bool {
            if self.found.is_some() {
                return false;
            }
            if self.depth >= self.limit {
                self.found = Some(range);
                return false;
            }
            self.depth += 1;
            true
        }
    }
    impl Visitor for Depth {
        fn visit_stmt(&mut self, node: Stmt) {
            if self.enter(node.range()) {
                self.generic_visit_stmt(node);
                self.depth -= 1;
            }
        }
        fn visit_expr(&mut self, node: Expr) {
            if self.enter(node.range()) {
                self.generic_visit_expr(node);
                self.depth -= 1;
            }
        }
    }
    let mut depth = Depth { depth: 0, limit, found: None };
    for s in body {
        depth.visit_stmt(s.clone());
    }
    depth.found
}

fn parse_directive(text: &str) -> Result<Vec<(DirectiveKey, bool)>, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        // `native` alone: native=True.
        if part == "native" {
            out.push((DirectiveKey::Native, true));
            continue;
        }
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| format!("expected `name=True` or `name=False`, found `{part}`"))?;
        let key = match key.trim() {
            "boundscheck" => DirectiveKey::BoundsCheck,
            "wraparound" => DirectiveKey::WrapAround,
            "overflowcheck" => DirectiveKey::OverflowCheck,
            "native" => DirectiveKey::Native,
            other => {
                return Err(format!(
                "unknown pyaot directive `{other}` (known: boundscheck, wraparound, overflowcheck, native)"
            ))
            }
        };
        let value = match value.trim() {
            "True" => true,
            "False" => false,
            other => return Err(format!("a directive is `True` or `False`, not `{other}`")),
        };
        out.push((key, value));
    }
    if out.is_empty() {
        return Err("empty pyaot directive".into());
    }
    Ok(out)
}

/// If the comment is an export line, the byte offset in it where the exported entries start.
fn export_body_offset(comment: &str) -> Option<usize> {
    let rest = comment.strip_prefix('#')?;
    let trimmed = rest.trim_start();
    let trimmed = match trimmed.strip_prefix("pythran") {
        Some(after) if after.starts_with(char::is_whitespace) => after.trim_start(),
        _ => trimmed,
    };
    let after = trimmed.strip_prefix("export")?;
    if !after.starts_with(char::is_whitespace) {
        return None;
    }
    Some(comment.len() - after.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_comment_spellings() {
        assert_eq!(export_body_offset("#export f(int)"), Some(7));
        assert_eq!(export_body_offset("# export f(int)"), Some(8));
        assert_eq!(export_body_offset("#pythran export f(int)"), Some(15));
        assert_eq!(export_body_offset("#exported values"), None);
        assert_eq!(export_body_offset("# an export of"), None);
    }

    #[test]
    fn reads_exports_and_skips_strings() {
        let src = "\"\"\"doc\n#export g(int)\n\"\"\"\n#export f(int, float)\ndef f(a, b):\n    return a  # export h(int)\n";
        let m = parse(src, "t.py").ok().unwrap();
        let names: Vec<_> = m.exports.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["f", "h"]);
    }

    #[test]
    fn directives() {
        let src = "# pyaot: boundscheck=False\n#export f(int)\n# pyaot: wraparound=False, boundscheck=True\ndef f(a):\n    return a\n";
        let m = parse(src, "t.py").ok().unwrap();
        assert_eq!(m.directives.len(), 2);
        assert_eq!(m.directives[0].settings, [(DirectiveKey::BoundsCheck, false)]);
        assert_eq!(m.directives[1].next_line, src.find("def").unwrap());
        assert_eq!(m.directives[0].next_line, src.find("def").unwrap());
        let detached =
            parse("# pyaot: wraparound=False\n\n#export f(int)\ndef f(a):\n    return a\n", "t.py")
                .ok()
                .unwrap();
        assert_eq!(detached.directives[0].next_line, usize::MAX);
        assert!(parse("# pyaot: speed=11\n", "t.py").is_err());
        assert!(parse("# pyaot: boundscheck=no\n", "t.py").is_err());
    }

    #[test]
    fn all_bad_export_lines_are_reported() {
        let src = "#export f(nope)\n#export g(int\ndef f(a): pass\n";
        let errs = parse(src, "t.py").err().unwrap();
        assert_eq!(errs.len(), 2);
    }
}
