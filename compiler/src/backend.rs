//! Backend: optimizes the LLVM module and turns it into machine code.
//!
//! Takes the module from codegen and the options; runs the new pass manager's `default<On>`
//! pipeline for the chosen CPU (the host's by default) and gives the object file bytes, or the
//! optimized IR or assembly text for `--emit`.

use inkwell::module::Module;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{
    CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachine,
};
use inkwell::OptimizationLevel;

#[derive(Clone)]
pub struct BackendOptions {
    /// 0 to 3, like `-O`.
    pub opt_level: u8,
    /// `native` (the host), `portable` (any x86-64), `generic`, or an LLVM CPU name such as
    /// `skylake`.
    pub target_cpu: String,
}

/// LLVM options set once per process. `-force-ordered-reductions` lets the loop vectorizer
/// vectorize the work feeding a float sum while keeping the additions in source order, so
/// results stay bit-identical to CPython's left-to-right sum. `-epilogue-vectorization-minimum-VF=4`
/// lets a loop vectorized 4 wide (doubles on AVX2) finish its last iterations 4 at a time before
/// the scalar remainder (LLVM's default asks for 16 wide): a 120-wide row left 8 scalar
/// iterations per matmul row. `-epilogue-vectorization-force-VF=4` makes that
/// epilogue 4 wide too: left to itself LLVM picks a width below the main loop's (2 for doubles),
/// so a 120-wide row finished 2 at a time. `-hoist-runtime-checks=false` keeps the vectorizer's
/// alias check next to the loop it guards: hoisted out of the enclosing loop it covers every row
/// the outer loop writes, so Floyd–Warshall's check (row k against all rows i) always failed and
/// the scalar loop ran. `-enable-mem-access-versioning=false`:
/// LLVM versioned a loop reading with a stride known at run time only on that stride being one
/// element, and ran the scalar loop when it was not: n-body's `pos[j, 0]` (a row stride) never
/// took the vector loop, and the strided versions of stencil and matmul called on sliced views
/// ran the scalar loop too (C-contiguous arrays have a version of their own, unchanged by this).
/// Each option's gain: docs/performance.md, "Measurements behind the transforms".
fn set_llvm_options() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The loop vectorizer's remarks (done, missed and why) feed the annotated report.
        let args = [
            c"pyaot".as_ptr(),
            c"-force-ordered-reductions".as_ptr(),
            c"-epilogue-vectorization-minimum-VF=4".as_ptr(),
            c"-epilogue-vectorization-force-VF=4".as_ptr(),
            c"-hoist-runtime-checks=false".as_ptr(),
            c"-enable-mem-access-versioning=false".as_ptr(),
            c"-pass-remarks=loop-vectorize".as_ptr(),
            c"-pass-remarks-missed=loop-vectorize".as_ptr(),
            c"-pass-remarks-analysis=loop-vectorize".as_ptr(),
        ];
        // SAFETY: NUL-terminated static strings; LLVM copies what it keeps.
        unsafe {
            llvm_sys::support::LLVMParseCommandLineOptions(
                args.len() as i32,
                args.as_ptr(),
                std::ptr::null(),
            )
        };
    });
}

