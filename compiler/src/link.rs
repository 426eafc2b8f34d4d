//! Link: turns an object file into an importable extension module.
//!
//! Takes the object bytes and the module name; writes the `.so` with `cc -shared` in a
//! temporary folder, with a version script that exports only `PyInit_<name>`, adding the
//! runtime archive for modules with parallel loops. No libpython is linked: the symbols
//! resolve against the interpreter that imports the module.

use std::path::Path;
use std::process::Command;

/// The parallel-loop runtime (runtime/), built by build.rs and carried inside the binary.
const RUNTIME_ARCHIVE: &[u8] = include_bytes!(env!("PYAOT_RUNTIME_ARCHIVE"));

pub fn link_shared_object(objects: &[Vec<u8>], module_name: &str, out: &Path, with_runtime: bool) -> Result<(), String> {
    let dir = tempfile::Builder::new().prefix("pyaot-").tempdir().map_err(|e| format!("cannot create a temporary folder: {e}"))?;
    let mut obj_paths = Vec::new();
    for (k, object) in objects.iter().enumerate() {
        let path = dir.path().join(format!("{module_name}.{k}.o"));
        std::fs::write(&path, object).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        obj_paths.push(path);
    }
    let map_path = dir.path().join("exports.map");
    std::fs::write(&map_path, format!("{{ global: PyInit_{module_name}; local: *; }};\n"))
        .map_err(|e| format!("cannot write {}: {e}", map_path.display()))?;
    let tmp_out = dir.path().join("module.so");
    // The C math library before the runtime archive: LLVM turns float remainders into calls to
    // `fmod`, and the archive's compiler_builtins has its own copy, which would be taken first
    // and needs Rust's unwinder (`undefined symbol: rust_eh_personality` at import).
    let mut extra: Vec<std::ffi::OsString> = vec!["-lm".into()];
    if with_runtime {
        let archive = dir.path().join("libpyaot_runtime.a");
        std::fs::write(&archive, RUNTIME_ARCHIVE).map_err(|e| format!("cannot write {}: {e}", archive.display()))?;
        extra.push(archive.into_os_string());
        extra.push("-lpthread".into());
    }
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let output = Command::new(&cc)
        .arg("-shared")
        .arg("-o")
        .arg(&tmp_out)
        .args(&obj_paths)
        .args(&extra)
        .arg(format!("-Wl,--version-script={}", map_path.display()))
        .args(["-Wl,--exclude-libs,ALL", "-Wl,--gc-sections", "-Wl,-O1", "-Wl,--strip-debug", "-lm"])
        .output()
        .map_err(|e| format!("cannot run the C compiler `{cc}` to link: {e} (install gcc, or set CC)"))?;
    if !output.status.success() {
        return Err(format!("linking failed:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    // Write next to the target and rename, so a module being imported is never half-written.
    let staged = out.with_extension("so.partial");
    std::fs::copy(&tmp_out, &staged).map_err(|e| format!("cannot write {}: {e}", staged.display()))?;
    std::fs::rename(&staged, out).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok(())
}
