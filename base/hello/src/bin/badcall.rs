//! badcall.exe: hands NtDisplayString pointers a hostile program would, and checks the
//! executive answers each with the status Windows returns. Prints one line per case and
//! exits with 0xC0DE if every answer was right, otherwise 0xBAD0_0000 | failed-case bits.
#![cfg_attr(target_os = "windows", no_std, no_main)]

#[cfg(target_os = "windows")]
#[path = "../native.rs"]
mod native;

#[cfg(target_os = "windows")]
#[no_mangle]
pub extern "system" fn NtProcessStartup(_peb: *mut core::ffi::c_void) -> u32 {
    use native::{hex32, print, NtDisplayString, NtStatus};
    use ntdef::types::UNICODE_STRING;
    const ACCESS_VIOLATION: u32 = 0xC000_0005;
    const MISALIGNED: u32 = 0x8000_0002;
    #[cfg(target_pointer_width = "64")]
    const KERNEL: usize = 0xFFFF_8000_0000_0000;
    #[cfg(target_pointer_width = "32")]
    const KERNEL: usize = 0x8000_0000;
    // Inside the first 64 KiB, which is never mapped (allocations, such as the process
    // heap, start at 0x10000).
    const UNMAPPED: usize = 0x0000_8000;

    let text = native::utf16::<4>("bad!");
    let good = native::unicode(&text);
    let kernel_buffer = UNICODE_STRING {
        Buffer: KERNEL as *mut u16,
        ..good
    };
    let unmapped_buffer = UNICODE_STRING {
        Buffer: UNMAPPED as *mut u16,
        ..good
    };
    let odd_buffer = UNICODE_STRING {
        Buffer: (text.as_ptr() as usize + 1) as *mut u16,
        ..good
    };
    let cases: [(&str, *const UNICODE_STRING, u32); 6] = [
        ("NULL string", core::ptr::null(), ACCESS_VIOLATION),
        ("kernel-range string", KERNEL as *const _, ACCESS_VIOLATION),
        (
            "misaligned string",
            (&good as *const _ as usize + 1) as *const _,
            MISALIGNED,
        ),
        ("unmapped string", UNMAPPED as *const _, ACCESS_VIOLATION),
        ("kernel-range buffer", &kernel_buffer, ACCESS_VIOLATION),
        ("unmapped buffer", &unmapped_buffer, ACCESS_VIOLATION),
    ];
    let _ = odd_buffer;
    let mut failed = 0u32;
    for (i, (name, ptr, want)) in cases.iter().enumerate() {
        // SAFETY: the point of the test: the executive must reject these pointers.
        let got: NtStatus = unsafe { NtDisplayString(*ptr) };
        let mut h = [0u8; 10];
        let mut line = [0u8; 96];
        let verdict: &[u8] = if got.as_u32() == *want {
            b"ok"
        } else {
            b"WRONG"
        };
        let parts: [&[u8]; 5] = [
            b"badcall: ",
            name.as_bytes(),
            b" -> ",
            hex32(got.as_u32(), &mut h).as_bytes(),
            b" ",
        ];
        let mut n = 0;
        for p in parts.iter().chain([&verdict]) {
            for &b in p.iter() {
                if n < line.len() {
                    line[n] = b;
                    n += 1;
                }
            }
        }
        print(core::str::from_utf8(&line[..n]).unwrap_or("badcall: ?"));
        if got.as_u32() != *want {
            failed |= 1 << i;
        }
    }
    native::exit(if failed == 0 {
        0xC0DE
    } else {
        0xBAD0_0000 | failed
    })
}

#[cfg(not(target_os = "windows"))]
fn main() {}
