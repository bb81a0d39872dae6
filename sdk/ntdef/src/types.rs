//! Windows structures exactly as the documented ABI lays them out, under their Windows
//! names, with compile-time size and offset checks for both pointer widths.
//!
//! They contain raw pointers because they describe memory owned by the caller of an
//! exported routine; safe views over them are built at the ABI edge (ntdll), never here.
#![allow(non_camel_case_types, non_snake_case)]

use core::ptr;

pub type BOOLEAN = u8;
pub const TRUE: BOOLEAN = 1;
pub const FALSE: BOOLEAN = 0;
pub type WCHAR = u16;
pub type CHAR = u8;
pub type USHORT = u16;
pub type CSHORT = i16;
pub type ULONG = u32;
pub type LONG = i32;
pub type PWSTR = *mut WCHAR;
pub type PCWSTR = *const WCHAR;
pub type PSTR = *mut CHAR;
pub type PCSZ = *const CHAR;

/// Largest value of a `USHORT` length field.
pub const MAXUSHORT: u32 = 0xFFFF;

/// A counted UTF-16 string. `Length` and `MaximumLength` are in **bytes**; `Length`
/// excludes any terminating NUL, which is optional.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UNICODE_STRING {
    pub Length: USHORT,
    pub MaximumLength: USHORT,
    pub Buffer: PWSTR,
}

impl UNICODE_STRING {
    pub const fn empty() -> Self {
        Self {
            Length: 0,
            MaximumLength: 0,
            Buffer: ptr::null_mut(),
        }
    }
}

impl Default for UNICODE_STRING {
    fn default() -> Self {
        Self::empty()
    }
}

/// A counted 8-bit string (`STRING`, `ANSI_STRING`, `OEM_STRING`). Lengths in bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct STRING {
    pub Length: USHORT,
    pub MaximumLength: USHORT,
    pub Buffer: PSTR,
}

pub type ANSI_STRING = STRING;
pub type OEM_STRING = STRING;

impl STRING {
    pub const fn empty() -> Self {
        Self {
            Length: 0,
            MaximumLength: 0,
            Buffer: ptr::null_mut(),
        }
    }
}

impl Default for STRING {
    fn default() -> Self {
        Self::empty()
    }
}

/// A bitmap header: `SizeOfBitMap` bits stored LSB-first in the `ULONG`s at `Buffer`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RTL_BITMAP {
    pub SizeOfBitMap: ULONG,
    pub Buffer: *mut ULONG,
}

impl Default for RTL_BITMAP {
    fn default() -> Self {
        Self {
            SizeOfBitMap: 0,
            Buffer: ptr::null_mut(),
        }
    }
}

/// A broken-down time. `Weekday` is 0 for Sunday.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TIME_FIELDS {
    pub Year: CSHORT,
    pub Month: CSHORT,
    pub Day: CSHORT,
    pub Hour: CSHORT,
    pub Minute: CSHORT,
    pub Second: CSHORT,
    pub Milliseconds: CSHORT,
    pub Weekday: CSHORT,
}

/// A signed 64-bit integer as Windows passes it by pointer. In C it is a union of
/// `{LowPart, HighPart}` and `QuadPart`; both views are the same little-endian bytes,
/// so one field plus accessors is the same ABI without union reads.
///
/// `align(8)` is explicit: MSVC aligns 64-bit integers to 8 on i386, but the
/// i686 Linux target the executive is built with aligns `i64` to 4, and both must agree
/// on the layout of structures that embed this one.
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LARGE_INTEGER {
    pub QuadPart: i64,
}

impl LARGE_INTEGER {
    pub const fn new(quad: i64) -> Self {
        Self { QuadPart: quad }
    }

    pub const fn LowPart(self) -> ULONG {
        self.QuadPart as ULONG
    }

    pub const fn HighPart(self) -> LONG {
        (self.QuadPart >> 32) as LONG
    }
}

/// `HANDLE`.
pub type HANDLE = *mut core::ffi::c_void;

