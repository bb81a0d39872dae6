//! User APC and alert services: NtQueueApcThread, NtTestAlert, NtAlertThread,
//! NtAlertResumeThread.
//!
//! The queues and flags are [`crate::ke::apc`]'s, kept in `KeState`; waits end through
//! `KeState::queue_apc` / `KeState::alert`. Delivery is the service loop's (`ex::init`):
//! an [`Outcome::DeliverApcs`] answer, or a wait completion with `STATUS_USER_APC`, has
//! the queued APCs written to the thread's TEB (`ntsvc::apc`) before the reply.
//!
//! Rules (ReactOS `ps/state.c`, `ke/apc.c`, `ke/thrdobj.c`; Windows documentation of
//! QueueUserAPC and NtTestAlert):
//! - NtQueueApcThread needs `THREAD_SET_CONTEXT` on a thread handle; any thread of any
//!   process the caller can open. A NULL routine makes a kernel-mode APC
//!   (`KeInitializeApc`), which runs nothing in user mode: success, nothing queued. A
//!   thread that has ended no longer takes APCs (`KeInsertQueueApc` fails):
//!   `STATUS_UNSUCCESSFUL`.
//! - NtTestAlert: `STATUS_ALERTED` if the thread was alerted (the flag is cleared, no
//!   APC runs), otherwise its queued APCs run and the result is `STATUS_SUCCESS`.
//! - NtAlertThread needs `THREAD_ALERT`; always `STATUS_SUCCESS`.
//! - NtAlertResumeThread needs `THREAD_SUSPEND_RESUME`: alert, then resume; the
//!   previous suspend count is reported as NtResumeThread does.

use super::pssvc::{self, thread_of_handle};
use super::services::{Context, Outcome};
use crate::ke::apc::{AlertTest, ApcSource, UserApc};
use crate::ke::dispatcher::ThreadId;
use crate::ke::probe::UserPtr;
use ntdef::status::{NtStatus, STATUS_ALERTED, STATUS_SUCCESS, STATUS_UNSUCCESSFUL};

/// `THREAD_ALERT` (winnt.h).
pub const THREAD_ALERT: u32 = 0x0004;
/// `THREAD_SET_CONTEXT` (winnt.h).
pub const THREAD_SET_CONTEXT: u32 = 0x0010;

fn reply(r: Result<(), NtStatus>) -> Outcome {
    Outcome::Reply(NtStatus::from_result(r))
}

/// `NtQueueApcThread(ThreadHandle, ApcRoutine, ApcArgument1..3)`.
pub fn queue_apc_thread(
    cx: &mut Context<'_>,
    handle: usize,
    routine: usize,
    args: [usize; 3],
) -> Outcome {
    reply((|| {
        let n = thread_of_handle(cx, handle, THREAD_SET_CONTEXT)?;
        let ended = cx.ps.thread(n).is_none_or(|r| r.exit_status.is_some());
        if ended {
            return Err(STATUS_UNSUCCESSFUL);
        }
        if routine == 0 {
            return Ok(());
        }
        let apc = UserApc {
            routine,
            args,
            source: ApcSource::Queued,
        };
        cx.ke.queue_apc(ThreadId(u64::from(n)), apc)
    })())
}

/// `NtTestAlert()`.
pub fn test_alert(cx: &mut Context<'_>) -> Outcome {
    match cx.ke.apc.test_alert(cx.thread) {
        AlertTest::Alerted => Outcome::Reply(STATUS_ALERTED),
        AlertTest::ApcsDue => Outcome::DeliverApcs(STATUS_SUCCESS),
        AlertTest::Nothing => Outcome::Reply(STATUS_SUCCESS),
    }
}

/// Alerts thread `n` unless it has ended.
fn alert(cx: &mut Context<'_>, n: u32) {
    let live = cx.ps.thread(n).is_some_and(|r| r.exit_status.is_none());
    if live {
        cx.ke.alert(ThreadId(u64::from(n)));
    }
}

/// `NtAlertThread(ThreadHandle)`.
pub fn alert_thread(cx: &mut Context<'_>, handle: usize) -> Outcome {
    reply((|| {
        let n = thread_of_handle(cx, handle, THREAD_ALERT)?;
        alert(cx, n);
        Ok(())
    })())
}

/// `NtAlertResumeThread(ThreadHandle, PreviousSuspendCount)`.
pub fn alert_resume_thread(
    cx: &mut Context<'_>,
    handle: usize,
    previous: Option<UserPtr<u32>>,
) -> Outcome {
    match thread_of_handle(cx, handle, pssvc::THREAD_SUSPEND_RESUME) {
        Ok(n) => {
            alert(cx, n);
            pssvc::suspend_resume(cx, handle, false, previous)
        }
        Err(s) => Outcome::Reply(s),
    }
}
