//! How invocation parameters travel, following libsel4's stub rules:
//! capability-typed parameters go into the extra caps in order (the first
//! one, the invoked object, is the service); every other parameter is
//! packed into message words in order, each aligned to
//! `min(size, word size)` bits, so sub-word values share a word with the
//! first parameter in the low bits. Output parameters are unpacked from
//! the reply words with the same rule.

use crate::layout::rust_type_name;
use crate::model::{Method, Model};
use crate::GenError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An integer (or `bool`) of `bits` bits; `double` when it spans two
    /// words (64-bit values on ia32).
    Scalar {
        bits: u32,
        rust: &'static str,
        double: bool,
    },
    /// A capability pointer: travels as an extra cap.
    Cap,
    /// A generated bitfield type of `words` words.
    Bitfield { rust: String, words: usize },
    /// A struct passed by reference, one word per member.
    Struct { rust: String, members: Vec<String> },
}

impl Kind {
    pub fn bits(&self, word: u32) -> u32 {
        match self {
            Kind::Scalar { bits, .. } => *bits,
            Kind::Cap => word,
            Kind::Bitfield { words, .. } => word * *words as u32,
            Kind::Struct { members, .. } => word * members.len() as u32,
        }
    }

    /// Rust spelling as an input parameter.
    pub fn rust_param(&self) -> String {
        match self {
            Kind::Scalar { rust, .. } => rust.to_string(),
            Kind::Cap => "CPtr".to_string(),
            Kind::Bitfield { rust, .. } => rust.clone(),
            Kind::Struct { rust, .. } => format!("&{rust}"),
        }
    }

    /// Rust spelling as an output value.
    pub fn rust_value(&self) -> String {
        match self {
            Kind::Cap => "CPtr".to_string(),
            Kind::Struct { rust, .. } => rust.clone(),
            other => other.rust_param(),
        }
    }
}

/// Classifies an XML parameter type.
pub fn param_kind(model: &Model, ty: &str) -> Result<Kind, GenError> {
    let word = model.word_bits();
    let scalar = |bits: u32, rust: &'static str| Kind::Scalar {
        bits,
        rust,
        double: bits > word,
    };
    match ty {
        "seL4_Bool" => return Ok(scalar(1, "bool")),
        "seL4_Uint8" => return Ok(scalar(8, "u8")),
        "seL4_Uint16" => return Ok(scalar(16, "u16")),
        "seL4_Uint32" => return Ok(scalar(32, "u32")),
        "seL4_Uint64" => return Ok(scalar(64, "u64")),
        "int" => return Ok(scalar(32, "i32")),
        "long" => return Ok(scalar(word, "isize")),
        "seL4_Word" => return Ok(scalar(word, "Word")),
        _ => {}
    }
    if let Some(x) = model.xml_structs.iter().find(|s| s.name == ty) {
        return Ok(Kind::Struct {
            rust: rust_type_name(ty),
            members: x.members.clone(),
        });
    }
    if let Some(words) = ty
        .strip_suffix("_t")
        .and_then(|b| crate::layout::bitfield_words(model, b))
    {
        return Ok(Kind::Bitfield {
            rust: rust_type_name(ty),
            words,
        });
    }
    match model.resolve_typedef(ty, |t| t == "seL4_CPtr" || t == "seL4_Word" || t == "enum") {
        "seL4_CPtr" => Ok(Kind::Cap),
        // Enumerations (e.g. seL4_X86_VMAttributes) are passed as words.
        "enum" | "seL4_Word" => Ok(scalar(word, "Word")),
        _ => Err(GenError::parse(format!(
            "unknown invocation parameter type {ty}"
        ))),
    }
}

/// Where each parameter lands: `(first_bit, bits)` in message order.
pub fn positions(kinds: &[Kind], word: u32) -> Result<Vec<(u32, u32)>, GenError> {
    let mut used = 0u32;
    let mut out = Vec::with_capacity(kinds.len());
    for k in kinds {
        let bits = k.bits(word);
        if !(bits.is_power_of_two() || bits % word == 0) {
            return Err(GenError::parse(format!(
                "parameter of {bits} bits cannot be packed"
            )));
        }
        let align = bits.min(word);
        used = used.div_ceil(align) * align;
        out.push((used, bits));
        used += bits;
    }
    Ok(out)
}

