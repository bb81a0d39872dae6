//! Name conversion from seL4's C spellings to Rust conventions.

/// Splits a C identifier into words: at `_`, at lower→upper changes, before
/// the last capital of an acronym followed by lowercase (`IOPort` → `IO`,
/// `Port`), and at digit→upper changes (`X86PDPT` → `X86`, `PDPT`).
pub fn split_words(s: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for part in s.split('_').filter(|p| !p.is_empty()) {
        let chars: Vec<char> = part.chars().collect();
        let mut cur = String::new();
        for (i, &c) in chars.iter().enumerate() {
            if i > 0 && c.is_ascii_uppercase() {
                let prev = chars[i - 1];
                let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
                let split = prev.is_ascii_lowercase()
                    || (prev.is_ascii_uppercase() && next_lower)
                    || (prev.is_ascii_digit() && cur.chars().any(|ch| ch.is_ascii_alphabetic()));
                if split && !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            cur.push(c);
        }
        if !cur.is_empty() {
            words.push(cur);
        }
    }
    // Acronyms that the capitalisation rules cannot see.
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let pair = words.get(i + 1).map(|n| format!("{w}{n}"));
        if let Some(p) = pair.filter(|p| ["CNode", "CSpace", "VSpace"].contains(&p.as_str())) {
            out.push(p);
            i += 2;
            continue;
        }
        if w == "IOPT" {
            out.push("IO".to_string());
            out.push("PT".to_string());
        } else {
            out.push(w.clone());
        }
        i += 1;
    }
    out
}

pub fn snake(s: &str) -> String {
    split_words(s)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

pub fn screaming(s: &str) -> String {
    split_words(s)
        .iter()
        .map(|w| w.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join("_")
}

pub fn camel(s: &str) -> String {
    split_words(s)
        .iter()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut c = lower.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Drops a leading `seL4_` (or `SEL4_`).
pub fn strip_sel4(s: &str) -> &str {
    s.strip_prefix("seL4_")
        .or_else(|| s.strip_prefix("SEL4_"))
        .unwrap_or(s)
}

/// Escapes Rust keywords used as parameter or field names.
pub fn ident(s: String) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
        "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while",
        "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro", "override",
        "priv", "typeof", "unsized", "virtual", "yield", "try",
    ];
    if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(screaming("X86PageMap"), "X86_PAGE_MAP");
        assert_eq!(screaming("X86IOPortIn8"), "X86_IO_PORT_IN8");
        assert_eq!(screaming("X86PDPTMap"), "X86_PDPT_MAP");
        assert_eq!(screaming("CNodeMint"), "CNODE_MINT");
        assert_eq!(screaming("TCBWriteRegisters"), "TCB_WRITE_REGISTERS");
        assert_eq!(screaming("IRQIssueIRQHandler"), "IRQ_ISSUE_IRQ_HANDLER");
        assert_eq!(
            screaming("X86IRQIssueIRQHandlerIOAPIC"),
            "X86_IRQ_ISSUE_IRQ_HANDLER_IOAPIC"
        );
        assert_eq!(screaming("NBSend"), "NB_SEND");
        assert_eq!(screaming("X64_PML4Object"), "X64_PML4_OBJECT");
        assert_eq!(screaming("X86_4K"), "X86_4K");
        assert_eq!(screaming("X86EPTPML4Map"), "X86_EPTPML4_MAP");
        assert_eq!(screaming("CapInitThreadVSpace"), "CAP_INIT_THREAD_VSPACE");
        assert_eq!(
            screaming("CapInitThreadASIDPool"),
            "CAP_INIT_THREAD_ASID_POOL"
        );
        assert_eq!(snake("numIOPTLevels"), "num_io_pt_levels");
        assert_eq!(
            snake("initThreadCNodeSizeBits"),
            "init_thread_cnode_size_bits"
        );
        assert_eq!(snake("nodeID"), "node_id");
        assert_eq!(snake("extraBIPages"), "extra_bi_pages");
        assert_eq!(snake("caps_or_badges"), "caps_or_badges");
        assert_eq!(snake("winASeg"), "win_a_seg");
        assert_eq!(snake("SetMCPriority"), "set_mc_priority");
        assert_eq!(camel("IPCBuffer"), "IpcBuffer");
        assert_eq!(camel("VBEInfoBlock_t"), "VbeInfoBlockT");
        assert_eq!(camel("MessageInfo"), "MessageInfo");
        assert_eq!(strip_sel4("seL4_CNode"), "CNode");
        assert_eq!(ident("type".into()), "r#type");
        assert_eq!(ident("size_bits".into()), "size_bits");
    }
}
