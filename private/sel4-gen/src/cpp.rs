//! A small C preprocessor: conditional compilation (`#if`, `#ifdef`,
//! `#ifndef`, `#elif`, `#else`, `#endif`), object- and function-like
//! `#define`s, `#undef`, `#include "…"` (and optionally `<…>`), and an
//! integer expression evaluator for `#if` lines and constant values.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::lex::{strip_comments, tokenize, Tok};
use crate::GenError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Macro {
    Object(Vec<Tok>),
    Function(Vec<String>, Vec<Tok>),
}

/// A macro's value as seen by the generator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Int(i128),
    Str(String),
}

/// Output of preprocessing one file.
#[derive(Debug, Default)]
pub struct Processed {
    /// The lines of the active regions, directives removed.
    pub text: String,
    /// Names `#define`d by the active regions, in order.
    pub defines: Vec<String>,
}

#[derive(Clone, Copy)]
struct Cond {
    /// Whether the enclosing region is active.
    parent: bool,
    /// Whether some branch of this `#if` chain has been taken.
    taken: bool,
    /// Whether the current branch is active.
    active: bool,
    seen_else: bool,
}

pub struct Cpp {
    macros: HashMap<String, Macro>,
    /// Directories searched for `#include <…>`; empty means such includes
    /// are skipped.
    pub include_dirs: Vec<PathBuf>,
    /// Every file read, for build-script change tracking.
    pub files_read: Vec<PathBuf>,
    /// `sizeof(seL4_Word)` / `sizeof(long)` in bytes.
    pub word_bytes: u32,
}

impl Cpp {
    pub fn new(word_bytes: u32) -> Cpp {
        Cpp {
            macros: HashMap::new(),
            include_dirs: Vec::new(),
            files_read: Vec::new(),
            word_bytes,
        }
    }

    /// Defines `name` as `value` (like `-Dname=value`).
    pub fn define(&mut self, name: &str, value: &str) -> Result<(), GenError> {
        let body = tokenize(value)?;
        self.macros.insert(name.to_string(), Macro::Object(body));
        Ok(())
    }

    pub fn is_defined(&self, name: &str) -> bool {
        self.macros.contains_key(name)
    }

    pub fn get(&self, name: &str) -> Option<&Macro> {
        self.macros.get(name)
    }

    /// Preprocesses a file, following quoted includes relative to it.
    pub fn process_file(&mut self, path: &Path) -> Result<Processed, GenError> {
        let mut out = Processed::default();
        self.process_into(path, &mut out, 0)?;
        Ok(out)
    }

    /// Preprocesses source text; `dir` resolves quoted includes.
    pub fn process_str(&mut self, src: &str, dir: &Path) -> Result<Processed, GenError> {
        let mut out = Processed::default();
        self.process_text(src, dir, "<string>", &mut out, 0)?;
        Ok(out)
    }

    fn process_into(
        &mut self,
        path: &Path,
        out: &mut Processed,
        depth: u32,
    ) -> Result<(), GenError> {
        if depth > 32 {
            return Err(GenError::parse(format!(
                "#include nested too deeply at {}",
                path.display()
            )));
        }
        let src = std::fs::read_to_string(path).map_err(|e| GenError::io(path, e))?;
        self.files_read.push(path.to_path_buf());
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let name = path.display().to_string();
        self.process_text(&src, &dir, &name, out, depth)
    }

