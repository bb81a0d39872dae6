//! Virtual-memory services: NtAllocateVirtualMemory, NtFreeVirtualMemory,
//! NtQueryVirtualMemory, NtProtectVirtualMemory, NtReadVirtualMemory,
//! NtWriteVirtualMemory. The rules live in `mm::vad` (host-tested); this file captures
//! the in/out parameters once, calls them and applies the result to the process's
//! frames (`ps::ntprocess`).
//!
//! Process handles: the current process (pseudo-handle or a handle to it), or another
//! process through a handle with the right Windows asks for (PROCESS_VM_OPERATION to
//! allocate, free and protect, PROCESS_QUERY_INFORMATION to query, PROCESS_VM_READ /
//! PROCESS_VM_WRITE to copy); the dispatcher resolves it (`ex::services::with_vm`).
//! Arguments always live in the caller's memory, the effect is on the target's.
//! seL4 5.0 on x86 cannot map pages no-execute, so PAGE_EXECUTE_* and the other
//! protections differ only in what the queries report.

use crate::ke::probe::{probe, UserPtr};
use crate::mm::kobj::Mm;
use crate::ps::ntprocess::{NtProcess, Shadows};
use ntdef::memory::{MEMORY_BASIC_INFORMATION, MEMORY_BASIC_INFORMATION_CLASS};
use ntdef::status::*;

/// What a VM service works on: the caller (whose memory holds the arguments) and the
/// process it names (`None`: itself).
pub struct Vm<'a> {
    pub p: &'a mut NtProcess,
    pub target: Option<&'a mut NtProcess>,
    pub mm: &'a mut Mm,
    pub shadows: &'a mut Shadows,
}

/// Process rights the services check (winnt.h).
pub const PROCESS_VM_OPERATION: u32 = 0x0008;
pub const PROCESS_VM_READ: u32 = 0x0010;
pub const PROCESS_VM_WRITE: u32 = 0x0020;
pub const PROCESS_QUERY_INFORMATION: u32 = 0x0400;

const W: usize = size_of::<usize>();

