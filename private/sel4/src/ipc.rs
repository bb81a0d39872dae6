//! The IPC buffer and the generic invocation path.
//!
//! Rule: only message words beyond the register MRs and extra caps go
//! through the IPC buffer. Calls whose request and reply fit in
//! `NUM_MSG_REGISTERS` words and carry no caps never read the buffer
//! pointer, so threads without a usable IPC buffer (or with the executive's
//! data mapped read-only) can run them.

use core::ptr::{addr_of, addr_of_mut, null_mut};
use core::sync::atomic::{AtomicPtr, Ordering};

use crate::{call_with_mrs, consts, CPtr, Error, IpcBuffer, MessageInfo, Word, NUM_MSG_REGISTERS};

static IPC_BUFFER: AtomicPtr<IpcBuffer> = AtomicPtr::new(null_mut());

const MSG_MAX_LENGTH: usize = consts::MSG_MAX_LENGTH;
const MSG_MAX_EXTRA_CAPS: usize = consts::MSG_MAX_EXTRA_CAPS;

/// Sets the IPC buffer used by [`get_mr`], [`set_mr`], [`set_cap`] and the
/// invocation stubs that need it. The pointer is global to the address
/// space, not per thread.
///
/// # Safety
/// `p` must be null or point to this thread's IPC buffer (the frame the
/// kernel knows as such), mapped writable and valid for as long as it is
/// set, and not accessed concurrently by other code while a call uses it.
pub unsafe fn set_ipc_buffer(p: *mut IpcBuffer) {
    IPC_BUFFER.store(p, Ordering::Relaxed);
}

/// The IPC buffer set by [`set_ipc_buffer`] (null if none).
pub fn ipc_buffer() -> *mut IpcBuffer {
    IPC_BUFFER.load(Ordering::Relaxed)
}

fn buffer() -> Option<*mut IpcBuffer> {
    let p = ipc_buffer();
    (!p.is_null()).then_some(p)
}

/// Message word `msg[i]` of the IPC buffer (0 if no buffer is set or `i`
/// is out of range). Register MRs are not here: they travel in the
/// `*_with_mrs` arrays.
pub fn get_mr(i: usize) -> Word {
    match buffer() {
        // SAFETY: set_ipc_buffer's contract makes `p` a valid buffer; `i` is
        // checked against the array length.
        Some(p) if i < MSG_MAX_LENGTH => unsafe { addr_of!((*p).msg[i]).read() },
        _ => 0,
    }
}

/// Sets `msg[i]` of the IPC buffer (ignored without a buffer or if `i` is
/// out of range).
pub fn set_mr(i: usize, w: Word) {
    if let Some(p) = buffer().filter(|_| i < MSG_MAX_LENGTH) {
        // SAFETY: as in get_mr.
        unsafe { addr_of_mut!((*p).msg[i]).write(w) };
    }
}

/// Sets extra cap `i` of the next message (`caps_or_badges[i]`).
pub fn set_cap(i: usize, cap: CPtr) {
    if let Some(p) = buffer().filter(|_| i < MSG_MAX_EXTRA_CAPS) {
        // SAFETY: as in get_mr.
        unsafe { addr_of_mut!((*p).caps_or_badges[i]).write(cap) };
    }
}

/// Extra cap `i` as last written (`caps_or_badges[i]`).
pub fn get_cap(i: usize) -> CPtr {
    get_badge(i)
}

/// Badge of unwrapped extra cap `i` of a received message.
pub fn get_badge(i: usize) -> Word {
    match buffer() {
        // SAFETY: as in get_mr.
        Some(p) if i < MSG_MAX_EXTRA_CAPS => unsafe { addr_of!((*p).caps_or_badges[i]).read() },
        _ => 0,
    }
}

/// Where a received (non-unwrapped) cap is stored: `receive_cnode`,
/// `receive_index`, `receive_depth`.
pub fn set_receive_path(cnode: CPtr, index: CPtr, depth: Word) {
    if let Some(p) = buffer() {
        // SAFETY: as in get_mr.
        unsafe {
            addr_of_mut!((*p).receive_cnode).write(cnode);
            addr_of_mut!((*p).receive_index).write(index);
            addr_of_mut!((*p).receive_depth).write(depth);
        }
    }
}

/// Copies `bytes` plus a NUL into `msg[]` as a byte string (truncating);
/// false if no IPC buffer is set.
pub(crate) fn write_msg_bytes(bytes: &[u8]) -> bool {
    let Some(p) = buffer() else { return false };
    let cap = MSG_MAX_LENGTH * core::mem::size_of::<Word>() - 1;
    let n = bytes.len().min(cap);
    // SAFETY: `msg` is MSG_MAX_LENGTH words of the valid buffer; n + 1 bytes fit.
    unsafe {
        let dst = addr_of_mut!((*p).msg).cast::<u8>();
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, n);
        dst.add(n).write(0);
    }
    true
}

/// A kernel-object invocation message: label, `W` message words and `C`
/// extra caps, as built by the `marshal` functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<const W: usize, const C: usize> {
    pub label: Word,
    pub words: [Word; W],
    pub caps: [CPtr; C],
}

impl<const W: usize, const C: usize> Request<W, C> {
    /// The message info sent with this request.
    pub const fn info(&self) -> MessageInfo {
        MessageInfo::new(self.label, 0, C as Word, W as Word)
    }

    /// Whether sending this request (and reading `R` reply words) needs the
    /// IPC buffer.
    pub const fn needs_ipc_buffer<const R: usize>(&self) -> bool {
        W > NUM_MSG_REGISTERS || C > 0 || R > NUM_MSG_REGISTERS
    }
}

/// Invokes `service` with `req` (seL4_Call) and returns the first `R` reply
/// words. A non-zero reply label is the error; an unknown label is reported
/// as [`Error::IllegalOperation`]. If the message needs the IPC buffer and
/// none is set, fails with [`Error::IllegalOperation`] without calling the
/// kernel.
pub fn invoke<const W: usize, const C: usize, const R: usize>(
    service: CPtr,
    req: &Request<W, C>,
) -> Result<[Word; R], Error> {
    if req.needs_ipc_buffer::<R>() && buffer().is_none() {
        return Err(Error::IllegalOperation);
    }
    let mut mrs = [0; NUM_MSG_REGISTERS];
    for (i, w) in req.words.iter().enumerate() {
        match mrs.get_mut(i) {
            Some(m) => *m = *w,
            None => set_mr(i, *w),
        }
    }
    for (i, c) in req.caps.iter().enumerate() {
        set_cap(i, *c);
    }
    let reply = call_with_mrs(service, req.info(), &mut mrs);
    match reply.label() {
        0 => {}
        l => return Err(Error::from_word(l).unwrap_or(Error::IllegalOperation)),
    }
    let mut out = [0; R];
    for (i, o) in out.iter_mut().enumerate() {
        *o = match mrs.get(i) {
            Some(m) => *m,
            None => get_mr(i),
        };
    }
    Ok(out)
}