    fn process_text(
        &mut self,
        src: &str,
        dir: &Path,
        file: &str,
        out: &mut Processed,
        depth: u32,
    ) -> Result<(), GenError> {
        let spliced = src.replace("\\\r\n", " ").replace("\\\n", " ");
        let text = strip_comments(&spliced, file.ends_with(".bf"));
        let mut stack: Vec<Cond> = Vec::new();
        let active = |stack: &Vec<Cond>| stack.last().is_none_or(|c| c.active);
        for (lineno, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            let ctx = || format!("{file}:{}", lineno + 1);
            let Some(directive) = trimmed.strip_prefix('#') else {
                if active(&stack) {
                    out.text.push_str(line);
                    out.text.push('\n');
                }
                continue;
            };
            let directive = directive.trim_start();
            let (kw, rest) = match directive.find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            {
                Some(i) => (&directive[..i], directive[i..].trim()),
                None => (directive, ""),
            };
            let on = active(&stack);
            match kw {
                "if" | "ifdef" | "ifndef" => {
                    let cond = if !on {
                        false
                    } else if kw == "if" {
                        self.eval_condition(rest).map_err(|e| e.context(ctx()))?
                    } else {
                        let name = rest.split_whitespace().next().unwrap_or("");
                        self.is_defined(name) == (kw == "ifdef")
                    };
                    stack.push(Cond {
                        parent: on,
                        taken: cond,
                        active: cond,
                        seen_else: false,
                    });
                }
                "elif" => {
                    let top = stack
                        .last()
                        .copied()
                        .ok_or_else(|| GenError::parse(format!("{}: #elif without #if", ctx())))?;
                    if top.seen_else {
                        return Err(GenError::parse(format!("{}: #elif after #else", ctx())));
                    }
                    let cond = top.parent
                        && !top.taken
                        && self.eval_condition(rest).map_err(|e| e.context(ctx()))?;
                    if let Some(c) = stack.last_mut() {
                        c.active = cond;
                        c.taken |= cond;
                    }
                }
                "else" => {
                    let c = stack
                        .last_mut()
                        .ok_or_else(|| GenError::parse(format!("{}: #else without #if", ctx())))?;
                    if c.seen_else {
                        return Err(GenError::parse(format!("{}: duplicate #else", ctx())));
                    }
                    c.seen_else = true;
                    c.active = c.parent && !c.taken;
                    c.taken = true;
                }
                "endif" => {
                    stack
                        .pop()
                        .ok_or_else(|| GenError::parse(format!("{}: #endif without #if", ctx())))?;
                }
                _ if !on => {}
                "define" => {
                    let name = self.parse_define(rest).map_err(|e| e.context(ctx()))?;
                    out.defines.push(name);
                }
                "undef" => {
                    self.macros.remove(rest.trim());
                }
                "include" => self
                    .include(rest, dir, out, depth)
                    .map_err(|e| e.context(ctx()))?,
                "error" => {
                    return Err(GenError::parse(format!("{}: #error {rest}", ctx())));
                }
                "pragma" | "line" | "warning" | "" => {}
                other => {
                    return Err(GenError::parse(format!(
                        "{}: unknown directive #{other}",
                        ctx()
                    )));
                }
            }
        }
        if !stack.is_empty() {
            return Err(GenError::parse(format!("{file}: unterminated #if")));
        }
        Ok(())
    }

    fn include(
        &mut self,
        rest: &str,
        dir: &Path,
        out: &mut Processed,
        depth: u32,
    ) -> Result<(), GenError> {
        if let Some(q) = rest.strip_prefix('"') {
            let name = q.split('"').next().unwrap_or("");
            return self.process_into(&dir.join(name), out, depth + 1);
        }
        if let Some(a) = rest.strip_prefix('<') {
            let name = a.split('>').next().unwrap_or("");
            // The configuration is loaded up front; autoconf.h is never re-read.
            if name == "autoconf.h" {
                return Ok(());
            }
            let found = self
                .include_dirs
                .iter()
                .map(|d| d.join(name))
                .find(|p| p.is_file());
            if let Some(p) = found {
                return self.process_into(&p, out, depth + 1);
            }
            return Ok(());
        }
        Err(GenError::parse(format!("malformed #include {rest}")))
    }

    fn parse_define(&mut self, rest: &str) -> Result<String, GenError> {
        let name_end = rest
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        if name.is_empty() {
            return Err(GenError::parse(format!("malformed #define {rest}")));
        }
        let after = &rest[name_end..];
        let def = if let Some(params) = after.strip_prefix('(') {
            let close = params
                .find(')')
                .ok_or_else(|| GenError::parse(format!("malformed #define {rest}")))?;
            let names = params[..close]
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            Macro::Function(names, tokenize(&params[close + 1..])?)
        } else {
            Macro::Object(tokenize(after)?)
        };
        self.macros.insert(name.to_string(), def);
        Ok(name.to_string())
    }

