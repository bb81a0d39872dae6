//! Kernel layer: fault decoding and the executive's dispatch loop.

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
