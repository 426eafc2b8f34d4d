//! pyaot's runtime: fork–join parallel loops on a persistent thread pool, and the few
//! numeric routines too long to emit inline (`round.rs`).
//!
//! Linked (as a static archive carried inside the pyaot binary) only into modules that call
//! it (parallel loops, `round(x, n)` with a run-time `n`); compiled code calls it through `extern "C"` functions named `pyaot_rt_*`.
//! It never calls the Python C API and never depends on the compiler. `no_std` over libc's
//! pthreads keeps it a few kilobytes (a std staticlib would add ~300 KB to every module).
//!
//! A region runs `body(ctx, lo, hi, slot)` over chunks of `[0, count)`: the calling thread
//! takes part as thread 0, pool threads as 1..n; `slot` is the thread's number, or under the
//! `auto` schedule (the default) the chunk's, where the body keeps its reductions. An iteration that fails (a Python exception
//! in the compiled body) records its error here; the others stop at their next chunk and the
//! caller raises the error after the region. Nested regions (a region started from inside
//! one) run serially on the thread that starts them. The pool starts on first use, with
//! PYAOT_NUM_THREADS, else OMP_NUM_THREADS, else one thread per core; after `fork()` the child
//! starts a fresh pool.

#![no_std]

mod round;

use core::ffi::{c_char, c_int, c_long, c_void};
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicPtr, AtomicU64, Ordering};

#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    unsafe { abort() }
}

/// core is precompiled with unwinding, so its formatting and parsing code (round.rs) names
/// Rust's personality routine in its unwind tables. Panics abort here, so nothing ever
/// unwinds and the routine is never called; this definition only satisfies the linker.
#[cfg(not(test))]
#[no_mangle]
pub extern "C" fn rust_eh_personality() {
    unsafe { abort() }
}

// glibc x86-64 layouts: pthread_mutex_t is 40 bytes, pthread_cond_t 48; all-zero is the
// static initializer of both.
#[repr(C, align(8))]
struct Mutex([u8; 40]);
#[repr(C, align(8))]
struct Cond([u8; 48]);

extern "C" {
    fn pthread_create(
        thread: *mut u64,
        attr: *const c_void,
        start: extern "C" fn(*mut c_void) -> *mut c_void,
        arg: *mut c_void,
    ) -> c_int;
    fn pthread_detach(thread: u64) -> c_int;
    fn pthread_mutex_lock(m: *mut Mutex) -> c_int;
    fn pthread_mutex_unlock(m: *mut Mutex) -> c_int;
    fn pthread_cond_wait(c: *mut Cond, m: *mut Mutex) -> c_int;
    fn pthread_cond_broadcast(c: *mut Cond) -> c_int;
    fn pthread_atfork(
        prepare: Option<extern "C" fn()>,
        parent: Option<extern "C" fn()>,
        child: Option<extern "C" fn()>,
    ) -> c_int;
    fn sysconf(name: c_int) -> c_long;
    fn getenv(name: *const c_char) -> *const c_char;
    // Used by the panic handler and the personality routine, which tests leave out.
    #[cfg_attr(test, allow(dead_code))]
    fn abort() -> !;
}

const SC_NPROCESSORS_ONLN: c_int = 84;
const MAX_THREADS: i64 = 256;

pub type Body = extern "C" fn(ctx: *mut c_void, lo: i64, hi: i64, thread: i64) -> i32;

/// Schedules, as codegen passes them.
pub const STATIC: i32 = 0;
pub const DYNAMIC: i32 = 1;
pub const GUIDED: i32 = 2;
/// Fixed chunks (at most MAX_THREADS) taken by whichever thread is free; the body gets the
/// chunk's number instead of the thread's, so each chunk's reductions land in a partial of
/// their own and the caller folds them in order: the same result however the chunks ran.
pub const AUTO: i32 = 3;