    /// Evaluates an `#if` expression (unknown identifiers are 0).
    pub fn eval_condition(&self, expr: &str) -> Result<bool, GenError> {
        let toks = tokenize(expr)?;
        let toks = self.replace_defined(&toks)?;
        let toks = self.expand(&toks, &mut HashSet::new())?;
        let v = Evaluator::new(&toks, None, self.word_bytes).run()?;
        Ok(v != 0)
    }

    /// Evaluates tokens as a constant, resolving identifiers through macros
    /// and then `symbols` (enum constants); unknown identifiers are errors.
    pub fn eval_tokens(
        &self,
        toks: &[Tok],
        symbols: &HashMap<String, i128>,
    ) -> Result<i128, GenError> {
        let toks = self.expand(toks, &mut HashSet::new())?;
        Evaluator::new(&toks, Some(symbols), self.word_bytes).run()
    }

    /// The value of an object-like macro, if it is an integer constant
    /// expression or a single string literal.
    pub fn macro_value(&self, name: &str, symbols: &HashMap<String, i128>) -> Option<Value> {
        match self.macros.get(name)? {
            Macro::Object(body) if body.is_empty() => None,
            Macro::Object(body) => match body.as_slice() {
                [Tok::Str(s)] => Some(Value::Str(s.clone())),
                _ => self.eval_tokens(body, symbols).ok().map(Value::Int),
            },
            Macro::Function(..) => None,
        }
    }

    fn replace_defined(&self, toks: &[Tok]) -> Result<Vec<Tok>, GenError> {
        let mut out = Vec::with_capacity(toks.len());
        let mut i = 0;
        while i < toks.len() {
            if toks[i].ident() == Some("defined") {
                let (name, next) = if toks.get(i + 1).is_some_and(|t| t.is_punct("(")) {
                    match (toks.get(i + 2), toks.get(i + 3)) {
                        (Some(Tok::Ident(n)), Some(t)) if t.is_punct(")") => (n.clone(), i + 4),
                        _ => return Err(GenError::parse("malformed defined(...)".to_string())),
                    }
                } else {
                    match toks.get(i + 1) {
                        Some(Tok::Ident(n)) => (n.clone(), i + 2),
                        _ => return Err(GenError::parse("malformed `defined`".to_string())),
                    }
                };
                out.push(Tok::Int(self.is_defined(&name) as i128));
                i = next;
            } else {
                out.push(toks[i].clone());
                i += 1;
            }
        }
        Ok(out)
    }

    /// Macro-expands a token list. `active` holds the macros being expanded
    /// (a macro is not re-expanded inside its own expansion).
    fn expand(&self, toks: &[Tok], active: &mut HashSet<String>) -> Result<Vec<Tok>, GenError> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let t = &toks[i];
            i += 1;
            let Tok::Ident(name) = t else {
                out.push(t.clone());
                continue;
            };
            if active.contains(name) {
                out.push(t.clone());
                continue;
            }
            match self.macros.get(name) {
                Some(Macro::Object(body)) => {
                    active.insert(name.clone());
                    let body = paste(body)?;
                    let exp = self.expand(&body, active);
                    active.remove(name);
                    out.extend(exp?);
                }
                Some(Macro::Function(params, body))
                    if toks.get(i).is_some_and(|t| t.is_punct("(")) =>
                {
                    let (args, next) = collect_args(toks, i)?;
                    i = next;
                    if args.len() != params.len()
                        && !(params.is_empty() && args.len() == 1 && args[0].is_empty())
                    {
                        return Err(GenError::parse(format!(
                            "macro {name}: wrong argument count"
                        )));
                    }
                    let mut subst = Vec::new();
                    for bt in body {
                        match bt
                            .ident()
                            .and_then(|id| params.iter().position(|p| p == id))
                        {
                            Some(k) => subst.extend(self.expand(&args[k], active)?),
                            None => subst.push(bt.clone()),
                        }
                    }
                    active.insert(name.clone());
                    let exp = paste(&subst).and_then(|s| self.expand(&s, active));
                    active.remove(name);
                    out.extend(exp?);
                }
                _ => out.push(t.clone()),
            }
        }
        Ok(out)
    }
}

