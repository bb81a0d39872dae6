//! Parser and layout for the kernel's bitfield description language (`.bf`).
//!
//! A block lists its fields from the most significant bit downwards; the
//! first field of a block ends at the block's top bit. Multi-word blocks
//! number words from the least significant end (word 0 holds bits 0..base).

use crate::lex::{tokenize, Tok};
use crate::GenError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BfField {
    pub name: String,
    /// Bit offset from bit 0 of the whole block.
    pub offset: u32,
    pub bits: u32,
}

impl BfField {
    pub fn word(&self, base: u32) -> usize {
        (self.offset / base) as usize
    }

    pub fn shift(&self, base: u32) -> u32 {
        self.offset % base
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub name: String,
    pub base: u32,
    pub bits: u32,
    pub fields: Vec<BfField>,
}

impl Block {
    pub fn words(&self) -> usize {
        (self.bits / self.base) as usize
    }

    pub fn field(&self, name: &str) -> Option<&BfField> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaggedUnion {
    pub name: String,
    pub tag_field: String,
    pub base: u32,
    pub tags: Vec<(String, u64)>,
}

#[derive(Debug, Default)]
pub struct BfFile {
    pub blocks: Vec<Block>,
    pub unions: Vec<TaggedUnion>,
}

impl BfFile {
    pub fn block(&self, name: &str) -> Option<&Block> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// Merges another file's declarations (later files add to earlier ones).
    pub fn extend(&mut self, other: BfFile) {
        self.blocks.extend(other.blocks);
        self.unions.extend(other.unions);
    }

