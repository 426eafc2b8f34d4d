//! The compiler never panics on input: mangled versions of every test case (lines dropped,
//! duplicated, cut short, random tokens spliced in) and random byte soup go through the front
//! end and code generation; each must give a result or diagnostics, never a panic.

use std::panic;
use std::path::Path;

/// A small deterministic generator (xorshift), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&str] = &[
    "(",
    ")",
    ":",
    ",",
    "[",
    "]",
    " + ",
    " ** ",
    " // ",
    " % ",
    "-",
    "not ",
    " and ",
    " or ",
    "0",
    "-1",
    "1e308",
    "True",
    "None",
    "x",
    "n",
    "(1, 2)",
    "math.sqrt(",
    "range(",
    "return ",
    "    ",
    "\n",
    "#export f(int)\n",
    "#export g(float[:])\n",
    "lambda: 0",
    "yield 1",
    "'s'",
    "def ",
    "for i in ",
    "while ",
    "if ",
    "else:",
    "break",
    "continue",
    "raise ValueError",
    "#export f(",
    "int or float",
    "?",
    "divmod(",
    "round(",
    "abs(",
    "min(",
    "9223372036854775808",
    "(())",
    "f(",
    "g(",
    "#omp parallel for reduction(+:s)\n",
    "#omp parallel for\n",
    "prange(",
    "1j",
    "a[",
    "[::-1]",
    ".T",
    "np.zeros(",
    "# pyaot: boundscheck=False\n",
];

fn mutate(src: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = src.lines().map(str::to_string).collect();
    for _ in 0..1 + rng.below(3) {
        match rng.below(5) {
            0 if !lines.is_empty() => {
                let i = rng.below(lines.len());
                lines.remove(i);
            }
            1 if !lines.is_empty() => {
                let i = rng.below(lines.len());
                let l = lines[i].clone();
                lines.insert(rng.below(lines.len()), l);
            }
            2 if !lines.is_empty() => {
                let i = rng.below(lines.len());
                let line = &mut lines[i];
                let cut = line
                    .char_indices()
                    .map(|(k, _)| k)
                    .nth(rng.below(line.chars().count() + 1))
                    .unwrap_or(line.len());
                line.truncate(cut);
            }
            _ if !lines.is_empty() => {
                let i = rng.below(lines.len());
                let line = &mut lines[i];
                let at = line
                    .char_indices()
                    .map(|(k, _)| k)
                    .nth(rng.below(line.chars().count() + 1))
                    .unwrap_or(line.len());
                line.insert_str(at, TOKENS[rng.below(TOKENS.len())]);
            }
            _ => lines.push(TOKENS[rng.below(TOKENS.len())].to_string()),
        }
    }
    lines.join("\n")
}

fn compile_without_linking(src: &str) {
    let mut timings = pyaot::Timings::default();
    if let Ok(checked) =
        pyaot::check(src, "fuzz.py", "fuzz", pyaot::hir::Checks::default(), &mut timings)
    {
        let context = inkwell::context::Context::create();
        let plan = pyaot::plan::plan(&checked.hir, &checked.program, &[]);
        // An internal codegen error is a bug too: the front end accepted this program.
        let generated = pyaot::codegen::generate(
            &context,
            &checked.hir,
            &checked.program,
            &plan,
            src,
            "fuzz.py",
        );
        if let Err(e) = &generated {
            panic!("codegen failed on a checked program: {}\n---\n{src}", e.0);
        }
        drop(generated);
    }
}

/// Mangled versions per case file; `PYAOT_FUZZ_ROUNDS` raises it for a longer hunt.
const FUZZ_ROUNDS_DEFAULT: usize = 25;

#[test]
fn mangled_cases_never_panic() {
    #[allow(non_snake_case)]
    let FUZZ_ROUNDS: usize = std::env::var("PYAOT_FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(FUZZ_ROUNDS_DEFAULT);
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/cases");
    let mut sources: Vec<String> = std::fs::read_dir(&cases)
        .expect("tests/cases exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "py"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    sources.sort();
    assert!(sources.len() >= 40, "expected the differential cases as seeds");
    let mut rng = Rng(std::env::var("PYAOT_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x9E3779B97F4A7C15));
    let mut failures = Vec::new();
    for src in &sources {
        compile_without_linking(src);
        for _ in 0..FUZZ_ROUNDS {
            let mangled = mutate(src, &mut rng);
            let result = panic::catch_unwind(|| compile_without_linking(&mangled));
            if result.is_err() {
                failures.push(mangled);
            }
        }
    }
    assert!(failures.is_empty(), "{} inputs panicked; first:\n{}", failures.len(), failures[0]);
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(12345);
    for _ in 0..300 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0x7f) as u8).collect();
        let src = format!("#export f(int)\n{}", String::from_utf8_lossy(&bytes));
        let result = panic::catch_unwind(|| compile_without_linking(&src));
        assert!(result.is_ok(), "panicked on {src:?}");
    }
}
