//! Snapshot of the annotated report for a small module, built for the generic x86-64 CPU so the
//! optimized IR (and so the report) is the same on every machine.

const SOURCE: &str = r#""""A small module for the report snapshot."""
import numpy as np


#export total(float64[::1])
def total(a):
    s = 0.0
    for i in range(len(a)):
        s += a[i]  # </pre><script>alert(1)</script>
    return s


#export ramp(int)
def ramp(n):
    out = np.empty(n)
    for i in range(n):
        out[i] = i * 0.5
    return out
"#;

fn report() -> String {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let opts = pyaot::Options {
        target_cpu: "generic".into(),
        emit: pyaot::Emit::Nothing,
        annotate: Some(html.clone()),
        ..pyaot::Options::default()
    };
    let mut timings = pyaot::Timings::default();
    pyaot::compile(SOURCE, "report_example.py", "report_example", &html, &opts, &mut timings)
        .expect("compiles");
    std::fs::read_to_string(html).unwrap()
}

#[test]
fn report_snapshot() {
    insta::assert_snapshot!(report());
}

#[test]
fn report_is_deterministic_and_escaped() {
    let a = report();
    assert_eq!(a, report());
    assert!(!a.contains("<script>alert"));
    assert!(a.contains("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(a.matches("<script>").count(), 1);
}
