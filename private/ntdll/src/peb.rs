//! The current process's `PEB.ProcessParameters` fields the environment, parameter
//! and loader routines share (offsets from `ntrtl::params::Layout`, Windows 7 public
//! symbols: `PEB.ProcessParameters` at 0x20 on x64 and 0x10 on x86).

use ntrtl::params::Layout;

#[cfg(target_pointer_width = "64")]
pub(crate) const PEB_PROCESS_PARAMETERS: usize = 0x20;
#[cfg(target_pointer_width = "32")]
pub(crate) const PEB_PROCESS_PARAMETERS: usize = 0x10;

const L: Layout = Layout::NATIVE;

/// `NtCurrentPeb()->ProcessParameters`, or 0 (no PEB on the host, or no parameters).
pub(crate) fn process_parameters() -> usize {
    let peb = crate::alloc::current_peb();
    if peb == 0 {
        return 0;
    }
    // SAFETY: the PEB is mapped for the life of the process.
    unsafe { ((peb + PEB_PROCESS_PARAMETERS) as *const usize).read() }
}

/// The current environment block (`ProcessParameters->Environment`), or 0.
pub(crate) fn current_environment() -> usize {
    let params = process_parameters();
    if params == 0 {
        return 0;
    }
    // SAFETY: a non-NULL ProcessParameters points at the process's parameter block.
    unsafe { ((params + L.environment()) as *const usize).read() }
}

/// Replaces the current environment block and its size; false without parameters.
pub(crate) fn set_current_environment(env: usize, bytes: usize) -> bool {
    let params = process_parameters();
    if params == 0 {
        return false;
    }
    // SAFETY: the parameter block is writable process memory (heap or the pages the
    // executive mapped read-write for it).
    unsafe {
        ((params + L.environment()) as *mut usize).write(env);
        ((params + L.environment_size()) as *mut usize).write(bytes);
    }
    true
}
