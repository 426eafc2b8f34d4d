//! Syntax: parses the source with rustpython-parser and reads the comments the AST drops.
//!
//! Takes the source text; gives the module's statements and its export comments
//! (`#export f(int)` and `#pythran export f(int)`, parsed by [`crate::export_spec`]), or
//! diagnostics: a syntax error, malformed export specs (all of them, not just the first).

use crate::diagnostics::{Code, Diagnostic};
use crate::export_spec::{parse_export, ExportEntry};
use rustpython_parser::ast::Stmt;
use rustpython_parser::{lexer, Mode, Tok};

pub struct ParsedModule {
    pub body: Vec<Stmt>,
    pub exports: Vec<ExportEntry>,
}

pub fn parse(source: &str, file_name: &str) -> Result<ParsedModule, Vec<Diagnostic>> {
    let body = match rustpython_parser::parse(source, Mode::Module, file_name) {
        Ok(rustpython_parser::ast::Mod::Module(m)) => m.body,
        Ok(_) => Vec::new(),
        Err(e) => {
            let at = usize::from(e.offset).min(source.len());
            let end = source[at..].chars().next().filter(|c| *c != '\n').map_or(at, |c| at + c.len_utf8());
            return Err(vec![Diagnostic::error(Code::Syntax, at..end, format!("invalid Python syntax: {}", e.error))
                .label("here")
                .hint("pyaot compiles Python 3 source; check that the file runs under `python3`")]);
        }
    };
    let mut exports = Vec::new();
    let mut errors = Vec::new();
    for token in lexer::lex(source, Mode::Module) {
        let Ok((Tok::Comment(text), range)) = token else { continue };
        let start = usize::from(range.start());
        if let Some(offset) = export_body_offset(&text) {
            match parse_export(&text[offset..], start + offset) {
                Ok(entries) => exports.extend(entries),
                Err(d) => errors.push(d),
            }
        }
    }
    if errors.is_empty() {
        Ok(ParsedModule { body, exports })
    } else {
        Err(errors)
    }
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
    fn all_bad_export_lines_are_reported() {
        let src = "#export f(nope)\n#export g(int\ndef f(a): pass\n";
        let errs = parse(src, "t.py").err().unwrap();
        assert_eq!(errs.len(), 2);
    }
}