/// Applies `##` token pasting.
fn paste(toks: &[Tok]) -> Result<Vec<Tok>, GenError> {
    if !toks.iter().any(|t| t.is_punct("##")) {
        return Ok(toks.to_vec());
    }
    let mut out: Vec<Tok> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks[i].is_punct("##") {
            let left = out
                .pop()
                .ok_or_else(|| GenError::parse("## at start".to_string()))?;
            let right = toks
                .get(i + 1)
                .ok_or_else(|| GenError::parse("## at end".to_string()))?;
            let joined = format!("{}{}", tok_text(&left), tok_text(right));
            out.extend(tokenize(&joined)?);
            i += 2;
        } else {
            out.push(toks[i].clone());
            i += 1;
        }
    }
    Ok(out)
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => s.clone(),
        Tok::Int(v) => v.to_string(),
        Tok::Str(s) => format!("\"{s}\""),
        Tok::Punct(p) => p.to_string(),
    }
}

/// Collects the arguments of a function-like macro call starting at the
/// `(` at `open`; returns them and the index after the closing `)`.
fn collect_args(toks: &[Tok], open: usize) -> Result<(Vec<Vec<Tok>>, usize), GenError> {
    let mut args = vec![Vec::new()];
    let mut depth = 0;
    let mut i = open + 1;
    while i < toks.len() {
        let t = &toks[i];
        i += 1;
        if t.is_punct("(") {
            depth += 1;
        } else if t.is_punct(")") {
            if depth == 0 {
                return Ok((args, i));
            }
            depth -= 1;
        } else if t.is_punct(",") && depth == 0 {
            args.push(Vec::new());
            continue;
        }
        if let Some(a) = args.last_mut() {
            a.push(t.clone());
        }
    }
    Err(GenError::parse("unterminated macro arguments".to_string()))
}

/// Precedence-climbing evaluator over expanded tokens.
struct Evaluator<'a> {
    toks: &'a [Tok],
    pos: usize,
    /// `None`: `#if` semantics (unknown identifiers are 0).
    symbols: Option<&'a HashMap<String, i128>>,
    word_bytes: u32,
}

impl<'a> Evaluator<'a> {
    fn new(toks: &'a [Tok], symbols: Option<&'a HashMap<String, i128>>, word_bytes: u32) -> Self {
        Evaluator {
            toks,
            pos: 0,
            symbols,
            word_bytes,
        }
    }

