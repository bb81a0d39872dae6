//! Client IDs: process and thread ids as NT programs see them.
//!
//! Windows takes both from one handle table (`PspCidTable`), so they are multiples of
//! 4 and a process id never equals a thread id. Nereid numbers processes and threads
//! from one counter too (the number is also the thread's endpoint badge) and makes
//! the id `4 × number`; whether an id names a process or a thread is the process
//! records' business (`ex::pssvc`).

/// The process id of process number `n`.
pub fn process_id(n: u32) -> usize {
    n as usize * 4
}

/// The thread id of thread number `n`.
pub fn thread_id(n: u32) -> usize {
    n as usize * 4
}

/// Which number an id carries (`None`: not an id: zero, not a multiple of 4, too big).
pub fn number_of(id: usize) -> Option<u32> {
    (id % 4 == 0 && id != 0).then(|| u32::try_from(id / 4).ok())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_multiples_of_four_and_round_trip() {
        for n in 1..100 {
            assert_eq!(process_id(n) % 4, 0);
            assert_eq!(number_of(process_id(n)), Some(n));
            assert_eq!(number_of(thread_id(n)), Some(n));
        }
        assert_eq!(number_of(0), None);
        assert_eq!(number_of(3), None);
        assert_eq!(number_of(6), None);
        #[cfg(target_pointer_width = "64")]
        assert_eq!(number_of(usize::MAX & !3), None);
    }
}
