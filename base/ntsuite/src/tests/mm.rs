//! Virtual memory: NtAllocate/Free/Query/Protect/Read/WriteVirtualMemory and
//! demand-zero paging.
//!
//! Expectations: the WDK documentation of `ZwAllocateVirtualMemory`,
//! `ZwFreeVirtualMemory`, `ZwQueryVirtualMemory`, `ZwProtectVirtualMemory` and the SDK's
//! `VirtualAlloc`/`VirtualFree`/`VirtualQuery` pages ([MSDN]): reservations on the
//! 64 KiB allocation granularity with the base rounded down and the size rounded up
//! to pages, commits per page, decommit of uncommitted pages allowed, MEM_RELEASE
//! with size 0 from the base (else STATUS_FREE_VM_NOT_AT_BASE), free regions reported
//! as MEM_FREE / PAGE_NOACCESS with AllocationBase 0 and Type 0, reserved pages with
//! Protect 0; ZeroBits above 21 is STATUS_INVALID_PARAMETER_3 and
//! ReadProcessMemory over unreadable memory is ERROR_PARTIAL_COPY, i.e.
//! STATUS_PARTIAL_COPY ([WINE] dlls/ntdll/tests/virtual.c and
//! dlls/kernel32/tests/virtual.c record the same on real Windows).

use crate::suite::Test;
use crate::sys::*;
use crate::tests;
use alloc::format;
use alloc::string::String;
use core::ffi::c_void;
use ntdef::memory::*;

const STATUS_FREE_VM_NOT_AT_BASE: u32 = 0xC000_009F;
const STATUS_MEMORY_NOT_ALLOCATED: u32 = 0xC000_00A0;
const STATUS_NO_MEMORY: u32 = 0xC000_0017;
const STATUS_NOT_COMMITTED: u32 = 0xC000_002D;

fn alloc(base: usize, size: usize, ty: u32, protect: u32) -> (NtStatus, usize, usize) {
    let (mut b, mut s) = (base, size);
    // SAFETY: both pointers are to locals.
    let st = unsafe { NtAllocateVirtualMemory(CURRENT_PROCESS, &mut b, 0, &mut s, ty, protect) };
    (st, b, s)
}

fn free(base: usize, size: usize, ty: u32) -> (NtStatus, usize, usize) {
    let (mut b, mut s) = (base, size);
    // SAFETY: both pointers are to locals.
    let st = unsafe { NtFreeVirtualMemory(CURRENT_PROCESS, &mut b, &mut s, ty) };
    (st, b, s)
}

fn query(addr: usize) -> Result<MEMORY_BASIC_INFORMATION, String> {
    let mut m = MEMORY_BASIC_INFORMATION::default();
    let mut ret = 0usize;
    // SAFETY: `m` and `ret` are locals of the sizes passed.
    let st = unsafe {
        NtQueryVirtualMemory(
            CURRENT_PROCESS,
            addr,
            MEMORY_BASIC_INFORMATION_CLASS,
            (&raw mut m).cast(),
            size_of::<MEMORY_BASIC_INFORMATION>(),
            &mut ret,
        )
    };
    expect_status("NtQueryVirtualMemory", st, STATUS_SUCCESS)?;
    if ret != size_of::<MEMORY_BASIC_INFORMATION>() {
        return Err(format!("ReturnLength {ret}"));
    }
    Ok(m)
}

fn eq<T: PartialEq + core::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:x?}, want {want:x?}"))
    }
}

