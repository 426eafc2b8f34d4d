//! Snapshots of the plan (`pyaot build --emit plan`) of every differential case, every file
//! written for Pythran (tests/pythran) and every benchmark kernel: which strategy each loop and statement gets, and each instance's facts.
//! A change in what a planner accepts shows here as a diff, statement by statement.

use std::path::{Path, PathBuf};
use std::process::Command;

fn sources(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    files.sort();
    files
}

fn plan_of(src: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pyaot"))
        .args(["build", "--emit", "plan"])
        .arg(src)
        .output()
        .expect("runs pyaot");
    assert!(out.status.success(), "{}: {}", src.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("the plan is UTF-8")
}

fn snapshot_each(dir: &str, prefix: &str) {
    let files = sources(dir);
    assert!(!files.is_empty(), "no sources in {dir}");
    for src in files {
        let stem = src.file_stem().and_then(|s| s.to_str()).expect("file name");
        insta::assert_snapshot!(format!("{prefix}_{stem}"), plan_of(&src));
    }
}

#[test]
fn plans_of_cases() {
    snapshot_each("tests/cases", "case");
}

#[test]
fn plans_of_pythran_files() {
    snapshot_each("tests/pythran", "pythran");
}

#[test]
fn plans_of_kernels() {
    snapshot_each("examples/kernels", "kernel");
}
