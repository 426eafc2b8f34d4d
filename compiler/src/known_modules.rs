//! The names of the standard modules whose contents pyaot knows exactly (`math`, `cmath`), so
//! that `math.sqrtt` is a compile-time error with a suggestion instead of an extension that
//! fails to import. Other modules (numpy among them: its names change between versions) are
//! looked up when the line runs, as in CPython.

/// `math` in CPython 3.11 to 3.13 (`fma` is 3.13's, `sumprod` 3.12's).
const MATH: &[&str] = &[
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "cbrt",
    "ceil",
    "comb",
    "copysign",
    "cos",
    "cosh",
    "degrees",
    "dist",
    "e",
    "erf",
    "erfc",
    "exp",
    "exp2",
    "expm1",
    "fabs",
    "factorial",
    "floor",
    "fma",
    "fmod",
    "frexp",
    "fsum",
    "gamma",
    "gcd",
    "hypot",
    "inf",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "isqrt",
    "lcm",
    "ldexp",
    "lgamma",
    "log",
    "log10",
    "log1p",
    "log2",
    "modf",
    "nan",
    "nextafter",
    "perm",
    "pi",
    "pow",
    "prod",
    "radians",
    "remainder",
    "sin",
    "sinh",
    "sqrt",
    "sumprod",
    "tan",
    "tanh",
    "tau",
    "trunc",
    "ulp",
];

/// `cmath` in CPython 3.11 to 3.13.
const CMATH: &[&str] = &[
    "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "e", "exp", "inf", "infj",
    "isclose", "isfinite", "isinf", "isnan", "log", "log10", "nan", "nanj", "phase", "pi", "polar",
    "rect", "sin", "sinh", "sqrt", "tan", "tanh", "tau",
];

/// `None` when `module.attr` exists or `module` is not one pyaot knows; else the names of
/// `module` closest to `attr` (best first, at most three) for a did-you-mean.
pub fn missing_attribute(module: &str, attr: &str) -> Option<Vec<&'static str>> {
    let names = match module {
        "math" => MATH,
        "cmath" => CMATH,
        _ => return None,
    };
    if names.contains(&attr) || attr == "*" || (attr.starts_with("__") && attr.ends_with("__")) {
        return None;
    }
    let mut near: Vec<(usize, &'static str)> = names
        .iter()
        .map(|n| (edit_distance(attr, n), *n))
        .filter(|(d, n)| *d <= (n.len().max(attr.len()) / 3).max(1))
        .collect();
    near.sort();
    Some(near.into_iter().take(3).map(|(_, n)| n).collect())
}

/// The hint for a missing attribute: the suggestions, or where to look.
pub fn hint(module: &str, near: &[&str]) -> String {
    match near {
        [] => format!("see `help({module})` for what it has"),
        [one] => format!("did you mean `{module}.{one}`?"),
        several => format!(
            "did you mean one of {}?",
            several.iter().map(|n| format!("`{module}.{n}`")).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_is_missing_and_what_was_meant() {
        assert_eq!(missing_attribute("math", "sqrt"), None);
        assert_eq!(missing_attribute("math", "__name__"), None);
        assert_eq!(missing_attribute("numpy", "sqrtt"), None);
        assert_eq!(missing_attribute("math", "sqrtt"), Some(vec!["sqrt"]));
        assert_eq!(missing_attribute("cmath", "phaze"), Some(vec!["phase"]));
        assert_eq!(missing_attribute("math", "xyzzy_plugh"), Some(vec![]));
    }

    #[test]
    fn math_names_match_the_running_python() {
        // Names this Python has must all be known (a missing one would refuse valid code).
        let Ok(out) = std::process::Command::new("python3").args(["-c", "import math, cmath; print(' '.join(n for n in dir(math) if not n.startswith('_'))); print(' '.join(n for n in dir(cmath) if not n.startswith('_')))"]).output() else { return };
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        for (module, line) in [("math", lines.next()), ("cmath", lines.next())] {
            for name in line.unwrap_or("").split_whitespace() {
                assert_eq!(missing_attribute(module, name), None, "{module}.{name}");
            }
        }
    }
}
