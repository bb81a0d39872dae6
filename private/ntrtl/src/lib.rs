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
//! | [`env`] | environment blocks: query, set, expand |
//! | [`params`] | `RTL_USER_PROCESS_PARAMETERS` layout, building, (de)normalizing |
//! | [`ldr`] | `PEB_LDR_DATA` / `LDR_DATA_TABLE_ENTRY` layouts, module names |
//! | [`registry`] | `RelativeTo` paths, DIRECT storage, multi-strings of `RtlQueryRegistryValues` |
//! | [`time`] | `RtlTimeToTimeFields`, `RtlTimeFieldsToTime`, seconds since 1970/1980 |
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

pub mod bitmap;
pub mod codepage;
pub mod env;
pub mod format;
pub mod heap;
pub mod integer;
pub mod ldr;
pub mod params;
pub mod path;
pub mod registry;
pub mod string;
pub mod time;
pub mod upcase;

pub use ntdef::status::NtStatus;