/// A method's parameters, classified and placed.
#[derive(Debug)]
pub struct Plan {
    /// Input parameters after the service: (name, kind).
    pub inputs: Vec<(String, Kind)>,
    /// Names of the cap inputs, in extra-cap order.
    pub caps: Vec<String>,
    /// Non-cap inputs with their `(first_bit, bits)`.
    pub words_in: Vec<(String, Kind, u32, u32)>,
    pub num_words: usize,
    pub outputs: Vec<(String, Kind, u32, u32)>,
    pub num_out_words: usize,
}

pub fn plan(model: &Model, m: &Method) -> Result<Plan, GenError> {
    let word = model.word_bits();
    if param_kind(model, &m.interface)? != Kind::Cap {
        return Err(GenError::parse(format!(
            "{}: interface {} is not a cap type",
            m.id, m.interface
        )));
    }
    let mut inputs = Vec::new();
    for p in &m.inputs {
        inputs.push((
            p.name.clone(),
            param_kind(model, &p.ty).map_err(|e| e.context(m.id.clone()))?,
        ));
    }
    let caps: Vec<String> = inputs
        .iter()
        .filter(|(_, k)| *k == Kind::Cap)
        .map(|(n, _)| n.clone())
        .collect();
    let standard: Vec<(String, Kind)> = inputs
        .iter()
        .filter(|(_, k)| *k != Kind::Cap)
        .cloned()
        .collect();
    let kinds: Vec<Kind> = standard.iter().map(|(_, k)| k.clone()).collect();
    let pos = positions(&kinds, word)?;
    let words_in: Vec<_> = standard
        .into_iter()
        .zip(pos)
        .map(|((n, k), (first, bits))| (n, k, first, bits))
        .collect();
    let num_words = words_in
        .iter()
        .map(|(_, _, f, b)| (f + b).div_ceil(word) as usize)
        .max()
        .unwrap_or(0);

    let mut outs = Vec::new();
    for p in &m.outputs {
        outs.push((
            p.name.clone(),
            param_kind(model, &p.ty).map_err(|e| e.context(m.id.clone()))?,
        ));
    }
    let kinds: Vec<Kind> = outs.iter().map(|(_, k)| k.clone()).collect();
    let pos = positions(&kinds, word)?;
    let outputs: Vec<_> = outs
        .into_iter()
        .zip(pos)
        .map(|((n, k), (first, bits))| (n, k, first, bits))
        .collect();
    let num_out_words = outputs
        .iter()
        .map(|(_, _, f, b)| (f + b).div_ceil(word) as usize)
        .max()
        .unwrap_or(0);
    Ok(Plan {
        inputs,
        caps,
        words_in,
        num_words,
        outputs,
        num_out_words,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_follows_alignment() {
        let b = Kind::Scalar {
            bits: 1,
            rust: "bool",
            double: false,
        };
        let u8_ = Kind::Scalar {
            bits: 8,
            rust: "u8",
            double: false,
        };
        let w = Kind::Scalar {
            bits: 64,
            rust: "Word",
            double: false,
        };
        let s = Kind::Struct {
            rust: "UserContext".into(),
            members: vec!["a".into(), "b".into()],
        };
        // WriteRegisters: resume (bit 0), arch_flags (bits 8..16), count (word 1), regs (words 2..4).
        let p = positions(&[b.clone(), u8_.clone(), w.clone(), s], 64).unwrap();
        assert_eq!(p, vec![(0, 1), (8, 8), (64, 64), (128, 128)]);
        // CopyRegisters: four bools then a u8.
        let p = positions(&[b.clone(), b.clone(), b.clone(), b, u8_], 64).unwrap();
        assert_eq!(p, vec![(0, 1), (1, 1), (2, 1), (3, 1), (8, 8)]);
        // A 64-bit value on a 32-bit word takes two aligned words.
        let d = Kind::Scalar {
            bits: 64,
            rust: "u64",
            double: true,
        };
        let one = Kind::Scalar {
            bits: 8,
            rust: "u8",
            double: false,
        };
        assert_eq!(positions(&[one, d], 32).unwrap(), vec![(0, 8), (32, 64)]);
    }
}