/// `OBJECT_ATTRIBUTES` (`ntdef.h`, documented in the WDK): 24 bytes on 32-bit, 48 on
/// 64-bit. `Length` must be `sizeof(OBJECT_ATTRIBUTES)`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OBJECT_ATTRIBUTES {
    pub Length: ULONG,
    pub RootDirectory: HANDLE,
    pub ObjectName: *mut UNICODE_STRING,
    pub Attributes: ULONG,
    pub SecurityDescriptor: *mut core::ffi::c_void,
    pub SecurityQualityOfService: *mut core::ffi::c_void,
}

// The layouts Windows programs are compiled against.
const _: () = {
    use core::mem::{align_of, offset_of, size_of};

    assert!(offset_of!(UNICODE_STRING, Length) == 0);
    assert!(offset_of!(UNICODE_STRING, MaximumLength) == 2);
    assert!(offset_of!(STRING, MaximumLength) == 2);
    assert!(offset_of!(RTL_BITMAP, SizeOfBitMap) == 0);
    assert!(size_of::<TIME_FIELDS>() == 16);
    assert!(align_of::<TIME_FIELDS>() == 2);
    assert!(offset_of!(TIME_FIELDS, Milliseconds) == 12);
    assert!(offset_of!(TIME_FIELDS, Weekday) == 14);
    assert!(size_of::<LARGE_INTEGER>() == 8);
    assert!(align_of::<LARGE_INTEGER>() == 8);

    #[cfg(target_pointer_width = "64")]
    {
        assert!(size_of::<UNICODE_STRING>() == 16);
        assert!(offset_of!(UNICODE_STRING, Buffer) == 8);
        assert!(size_of::<STRING>() == 16);
        assert!(offset_of!(STRING, Buffer) == 8);
        assert!(size_of::<RTL_BITMAP>() == 16);
        assert!(offset_of!(RTL_BITMAP, Buffer) == 8);
        assert!(size_of::<OBJECT_ATTRIBUTES>() == 48);
        assert!(offset_of!(OBJECT_ATTRIBUTES, RootDirectory) == 8);
        assert!(offset_of!(OBJECT_ATTRIBUTES, ObjectName) == 16);
        assert!(offset_of!(OBJECT_ATTRIBUTES, Attributes) == 24);
        assert!(offset_of!(OBJECT_ATTRIBUTES, SecurityDescriptor) == 32);
    }
    #[cfg(target_pointer_width = "32")]
    {
        assert!(size_of::<UNICODE_STRING>() == 8);
        assert!(offset_of!(UNICODE_STRING, Buffer) == 4);
        assert!(size_of::<STRING>() == 8);
        assert!(offset_of!(STRING, Buffer) == 4);
        assert!(size_of::<RTL_BITMAP>() == 8);
        assert!(offset_of!(RTL_BITMAP, Buffer) == 4);
        assert!(size_of::<OBJECT_ATTRIBUTES>() == 24);
        assert!(offset_of!(OBJECT_ATTRIBUTES, RootDirectory) == 4);
        assert!(offset_of!(OBJECT_ATTRIBUTES, ObjectName) == 8);
        assert!(offset_of!(OBJECT_ATTRIBUTES, Attributes) == 12);
        assert!(offset_of!(OBJECT_ATTRIBUTES, SecurityDescriptor) == 16);
    }
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_integer_parts_are_little_endian_halves() {
        let li = LARGE_INTEGER::new(-2);
        assert_eq!(li.LowPart(), 0xFFFF_FFFE);
        assert_eq!(li.HighPart(), -1);
        let li = LARGE_INTEGER::new(0x0000_0001_8000_0000);
        assert_eq!(li.LowPart(), 0x8000_0000);
        assert_eq!(li.HighPart(), 1);
    }

    #[test]
    fn empty_strings_are_null() {
        assert!(UNICODE_STRING::default().Buffer.is_null());
        assert_eq!(STRING::empty().Length, 0);
    }
}
