//! Kernel layer: fault decoding and the executive's dispatch loop.
//!
//! # The asynchronous executive
//!
//! The executive is one thread and never blocks on a client's behalf. Its loop
//! (`ex::init`) receives a request, runs the service, and answers with the next receive
//! in one `seL4_ReplyRecv`. A service that must wait returns "pending": the loop moves
//! the caller's reply capability out of the thread's reply slot into a free CNode slot
//! (`seL4_CNode_SaveCaller`, non-MCS kernel) and records it against the
//! [`dispatcher`] wait. Whenever a service (a set, a release, a process exit) completes
//! waits, the loop answers each through its saved capability (`seL4_Send` on a reply
//! capability consumes it and never blocks) and frees the slot. A thread that ends while
//! parked has its saved capability deleted before anything could use it.
//!
//! Design choice: **explicit continuations, not futures.** Every wait service's
//! continuation is the same — reply one NTSTATUS — because NT's wait services write
//! nothing back after waiting. A pending entry is therefore just
//! `thread → (wait, reply slot)`; an executor with wakers and boxed futures would add
//! allocation and indirection for no behaviour. Should a service ever need to resume
//! with work after a wait (I/O completion writing user buffers), that service gets a
//! future-shaped continuation then.

pub mod apc;
#[cfg(ntos_bare)]
pub mod dispatch;
pub mod dispatcher;
pub mod fault;
pub mod probe;

/// Stops the executive's own thread for good.
#[cfg(ntos_bare)]
pub fn halt() -> ! {
    let _ = sel4::tcb_suspend(sel4::consts::CAP_INIT_THREAD_TCB);
    // Suspending ourselves does not return; if it did (bad cap), park.
    loop {
        sel4::yield_now();
    }
}
