//! Base relocations.

use crate::bytes::{idx, slice, u16_at, u32_at, u64_at};
use crate::directory::BASERELOC;
use crate::headers::{Headers, Layout, FILE_RELOCS_STRIPPED, FOUR_GIB};
use crate::PeError;

const REL_ABSOLUTE: u16 = 0;
const REL_HIGHLOW: u16 = 3;
const REL_DIR64: u16 = 10;

/// Rebases a mapped image (laid out by RVA, `mem.len() >= SizeOfImage`) to
/// `image_base_actual`: adds `image_base_actual - ImageBase` to every fixup of the
/// base relocation directory found through `mem`'s own headers, then stores the new
/// base in the header's `ImageBase` (so a second call with the same base does nothing).
///
/// Supported types: ABSOLUTE (padding), HIGHLOW (32-bit, low half of the delta) and
/// DIR64 (PE32+ only); others are [`PeError::UnsupportedRelocation`]. The whole
/// directory is validated before anything is written: on error `mem` is unchanged.
/// Fixups must lie inside `SizeOfImage` and may not touch the relocation directory
/// itself. The new base must be 64 KiB aligned and a PE32 image must stay below 4 GiB
/// ([`PeError::BadImageBase`]).
pub fn relocate(mem: &mut [u8], image_base_actual: u64) -> Result<(), PeError> {
    let h = Headers::parse(mem, Layout::Mapped)?;
    let delta = image_base_actual.wrapping_sub(h.image_base);
    if delta == 0 {
        return Ok(());
    }
    let wide = h.is_wide();
    // The new base is stored in the header, which requires 64 KiB alignment.
    if image_base_actual & 0xffff != 0 {
        return Err(PeError::BadImageBase);
    }
    let end = image_base_actual
        .checked_add(u64::from(h.size_of_image))
        .ok_or(PeError::BadImageBase)?;
    if !wide && end > FOUR_GIB {
        return Err(PeError::BadImageBase);
    }
    let dir = match h.directory_raw(mem, u32::from(BASERELOC)) {
        Some((rva, size)) if rva != 0 && size != 0 => Some((rva, size)),
        Some(_) => None,
        None => return Err(PeError::Truncated),
    };
    match dir {
        None if h.characteristics & FILE_RELOCS_STRIPPED != 0 => {
            return Err(PeError::RelocationsStripped)
        }
        None => {}
        Some(dir) => {
            walk(mem, &h, dir, delta, false)?;
            walk(mem, &h, dir, delta, true)?;
        }
    }
    // Record the new base (the field's place was validated by the parse).
    let base_field = if wide {
        h.opt_offset + 24
    } else {
        h.opt_offset + 28
    };
    let width = if wide { 8 } else { 4 };
    let field = mem
        .get_mut(base_field..base_field + width)
        .ok_or(PeError::Truncated)?;
    if wide {
        field.copy_from_slice(&image_base_actual.to_le_bytes());
    } else {
        field.copy_from_slice(&(image_base_actual as u32).to_le_bytes());
    }
    Ok(())
}

/// Walks the relocation blocks; writes only when `apply` (after a validating pass).
fn walk(
    mem: &mut [u8],
    h: &Headers,
    (dir_rva, dir_size): (u32, u32),
    delta: u64,
    apply: bool,
) -> Result<(), PeError> {
    let bad = PeError::BadRelocation;
    let image = h.size_of_image;
    let dir_end = dir_rva.checked_add(dir_size).ok_or(bad)?;
    if dir_end > image {
        return Err(PeError::BadDirectory(BASERELOC));
    }
    let mut block = dir_rva;
    while block < dir_end {
        let header = slice(mem, idx(block), 8).ok_or(bad)?;
        let page = u32_at(header, 0).ok_or(bad)?;
        let size = u32_at(header, 4).ok_or(bad)?;
        if size < 8 || size % 2 != 0 {
            return Err(bad);
        }
        let block_end = block.checked_add(size).ok_or(bad)?;
        if block_end > dir_end {
            return Err(bad);
        }
        let mut at = block + 8;
        while at < block_end {
            let entry = u16_at(mem, idx(at)).ok_or(bad)?;
            at += 2;
            let (ty, offset) = (entry >> 12, u32::from(entry & 0x0fff));
            let width: u32 = match ty {
                REL_ABSOLUTE => continue,
                REL_HIGHLOW => 4,
                REL_DIR64 if h.is_wide() => 8,
                REL_DIR64 => return Err(bad),
                other => return Err(PeError::UnsupportedRelocation(other)),
            };
            let target = page.checked_add(offset).ok_or(bad)?;
            let target_end = target.checked_add(width).ok_or(bad)?;
            if target_end > image || (target < dir_end && target_end > dir_rva) {
                return Err(bad);
            }
            if !apply {
                continue;
            }
            let t = idx(target);
            if width == 8 {
                let v = u64_at(mem, t).ok_or(bad)?.wrapping_add(delta);
                mem.get_mut(t..t + 8)
                    .ok_or(bad)?
                    .copy_from_slice(&v.to_le_bytes());
            } else {
                let v = u32_at(mem, t).ok_or(bad)?.wrapping_add(delta as u32);
                mem.get_mut(t..t + 4)
                    .ok_or(bad)?
                    .copy_from_slice(&v.to_le_bytes());
            }
        }
        block = block_end;
    }
    Ok(())
}
