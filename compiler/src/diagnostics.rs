//! Compile-time diagnostics: every pass reports problems as [`Diagnostic`]s (a code, a span
//! into the source, a message and a hint saying what to do) instead of failing on the first one,
//! and [`render`] prints them rustc-style through codespan-reporting.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};
use std::ops::Range;

/// A byte range into the source file.
pub type Span = Range<usize>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// The diagnostic codes, one per kind of problem; docs/language.md lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// The file is not valid Python.
    Syntax,
    /// An `#export` comment is malformed.
    ExportSpec,
    /// An `#export` comment names no function of the module, or the arity differs.
    ExportTarget,
    /// Python syntax that pyaot does not compile.
    Unsupported,
    /// A name that is neither a local, a module constant, a function nor a builtin.
    UnknownName,
    /// A variable or return value would need two incompatible types.
    TypeConflict,
    /// An operation or call that is not defined for the inferred types.
    BadOperation,
    /// A type that parses but that this version cannot compile yet.
    NotYet,
    /// A call with the wrong arguments.
    BadCall,
    /// A top-level statement that the compiled module does not run.
    Ignored,
    /// Python inside a function that must run without it (`# pyaot: native`).
    NotNative,
    /// A value that compiled code must hold as a Python object (a function returning values of
    /// different types on different paths): correct, but not native.
    Boxed,
    /// A module without `#export` comments: its functions take Python objects (as Cython's).
    Untyped,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "E001",
            Code::ExportSpec => "E002",
            Code::ExportTarget => "E003",
            Code::Unsupported => "E004",
            Code::UnknownName => "E005",
            Code::TypeConflict => "E006",
            Code::BadOperation => "E007",
            Code::NotYet => "E008",
            Code::BadCall => "E009",
            Code::NotNative => "E010",
            Code::Ignored => "W001",
            Code::Boxed => "W002",
            Code::Untyped => "W003",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub span: Span,
    /// A short label under the span.
    pub label: String,
    /// Further spans worth showing (the other side of a type conflict, say).
    pub secondary: Vec<(Span, String)>,
    /// What the user can do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: if matches!(code, Code::Ignored | Code::Boxed | Code::Untyped) {
                Severity::Warning
            } else {
                Severity::Error
            },
            code,
            message: message.into(),
            span,
            label: String::new(),
            secondary: Vec::new(),
            hint: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn also(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Renders diagnostics as text, rustc-style; `color` adds ANSI colours for a terminal.
pub fn render(file_name: &str, source: &str, diagnostics: &[Diagnostic], color: bool) -> String {
    let file = SimpleFile::new(file_name, source);
    let mut buffer = if color { termcolor::Buffer::ansi() } else { termcolor::Buffer::no_color() };
    let config = term::Config::default();
    for d in diagnostics {
        let clamp = |s: &Span| {
            s.start.min(source.len())..s.end.min(source.len()).max(s.start.min(source.len()))
        };
        let mut labels = vec![Label::primary((), clamp(&d.span)).with_message(d.label.clone())];
        for (span, msg) in &d.secondary {
            labels.push(Label::secondary((), clamp(span)).with_message(msg.clone()));
        }
        let base = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        };
        let mut cs =
            base.with_code(d.code.as_str()).with_message(d.message.clone()).with_labels(labels);
        if let Some(h) = &d.hint {
            cs = cs.with_notes(vec![format!("hint: {h}")]);
        }
        // Rendering into a memory buffer only fails on an out-of-range span, which clamp rules out.
        let _ = term::emit(&mut buffer, &config, &file, &cs);
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}