    fn run(mut self) -> Result<i128, GenError> {
        if self.toks.is_empty() {
            return Err(GenError::parse("empty expression".to_string()));
        }
        let v = self.ternary()?;
        if self.pos != self.toks.len() {
            return Err(GenError::parse(format!(
                "trailing tokens in expression: {:?}",
                &self.toks[self.pos..]
            )));
        }
        Ok(v)
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
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
            Err(GenError::parse(format!("expected `{p}` in expression")))
        }
    }

    fn ternary(&mut self) -> Result<i128, GenError> {
        let c = self.binary(0)?;
        if self.eat("?") {
            let a = self.ternary()?;
            self.expect(":")?;
            let b = self.ternary()?;
            return Ok(if c != 0 { a } else { b });
        }
        Ok(c)
    }

    fn binary(&mut self, min_prec: u8) -> Result<i128, GenError> {
        let mut lhs = self.unary()?;
        while let Some(Tok::Punct(op)) = self.peek() {
            let op = *op;
            let Some(prec) = precedence(op).filter(|p| *p >= min_prec) else {
                break;
            };
            self.pos += 1;
            let rhs = self.binary(prec + 1)?;
            lhs = apply(op, lhs, rhs)?;
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<i128, GenError> {
        if self.eat("!") {
            return Ok((self.unary()? == 0) as i128);
        }
        if self.eat("~") {
            return Ok(!self.unary()?);
        }
        if self.eat("-") {
            return Ok(-self.unary()?);
        }
        if self.eat("+") {
            return self.unary();
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<i128, GenError> {
        let t = self
            .peek()
            .cloned()
            .ok_or_else(|| GenError::parse("unexpected end of expression".to_string()))?;
        self.pos += 1;
        match t {
            Tok::Int(v) => Ok(v),
            Tok::Punct("(") => {
                // A cast to a simple type name: `(seL4_Word) x`.
                if let (Some(Tok::Ident(ty)), Some(close)) =
                    (self.peek().cloned(), self.toks.get(self.pos + 1))
                {
                    if close.is_punct(")") && self.type_size(&ty).is_some() {
                        self.pos += 2;
                        return self.unary();
                    }
                }
                let v = self.ternary()?;
                self.expect(")")?;
                Ok(v)
            }
            Tok::Ident(id) if id == "sizeof" => {
                self.expect("(")?;
                let mut words = Vec::new();
                while let Some(Tok::Ident(w)) = self.peek().cloned() {
                    words.push(w);
                    self.pos += 1;
                }
                self.expect(")")?;
                let ty = words.join(" ");
                self.type_size(&ty)
                    .ok_or_else(|| GenError::parse(format!("sizeof({ty}) unknown")))
            }
            Tok::Ident(id) => match self.symbols {
                None => Ok(0),
                Some(map) => map
                    .get(&id)
                    .copied()
                    .ok_or_else(|| GenError::parse(format!("unknown identifier `{id}`"))),
            },
            other => Err(GenError::parse(format!(
                "unexpected token {other:?} in expression"
            ))),
        }
    }

    fn type_size(&self, ty: &str) -> Option<i128> {
        let w = self.word_bytes as i128;
        Some(match ty {
            "seL4_Word" | "seL4_CPtr" | "long" | "unsigned long" | "word_t" => w,
            "int" | "unsigned int" | "unsigned" | "seL4_Uint32" | "seL4_Int32" => 4,
            "short" | "unsigned short" | "seL4_Uint16" | "seL4_Int16" => 2,
            "char" | "unsigned char" | "seL4_Uint8" | "seL4_Int8" => 1,
            "long long" | "unsigned long long" | "seL4_Uint64" | "seL4_Int64" => 8,
            _ => return None,
        })
    }
}

fn precedence(op: &str) -> Option<u8> {
    Some(match op {
        "||" => 1,
        "&&" => 2,
        "|" => 3,
        "^" => 4,
        "&" => 5,
        "==" | "!=" => 6,
        "<" | ">" | "<=" | ">=" => 7,
        "<<" | ">>" => 8,
        "+" | "-" => 9,
        "*" | "/" | "%" => 10,
        _ => return None,
    })
}

fn apply(op: &str, a: i128, b: i128) -> Result<i128, GenError> {
    let shift = |b: i128| -> Result<u32, GenError> {
        u32::try_from(b)
            .ok()
            .filter(|s| *s < 127)
            .ok_or_else(|| GenError::parse(format!("bad shift amount {b}")))
    };
    Ok(match op {
        "||" => (a != 0 || b != 0) as i128,
        "&&" => (a != 0 && b != 0) as i128,
        "|" => a | b,
        "^" => a ^ b,
        "&" => a & b,
        "==" => (a == b) as i128,
        "!=" => (a != b) as i128,
        "<" => (a < b) as i128,
        ">" => (a > b) as i128,
        "<=" => (a <= b) as i128,
        ">=" => (a >= b) as i128,
        "<<" => a << shift(b)?,
        ">>" => a >> shift(b)?,
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" | "%" if b == 0 => return Err(GenError::parse("division by zero".to_string())),
        "/" => a / b,
        "%" => a % b,
        _ => return Err(GenError::parse(format!("unsupported operator {op}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpp() -> Cpp {
        let mut c = Cpp::new(8);
        c.define("ONE", "1").unwrap();
        c.define("TWO", "2").unwrap();
        c.define("EMPTY", "").unwrap();
        c
    }

    #[test]
    fn conditions() {
        let c = cpp();
        let t = |e: &str| c.eval_condition(e).unwrap();
        assert!(t("defined(ONE)"));
        assert!(t("defined ONE && !defined(THREE)"));
        assert!(!t("defined(THREE)"));
        assert!(t("TWO > 1"));
        assert!(!t("TWO > 2"));
        assert!(t("UNKNOWN == 0"));
        assert!(t("(ONE || 0) && (TWO * 3 == 6)"));
        assert!(t("1 + 2 * 3 == 7"));
        assert!(t("(1 << 4) - 1 == 0xf"));
        assert!(t("-1 < 0"));
        assert!(t("ONE ? TWO == 2 : 0"));
        assert!(t("defined EMPTY"));
        assert!(t("sizeof(long) == 8"));
        assert!(c.eval_condition("ONE +").is_err());
        assert!(c.eval_condition("(ONE").is_err());
        assert!(c.eval_condition("1 / 0").is_err());
    }

    #[test]
    fn function_macros_and_values() {
        let mut c = cpp();
        c.process_str(
            "#define BIT(n) (1ul<<(n))\n#define MAXC (BIT(2)-1)\n#define S \"str\"\n#define P(t) x_ ## t = 3\n",
            Path::new("."),
        )
        .unwrap();
        let syms = HashMap::new();
        assert_eq!(c.macro_value("MAXC", &syms), Some(Value::Int(3)));
        assert_eq!(c.macro_value("S", &syms), Some(Value::Str("str".into())));
        assert_eq!(c.macro_value("BIT", &syms), None);
        assert_eq!(c.macro_value("EMPTY", &syms), None);
        let toks = tokenize("P(ab)").unwrap();
        let exp = c.expand(&toks, &mut HashSet::new()).unwrap();
        assert_eq!(exp[0], Tok::Ident("x_ab".into()));
    }

    #[test]
    fn conditional_regions() {
        let mut c = cpp();
        let src = "\
#if defined(ONE)
a
#  if TWO == 3
b
#  elif TWO == 2
c
#  else
d
#  endif
#elif 1
e
#else
f
#endif
#ifndef ONE
g
#define G 1
#else
h
#define H 1
#endif
#ifdef ONE
#undef ONE
#endif
#if defined(ONE)
i
#endif
";
        let p = c.process_str(src, Path::new(".")).unwrap();
        let lines: Vec<_> = p.text.lines().map(str::trim).collect();
        assert_eq!(lines, ["a", "c", "h"]);
        assert_eq!(p.defines, ["H"]);
        assert!(!c.is_defined("G"));
        assert!(!c.is_defined("ONE"));
    }

    #[test]
    fn inactive_regions_are_not_evaluated() {
        let mut c = cpp();
        // Nested conditions inside a skipped region may be malformed or
        // reference undefined function-like macros: they are never evaluated.
        let src = "#if 0\n#if ((\n#elif )\n#endif\n#else\nkept\n#endif\n\
                   #if 1\nfirst\n#elif ((\n#else\n#endif\n\
                   #ifdef TWO\n#if TWO >= 2 && TWO <= 2 && TWO != 3\nrange\n#endif\n#endif\n";
        let p = c.process_str(src, Path::new(".")).unwrap();
        let lines: Vec<_> = p.text.lines().map(str::trim).collect();
        assert_eq!(lines, ["kept", "first", "range"]);
        assert!(c.eval_condition("'A' == 65").unwrap());
        assert!(c
            .eval_condition("010 == 8 && 0x10 == 16 && 1ul == 1")
            .unwrap());
        assert!(c.eval_condition("!(ONE && !TWO) || 0").unwrap());
    }

    #[test]
    fn errors_are_reported() {
        let mut c = cpp();
        assert!(c.process_str("#if 1\n", Path::new(".")).is_err());
        assert!(c.process_str("#endif\n", Path::new(".")).is_err());
        assert!(c.process_str("#else\n", Path::new(".")).is_err());
        assert!(c
            .process_str("#if 1\n#error boom\n#endif\n", Path::new("."))
            .is_err());
        // #error in an inactive region is ignored.
        assert!(c
            .process_str("#if 0\n#error boom\n#endif\n", Path::new("."))
            .is_ok());
        assert!(c
            .process_str("#if 1\n#else\n#else\n#endif\n", Path::new("."))
            .is_err());
    }

    #[test]
    fn symbols_resolve_in_values() {
        let c = cpp();
        let mut syms = HashMap::new();
        syms.insert("seL4_X".to_string(), 5);
        let toks = tokenize("seL4_X + TWO").unwrap();
        assert_eq!(c.eval_tokens(&toks, &syms).unwrap(), 7);
        let toks = tokenize("seL4_Y").unwrap();
        assert!(c.eval_tokens(&toks, &syms).is_err());
        let toks = tokenize("(seL4_Word) 3 * sizeof(seL4_Word)").unwrap();
        assert_eq!(c.eval_tokens(&toks, &syms).unwrap(), 24);
    }
}