    /// Checks the invariants the generated code relies on.
    pub fn validate(&self) -> Result<(), GenError> {
        for b in &self.blocks {
            if b.bits == 0 || b.bits % b.base != 0 {
                return Err(GenError::parse(format!(
                    "block {}: size {} is not a multiple of base {}",
                    b.name, b.bits, b.base
                )));
            }
            for f in &b.fields {
                if f.offset / b.base != (f.offset + f.bits - 1) / b.base {
                    return Err(GenError::parse(format!(
                        "block {}: field {} crosses a word",
                        b.name, f.name
                    )));
                }
            }
        }
        for u in &self.unions {
            let mut layout = None;
            for (tag, _) in &u.tags {
                let b = self
                    .block(tag)
                    .ok_or_else(|| GenError::parse(format!("union {}: no block {tag}", u.name)))?;
                let f = b.field(&u.tag_field).ok_or_else(|| {
                    GenError::parse(format!("block {tag}: no tag field {}", u.tag_field))
                })?;
                let this = (b.bits, f.offset, f.bits);
                if *layout.get_or_insert(this) != this {
                    return Err(GenError::parse(format!(
                        "union {}: block {tag} has a different layout",
                        u.name
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Parses preprocessed `.bf` text. `base` carries over from an including
/// file (the arch `shared_types.bf` has no `base` line of its own).
pub fn parse_bf(text: &str, mut base: Option<u32>) -> Result<BfFile, GenError> {
    let toks = tokenize(text)?;
    let mut i = 0;
    let mut out = BfFile::default();
    let ident = |i: usize| toks.get(i).and_then(|t| t.ident());
    let int = |i: usize| match toks.get(i) {
        Some(Tok::Int(v)) => {
            u32::try_from(*v).map_err(|_| GenError::parse(format!("bad bf number {v}")))
        }
        t => Err(GenError::parse(format!(
            "expected number in .bf, found {t:?}"
        ))),
    };
    let skip_parens = |mut i: usize| -> usize {
        if toks.get(i).is_some_and(|t| t.is_punct("(")) {
            while i < toks.len() && !toks[i].is_punct(")") {
                i += 1;
            }
            i += 1;
        }
        i
    };
    while i < toks.len() {
        match ident(i) {
            Some("base") => {
                base = Some(int(i + 1)?);
                if toks.get(i + 2).is_some_and(|t| t.is_punct("(")) {
                    return Err(GenError::parse(
                        "sign-extended bf bases are not supported".to_string(),
                    ));
                }
                i += 2;
            }
            Some("block") => {
                let name = ident(i + 1)
                    .ok_or_else(|| GenError::parse("block without a name".to_string()))?
                    .to_string();
                let b =
                    base.ok_or_else(|| GenError::parse(format!("block {name} before `base`")))?;
                i = skip_parens(i + 2);
                if !toks.get(i).is_some_and(|t| t.is_punct("{")) {
                    return Err(GenError::parse(format!("block {name}: expected {{")));
                }
                i += 1;
                // (name or None for padding, bits), most significant first.
                let mut entries: Vec<(Option<String>, u32)> = Vec::new();
                loop {
                    match ident(i) {
                        Some("field") => {
                            let f = ident(i + 1).ok_or_else(|| {
                                GenError::parse(format!("block {name}: field name"))
                            })?;
                            entries.push((Some(f.to_string()), int(i + 2)?));
                            i += 3;
                        }
                        Some("padding") => {
                            entries.push((None, int(i + 1)?));
                            i += 2;
                        }
                        Some("field_high") => {
                            return Err(GenError::parse(format!(
                                "block {name}: field_high is not supported"
                            )));
                        }
                        _ if toks.get(i).is_some_and(|t| t.is_punct("}")) => {
                            i += 1;
                            break;
                        }
                        _ => {
                            return Err(GenError::parse(format!(
                                "block {name}: unexpected {:?}",
                                toks.get(i)
                            )))
                        }
                    }
                }
                let total: u32 = entries.iter().map(|e| e.1).sum();
                let mut offset = total;
                let mut fields = Vec::new();
                for (fname, bits) in entries {
                    offset -= bits;
                    if let Some(fname) = fname {
                        if bits == 0 {
                            return Err(GenError::parse(format!(
                                "block {name}: zero-width field {fname}"
                            )));
                        }
                        fields.push(BfField {
                            name: fname,
                            offset,
                            bits,
                        });
                    }
                }
                out.blocks.push(Block {
                    name,
                    base: b,
                    bits: total,
                    fields,
                });
            }
            Some("tagged_union") => {
                let name =
                    ident(i + 1).ok_or_else(|| GenError::parse("tagged_union name".to_string()))?;
                let tag_field =
                    ident(i + 2).ok_or_else(|| GenError::parse("tagged_union tag".to_string()))?;
                let b =
                    base.ok_or_else(|| GenError::parse(format!("union {name} before `base`")))?;
                let (name, tag_field) = (name.to_string(), tag_field.to_string());
                i = skip_parens(i + 3);
                if !toks.get(i).is_some_and(|t| t.is_punct("{")) {
                    return Err(GenError::parse(format!("union {name}: expected {{")));
                }
                i += 1;
                let mut tags = Vec::new();
                while ident(i) == Some("tag") {
                    let t = ident(i + 1)
                        .ok_or_else(|| GenError::parse(format!("union {name}: tag name")))?;
                    tags.push((t.to_string(), u64::from(int(i + 2)?)));
                    i += 3;
                }
                if !toks.get(i).is_some_and(|t| t.is_punct("}")) {
                    return Err(GenError::parse(format!("union {name}: expected }}")));
                }
                i += 1;
                out.unions.push(TaggedUnion {
                    name,
                    tag_field,
                    base: b,
                    tags,
                });
            }
            _ => {
                return Err(GenError::parse(format!(
                    "unexpected {:?} in .bf",
                    toks.get(i)
                )))
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_info_layout() {
        let f = parse_bf(
            "base 64\nblock seL4_MessageInfo {\n padding 32\n field label 20\n field capsUnwrapped 3\n field extraCaps 2\n field length 7\n}\n",
            None,
        )
        .unwrap();
        f.validate().unwrap();
        let b = f.block("seL4_MessageInfo").unwrap();
        assert_eq!(b.bits, 64);
        assert_eq!(
            b.field("label").unwrap(),
            &BfField {
                name: "label".into(),
                offset: 12,
                bits: 20
            }
        );
        assert_eq!(b.field("capsUnwrapped").unwrap().offset, 9);
        assert_eq!(b.field("extraCaps").unwrap().offset, 7);
        assert_eq!(b.field("length").unwrap().offset, 0);
    }

    #[test]
    fn multi_word_and_union() {
        let src = "base 32\nblock A {\n padding 32\n field x 32\n padding 29\n field t 3\n}\n\
                   block B {\n field y 32\n padding 32\n padding 29\n field t 3\n}\n\
                   tagged_union U t {\n tag A 0\n tag B 5\n}\n";
        let f = parse_bf(src, None).unwrap();
        f.validate().unwrap();
        let a = f.block("A").unwrap();
        assert_eq!(a.words(), 3);
        assert_eq!(a.field("x").unwrap().word(32), 1);
        assert_eq!(f.block("B").unwrap().field("y").unwrap().word(32), 2);
        assert_eq!(
            f.unions[0].tags,
            vec![("A".to_string(), 0), ("B".to_string(), 5)]
        );
        // A field crossing a word boundary is rejected.
        let bad = parse_bf(
            "base 32\nblock C {\n padding 16\n field z 32\n padding 16\n}\n",
            None,
        )
        .unwrap();
        assert!(bad.validate().is_err());
        // Inherited base.
        assert!(parse_bf("block D { field q 32 }", Some(32)).is_ok());
        assert!(parse_bf("block D { field q 32 }", None).is_err());
    }
}
