//! What keeps clients from running the executive's heap out while there is no
//! per-process quota on executive memory (Windows charges pool quota): a reserve the
//! service loop keeps for the executive itself, and the services that only give memory
//! back (served even below the reserve).

/// Heap kept free for the executive itself (process teardown, object reaping, the
/// services that release memory): below it, other services are refused.
pub const RESERVE: usize = 1 << 20;

/// Whether service `number` only gives executive memory back (served even when the
/// heap is low): closing handles, ending threads and processes, freeing and unmapping
/// memory, yielding.
pub fn releases_memory(number: usize) -> bool {
    use ntsvc::number::*;
    [
        NtClose,
        NtTerminateProcess,
        NtTerminateThread,
        NtFreeVirtualMemory,
        NtUnmapViewOfSection,
        NtYieldExecution,
    ]
    .iter()
    .any(|&n| n as usize == number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_releasing_services_pass_a_low_heap() {
        use ntsvc::number::*;
        for n in [
            NtClose,
            NtTerminateProcess,
            NtFreeVirtualMemory,
            NtUnmapViewOfSection,
        ] {
            assert!(releases_memory(n as usize));
        }
        for n in [
            NtCreateEvent,
            NtAllocateVirtualMemory,
            NtCreateUserProcess,
            NtOpenKey,
        ] {
            assert!(!releases_memory(n as usize));
        }
        assert!(!releases_memory(usize::MAX));
        const { assert!(RESERVE <= 1 << 20) };
    }
}