fn reserve_commit_touch_release() -> Result<(), String> {
    let (st, b, s) = alloc(0, 0x1_0000, MEM_RESERVE, PAGE_READWRITE);
    expect_status("reserve", st, STATUS_SUCCESS)?;
    eq("granularity", b % 0x1_0000, 0)?;
    eq("size", s, 0x1_0000)?;
    let (st, cb, cs) = alloc(b + 0x1800, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    expect_status("commit", st, STATUS_SUCCESS)?;
    eq("commit base rounded down", cb, b + 0x1000)?;
    eq("commit size rounded up", cs, 0x2000)?;
    // First touch: demand-zero.
    let p = (b + 0x1000) as *mut u32;
    // SAFETY: the two pages at b + 0x1000 are committed read-write.
    unsafe {
        eq("zero-filled", p.read_volatile(), 0)?;
        p.write_volatile(0x1234_5678);
        p.add(1024).write_volatile(7);
        eq("kept", p.read_volatile(), 0x1234_5678)?;
    }
    let (st, _, ds) = free(b + 0x1000, 0x1000, MEM_DECOMMIT);
    expect_status("decommit", st, STATUS_SUCCESS)?;
    eq("decommit size", ds, 0x1000)?;
    expect_status(
        "decommit again",
        free(b + 0x1000, 0x1000, MEM_DECOMMIT).0,
        STATUS_SUCCESS,
    )?;
    let (st, _, _) = alloc(b + 0x1000, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    expect_status("recommit", st, STATUS_SUCCESS)?;
    // SAFETY: committed again, read-write.
    eq("zero after recommit", unsafe { p.read_volatile() }, 0)?;
    // SAFETY: the second page stayed committed.
    eq(
        "second page kept",
        unsafe { p.add(1024).read_volatile() },
        7,
    )?;
    expect_status(
        "release not at base",
        free(b + 0x1000, 0, MEM_RELEASE).0,
        STATUS_FREE_VM_NOT_AT_BASE,
    )?;
    let (st, rb, rs) = free(b, 0, MEM_RELEASE);
    expect_status("release", st, STATUS_SUCCESS)?;
    eq("release base", rb, b)?;
    eq("release size", rs, 0x1_0000)?;
    expect_status(
        "release twice",
        free(b, 0, MEM_RELEASE).0,
        STATUS_MEMORY_NOT_ALLOCATED,
    )
}

fn query_fields() -> Result<(), String> {
    let (st, b, _) = alloc(0, 0x4000, MEM_RESERVE, PAGE_EXECUTE_READWRITE);
    expect_status("reserve", st, STATUS_SUCCESS)?;
    expect_status(
        "commit",
        alloc(b + 0x1000, 0x1000, MEM_COMMIT, PAGE_READONLY).0,
        STATUS_SUCCESS,
    )?;
    let m = query(b)?;
    eq("reserved BaseAddress", m.BaseAddress, b)?;
    eq("reserved AllocationBase", m.AllocationBase, b)?;
    eq(
        "AllocationProtect",
        m.AllocationProtect,
        PAGE_EXECUTE_READWRITE,
    )?;
    eq("reserved RegionSize", m.RegionSize, 0x1000)?;
    eq("reserved State", m.State, MEM_RESERVE)?;
    eq("reserved Protect", m.Protect, 0)?;
    eq("Type", m.Type, MEM_PRIVATE)?;
    let m = query(b + 0x1abc)?;
    eq("committed BaseAddress", m.BaseAddress, b + 0x1000)?;
    eq("committed RegionSize", m.RegionSize, 0x1000)?;
    eq("committed State", m.State, MEM_COMMIT)?;
    eq("committed Protect", m.Protect, PAGE_READONLY)?;
    let m = query(b + 0x2000)?;
    eq("tail RegionSize", m.RegionSize, 0x2000)?;
    expect_status("release", free(b, 0, MEM_RELEASE).0, STATUS_SUCCESS)?;
    let m = query(b)?;
    eq("free State", m.State, MEM_FREE)?;
    eq("free Protect", m.Protect, PAGE_NOACCESS)?;
    eq("free AllocationBase", m.AllocationBase, 0)?;
    eq("free Type", m.Type, 0)?;
    Ok(())
}

fn query_image_and_stack() -> Result<(), String> {
    let code = query_image_and_stack as *const () as usize;
    let m = query(code)?;
    eq("code Type", m.Type, MEM_IMAGE)?;
    eq("code State", m.State, MEM_COMMIT)?;
    let local = 0u32;
    let m = query(&raw const local as usize)?;
    eq("stack Type", m.Type, MEM_PRIVATE)?;
    eq("stack Protect", m.Protect, PAGE_READWRITE)?;
    Ok(())
}

fn query_bad_arguments() -> Result<(), String> {
    let mut m = MEMORY_BASIC_INFORMATION::default();
    let p: *mut c_void = (&raw mut m).cast();
    let n = size_of::<MEMORY_BASIC_INFORMATION>();
    // SAFETY: `m` is a local of `n` bytes; shorter lengths are what is tested.
    unsafe {
        let st = NtQueryVirtualMemory(CURRENT_PROCESS, 0x1_0000, 99, p, n, core::ptr::null_mut());
        expect_status("class 99", st, STATUS_INVALID_INFO_CLASS)?;
        let st = NtQueryVirtualMemory(
            CURRENT_PROCESS,
            0x1_0000,
            0,
            p,
            n - 1,
            core::ptr::null_mut(),
        );
        expect_status("short buffer", st, STATUS_INFO_LENGTH_MISMATCH)?;
        let st = NtQueryVirtualMemory(CURRENT_PROCESS, USER_LIMIT, 0, p, n, core::ptr::null_mut());
        expect_status("system address", st, STATUS_INVALID_PARAMETER)?;
        let st = NtQueryVirtualMemory(
            CURRENT_PROCESS,
            0x1_0000,
            0,
            KERNEL as *mut c_void,
            n,
            core::ptr::null_mut(),
        );
        expect_status("kernel buffer", st, STATUS_ACCESS_VIOLATION)?;
    }
    Ok(())
}

fn rounding_and_conflicts() -> Result<(), String> {
    let (st, b, _) = alloc(0, 0x2_0000, MEM_RESERVE, PAGE_READWRITE);
    expect_status("reserve", st, STATUS_SUCCESS)?;
    expect_status(
        "overlapping reserve",
        alloc(b + 0x1_0000, 0x1000, MEM_RESERVE, PAGE_READWRITE).0,
        STATUS_CONFLICTING_ADDRESSES,
    )?;
    expect_status(
        "commit past the reservation",
        alloc(b + 0x1_F000, 0x2000, MEM_COMMIT, PAGE_READWRITE).0,
        STATUS_CONFLICTING_ADDRESSES,
    )?;
    expect_status("release", free(b, 0, MEM_RELEASE).0, STATUS_SUCCESS)?;
    // A base inside a 64 KiB block is rounded down; the end up to a page.
    let (st, b2, s2) = alloc(b + 0x1234, 0x100, MEM_RESERVE, PAGE_READWRITE);
    expect_status("reserve at odd base", st, STATUS_SUCCESS)?;
    eq("rounded base", b2, b)?;
    eq("rounded size", s2, 0x2000)?;
    expect_status("release", free(b2, 0, MEM_RELEASE).0, STATUS_SUCCESS)
}

fn top_down() -> Result<(), String> {
    let (st, lo, _) = alloc(0, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    expect_status("bottom-up", st, STATUS_SUCCESS)?;
    let (st, hi, _) = alloc(0, 0x1000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    expect_status("top-down", st, STATUS_SUCCESS)?;
    let r = if hi > lo && hi > USER_LIMIT / 2 {
        Ok(())
    } else {
        Err(format!("top-down {hi:#x} not above bottom-up {lo:#x}"))
    };
    free(lo, 0, MEM_RELEASE);
    free(hi, 0, MEM_RELEASE);
    r
}

/// A top-down reservation sits at the top of the user range, and its committed pages
/// work like any other (reading, writing, querying) — an early experiment on x86_64 saw
/// a top-down page fault after a successful commit. Both a reserve-then-commit and a
/// one-step MEM_RESERVE | MEM_COMMIT | MEM_TOP_DOWN allocation are touched.
fn top_down_commit_touch() -> Result<(), String> {
    let (st, base, size) = alloc(0, 0x2_0000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    expect_status("top-down reserve", st, STATUS_SUCCESS)?;
    let r = (|| {
        // At the top: within 1 MiB of the user limit (x86: below the fixed TEB/PEB
        // and shared-data pages at 0x7FFD0000).
        let top = if cfg!(target_pointer_width = "64") {
            USER_LIMIT
        } else {
            0x7FFD_0000
        };
        if base + size > USER_LIMIT || base + size + 0x10_0000 < top {
            return Err(format!("top-down reservation at {base:#x}+{size:#x}"));
        }
        let page = base + 0x1_0000;
        let (st, b, _) = alloc(page, 0x1000, MEM_COMMIT, PAGE_READWRITE);
        expect_status("commit in it", st, STATUS_SUCCESS)?;
        eq("commit base", b, page)?;
        // SAFETY: committed read-write just above.
        let v = unsafe {
            core::ptr::write_volatile((page + 8) as *mut u32, 0x70D0);
            core::ptr::read_volatile((page + 8) as *const u32)
        };
        eq("value in the top-down page", v, 0x70D0)?;
        let m = query(page)?;
        eq("state", (m.State, m.Protect), (MEM_COMMIT, PAGE_READWRITE))?;
        let (st, one, _) = alloc(
            0,
            0x1000,
            MEM_RESERVE | MEM_COMMIT | MEM_TOP_DOWN,
            PAGE_READWRITE,
        );
        expect_status("one-step top-down", st, STATUS_SUCCESS)?;
        if one >= base {
            free(one, 0, MEM_RELEASE);
            return Err(format!("second top-down {one:#x} not below {base:#x}"));
        }
        // SAFETY: committed read-write just above.
        let v = unsafe {
            core::ptr::write_volatile(one as *mut u32, 0x1DE);
            core::ptr::read_volatile(one as *const u32)
        };
        free(one, 0, MEM_RELEASE);
        eq("value in the one-step page", v, 0x1DE)
    })();
    free(base, 0, MEM_RELEASE);
    r
}

fn bad_flags_and_protections() -> Result<(), String> {
    let mut b = 0usize;
    let mut s = 0x1000usize;
    // SAFETY: pointers to locals.
    let st = unsafe {
        NtAllocateVirtualMemory(
            CURRENT_PROCESS,
            &mut b,
            22,
            &mut s,
            MEM_COMMIT,
            PAGE_READWRITE,
        )
    };
    expect_status("ZeroBits 22", st, STATUS_INVALID_PARAMETER_3)?;
    for p in [0, 3, PAGE_NOACCESS | PAGE_GUARD, PAGE_WRITECOPY] {
        expect_status(
            &format!("protect {p:#x}"),
            alloc(0, 0x1000, MEM_COMMIT, p).0,
            STATUS_INVALID_PAGE_PROTECTION,
        )?;
    }
    expect_status(
        "size 0",
        alloc(0, 0, MEM_COMMIT, PAGE_READWRITE).0,
        STATUS_INVALID_PARAMETER_4,
    )?;
    expect_status(
        "free type 0",
        free(0x1_0000, 0, 0).0,
        STATUS_INVALID_PARAMETER_4,
    )?;
    // SAFETY: a bad pointer is what is tested; the executive probes it.
    let st = unsafe {
        NtAllocateVirtualMemory(
            CURRENT_PROCESS,
            KERNEL as *mut usize,
            0,
            &mut s,
            MEM_COMMIT,
            PAGE_READWRITE,
        )
    };
    expect_status("kernel BaseAddress pointer", st, STATUS_ACCESS_VIOLATION)?;
    expect_status(
        "bad process handle",
        // SAFETY: pointers to locals.
        unsafe {
            NtAllocateVirtualMemory(
                0x1234 as HANDLE,
                &mut b,
                0,
                &mut s,
                MEM_COMMIT,
                PAGE_READWRITE,
            )
        },
        STATUS_INVALID_HANDLE,
    )
}

fn protect_old_value() -> Result<(), String> {
    let (st, b, _) = alloc(0, 0x2000, MEM_COMMIT, PAGE_READWRITE);
    expect_status("commit", st, STATUS_SUCCESS)?;
    // SAFETY: committed read-write.
    unsafe { (b as *mut u32).write_volatile(42) };
    let (mut pb, mut ps, mut old) = (b, 0x1000usize, 0u32);
    // SAFETY: pointers to locals.
    let st = unsafe {
        NtProtectVirtualMemory(CURRENT_PROCESS, &mut pb, &mut ps, PAGE_READONLY, &mut old)
    };
    expect_status("protect", st, STATUS_SUCCESS)?;
    eq("old", old, PAGE_READWRITE)?;
    // SAFETY: still readable.
    eq("readable", unsafe { (b as *const u32).read_volatile() }, 42)?;
    eq("query", query(b)?.Protect, PAGE_READONLY)?;
    let mut w = 0usize;
    // SAFETY: pointers to locals; the target is read-only, which is tested.
    let st =
        unsafe { NtWriteVirtualMemory(CURRENT_PROCESS, b, (&raw const old).cast(), 4, &mut w) };
    expect_status("write to read-only", st, STATUS_PARTIAL_COPY)?;
    let (mut pb, mut ps) = (b, 0x1000usize);
    // SAFETY: pointers to locals.
    let st = unsafe {
        NtProtectVirtualMemory(CURRENT_PROCESS, &mut pb, &mut ps, PAGE_READWRITE, &mut old)
    };
    expect_status("protect back", st, STATUS_SUCCESS)?;
    eq("old", old, PAGE_READONLY)?;
    // SAFETY: writable again.
    unsafe { (b as *mut u32).write_volatile(43) };
    expect_status(
        "decommit",
        free(b + 0x1000, 0x1000, MEM_DECOMMIT).0,
        STATUS_SUCCESS,
    )?;
    let (mut pb, mut ps) = (b, 0x2000usize);
    // SAFETY: pointers to locals.
    let st = unsafe {
        NtProtectVirtualMemory(CURRENT_PROCESS, &mut pb, &mut ps, PAGE_READONLY, &mut old)
    };
    expect_status("protect over decommitted", st, STATUS_NOT_COMMITTED)?;
    expect_status("release", free(b, 0, MEM_RELEASE).0, STATUS_SUCCESS)
}

fn read_write_own_process() -> Result<(), String> {
    let (st, b, _) = alloc(0, 0x2000, MEM_COMMIT, PAGE_READWRITE);
    expect_status("commit", st, STATUS_SUCCESS)?;
    let data = *b"nereid vm test!!";
    let mut n = 0usize;
    // SAFETY: pointers to locals; the target is committed (untouched yet).
    let st = unsafe {
        NtWriteVirtualMemory(CURRENT_PROCESS, b + 0xFF8, data.as_ptr().cast(), 16, &mut n)
    };
    expect_status("write", st, STATUS_SUCCESS)?;
    eq("written", n, 16)?;
    let mut back = [0u8; 16];
    // SAFETY: as above.
    let st = unsafe {
        NtReadVirtualMemory(
            CURRENT_PROCESS,
            b + 0xFF8,
            back.as_mut_ptr().cast(),
            16,
            &mut n,
        )
    };
    expect_status("read", st, STATUS_SUCCESS)?;
    eq("read back", back, data)?;
    // Over the end of the allocation: partial copy.
    // SAFETY: as above.
    let st = unsafe {
        NtReadVirtualMemory(
            CURRENT_PROCESS,
            b + 0x1FF8,
            back.as_mut_ptr().cast(),
            16,
            &mut n,
        )
    };
    expect_status("read past the end", st, STATUS_PARTIAL_COPY)?;
    // SAFETY: as above.
    let st = unsafe {
        NtReadVirtualMemory(
            CURRENT_PROCESS,
            KERNEL,
            back.as_mut_ptr().cast(),
            16,
            &mut n,
        )
    };
    expect_status("read kernel range", st, STATUS_ACCESS_VIOLATION)?;
    expect_status("release", free(b, 0, MEM_RELEASE).0, STATUS_SUCCESS)
}

fn exhaustion_and_recovery() -> Result<(), String> {
    const CHUNK: usize = 1 << 20;
    let mut got = alloc::vec::Vec::new();
    let last = loop {
        let (st, b, _) = alloc(0, CHUNK, MEM_COMMIT, PAGE_READWRITE);
        if st.as_u32() != STATUS_SUCCESS {
            break st;
        }
        // Touch every page.
        for off in (0..CHUNK).step_by(0x1000) {
            // SAFETY: committed read-write.
            unsafe { ((b + off) as *mut u8).write_volatile(1) };
        }
        got.push(b);
        if got.len() > 4096 {
            return Err(String::from("no limit reached"));
        }
    };
    if last.as_u32() != STATUS_COMMITMENT_LIMIT && last.as_u32() != STATUS_NO_MEMORY {
        return Err(format!("stopped with {}", describe(last.as_u32())));
    }
    for b in &got {
        expect_status("release", free(*b, 0, MEM_RELEASE).0, STATUS_SUCCESS)?;
    }
    let (st, b, _) = alloc(0, CHUNK, MEM_COMMIT, PAGE_READWRITE);
    expect_status("allocate again", st, STATUS_SUCCESS)?;
    // SAFETY: committed read-write.
    unsafe { (b as *mut u8).write_volatile(1) };
    expect_status("release", free(b, 0, MEM_RELEASE).0, STATUS_SUCCESS)
}

pub const TESTS: &[Test] = tests![
    (
        "mm.reserve_commit_touch_release",
        reserve_commit_touch_release
    ),
    ("mm.query_fields", query_fields),
    ("mm.query_image_and_stack", query_image_and_stack),
    ("mm.query_bad_arguments", query_bad_arguments),
    ("mm.rounding_and_conflicts", rounding_and_conflicts),
    ("mm.top_down", top_down),
    ("mm.top_down_commit_touch", top_down_commit_touch),
    ("mm.bad_flags_and_protections", bad_flags_and_protections),
    ("mm.protect_old_value", protect_old_value),
    ("mm.read_write_own_process", read_write_own_process),
    ("mm.exhaustion_and_recovery", exhaustion_and_recovery),
];
