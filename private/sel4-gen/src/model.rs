//! Builds the evaluated model of the seL4 user-level interface for one
//! configuration: every number and type the emitted Rust code needs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::bf::{parse_bf, BfFile};
use crate::cdecl::{parse_decls, StructDef};
use crate::cpp::{Cpp, Value};
use crate::lex::{strip_comments, tokenize, Tok};
use crate::{Arch, GenError};

/// A syscall from `include/api/syscall.xml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Syscall {
    pub name: String,
    pub number: i64,
    /// The `<config condition>`, empty for the API set.
    pub condition: String,
    /// Whether the condition holds for this configuration.
    pub enabled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    /// The C type named in the XML.
    pub ty: String,
}

/// An invocation method whose condition holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Method {
    /// Interface name, e.g. `seL4_X86_Page`.
    pub interface: String,
    /// Method name, e.g. `Map`.
    pub name: String,
    /// Label id, e.g. `X86PageMap`.
    pub id: String,
    pub label: u64,
    pub inputs: Vec<Param>,
    pub outputs: Vec<Param>,
}

/// An XML `<struct>` (a struct passed by reference, word per member).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlStruct {
    pub name: String,
    pub members: Vec<String>,
}

#[derive(Debug)]
pub struct Model {
    pub arch: Arch,
    /// Every `CONFIG_*` macro of the config header (and the extra defines)
    /// with an integer or string value, in definition order.
    pub config: Vec<(String, Value)>,
    pub debug_build: bool,
    pub printing: bool,
    pub syscalls: Vec<Syscall>,
    /// Invocation labels in numeric order (`InvalidInvocation` = 0 first).
    pub labels: Vec<(String, u64)>,
    pub methods: Vec<Method>,
    pub xml_structs: Vec<XmlStruct>,
    /// Object type names (C spelling) and values.
    pub object_types: Vec<(String, i128)>,
    /// Constants (C spelling) and values.
    pub consts: Vec<(String, i128)>,
    /// seL4_Error items (C spelling) and values.
    pub errors: Vec<(String, i128)>,
    /// Fault labels: tags of the `seL4_Fault` tagged union.
    pub fault_labels: Vec<(String, u64)>,
    /// Fault message register indices, per fault kind (e.g. `VMFault`).
    pub fault_msgs: Vec<(String, Vec<(String, i128)>)>,
    pub bitfields: BfFile,
    pub structs: Vec<StructDef>,
    /// typedef name → aliased type name.
    pub typedefs: HashMap<String, String>,
    /// Number of message registers passed in CPU registers.
    pub msg_registers: usize,
    /// Every file read.
    pub inputs: Vec<PathBuf>,
}

impl Model {
    pub fn word_bits(&self) -> u32 {
        self.arch.word_bits()
    }

    pub fn object_type(&self, c_name: &str) -> Option<i128> {
        self.object_types
            .iter()
            .find(|(n, _)| n == c_name)
            .map(|(_, v)| *v)
    }

    pub fn label(&self, id: &str) -> Option<u64> {
        self.labels.iter().find(|(n, _)| n == id).map(|(_, v)| *v)
    }

    pub fn constant(&self, c_name: &str) -> Option<i128> {
        self.consts
            .iter()
            .find(|(n, _)| n == c_name)
            .map(|(_, v)| *v)
    }

    pub fn syscall(&self, name: &str) -> Option<&Syscall> {
        self.syscalls.iter().find(|s| s.name == name)
    }