pub fn target_machine(opts: &BackendOptions) -> Result<TargetMachine, String> {
    set_llvm_options();
    // Once per process: a second codegen unit's thread (units.rs) makes its own machine while
    // this one optimizes, and registering the target again would write LLVM's registry then.
    static NATIVE: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    NATIVE
        .get_or_init(|| {
            Target::initialize_native(&InitializationConfig::default())
                .map_err(|e| format!("cannot initialize LLVM for this machine: {e}"))
        })
        .clone()?;
    let triple = TargetMachine::get_default_triple();
    let target =
        Target::from_triple(&triple).map_err(|e| format!("no LLVM target for {triple}: {e}"))?;
    let (cpu, features) = match opts.target_cpu.as_str() {
        "native" => (
            TargetMachine::get_host_cpu_name().to_string(),
            TargetMachine::get_host_cpu_features().to_string(),
        ),
        "generic" => ("generic".to_string(), String::new()),
        // Modules to ship: any x86-64 machine runs them (SSE2, no later extension).
        "portable" => ("x86-64".to_string(), String::new()),
        name => (name.to_string(), String::new()),
    };
    // The machine-code level: -O2 and -O3 both use the default one. The aggressive one took up
    // to a third longer to build (docs/performance.md) for the same speed on every kernel of
    // examples/kernels (interleaved runs, within noise). -O3 still runs LLVM's O3 IR pipeline.
    let level = match opts.opt_level {
        0 => OptimizationLevel::None,
        1 => OptimizationLevel::Less,
        _ => OptimizationLevel::Default,
    };
    target
        .create_target_machine(&triple, &cpu, &features, level, RelocMode::PIC, CodeModel::Default)
        .ok_or_else(|| {
            format!("LLVM cannot generate code for CPU `{cpu}`; try --target-cpu generic")
        })
}

/// Runs the optimization pipeline in place.
pub fn optimize(module: &Module, machine: &TargetMachine, opt_level: u8) -> Result<(), String> {
    module.set_triple(&machine.get_triple());
    module.set_data_layout(&machine.get_target_data().get_data_layout());
    let passes = format!("default<O{}>", opt_level.min(3));
    module
        .run_passes(&passes, machine, PassBuilderOptions::create())
        .map_err(|e| format!("LLVM optimization failed: {e}"))
}

pub fn object_code(module: &Module, machine: &TargetMachine) -> Result<Vec<u8>, String> {
    machine
        .write_to_memory_buffer(module, FileType::Object)
        .map(|b| b.as_slice().to_vec())
        .map_err(|e| format!("LLVM code generation failed: {e}"))
}

pub fn assembly(module: &Module, machine: &TargetMachine) -> Result<String, String> {
    machine
        .write_to_memory_buffer(module, FileType::Assembly)
        .map(|b| String::from_utf8_lossy(b.as_slice()).into_owned())
        .map_err(|e| format!("LLVM code generation failed: {e}"))
}

/// Optimization remarks LLVM reports while optimizing ("file:line:col: message").
pub struct Remarks(Box<std::sync::Mutex<Vec<String>>>);

impl Remarks {
    /// Starts collecting the remarks of every module optimized in `context`.
    pub fn capture(context: &inkwell::context::Context) -> Remarks {
        let sink = Box::new(std::sync::Mutex::new(Vec::new()));
        let ptr = &*sink as *const std::sync::Mutex<Vec<String>> as *mut std::ffi::c_void;
        // SAFETY: the box outlives the context's use in this compilation (Remarks is kept until
        // the module is optimized); the handler only appends to the vector.
        unsafe {
            llvm_sys::core::LLVMContextSetDiagnosticHandler(
                context.raw(),
                Some(collect_remark),
                ptr,
            )
        };
        Remarks(sink)
    }

    pub fn take(&self) -> Vec<String> {
        self.0.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default()
    }
}

extern "C" fn collect_remark(
    info: llvm_sys::prelude::LLVMDiagnosticInfoRef,
    sink: *mut std::ffi::c_void,
) {
    // SAFETY: LLVM passes the diagnostic and the pointer given to LLVMContextSetDiagnosticHandler.
    unsafe {
        if llvm_sys::core::LLVMGetDiagInfoSeverity(info)
            != llvm_sys::LLVMDiagnosticSeverity::LLVMDSRemark
        {
            return;
        }
        let text = llvm_sys::core::LLVMGetDiagInfoDescription(info);
        if text.is_null() {
            return;
        }
        let message = std::ffi::CStr::from_ptr(text).to_string_lossy().into_owned();
        llvm_sys::core::LLVMDisposeMessage(text);
        if let Some(sink) = (sink as *const std::sync::Mutex<Vec<String>>).as_ref() {
            if let Ok(mut v) = sink.lock() {
                v.push(message);
            }
        }
    }
}
