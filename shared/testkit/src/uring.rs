//! io_uring, which the compio examples need: where the kernel refuses it (an old
//! kernel, `kernel.io_uring_disabled`, a container's seccomp filter), their tests
//! skip, saying why, rather than fail; everywhere else they run in full.

/// Why io_uring cannot start here (the compio programs' own one-line error), or
/// `None`: it starts a compio runtime, as the programs do.
pub fn missing() -> Option<String> {
    let e = compio::runtime::RuntimeBuilder::new().build().err()?;
    // Any other failure is no reason to skip: the tests run, and fail.
    workload::cores::io_uring_refusal(&e)
}

/// True, having printed why, where a compio test cannot run: begin each with
/// `if testkit::uring::skip() { return; }`.
pub fn skip() -> bool {
    match missing() {
        Some(why) => {
            eprintln!("skipped: {why}");
            true
        }
        None => false,
    }
}