/// The first error of a region: which exception (the address of its `PyExc_*` global), its
/// message, and for an IndexError the index, axis and size that format the message.
#[repr(C)]
pub struct Error {
    pub exception: *const c_void,
    pub message: *const c_char,
    pub index: i64,
    pub axis: i64,
    pub size: i64,
}

#[derive(Clone, Copy)]
struct Region {
    body: Option<Body>,
    ctx: *mut c_void,
    count: i64,
    schedule: i32,
    chunk: i64,
    /// The team: how many parts the iterations are dealt into (each its own slot).
    threads: i64,
    /// How many threads run them: at most one per core. Runner r takes the team's threads r,
    /// r + runners, ... in turn, so each part and slot is what it would be with a thread per
    /// part (the same results), without more threads than cores fighting for them.
    runners: i64,
}

struct Pool {
    lock: Mutex,
    wake: Cond,
    done: Cond,
    /// Serializes regions started by several Python threads at once.
    region_lock: Mutex,
    region: Region,
    generation: u64,
    finished: i64,
}

static mut POOL: Pool = Pool {
    lock: Mutex([0; 40]),
    wake: Cond([0; 48]),
    done: Cond([0; 48]),
    region_lock: Mutex([0; 40]),
    region: Region {
        body: None,
        ctx: core::ptr::null_mut(),
        count: 0,
        schedule: 0,
        chunk: 0,
        threads: 1,
        runners: 1,
    },
    generation: 0,
    finished: 0,
};

/// Pool threads running (0 until the first region; reset in a forked child).
static STARTED: AtomicI64 = AtomicI64::new(0);
static START_LOCK: AtomicBool = AtomicBool::new(false);
static FORK_HANDLER: AtomicBool = AtomicBool::new(false);
/// Next chunk for dynamic and guided schedules.
static NEXT: AtomicI64 = AtomicI64::new(0);
static FAILED: AtomicBool = AtomicBool::new(false);
static ERROR_TAKEN: AtomicBool = AtomicBool::new(false);
static mut ERROR: Error =
    Error { exception: core::ptr::null(), message: core::ptr::null(), index: 0, axis: 0, size: 0 };
/// Threads currently inside a region's body, by pthread id; used for nesting and error capture.
static IN_REGION: [AtomicU64; MAX_THREADS as usize] =
    [const { AtomicU64::new(0) }; MAX_THREADS as usize];
static IN_REGION_COUNT: AtomicI32 = AtomicI32::new(0);
static ERROR_SLOT: AtomicPtr<Error> = AtomicPtr::new(core::ptr::null_mut());

extern "C" {
    fn pthread_self() -> u64;
}

fn parse_count(var: &[u8]) -> i64 {
    let value = unsafe { getenv(var.as_ptr() as *const c_char) };
    if value.is_null() {
        return 0;
    }
    let mut n: i64 = 0;
    let mut p = value as *const u8;
    unsafe {
        while *p != 0 {
            let c = *p;
            if !c.is_ascii_digit() {
                return 0;
            }
            n = n.saturating_mul(10).saturating_add((c - b'0') as i64);
            p = p.add(1);
        }
    }
    n
}

/// Threads a region uses by default: PYAOT_NUM_THREADS, OMP_NUM_THREADS, or the cores.
#[no_mangle]
pub extern "C" fn pyaot_rt_max_threads() -> i64 {
    let mut n = parse_count(b"PYAOT_NUM_THREADS\0");
    if n <= 0 {
        n = parse_count(b"OMP_NUM_THREADS\0");
    }
    if n <= 0 {
        n = unsafe { sysconf(SC_NPROCESSORS_ONLN) } as i64;
    }
    n.clamp(1, MAX_THREADS)
}

fn mark_in_region(on: bool) {
    let me = unsafe { pthread_self() };
    if on {
        for slot in IN_REGION.iter() {
            if slot.compare_exchange(0, me, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                IN_REGION_COUNT.fetch_add(1, Ordering::AcqRel);
                return;
            }
        }
    } else {
        for slot in IN_REGION.iter() {
            if slot.compare_exchange(me, 0, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                IN_REGION_COUNT.fetch_sub(1, Ordering::AcqRel);
                return;
            }
        }
    }
}

