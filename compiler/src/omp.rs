//! OpenMP-style pragmas: parses the clauses of `#omp parallel for ...` comments.
//!
//! Takes the text after `parallel for` and its offset in the file; gives the clauses with their
//! spans (`reduction(+:s)`, `private(a, b)`, `lastprivate(x)`, `schedule(dynamic, 4)`,
//! `num_threads(n)`, `if(n > 1000)`, `collapse(2)`; `shared(...)` and `default(none|shared)`
//! are read and dropped), or a diagnostic pointing at the clause it cannot read.
//! The expressions inside `schedule`, `num_threads` and `if` are left as Python source for the
//! HIR to parse.

use crate::diagnostics::{Code, Diagnostic, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReductionOp {
    Add,
    Mul,
    Min,
    Max,
    And,
    Or,
    Xor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    Static,
    Dynamic,
    Guided,
    /// No `schedule` clause (or `schedule(auto)`): the range in fixed chunks that threads take
    /// as they finish, each chunk's reductions kept apart and folded in order, so the result
    /// does not depend on which thread ran what (nor on how many threads there are).
    Auto,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    Reduction(ReductionOp, Vec<(String, Span)>),
    Private(Vec<(String, Span)>),
    LastPrivate(Vec<(String, Span)>),
    /// The chunk size as Python source, with its offset.
    Schedule(Schedule, Option<(String, usize)>),
    NumThreads(String, usize),
    If(String, usize),
    /// `collapse(n)`: the `n` perfectly nested loops share out one iteration space.
    Collapse(usize, Span),
}

/// Parses the clauses after `parallel for`; `base` is the offset of `text` in the file.
pub fn parse_clauses(text: &str, base: usize) -> Result<Vec<Clause>, Diagnostic> {
    let mut clauses = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        if c.is_whitespace() || c == ',' {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && ((bytes[i] as char).is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        let name = &text[start..i];
        if name.is_empty() {
            return Err(bad(
                base + start..base + start + 1,
                &format!("unexpected `{c}` in an omp pragma"),
            ));
        }
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'(' {
            return Err(bad(
                base + start..base + i,
                &format!("`{name}` needs its arguments in parentheses"),
            ));
        }
        let open = i;
        let mut depth = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        if i >= bytes.len() {
            return Err(bad(base + start..base + text.len(), &format!("unclosed `(` in `{name}`")));
        }
        let inner = &text[open + 1..i];
        let inner_at = base + open + 1;
        let span = base + start..base + i + 1;
        i += 1;
        let names = |list: &str, at: usize| -> Result<Vec<(String, Span)>, Diagnostic> {
            let mut out = Vec::new();
            let mut offset = 0;
            for part in list.split(',') {
                let trimmed = part.trim();
                let lead = part.len() - part.trim_start().len();
                if trimmed.is_empty()
                    || !trimmed.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    return Err(bad(
                        at + offset..at + offset + part.len().max(1),
                        "expected variable names separated by commas",
                    ));
                }
                out.push((
                    trimmed.to_string(),
                    at + offset + lead..at + offset + lead + trimmed.len(),
                ));
                offset += part.len() + 1;
            }
            Ok(out)
        };
        clauses.push(match name {
            "reduction" => {
                let Some((op, vars)) = inner.split_once(':') else {
                    return Err(bad(span, "write `reduction(op:var)`, e.g. `reduction(+:total)`"));
                };
                let op = match op.trim() {
                    "+" | "-" => ReductionOp::Add,
                    "*" => ReductionOp::Mul,
                    "min" => ReductionOp::Min,
                    "max" => ReductionOp::Max,
                    "&" => ReductionOp::And,
                    "|" => ReductionOp::Or,
                    "^" => ReductionOp::Xor,
                    other => {
                        return Err(bad(
                            span,
                            &format!(
                                "unknown reduction operator `{other}` (use + - * min max & | ^)"
                            ),
                        ))
                    }
                };
                Clause::Reduction(op, names(vars, inner_at + inner.find(':').unwrap_or(0) + 1)?)
            }
            "private" => Clause::Private(names(inner, inner_at)?),
            "lastprivate" => Clause::LastPrivate(names(inner, inner_at)?),
            "shared" => continue,
            "schedule" => {
                let (kind, chunk) = match inner.split_once(',') {
                    Some((k, c)) => (
                        k.trim(),
                        Some((
                            c.trim().to_string(),
                            inner_at
                                + inner.find(',').unwrap_or(0)
                                + 1
                                + (c.len() - c.trim_start().len()),
                        )),
                    ),
                    None => (inner.trim(), None),
                };
                let kind = match kind {
                    "static" => Schedule::Static,
                    "dynamic" => Schedule::Dynamic,
                    "guided" => Schedule::Guided,
                    "auto" => Schedule::Auto,
                    other => {
                        return Err(bad(
                            span,
                            &format!(
                                "unknown schedule `{other}` (use static, dynamic, guided or auto)"
                            ),
                        ))
                    }
                };
                Clause::Schedule(kind, chunk)
            }
            "num_threads" => Clause::NumThreads(
                inner.trim().to_string(),
                inner_at + (inner.len() - inner.trim_start().len()),
            ),
            // `default(none)` and `default(shared)` only restate what pyaot checks itself.
            "default" if matches!(inner.trim(), "none" | "shared") => continue,
            "collapse" => match inner.trim().parse::<usize>() {
                Ok(n) if n >= 1 => Clause::Collapse(n, span),
                _ => return Err(bad(span, "write `collapse(n)` with a positive number of loops")),
            },
            "if" => Clause::If(
                inner.trim().to_string(),
                inner_at + (inner.len() - inner.trim_start().len()),
            ),
            other => {
                return Err(bad(
                    base + start..base + start + other.len(),
                    &format!("unknown omp clause `{other}`"),
                ))
            }
        });
    }
    Ok(clauses)
}

fn bad(span: Span, message: &str) -> Diagnostic {
    Diagnostic::error(Code::ExportSpec, span, message.to_string())
        .label("in this pragma")
        .hint("clauses: reduction(op:var), private(vars), lastprivate(vars), shared(vars), schedule(static|dynamic|guided[, n]), num_threads(n), if(cond), collapse(n), default(none|shared)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses() {
        let c = parse_clauses(
            " reduction(+:s, t) private(a) schedule(dynamic, 4) num_threads(n) if(n > 10)",
            0,
        )
        .unwrap();
        assert_eq!(c.len(), 5);
        assert!(
            matches!(&c[0], Clause::Reduction(ReductionOp::Add, v) if v.len() == 2 && v[1].0 == "t")
        );
        assert!(matches!(&c[2], Clause::Schedule(Schedule::Dynamic, Some((n, _))) if n == "4"));
        assert!(matches!(&c[4], Clause::If(e, _) if e == "n > 10"));
        assert!(parse_clauses("reduction(max:m) lastprivate(x)", 0).is_ok());
    }

    #[test]
    fn errors() {
        assert!(parse_clauses("nowait(1)", 0).unwrap_err().message.contains("unknown omp clause"));
        assert!(parse_clauses("reduction(%:s)", 0).is_err());
        assert!(parse_clauses("schedule(runtime)", 0).is_err());
        assert!(matches!(
            parse_clauses("schedule(auto)", 0).unwrap()[0],
            Clause::Schedule(Schedule::Auto, None)
        ));
        assert!(parse_clauses("private(a", 0).is_err());
        let e = parse_clauses("  reduction s", 100).unwrap_err();
        assert_eq!(e.span.start, 102);
    }
}