    pub fn config_value(&self, name: &str) -> Option<&Value> {
        self.config.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Resolves a typedef chain one step at a time until `stop` says so.
    pub fn resolve_typedef<'a>(&'a self, mut ty: &'a str, stop: impl Fn(&str) -> bool) -> &'a str {
        for _ in 0..16 {
            if stop(ty) {
                return ty;
            }
            match self.typedefs.get(ty) {
                Some(t) => ty = t,
                None => return ty,
            }
        }
        ty
    }
}

/// Builds the model for `arch` from the seL4 source tree at `sel4_dir` and
/// the config header, with `extra_defines` applied before the header.
pub fn build_model(
    sel4_dir: &Path,
    config_header: &Path,
    extra_defines: &[(&str, &str)],
    arch: Arch,
) -> Result<Model, GenError> {
    let lib = sel4_dir.join("libsel4");
    let sa = arch.sel4_arch();
    let mut cpp = Cpp::new(arch.word_bits() / 8);

    // Configuration.
    let mut config_names: Vec<String> = Vec::new();
    for (n, v) in extra_defines {
        cpp.define(n, v)?;
        config_names.push(n.to_string());
    }
    let processed = cpp.process_file(config_header)?;
    config_names.extend(processed.defines);
    let no_symbols = HashMap::new();
    let mut config = Vec::new();
    for name in &config_names {
        if !name.starts_with("CONFIG_") || config.iter().any(|(n, _)| n == name) {
            continue;
        }
        if let Some(v) = cpp.macro_value(name, &no_symbols) {
            config.push((name.clone(), v));
        }
    }
    let word_size = match cpp.macro_value("CONFIG_WORD_SIZE", &no_symbols) {
        Some(Value::Int(w)) => w,
        _ => {
            return Err(GenError::parse(
                "config header does not define CONFIG_WORD_SIZE".to_string(),
            ))
        }
    };
    if word_size != i128::from(arch.word_bits()) {
        return Err(GenError::parse(format!(
            "CONFIG_WORD_SIZE {word_size} does not match arch {arch:?}"
        )));
    }
    let debug_build = cpp.is_defined("CONFIG_DEBUG_BUILD");
    let printing = cpp.is_defined("CONFIG_PRINTING");

    // Syscalls and invocations.
    let syscalls = parse_syscalls(&sel4_dir.join("include/api/syscall.xml"), &cpp)?;
    let xml_files = [
        lib.join("include/interfaces/sel4.xml"),
        lib.join(format!("sel4_arch_include/{sa}/interfaces/sel4arch.xml")),
        lib.join("arch_include/x86/interfaces/sel4arch.xml"),
    ];
    let mut labels = vec![("InvalidInvocation".to_string(), 0u64)];
    let mut methods = Vec::new();
    let mut xml_structs = Vec::new();
    for (i, f) in xml_files.iter().enumerate() {
        let (ms, ss) = parse_interface_xml(f, &cpp, &mut labels, i > 0)?;
        methods.extend(ms);
        xml_structs.extend(ss);
    }

    // C headers, in dependency order.
    let mut symbols: HashMap<String, i128> = HashMap::new();
    let mut typedefs: HashMap<String, String> = HashMap::new();
    let mut structs: Vec<StructDef> = Vec::new();
    let mut header =
        |rel: &str, cpp: &mut Cpp, symbols: &mut HashMap<String, i128>| -> Result<_, GenError> {
            let path = lib.join(rel);
            let p = cpp.process_file(&path)?;
            let d = parse_decls(&p.text, cpp, symbols)
                .map_err(|e| e.context(path.display().to_string()))?;
            for (n, t) in &d.typedefs {
                typedefs.insert(n.clone(), t.clone());
            }
            structs.extend(d.structs.iter().cloned());
            Ok((p.defines, d.enums))
        };
    let int_defines =
        |defines: &[String], cpp: &Cpp, symbols: &HashMap<String, i128>| -> Vec<(String, i128)> {
            defines
                .iter()
                .filter_map(|n| match cpp.macro_value(n, symbols) {
                    Some(Value::Int(v)) => Some((n.clone(), v)),
                    _ => None,
                })
                .collect()
        };

    let (_, enums) = header("include/sel4/errors.h", &mut cpp, &mut symbols)?;
    let errors = enums
        .iter()
        .find(|e| e.name.as_deref() == Some("seL4_Error"))
        .map(|e| e.items.clone())
        .ok_or_else(|| GenError::parse("errors.h: no seL4_Error enum".to_string()))?;

    let mut object_types = Vec::new();
    for rel in [
        "include/sel4/objecttype.h".to_string(),
        format!("sel4_arch_include/{sa}/sel4/sel4_arch/objecttype.h"),
        "arch_include/x86/sel4/arch/objecttype.h".to_string(),
    ] {
        let (defines, enums) = header(&rel, &mut cpp, &mut symbols)?;
        for e in enums {
            object_types.extend(e.items);
        }
        object_types.extend(int_defines(&defines, &cpp, &symbols));
    }

    let mut consts = Vec::new();
    let mut fault_enum_items = Vec::new();
    let const_headers = [
        format!("sel4_arch_include/{sa}/sel4/sel4_arch/types.h"),
        "arch_include/x86/sel4/arch/types.h".to_string(),
        "include/sel4/types.h".to_string(),
        "include/sel4/constants.h".to_string(),
        format!("sel4_arch_include/{sa}/sel4/sel4_arch/constants.h"),
        "sel4_plat_include/pc99/sel4/plat/api/constants.h".to_string(),
        "arch_include/x86/sel4/arch/constants.h".to_string(),
        "include/sel4/bootinfo_types.h".to_string(),
        "arch_include/x86/sel4/arch/bootinfo_types.h".to_string(),
        "include/sel4/shared_types.h".to_string(),
    ];
    for rel in &const_headers {
        let (defines, enums) = header(rel, &mut cpp, &mut symbols)?;
        for e in enums {
            fault_enum_items.extend(e.items);
        }
        consts.extend(int_defines(&defines, &cpp, &symbols));
    }
    // Enum items became candidates in `fault_enum_items`; sort them below.

    // Bitfields.
    let bits = arch.word_bits();
    let mut bitfields = BfFile::default();
    let mut bf_cpp = Cpp::new(bits / 8);
    for (n, v) in extra_defines {
        bf_cpp.define(n, v)?;
    }
    bf_cpp.process_file(config_header)?;
    bf_cpp.include_dirs = vec![
        lib.join("include"),
        lib.join("arch_include/x86"),
        lib.join(format!("sel4_arch_include/{sa}")),
    ];
    for rel in [
        format!("include/sel4/shared_types_{bits}.bf"),
        format!("include/sel4/types_{bits}.bf"),
        format!("sel4_arch_include/{sa}/sel4/sel4_arch/types.bf"),
    ] {
        let path = lib.join(&rel);
        let p = bf_cpp.process_file(&path)?;
        let f = parse_bf(&p.text, None).map_err(|e| e.context(path.display().to_string()))?;
        bitfields.extend(f);
    }
    bitfields.validate()?;

    let fault_union = bitfields
        .unions
        .iter()
        .find(|u| u.name == "seL4_Fault")
        .ok_or_else(|| {
            GenError::parse("no seL4_Fault tagged union in the .bf files".to_string())
        })?;
    let fault_labels = fault_union.tags.clone();
    let mut fault_msgs: Vec<(String, Vec<(String, i128)>)> = fault_labels
        .iter()
        .map(|(t, _)| (t.clone(), Vec::new()))
        .collect();
    for (name, v) in fault_enum_items {
        let rest = crate::names::strip_sel4(&name);
        let kind = fault_msgs.iter_mut().find(|(k, _)| {
            rest.strip_prefix(k.as_str())
                .is_some_and(|r| r.starts_with('_'))
        });
        match kind {
            Some((k, items)) => {
                let member = rest[k.len() + 1..].to_string();
                items.push((member, v));
            }
            None => consts.push((name, v)),
        }
    }
    fault_msgs.retain(|(_, items)| !items.is_empty());

    // Message registers: the kernel's own register set definition.
    let regset = sel4_dir.join(format!(
        "include/arch/x86/arch/{}/mode/machine/registerset.h",
        arch.word_bits()
    ));
    let msg_registers = read_msg_registers(&regset)?;
    cpp.files_read.push(regset);
    consts.push((
        "seL4_FastMessageRegisters".to_string(),
        msg_registers as i128,
    ));

    let mut dedup: Vec<(String, i128)> = Vec::new();
    for (n, v) in consts {
        if !dedup.iter().any(|(m, _)| *m == n) {
            dedup.push((n, v));
        }
    }

    let mut inputs = cpp.files_read.clone();
    inputs.extend(bf_cpp.files_read.iter().cloned());
    inputs.push(sel4_dir.join("include/api/syscall.xml"));
    inputs.extend(xml_files.iter().cloned());
    inputs.sort();
    inputs.dedup();

    Ok(Model {
        arch,
        config,
        debug_build,
        printing,
        syscalls,
        labels,
        methods,
        xml_structs,
        object_types,
        consts: dedup,
        errors,
        fault_labels,
        fault_msgs,
        bitfields,
        structs,
        typedefs,
        msg_registers,
        inputs,
    })
}

fn read_xml(path: &Path) -> Result<String, GenError> {
    std::fs::read_to_string(path).map_err(|e| GenError::io(path, e))
}

/// Syscall numbers: -1, -2, … in file order over every `<config>` of
/// `<api>` and then `<debug>`, whether or not its condition holds.
pub fn parse_syscalls(path: &Path, cpp: &Cpp) -> Result<Vec<Syscall>, GenError> {
    let text = read_xml(path)?;
    let doc = roxmltree::Document::parse(&text).map_err(|e| GenError::xml(path, e))?;
    let root = doc.root_element();
    let mut out = Vec::new();
    let mut number = -1i64;
    for section in ["api", "debug"] {
        let Some(sec) = root.children().find(|n| n.has_tag_name(section)) else {
            continue;
        };
        for config in sec.children().filter(|n| n.has_tag_name("config")) {
            let condition = config.attribute("condition").unwrap_or("").to_string();
            let enabled = condition.is_empty() || cpp.eval_condition(&condition)?;
            for sc in config.children().filter(|n| n.has_tag_name("syscall")) {
                let name = sc
                    .attribute("name")
                    .ok_or_else(|| GenError::parse("syscall without a name".to_string()))?;
                out.push(Syscall {
                    name: name.to_string(),
                    number,
                    condition: condition.clone(),
                    enabled,
                });
                number -= 1;
            }
        }
    }
    if out.is_empty() {
        return Err(GenError::parse(format!("{}: no syscalls", path.display())));
    }
    Ok(out)
}

/// Parses one interface XML file. Labels continue from the last entry of
/// `labels`; methods whose condition fails get no label and no stub. For
/// the arch files (`continuation`), the first method may not be
/// conditional (the kernel's generator refuses that too).
pub fn parse_interface_xml(
    path: &Path,
    cpp: &Cpp,
    labels: &mut Vec<(String, u64)>,
    continuation: bool,
) -> Result<(Vec<Method>, Vec<XmlStruct>), GenError> {
    let text = read_xml(path)?;
    let doc = roxmltree::Document::parse(&text).map_err(|e| GenError::xml(path, e))?;
    let mut methods = Vec::new();
    let mut structs = Vec::new();
    for s in doc.descendants().filter(|n| n.has_tag_name("struct")) {
        let name = s.attribute("name").unwrap_or("").to_string();
        let members = s
            .children()
            .filter(|n| n.has_tag_name("member"))
            .filter_map(|m| m.attribute("name").map(str::to_string))
            .collect();
        structs.push(XmlStruct { name, members });
    }
    let mut first = true;
    for iface in doc.descendants().filter(|n| n.has_tag_name("interface")) {
        let interface = iface.attribute("name").ok_or_else(|| {
            GenError::parse(format!("{}: interface without a name", path.display()))
        })?;
        for m in iface.children().filter(|n| n.has_tag_name("method")) {
            let id = m.attribute("id").ok_or_else(|| {
                GenError::parse(format!("{}: method without an id", path.display()))
            })?;
            let condition = m.attribute("condition").unwrap_or("");
            if continuation && first && !condition.is_empty() {
                return Err(GenError::parse(format!(
                    "{}: first arch invocation label {id} cannot be conditional",
                    path.display()
                )));
            }
            first = false;
            if !condition.is_empty() && !cpp.eval_condition(condition)? {
                continue;
            }
            let next = labels.last().map_or(0, |(_, v)| v + 1);
            labels.push((id.to_string(), next));
            let mut inputs = Vec::new();
            let mut outputs = Vec::new();
            for p in m.children().filter(|n| n.has_tag_name("param")) {
                let param = Param {
                    name: p.attribute("name").unwrap_or("").to_string(),
                    ty: p.attribute("type").unwrap_or("").to_string(),
                };
                match p.attribute("dir") {
                    Some("in") => inputs.push(param),
                    Some("out") => outputs.push(param),
                    d => {
                        return Err(GenError::parse(format!(
                            "{id}: param {} has direction {d:?}",
                            param.name
                        )));
                    }
                }
            }
            methods.push(Method {
                interface: interface.to_string(),
                name: m.attribute("name").unwrap_or("").to_string(),
                id: id.to_string(),
                label: next,
                inputs,
                outputs,
            });
        }
    }
    Ok((methods, structs))
}

/// Reads `n_msgRegisters = N` from the kernel's register set header.
fn read_msg_registers(path: &Path) -> Result<usize, GenError> {
    let src = std::fs::read_to_string(path).map_err(|e| GenError::io(path, e))?;
    let toks = tokenize(&strip_comments(&src, false).replace("\\\n", " "))
        .map_err(|e| e.context(path.display().to_string()))?;
    toks.windows(3)
        .find_map(|w| match w {
            [Tok::Ident(n), eq, Tok::Int(v)] if n == "n_msgRegisters" && eq.is_punct("=") => {
                usize::try_from(*v).ok()
            }
            _ => None,
        })
        .ok_or_else(|| GenError::parse(format!("{}: no n_msgRegisters", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml_file(name: &str, body: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("sel4-gen-{}-{name}.xml", std::process::id()));
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn labels_continue_and_skip_false_conditions() {
        let mut cpp = Cpp::new(8);
        cpp.define("CONFIG_N", "1").unwrap();
        let f = xml_file(
            "labels",
            r#"<api><interface name="seL4_TCB">
                 <method id="A" name="A"/>
                 <method id="B" name="B" condition="CONFIG_N &gt; 1"/>
                 <method id="C" name="C" condition="defined(CONFIG_N)">
                   <param dir="in" name="x" type="seL4_Word"/>
                   <param dir="out" name="y" type="seL4_Uint8"/>
                 </method>
               </interface></api>"#,
        );
        let mut labels = vec![("InvalidInvocation".to_string(), 0)];
        let (methods, _) = parse_interface_xml(&f, &cpp, &mut labels, false).unwrap();
        assert_eq!(
            labels,
            [
                ("InvalidInvocation".to_string(), 0),
                ("A".to_string(), 1),
                ("C".to_string(), 2)
            ]
        );
        assert_eq!(methods[1].inputs[0].name, "x");
        assert_eq!(methods[1].outputs[0].ty, "seL4_Uint8");
        // An arch file continues the numbering...
        let (m2, _) = parse_interface_xml(&f, &cpp, &mut labels, true).unwrap();
        assert_eq!(m2[0].label, 3);
        // ...but may not start with a conditional method.
        let g = xml_file(
            "condfirst",
            r#"<api><interface name="seL4_TCB"><method id="Z" name="Z" condition="1"/></interface></api>"#,
        );
        assert!(parse_interface_xml(&g, &cpp, &mut labels, true).is_err());
        let _ = std::fs::remove_file(f);
        let _ = std::fs::remove_file(g);
    }
}
