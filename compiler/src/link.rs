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

pub fn link_shared_object(
    objects: &[Vec<u8>],
    module_name: &str,
    out: &Path,
    with_runtime: bool,
) -> Result<(), String> {
    // Private to this user (0700): the objects and the linked module sit there before they
    // are copied out, and another user must not swap them.
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix("pyaot-")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
        .map_err(|e| format!("cannot create a temporary folder: {e}"))?;
    let mut obj_paths = Vec::new();
    for (k, object) in objects.iter().enumerate() {
        let path = dir.path().join(format!("{module_name}.{k}.o"));
        std::fs::write(&path, object)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        obj_paths.push(path);
    }
    let map_path = dir.path().join("exports.map");
    std::fs::write(
        &map_path,
        format!("{{ global: {}; local: *; }};\n", crate::init_symbol(module_name)),
    )
    .map_err(|e| format!("cannot write {}: {e}", map_path.display()))?;
    let tmp_out = dir.path().join("module.so");
    // The C math library before the runtime archive: LLVM turns float remainders into calls to
    // `fmod`, and the archive's compiler_builtins has its own copy, which would be taken first
    // and needs Rust's unwinder (`undefined symbol: rust_eh_personality` at import).
    let mut extra: Vec<std::ffi::OsString> = vec!["-lm".into()];
    if with_runtime {
        let archive = dir.path().join("libpyaot_runtime.a");
        std::fs::write(&archive, RUNTIME_ARCHIVE)
            .map_err(|e| format!("cannot write {}: {e}", archive.display()))?;
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
        .args([
            "-Wl,--exclude-libs,ALL",
            "-Wl,--gc-sections",
            "-Wl,-O1",
            "-Wl,--strip-debug",
            "-lm",
        ])
        .output()
        .map_err(|e| {
            format!("cannot run the C compiler `{cc}` to link: {e} (install gcc, or set CC)")
        })?;
    if !output.status.success() {
        return Err(format!("linking failed:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    // Write next to the target and rename, so a module being imported is never half-written;
    // the staged copy goes away whatever fails.
    let staged = out.with_extension("so.partial");
    let written = std::fs::copy(&tmp_out, &staged)
        .map_err(|e| format!("cannot write {}: {e}", staged.display()))
        .and_then(|_| {
            std::fs::rename(&staged, out)
                .map_err(|e| format!("cannot write {}: {e}", out.display()))
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&staged);
    }
    written
}

/// Refuses an output path that writing would harm: the source file itself (under any name), a
/// folder, and, for a module (`replaced`: written by renaming over the path), anything but a
/// regular file (`-o /dev/null` run as root would replace the device node).
pub fn check_output(src: &Path, out: &Path, replaced: bool) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::symlink_metadata(out) else { return Ok(()) };
    let shown = out.display();
    if let (Ok(target), Ok(source)) = (std::fs::metadata(out), std::fs::metadata(src)) {
        if target.dev() == source.dev() && target.ino() == source.ino() {
            return Err(format!(
                "the output {shown} is the source file itself; give another path with -o"
            ));
        }
    }
    if meta.is_dir() {
        return Err(format!(
            "the output {shown} is a folder; name a file in it (-o {}/NAME)",
            out.display()
        ));
    }
    if replaced && !meta.file_type().is_file() {
        return Err(format!("the output {shown} exists and is not a regular file; pyaot only replaces regular files"));
    }
    Ok(())
}