/// Whether the calling thread is running a region's body: compiled code then records errors
/// here (`pyaot_rt_record_error`) instead of calling Python.
#[no_mangle]
pub extern "C" fn pyaot_rt_in_region() -> i32 {
    if IN_REGION_COUNT.load(Ordering::Acquire) == 0 {
        return 0;
    }
    let me = unsafe { pthread_self() };
    IN_REGION.iter().any(|s| s.load(Ordering::Acquire) == me) as i32
}

/// Records the first error of the current region; later ones are dropped.
#[no_mangle]
pub extern "C" fn pyaot_rt_record_error(
    exception: *const c_void,
    message: *const c_char,
    index: i64,
    axis: i64,
    size: i64,
) {
    FAILED.store(true, Ordering::Release);
    if ERROR_TAKEN.swap(true, Ordering::AcqRel) {
        return;
    }
    let slot = ERROR_SLOT.load(Ordering::Acquire);
    if !slot.is_null() {
        unsafe { *slot = Error { exception, message, index, axis, size } };
    }
}

/// Runs the chunks assigned to `thread` (one of `threads`); stops early once any body failed.
fn run_chunks(region: &Region, thread: i64) {
    let Some(body) = region.body else { return };
    let (count, threads) = (region.count, region.threads.max(1));
    match region.schedule {
        DYNAMIC | GUIDED | AUTO => {
            // AUTO: at most MAX_THREADS chunks (the caller keeps that many partials), at least
            // the chunk size asked for, each passed its own number. (Rounded up without
            // `count + n - 1`, which could overflow near i64::MAX.)
            let auto_size =
                (count / MAX_THREADS + (count % MAX_THREADS != 0) as i64).max(region.chunk).max(1);
            loop {
                if FAILED.load(Ordering::Acquire) {
                    return;
                }
                let size = match region.schedule {
                    GUIDED => {
                        let left = count - NEXT.load(Ordering::Acquire);
                        (left / (2 * threads)).max(region.chunk.max(1))
                    }
                    AUTO => auto_size,
                    _ => region.chunk.max(1),
                };
                let lo = NEXT.fetch_add(size, Ordering::AcqRel);
                // Past the end (or wrapped past i64::MAX by the threads' last additions, for a
                // range that reaches that far): nothing left.
                if lo >= count || lo < 0 {
                    return;
                }
                let slot = if region.schedule == AUTO { lo / size } else { thread };
                if body(region.ctx, lo, (lo + size).min(count), slot) != 0 {
                    FAILED.store(true, Ordering::Release);
                    return;
                }
            }
        }
        _ if region.chunk > 0 => {
            // static with a chunk size: chunks dealt round-robin.
            let mut lo = thread * region.chunk;
            while lo < count {
                if FAILED.load(Ordering::Acquire) {
                    return;
                }
                if body(region.ctx, lo, (lo + region.chunk).min(count), thread) != 0 {
                    FAILED.store(true, Ordering::Release);
                    return;
                }
                lo += threads * region.chunk;
            }
        }
        _ => {
            // static: one contiguous block per thread.
            let lo = count * thread / threads;
            let hi = count * (thread + 1) / threads;
            if lo < hi && !FAILED.load(Ordering::Acquire) && body(region.ctx, lo, hi, thread) != 0 {
                FAILED.store(true, Ordering::Release);
            }
        }
    }
}

/// Runs the team's threads `runner`, `runner + runners`, ... (see `Region::runners`).
fn run_as_runner(region: &Region, runner: i64) {
    let mut thread = runner;
    while thread < region.threads {
        run_chunks(region, thread);
        thread += region.runners.max(1);
    }
}

