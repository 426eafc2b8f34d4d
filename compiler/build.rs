//! Builds the runtime archive (runtime/, no_std, panic=abort) so that the pyaot binary can
//! carry it: installing pyaot stays installing one file.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let runtime = manifest_dir.join("../runtime");
    let target_dir = out.join("runtime-target");
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--offline", "--quiet", "--profile", "runtime", "--manifest-path"])
        .arg(runtime.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .status()
        .expect("cannot run cargo to build the runtime");
    assert!(status.success(), "building the runtime (runtime/) failed");
    let archive = target_dir.join("runtime").join("libpyaot_runtime.a");
    println!("cargo:rustc-env=PYAOT_RUNTIME_ARCHIVE={}", archive.display());
    println!("cargo:rerun-if-changed=../runtime/src");
    println!("cargo:rerun-if-changed=../runtime/Cargo.toml");
}
