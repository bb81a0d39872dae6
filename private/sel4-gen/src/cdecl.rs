//! Parsers for the simple C declarations of libsel4's headers: `enum {…}`,
//! `typedef <type> <name>;`, `typedef enum {…} <name>;` and
//! `typedef struct [tag] {…} [attributes] <name> [attributes];`.

use std::collections::HashMap;

use crate::cpp::Cpp;
use crate::lex::{tokenize, Tok};
use crate::GenError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumDef {
    /// The typedef name, else the enum tag.
    pub name: Option<String>,
    pub items: Vec<(String, i128)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Base type name, e.g. `seL4_Word`, `unsigned char`, `seL4_SlotRegion`.
    pub ty: String,
    pub pointer: bool,
    pub name: String,
    pub array: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructDef {
    pub name: String,
    pub tag: Option<String>,
    pub fields: Vec<Field>,
    pub packed: bool,
    /// `__attribute__((__aligned__(sizeof(struct <self>))))`: aligned to its size.
    pub align_to_size: bool,
}

#[derive(Debug, Default)]
pub struct Decls {
    pub enums: Vec<EnumDef>,
    pub structs: Vec<StructDef>,
    /// typedef name → aliased type (`seL4_X86_Page` → `seL4_CPtr`); typedef'd
    /// enums map to `enum`.
    pub typedefs: Vec<(String, String)>,
}

/// Parses preprocessed header text. Enum constants are evaluated with
/// `cpp`'s macros and added to `symbols`.
pub fn parse_decls(
    text: &str,
    cpp: &Cpp,
    symbols: &mut HashMap<String, i128>,
) -> Result<Decls, GenError> {
    let toks = tokenize(text)?;
    let mut p = Parser {
        toks: &toks,
        pos: 0,
    };
    let mut decls = Decls::default();
    while let Some(t) = p.peek() {
        match t.ident() {
            Some("typedef") => {
                p.pos += 1;
                p.typedef(cpp, symbols, &mut decls)?;
            }
            Some("enum") if p.body_ahead() => {
                p.pos += 1;
                let (tag, items) = p.enum_body(cpp, symbols)?;
                // Optional declarator (`} seL4_VMFault_Msg;`) then `;`.
                let var = p.peek().and_then(|t| t.ident()).map(str::to_string);
                if var.is_some() {
                    p.pos += 1;
                }
                p.expect(";")?;
                decls.enums.push(EnumDef {
                    name: tag.or(var),
                    items,
                });
            }
            _ => p.pos += 1,
        }
    }
    Ok(decls)
}

type EnumItems = Vec<(String, i128)>;

struct Parser<'a> {
    toks: &'a [Tok],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Result<Tok, GenError> {
        let t = self
            .toks
            .get(self.pos)
            .cloned()
            .ok_or_else(|| GenError::parse("unexpected end of header".to_string()))?;
        self.pos += 1;
        Ok(t)
    }

    fn eat(&mut self, p: &str) -> bool {
        if self.peek().is_some_and(|t| t.is_punct(p)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &str) -> Result<(), GenError> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(GenError::parse(format!(
                "expected `{p}`, found {:?}",
                self.peek()
            )))
        }
    }

    fn ident(&mut self) -> Result<String, GenError> {
        match self.next()? {
            Tok::Ident(s) => Ok(s),
            t => Err(GenError::parse(format!("expected identifier, found {t:?}"))),
        }
    }

    /// `enum [tag] {` / `struct [tag] {` at the current position (the
    /// keyword not yet consumed): a definition rather than a use of the type.
    fn body_ahead(&self) -> bool {
        let after = |i: usize| self.toks.get(self.pos + i);
        after(1).is_some_and(|t| t.is_punct("{"))
            || (matches!(after(1), Some(Tok::Ident(_)))
                && after(2).is_some_and(|t| t.is_punct("{")))
    }

    /// Parses `enum [tag] { … }` with the `enum` keyword already consumed.
    fn enum_body(
        &mut self,
        cpp: &Cpp,
        symbols: &mut HashMap<String, i128>,
    ) -> Result<(Option<String>, EnumItems), GenError> {
        let tag = match self.peek() {
            Some(Tok::Ident(s)) => {
                let s = s.clone();
                self.pos += 1;
                Some(s)
            }
            _ => None,
        };
        self.expect("{")?;
        let mut items = Vec::new();
        let mut next_value: i128 = 0;
        loop {
            if self.eat("}") {
                break;
            }
            let name = self.ident()?;
            // Collect the item's tokens up to a top-level `,` or the `}`.
            let mut item = Vec::new();
            let mut depth = 0;
            while let Some(t) = self.peek() {
                if depth == 0 && (t.is_punct(",") || t.is_punct("}")) {
                    break;
                }
                if t.is_punct("(") {
                    depth += 1;
                } else if t.is_punct(")") {
                    depth -= 1;
                }
                item.push(t.clone());
                self.pos += 1;
            }
            self.eat(",");
            match item.split_first() {
                // A macro invocation such as SEL4_FORCE_LONG_ENUM(x): padding only.
                Some((t, _)) if t.is_punct("(") => continue,
                Some((t, rest)) if t.is_punct("=") => {
                    let v = cpp
                        .eval_tokens(rest, symbols)
                        .map_err(|e| e.context(format!("enum item {name}")))?;
                    next_value = v;
                }
                Some((t, _)) => {
                    return Err(GenError::parse(format!(
                        "enum item {name}: unexpected {t:?}"
                    )));
                }
                None => {}
            }
            symbols.insert(name.clone(), next_value);
            items.push((name, next_value));
            next_value += 1;
        }
        Ok((tag, items))
    }

    fn typedef(
        &mut self,
        cpp: &Cpp,
        symbols: &mut HashMap<String, i128>,
        decls: &mut Decls,
    ) -> Result<(), GenError> {
        match self.peek().and_then(|t| t.ident()) {
            Some("enum") if self.body_ahead() => {
                self.pos += 1;
                let (_, items) = self.enum_body(cpp, symbols)?;
                let name = self.ident()?;
                self.expect(";")?;
                decls.typedefs.push((name.clone(), "enum".to_string()));
                decls.enums.push(EnumDef {
                    name: Some(name),
                    items,
                });
                Ok(())
            }
            Some("struct") if self.body_ahead() => {
                self.pos += 1;
                let s = self.struct_def(cpp, symbols)?;
                decls.structs.push(s);
                Ok(())
            }
            _ => {
                // typedef <type words> [*] <name>;
                let mut words = Vec::new();
                loop {
                    let t = self.next()?;
                    if t.is_punct(";") {
                        break;
                    }
                    match t {
                        Tok::Ident(s) => words.push(s),
                        Tok::Punct("*") => words.push("*".to_string()),
                        // Function-pointer or other complex typedefs are not needed.
                        _ => {
                            self.skip_to_semicolon();
                            return Ok(());
                        }
                    }
                }
                if let Some((name, ty)) = words.split_last() {
                    decls.typedefs.push((name.clone(), ty.join(" ")));
                }
                Ok(())
            }
        }
    }

    fn skip_to_semicolon(&mut self) {
        let mut depth = 0i32;
        while let Some(t) = self.peek().cloned() {
            self.pos += 1;
            if t.is_punct("{") || t.is_punct("(") {
                depth += 1;
            } else if t.is_punct("}") || t.is_punct(")") {
                depth -= 1;
            } else if t.is_punct(";") && depth <= 0 {
                return;
            }
        }
    }

    /// `struct [tag] { fields } attrs name attrs ;` after `typedef`.
    fn struct_def(
        &mut self,
        cpp: &Cpp,
        symbols: &HashMap<String, i128>,
    ) -> Result<StructDef, GenError> {
        let tag = match self.peek() {
            Some(Tok::Ident(s)) => {
                let s = s.clone();
                self.pos += 1;
                Some(s)
            }
            _ => None,
        };
        self.expect("{")?;
        let mut fields = Vec::new();
        while !self.eat("}") {
            // Field type: identifiers up to the first declarator.
            let mut ty = Vec::new();
            loop {
                match (self.peek(), self.toks.get(self.pos + 1)) {
                    (Some(Tok::Ident(w)), Some(n))
                        if matches!(n, Tok::Ident(_)) || n.is_punct("*") =>
                    {
                        ty.push(w.clone());
                        self.pos += 1;
                    }
                    _ => break,
                }
            }
            if ty.is_empty() {
                return Err(GenError::parse(format!(
                    "struct field without type near {:?}",
                    self.peek()
                )));
            }
            loop {
                let pointer = self.eat("*");
                let name = self.ident()?;
                let array = if self.eat("[") {
                    let mut expr = Vec::new();
                    while let Some(t) = self.peek() {
                        if t.is_punct("]") {
                            break;
                        }
                        expr.push(t.clone());
                        self.pos += 1;
                    }
                    self.expect("]")?;
                    let n = cpp
                        .eval_tokens(&expr, symbols)
                        .map_err(|e| e.context(format!("array size of {name}")))?;
                    Some(
                        u64::try_from(n)
                            .map_err(|_| GenError::parse(format!("bad array size {n}")))?,
                    )
                } else {
                    None
                };
                fields.push(Field {
                    ty: ty.join(" "),
                    pointer,
                    name,
                    array,
                });
                if self.eat(";") {
                    break;
                }
                self.expect(",")?;
            }
        }
        let mut name = None;
        let mut packed = false;
        let mut align_to_size = false;
        loop {
            let t = self.next()?;
            match t {
                Tok::Punct(";") => break,
                Tok::Ident(ref s) if s == "SEL4_PACKED" => packed = true,
                Tok::Ident(ref s) if s == "__attribute__" => {
                    let start = self.pos;
                    self.skip_parens()?;
                    let attr: Vec<&str> = self.toks[start..self.pos]
                        .iter()
                        .filter_map(|t| t.ident())
                        .collect();
                    if attr.iter().any(|a| *a == "packed" || *a == "__packed__") {
                        packed = true;
                    }
                    if attr.iter().any(|a| *a == "aligned" || *a == "__aligned__") {
                        let self_sized = attr.contains(&"sizeof")
                            && tag.as_deref().is_some_and(|tg| attr.contains(&tg));
                        if !self_sized {
                            return Err(GenError::parse(format!(
                                "unsupported alignment attribute {attr:?}"
                            )));
                        }
                        align_to_size = true;
                    }
                }
                Tok::Ident(s) => name = Some(s),
                other => {
                    return Err(GenError::parse(format!(
                        "unexpected {other:?} after struct"
                    )))
                }
            }
        }
        let name =
            name.ok_or_else(|| GenError::parse("typedef struct without a name".to_string()))?;
        Ok(StructDef {
            name,
            tag,
            fields,
            packed,
            align_to_size,
        })
    }

    fn skip_parens(&mut self) -> Result<(), GenError> {
        self.expect("(")?;
        let mut depth = 1;
        while depth > 0 {
            let t = self.next()?;
            if t.is_punct("(") {
                depth += 1;
            } else if t.is_punct(")") {
                depth -= 1;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_typedefs_structs() {
        let mut cpp = Cpp::new(8);
        cpp.define("CONFIG_N", "256").unwrap();
        cpp.define("LIBSEL4_BIT(n)", "").unwrap();
        let src = r#"
typedef unsigned long long seL4_Uint64;
typedef seL4_Uint64 seL4_Word;
typedef enum api_object { a_Obj, b_Obj, c_Count, } seL4_ObjectType;
enum { x_A = 5, x_B, SEL4_FORCE_LONG_ENUM(x), x_C = x_A + CONFIG_N - 1 } x_Msg;
typedef struct s_ {
    seL4_Word a, b;
    unsigned char c[4];
    struct s_ *next;
} SEL4_PACKED s_t;
typedef struct t_ { seL4_Word w; } t __attribute__ ((__aligned__ (sizeof(struct t_))));
static inline int f(void) { return 0; }
"#;
        let mut syms = HashMap::new();
        let d = parse_decls(src, &cpp, &mut syms).unwrap();
        assert_eq!(d.enums.len(), 2);
        assert_eq!(d.enums[0].name.as_deref(), Some("seL4_ObjectType"));
        assert_eq!(d.enums[0].items[2], ("c_Count".to_string(), 2));
        assert_eq!(d.enums[1].name.as_deref(), Some("x_Msg"));
        assert_eq!(
            d.enums[1].items,
            vec![
                ("x_A".to_string(), 5),
                ("x_B".to_string(), 6),
                ("x_C".to_string(), 260)
            ]
        );
        assert_eq!(syms["x_C"], 260);
        assert!(d
            .typedefs
            .contains(&("seL4_Word".to_string(), "seL4_Uint64".to_string())));
        assert!(d
            .typedefs
            .contains(&("seL4_Uint64".to_string(), "unsigned long long".to_string())));
        let s = &d.structs[0];
        assert_eq!(s.name, "s_t");
        assert!(s.packed);
        assert_eq!(s.fields.len(), 4);
        assert_eq!(s.fields[1].name, "b");
        assert_eq!(s.fields[2].array, Some(4));
        assert_eq!(s.fields[2].ty, "unsigned char");
        assert!(s.fields[3].pointer);
        assert_eq!(s.fields[3].ty, "struct s_");
        assert!(d.structs[1].align_to_size && !d.structs[1].packed);
    }
}