impl Vm<'_> {
    /// The process the service acts on.
    fn t(&mut self) -> &mut NtProcess {
        match self.target.as_deref_mut() {
            Some(t) => t,
            None => self.p,
        }
    }

    fn read_word(&self, at: usize) -> Result<usize, NtStatus> {
        self.p.read_word(at)
    }

    /// Writes into the target through its shadows (untouched committed pages get a
    /// frame first).
    fn write_remote(&mut self, at: usize, data: &[u8]) -> Result<(), NtStatus> {
        let Some(t) = self.target.as_deref_mut() else {
            return self.write(at, data);
        };
        t.ensure_backed(self.mm, self.shadows, at, data.len())?;
        t.write(at, data)
    }

    /// Writes through the shadows, giving untouched committed pages a frame first.
    fn write(&mut self, at: usize, data: &[u8]) -> Result<(), NtStatus> {
        self.p
            .ensure_backed(self.mm, self.shadows, at, data.len())?;
        self.p.write(at, data)
    }

    fn write_word(&mut self, at: usize, v: usize) -> Result<(), NtStatus> {
        self.write(at, &v.to_le_bytes())
    }

    #[allow(clippy::too_many_arguments)]
    pub fn allocate(
        &mut self,
        base: UserPtr<usize>,
        zero_bits: usize,
        size: UserPtr<usize>,
        alloc_type: u32,
        protect: u32,
    ) -> NtStatus {
        NtStatus::from_result((|| {
            let want_base = self.read_word(base.addr())?;
            let want_size = self.read_word(size.addr())?;
            // Probe the outputs before anything changes (they are the inputs too).
            self.p
                .ensure_backed(self.mm, self.shadows, base.addr(), W)?;
            self.p
                .ensure_backed(self.mm, self.shadows, size.addr(), W)?;
            if self.p.accessible(base.addr(), W, true) < W
                || self.p.accessible(size.addr(), W, true) < W
            {
                return Err(STATUS_ACCESS_VIOLATION);
            }
            let (b, s) = self
                .t()
                .vads
                .allocate(want_base, want_size, alloc_type, protect, zero_bits)?;
            self.write_word(base.addr(), b)?;
            self.write_word(size.addr(), s)
        })())
    }

    pub fn free(&mut self, base: UserPtr<usize>, size: UserPtr<usize>, free_type: u32) -> NtStatus {
        NtStatus::from_result((|| {
            let want_base = self.read_word(base.addr())?;
            let want_size = self.read_word(size.addr())?;
            if self.p.accessible(base.addr(), W, true) < W
                || self.p.accessible(size.addr(), W, true) < W
            {
                return Err(STATUS_ACCESS_VIOLATION);
            }
            let (b, s, changed) = self.t().vads.free(want_base, want_size, free_type)?;
            for (start, end) in changed.freed {
                self.t().unback(start, end);
            }
            // The out words may have lived in what was just freed.
            let _ = self.p.write(base.addr(), &b.to_le_bytes());
            let _ = self.p.write(size.addr(), &s.to_le_bytes());
            Ok(())
        })())
    }

    pub fn protect(
        &mut self,
        base: UserPtr<usize>,
        size: UserPtr<usize>,
        new: u32,
        old: UserPtr<u32>,
    ) -> NtStatus {
        NtStatus::from_result((|| {
            let want_base = self.read_word(base.addr())?;
            let want_size = self.read_word(size.addr())?;
            for (at, n) in [(base.addr(), W), (size.addr(), W), (old.addr(), 4)] {
                self.p.ensure_backed(self.mm, self.shadows, at, n)?;
                if self.p.accessible(at, n, true) < n {
                    return Err(STATUS_ACCESS_VIOLATION);
                }
            }
            let (b, s, prev, changed) = self.t().vads.protect(want_base, want_size, new)?;
            for (start, end) in changed.reprotected {
                self.t().reprotect(start, end)?;
            }
            let _ = self.p.write(base.addr(), &b.to_le_bytes());
            let _ = self.p.write(size.addr(), &s.to_le_bytes());
            let _ = self.p.write(old.addr(), &prev.to_le_bytes());
            Ok(())
        })())
    }

    pub fn query(
        &mut self,
        addr: usize,
        class: u32,
        buffer: usize,
        length: usize,
        returned: Option<UserPtr<usize>>,
    ) -> NtStatus {
        NtStatus::from_result((|| {
            if class != MEMORY_BASIC_INFORMATION_CLASS {
                return Err(STATUS_INVALID_INFO_CLASS);
            }
            let need = size_of::<MEMORY_BASIC_INFORMATION>();
            if length < need {
                return Err(STATUS_INFO_LENGTH_MISMATCH);
            }
            probe(buffer, length, W)?;
            let mbi = self.t().vads.query(addr)?;
            self.write(buffer, &mbi.to_bytes())?;
            if let Some(r) = returned {
                self.write_word(r.addr(), need)?;
            }
            Ok(())
        })())
    }

    /// Copies `len` bytes inside the process from `src` to `dst`. `remote_is_src`:
    /// NtReadVirtualMemory (the "other" process's range is the source). A fault on
    /// the other process's side is STATUS_PARTIAL_COPY, on the caller's buffer
    /// STATUS_ACCESS_VIOLATION.
    #[allow(clippy::too_many_arguments)]
    pub fn copy_virtual(
        &mut self,
        remote: usize,
        buffer: usize,
        len: usize,
        remote_is_src: bool,
        done_out: Option<UserPtr<usize>>,
    ) -> NtStatus {
        let r = (|| -> Result<usize, (NtStatus, usize)> {
            for a in [remote, buffer] {
                if a.checked_add(len).is_none_or(|e| e > ntsvc::USER_LIMIT) {
                    return Err((STATUS_ACCESS_VIOLATION, 0));
                }
            }
            let (src, dst) = if remote_is_src {
                (remote, buffer)
            } else {
                (buffer, remote)
            };
            let mut done = 0;
            let mut chunk = [0u8; 4096];
            while done < len {
                let n = (len - done).min(chunk.len() - (src + done) % chunk.len());
                let n = n.min(chunk.len() - (dst + done) % chunk.len());
                let src_fault = if remote_is_src {
                    STATUS_PARTIAL_COPY
                } else {
                    STATUS_ACCESS_VIOLATION
                };
                let dst_fault = if remote_is_src {
                    STATUS_ACCESS_VIOLATION
                } else {
                    STATUS_PARTIAL_COPY
                };
                let read = if remote_is_src {
                    self.t().read(src + done, &mut chunk[..n])
                } else {
                    self.p.read(src + done, &mut chunk[..n])
                };
                read.map_err(|_| (src_fault, done))?;
                let written = if remote_is_src {
                    self.write(dst + done, &chunk[..n])
                } else {
                    self.write_remote(dst + done, &chunk[..n])
                };
                written.map_err(|s| (if s == STATUS_NO_MEMORY { s } else { dst_fault }, done))?;
                done += n;
            }
            Ok(done)
        })();
        let (status, done) = match r {
            Ok(n) => (STATUS_SUCCESS, n),
            Err((s, n)) => (s, n),
        };
        if let Some(out) = done_out {
            if status != STATUS_INVALID_HANDLE {
                if let Err(s) = self.write_word(out.addr(), done) {
                    return s;
                }
            }
        }
        status
    }
}
