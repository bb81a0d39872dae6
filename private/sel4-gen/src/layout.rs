//! C types of libsel4 struct fields, their Rust spelling and C layout
//! (System V i386 / x86-64 rules), used to emit `#[repr(C)]` structs and
//! compile-time size/offset checks.

use crate::cdecl::{Field, StructDef};
use crate::model::Model;
use crate::names::{camel, strip_sel4};
use crate::GenError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CType {
    Word,
    Int {
        bits: u32,
        signed: bool,
    },
    /// A generated bitfield type (`seL4_MessageInfo_t`).
    Bitfield {
        rust: String,
        words: usize,
    },
    /// A struct from the headers, by its typedef name.
    Struct {
        c_name: String,
    },
    Ptr(Box<CType>),
}

/// Rust name of a libsel4 struct or bitfield type (`seL4_IPCBuffer` →
/// `IpcBuffer`, `seL4_VBEInfoBlock_t` → `VbeInfoBlock`).
pub fn rust_type_name(c_name: &str) -> String {
    let s = strip_sel4(c_name);
    let s = s.strip_suffix("_t").unwrap_or(s);
    camel(s)
}

/// Number of words of a bitfield block or tagged union named `name`.
pub fn bitfield_words(model: &Model, name: &str) -> Option<usize> {
    let bf = &model.bitfields;
    if let Some(b) = bf.block(name) {
        return Some(b.words());
    }
    let u = bf.unions.iter().find(|u| u.name == name)?;
    let first = &u.tags.first()?.0;
    bf.block(first).map(|b| b.words())
}

/// Resolves a C type name through typedefs.
pub fn resolve(model: &Model, ty: &str) -> Result<CType, GenError> {
    if let Some(tag) = ty.strip_prefix("struct ") {
        let s = model
            .structs
            .iter()
            .find(|s| s.tag.as_deref() == Some(tag))
            .ok_or_else(|| GenError::parse(format!("unknown struct {tag}")))?;
        return Ok(CType::Struct {
            c_name: s.name.clone(),
        });
    }
    let is_known = |t: &str| {
        scalar(t).is_some()
            || t == "seL4_Word"
            || model.structs.iter().any(|s| s.name == t)
            || t.strip_suffix("_t")
                .is_some_and(|b| bitfield_words(model, b).is_some())
    };
    let t = model.resolve_typedef(ty, is_known);
    if t == "seL4_Word" {
        return Ok(CType::Word);
    }
    if let Some((bits, signed)) = scalar(t) {
        return Ok(CType::Int { bits, signed });
    }
    if let Some(words) = t.strip_suffix("_t").and_then(|b| bitfield_words(model, b)) {
        return Ok(CType::Bitfield {
            rust: rust_type_name(t),
            words,
        });
    }
    if model.structs.iter().any(|s| s.name == t) {
        return Ok(CType::Struct {
            c_name: t.to_string(),
        });
    }
    Err(GenError::parse(format!("unknown C type {ty}")))
}

fn scalar(t: &str) -> Option<(u32, bool)> {
    Some(match t {
        "seL4_Uint8" | "unsigned char" | "char" => (8, false),
        "seL4_Int8" | "signed char" => (8, true),
        "seL4_Uint16" | "unsigned short" => (16, false),
        "seL4_Int16" | "short" | "signed short" => (16, true),
        "seL4_Uint32" | "unsigned int" | "unsigned" => (32, false),
        "seL4_Int32" | "int" | "signed int" => (32, true),
        "seL4_Uint64" | "unsigned long long" => (64, false),
        "seL4_Int64" | "long long" | "signed long long" => (64, true),
        _ => return None,
    })
}

pub fn field_ctype(model: &Model, f: &Field) -> Result<CType, GenError> {
    let base = resolve(model, &f.ty)?;
    Ok(if f.pointer {
        CType::Ptr(Box::new(base))
    } else {
        base
    })
}

/// Rust spelling of a C type.
pub fn rust_type(t: &CType) -> String {
    match t {
        CType::Word => "Word".to_string(),
        CType::Int { bits, signed } => format!("{}{bits}", if *signed { "i" } else { "u" }),
        CType::Bitfield { rust, .. } => rust.clone(),
        CType::Struct { c_name } => rust_type_name(c_name),
        CType::Ptr(inner) => format!("*mut {}", rust_type(inner)),
    }
}

/// Size and alignment in bytes.
pub fn size_align(model: &Model, t: &CType) -> Result<(u64, u64), GenError> {
    let w = u64::from(model.word_bits() / 8);
    Ok(match t {
        CType::Word | CType::Ptr(_) => (w, w),
        // i386 System V aligns 64-bit integers to 4 bytes inside structs.
        CType::Int { bits: 64, .. } => (8, w.min(8)),
        CType::Int { bits, .. } => (u64::from(*bits / 8), u64::from(*bits / 8)),
        CType::Bitfield { words, .. } => (w * *words as u64, w),
        CType::Struct { c_name } => {
            let s = model
                .structs
                .iter()
                .find(|s| &s.name == c_name)
                .ok_or_else(|| GenError::parse(format!("unknown struct {c_name}")))?;
            let l = struct_layout(model, s)?;
            (l.size, l.align)
        }
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub size: u64,
    pub align: u64,
    /// Byte offset of each field, in declaration order.
    pub offsets: Vec<u64>,
}

pub fn struct_layout(model: &Model, s: &StructDef) -> Result<Layout, GenError> {
    let mut off = 0u64;
    let mut align = 1u64;
    let mut offsets = Vec::with_capacity(s.fields.len());
    for f in &s.fields {
        let t = field_ctype(model, f)?;
        let (size, a) = size_align(model, &t)?;
        let a = if s.packed { 1 } else { a };
        off = off.div_ceil(a) * a;
        offsets.push(off);
        off += size * f.array.unwrap_or(1);
        align = align.max(a);
    }
    let mut size = off.div_ceil(align) * align;
    if s.align_to_size {
        if !size.is_power_of_two() {
            return Err(GenError::parse(format!(
                "{}: size {size} is not a power of two",
                s.name
            )));
        }
        align = size;
        size = off.div_ceil(align) * align;
    }
    Ok(Layout {
        size,
        align,
        offsets,
    })
}
