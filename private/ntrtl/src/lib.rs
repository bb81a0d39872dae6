//! The pure logic behind ntdll's `Rtl*` routines, in safe Rust over slices.
//!
//! ntdll turns the caller's raw structures (`UNICODE_STRING`, `RTL_BITMAP`, …) into the
//! views this crate works on, and writes the results back; everything that decides
//! *what* Windows does (length limits, status codes, code page, case mapping, calendar)
//! lives here, so it is unit-tested on the host. No allocation, no `unsafe`.
//!
//! | module | routines |
//! |---|---|
//! | [`string`] | `RtlInit*String[Ex]`, copy, append, compare, equal, upcase, ANSI ⇄ Unicode strings |
//! | [`upcase`] | `RtlUpcaseUnicodeChar` (table scope documented there) |
//! | [`codepage`] | `RtlMultiByteToUnicodeN`, `RtlUnicodeToMultiByteN` (Windows-1252) |
//! | [`integer`] | `RtlIntegerToChar`, `RtlCharToInteger`, `Rtl{Integer,UnicodeString}To*` |
//! | [`bitmap`] | `RtlInitializeBitMap` and the bit range operations |
//! | [`heap`] | the block allocator of `RtlAllocateHeap` & co over a [`heap::Region`] |
//! | [`path`] | `RtlDosPathNameToNtPathName_U` |
//! | [`time`] | `RtlTimeToTimeFields`, `RtlTimeFieldsToTime`, seconds since 1970/1980 |
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

pub mod bitmap;
pub mod codepage;
pub mod heap;
pub mod integer;
pub mod path;
pub mod string;
pub mod time;
pub mod upcase;

pub use ntdef::status::NtStatus;