/// The cores this process may run on (at least one), read once.
fn cores() -> i64 {
    static CORES: AtomicI64 = AtomicI64::new(0);
    let known = CORES.load(Ordering::Acquire);
    if known > 0 {
        return known;
    }
    let n = (unsafe { sysconf(SC_NPROCESSORS_ONLN) } as i64).clamp(1, MAX_THREADS);
    CORES.store(n, Ordering::Release);
    n
}

extern "C" fn worker(arg: *mut c_void) -> *mut c_void {
    let thread = arg as i64;
    // Start from the current generation, then tell the starter we are ready for the next one.
    let mut seen = unsafe {
        let pool = &raw mut POOL;
        pthread_mutex_lock(&raw mut (*pool).lock);
        let g = (*pool).generation;
        pthread_mutex_unlock(&raw mut (*pool).lock);
        g
    };
    STARTING.store(0, Ordering::Release);
    loop {
        unsafe {
            let pool = &raw mut POOL;
            let mut spins = 0;
            while GENERATION.load(Ordering::Acquire) == seen && spins < SPINS {
                core::hint::spin_loop();
                spins += 1;
            }
            pthread_mutex_lock(&raw mut (*pool).lock);
            while (*pool).generation == seen {
                pthread_cond_wait(&raw mut (*pool).wake, &raw mut (*pool).lock);
            }
            seen = (*pool).generation;
            let region = (*pool).region;
            pthread_mutex_unlock(&raw mut (*pool).lock);
            // Only the region's runners take part, and only they are waited for.
            if thread < region.runners {
                mark_in_region(true);
                run_as_runner(&region, thread);
                mark_in_region(false);
                pthread_mutex_lock(&raw mut (*pool).lock);
                (*pool).finished += 1;
                FINISHED.fetch_add(1, Ordering::AcqRel);
                pthread_cond_broadcast(&raw mut (*pool).done);
                pthread_mutex_unlock(&raw mut (*pool).lock);
            }
        }
    }
}

extern "C" fn after_fork_in_child() {
    // The child has only the forking thread: forget the pool (its threads did not survive)
    // and reset the locks, which may have been held by them.
    unsafe {
        let pool = &raw mut POOL;
        core::ptr::write_bytes(&raw mut (*pool).lock, 0, 1);
        core::ptr::write_bytes(&raw mut (*pool).wake, 0, 1);
        core::ptr::write_bytes(&raw mut (*pool).done, 0, 1);
        core::ptr::write_bytes(&raw mut (*pool).region_lock, 0, 1);
        (*pool).generation = 0;
        (*pool).finished = 0;
    }
    GENERATION.store(0, Ordering::Release);
    FINISHED.store(0, Ordering::Release);
    for slot in IN_REGION.iter() {
        slot.store(0, Ordering::Release);
    }
    IN_REGION_COUNT.store(0, Ordering::Release);
    STARTED.store(0, Ordering::Release);
    START_LOCK.store(false, Ordering::Release);
}

/// Starts pool threads up to `wanted - 1` (the caller is thread 0); returns how many run.
fn ensure_pool(wanted: i64) -> i64 {
    let have = STARTED.load(Ordering::Acquire);
    if have >= wanted - 1 {
        return have;
    }
    while START_LOCK.swap(true, Ordering::AcqRel) {
        core::hint::spin_loop();
    }
    if !FORK_HANDLER.swap(true, Ordering::AcqRel) {
        unsafe { pthread_atfork(None, None, Some(after_fork_in_child)) };
    }
    let mut have = STARTED.load(Ordering::Acquire);
    while have < wanted - 1 {
        let mut id = 0u64;
        let thread = (have + 1) as *mut c_void;
        STARTING.store(1, Ordering::Release);
        if unsafe { pthread_create(&mut id, core::ptr::null(), worker, thread) } != 0 {
            STARTING.store(0, Ordering::Release);
            break;
        }
        unsafe { pthread_detach(id) };
        have += 1;
        // Wait until the new worker has read the generation it starts from, so that it
        // takes part in the next region rather than missing it.
        while STARTING.load(Ordering::Acquire) != 0 {
            core::hint::spin_loop();
        }
    }
    STARTED.store(have, Ordering::Release);
    START_LOCK.store(false, Ordering::Release);
    have
}

