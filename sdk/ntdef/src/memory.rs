//! Virtual-memory constants and `MEMORY_BASIC_INFORMATION`, with the values of the
//! Windows SDK (`winnt.h`: `PAGE_*`, `MEM_*`; `MEMORY_BASIC_INFORMATION` as documented
//! for `VirtualQuery` / `NtQueryVirtualMemory`).
#![allow(non_camel_case_types, non_snake_case)]

pub const PAGE_NOACCESS: u32 = 0x01;
pub const PAGE_READONLY: u32 = 0x02;
pub const PAGE_READWRITE: u32 = 0x04;
pub const PAGE_WRITECOPY: u32 = 0x08;
pub const PAGE_EXECUTE: u32 = 0x10;
pub const PAGE_EXECUTE_READ: u32 = 0x20;
pub const PAGE_EXECUTE_READWRITE: u32 = 0x40;
pub const PAGE_EXECUTE_WRITECOPY: u32 = 0x80;
pub const PAGE_GUARD: u32 = 0x100;
pub const PAGE_NOCACHE: u32 = 0x200;
pub const PAGE_WRITECOMBINE: u32 = 0x400;

pub const MEM_COMMIT: u32 = 0x0000_1000;
pub const MEM_RESERVE: u32 = 0x0000_2000;
pub const MEM_DECOMMIT: u32 = 0x0000_4000;
pub const MEM_RELEASE: u32 = 0x0000_8000;
pub const MEM_FREE: u32 = 0x0001_0000;
pub const MEM_PRIVATE: u32 = 0x0002_0000;
pub const MEM_MAPPED: u32 = 0x0004_0000;
pub const MEM_RESET: u32 = 0x0008_0000;
pub const MEM_TOP_DOWN: u32 = 0x0010_0000;
pub const MEM_WRITE_WATCH: u32 = 0x0020_0000;
pub const MEM_PHYSICAL: u32 = 0x0040_0000;
pub const MEM_RESET_UNDO: u32 = 0x0100_0000;
pub const MEM_LARGE_PAGES: u32 = 0x2000_0000;
pub const MEM_IMAGE: u32 = 0x0100_0000;

/// `MEMORY_INFORMATION_CLASS::MemoryBasicInformation`.
pub const MEMORY_BASIC_INFORMATION_CLASS: u32 = 0;

/// `MEMORY_BASIC_INFORMATION` (`winnt.h`): 28 bytes on 32-bit, 48 on 64-bit (where
/// the SDK pads after `AllocationProtect` – `PartitionId` (WORD) in newer SDKs – and
/// after `Type`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MEMORY_BASIC_INFORMATION {
    pub BaseAddress: usize,
    pub AllocationBase: usize,
    pub AllocationProtect: u32,
    #[cfg(target_pointer_width = "64")]
    pub PartitionId: u16,
    #[cfg(target_pointer_width = "64")]
    pub _pad0: u16,
    pub RegionSize: usize,
    pub State: u32,
    pub Protect: u32,
    pub Type: u32,
    #[cfg(target_pointer_width = "64")]
    pub _pad1: u32,
}

const _: () = {
    use core::mem::offset_of;
    #[cfg(target_pointer_width = "64")]
    {
        assert!(size_of::<MEMORY_BASIC_INFORMATION>() == 48);
        assert!(offset_of!(MEMORY_BASIC_INFORMATION, AllocationProtect) == 16);
        assert!(offset_of!(MEMORY_BASIC_INFORMATION, RegionSize) == 24);
        assert!(offset_of!(MEMORY_BASIC_INFORMATION, State) == 32);
        assert!(offset_of!(MEMORY_BASIC_INFORMATION, Protect) == 36);
        assert!(offset_of!(MEMORY_BASIC_INFORMATION, Type) == 40);
    }
    #[cfg(target_pointer_width = "32")]
    {
        assert!(size_of::<MEMORY_BASIC_INFORMATION>() == 28);
        assert!(offset_of!(MEMORY_BASIC_INFORMATION, AllocationProtect) == 8);
        assert!(offset_of!(MEMORY_BASIC_INFORMATION, RegionSize) == 12);
        assert!(offset_of!(MEMORY_BASIC_INFORMATION, State) == 16);
        assert!(offset_of!(MEMORY_BASIC_INFORMATION, Protect) == 20);
        assert!(offset_of!(MEMORY_BASIC_INFORMATION, Type) == 24);
    }
};

impl MEMORY_BASIC_INFORMATION {
    /// The structure's bytes as Windows lays them out (little-endian, padding zero).
    pub fn to_bytes(&self) -> [u8; size_of::<MEMORY_BASIC_INFORMATION>()] {
        let mut b = [0u8; size_of::<MEMORY_BASIC_INFORMATION>()];
        let w = size_of::<usize>();
        b[0..w].copy_from_slice(&self.BaseAddress.to_le_bytes());
        b[w..2 * w].copy_from_slice(&self.AllocationBase.to_le_bytes());
        b[2 * w..2 * w + 4].copy_from_slice(&self.AllocationProtect.to_le_bytes());
        let rs = if w == 8 { 24 } else { 12 };
        b[rs..rs + w].copy_from_slice(&self.RegionSize.to_le_bytes());
        b[rs + w..rs + w + 4].copy_from_slice(&self.State.to_le_bytes());
        b[rs + w + 4..rs + w + 8].copy_from_slice(&self.Protect.to_le_bytes());
        b[rs + w + 8..rs + w + 12].copy_from_slice(&self.Type.to_le_bytes());
        b
    }
}
