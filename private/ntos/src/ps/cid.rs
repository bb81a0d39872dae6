//! Client IDs: process and thread ids as NT programs see them.
//!
//! Windows takes both from one handle table (`PspCidTable`), so they are multiples of
//! 4 and a process id never equals a thread id. Nereid derives both from the
//! executive's process number `n` (one thread per process): process id `8n`, thread
//! id `8n + 4`.

/// The process id of process number `n`.
pub fn process_id(n: u32) -> usize {
    n as usize * 8
}

/// The thread id of process number `n`'s (only) thread.
pub fn thread_id(n: u32) -> usize {
    n as usize * 8 + 4
}

/// Which process number a process id names (`None`: not a process id).
pub fn process_of(id: usize) -> Option<u32> {
    (id % 8 == 0 && id != 0).then(|| u32::try_from(id / 8).ok())?
}

/// Which process number a thread id's thread belongs to (`None`: not a thread id).
pub fn thread_of(id: usize) -> Option<u32> {
    (id % 8 == 4).then(|| u32::try_from(id / 8).ok())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_disjoint_multiples_of_four() {
        for n in 1..100 {
            assert_eq!(process_id(n) % 4, 0);
            assert_eq!(thread_id(n) % 4, 0);
            assert_eq!(process_of(process_id(n)), Some(n));
            assert_eq!(thread_of(thread_id(n)), Some(n));
            assert_eq!(process_of(thread_id(n)), None);
            assert_eq!(thread_of(process_id(n)), None);
        }
        assert_eq!(process_of(0), None);
        assert_eq!(process_of(3), None);
        assert_eq!(thread_of(usize::MAX), None);
    }
}