/// Mirrors of the pool's generation and finished count, for spinning without the lock: a short
/// spin before sleeping makes back-to-back regions cost microseconds, not futex round trips.
static GENERATION: AtomicU64 = AtomicU64::new(0);
static FINISHED: AtomicI64 = AtomicI64::new(0);
const SPINS: u32 = 20_000;

/// 1 while a new pool thread has not yet read the current generation.
static STARTING: AtomicI64 = AtomicI64::new(0);

/// Runs `body` over `[0, count)` on up to `threads` threads (0: the default count) with the
/// given schedule and chunk size. Returns 0, or 1 when an iteration failed, with the first
/// error copied to `error`. Started from inside a region, it runs serially on the calling
/// thread (and an error stays recorded for the enclosing region).
///
/// # Safety
/// `body` must be callable with `ctx` from any thread; `error` must be writable.
#[no_mangle]
pub unsafe extern "C" fn pyaot_rt_parallel_for(
    body: Body,
    ctx: *mut c_void,
    count: i64,
    schedule: i32,
    chunk: i64,
    threads: i64,
    error: *mut Error,
) -> i32 {
    if count <= 0 {
        return 0;
    }
    if pyaot_rt_in_region() != 0 {
        return (body(ctx, 0, count, 0) != 0) as i32;
    }
    let wanted = if threads > 0 { threads.min(MAX_THREADS) } else { pyaot_rt_max_threads() };
    // More threads than cores only take turns on them (and spin against each other, see
    // docs/performance.md): the team's parts are run by one thread per core.
    let runners_wanted = wanted.min(cores());
    let pool_threads = if runners_wanted > 1 { ensure_pool(runners_wanted) } else { 0 };
    let runners = (pool_threads + 1).min(runners_wanted).max(1);
    let team = wanted.max(1);
    let workers = runners - 1;
    unsafe {
        let pool = &raw mut POOL;
        pthread_mutex_lock(&raw mut (*pool).region_lock);
        FAILED.store(false, Ordering::Release);
        ERROR_TAKEN.store(false, Ordering::Release);
        ERROR = Error {
            exception: core::ptr::null(),
            message: core::ptr::null(),
            index: 0,
            axis: 0,
            size: 0,
        };
        ERROR_SLOT.store(&raw mut ERROR, Ordering::Release);
        NEXT.store(0, Ordering::Release);
        let region =
            Region { body: Some(body), ctx, count, schedule, chunk, threads: team, runners };
        if workers > 0 {
            pthread_mutex_lock(&raw mut (*pool).lock);
            (*pool).region = region;
            (*pool).finished = 0;
            FINISHED.store(0, Ordering::Release);
            (*pool).generation += 1;
            GENERATION.store((*pool).generation, Ordering::Release);
            pthread_cond_broadcast(&raw mut (*pool).wake);
            pthread_mutex_unlock(&raw mut (*pool).lock);
        }
        mark_in_region(true);
        run_as_runner(&region, 0);
        mark_in_region(false);
        if workers > 0 {
            let mut spins = 0;
            while FINISHED.load(Ordering::Acquire) < workers && spins < SPINS {
                core::hint::spin_loop();
                spins += 1;
            }
            pthread_mutex_lock(&raw mut (*pool).lock);
            while (*pool).finished < workers {
                pthread_cond_wait(&raw mut (*pool).done, &raw mut (*pool).lock);
            }
            pthread_mutex_unlock(&raw mut (*pool).lock);
        }
        let failed = FAILED.load(Ordering::Acquire);
        if failed && !error.is_null() {
            *error = core::ptr::read(&raw const ERROR);
        }
        ERROR_SLOT.store(core::ptr::null_mut(), Ordering::Release);
        pthread_mutex_unlock(&raw mut (*pool).region_lock);
        failed as i32
    }
}
