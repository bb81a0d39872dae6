//! Host tests of the ABI edge over a fake client memory.

use super::*;
use core::cell::RefCell;
use ntdef::status::*;

/// 64 KiB of client memory at 0x10000.
struct Fake(RefCell<Vec<u8>>);
const BASE: usize = 0x10000;

impl Fake {
    fn new() -> Self {
        Fake(RefCell::new(vec![0; 0x10000]))
    }
    fn put(&self, at: usize, data: &[u8]) {
        self.0.borrow_mut()[at - BASE..at - BASE + data.len()].copy_from_slice(data);
    }
    fn get(&self, at: usize, n: usize) -> Vec<u8> {
        self.0.borrow()[at - BASE..at - BASE + n].to_vec()
    }
    fn word(&self, at: usize) -> usize {
        word_at(&self.get(at, WORD), 0)
    }
}

impl ClientMemory for Fake {
    fn read(&self, addr: usize, buf: &mut [u8]) -> Result<(), NtStatus> {
        let m = self.0.borrow();
        let s = addr.checked_sub(BASE).ok_or(STATUS_ACCESS_VIOLATION)?;
        let src = m.get(s..s + buf.len()).ok_or(STATUS_ACCESS_VIOLATION)?;
        buf.copy_from_slice(src);
        Ok(())
    }
    fn write(&self, addr: usize, data: &[u8]) -> Result<(), NtStatus> {
        let mut m = self.0.borrow_mut();
        let s = addr.checked_sub(BASE).ok_or(STATUS_ACCESS_VIOLATION)?;
        let dst = m
            .get_mut(s..s + data.len())
            .ok_or(STATUS_ACCESS_VIOLATION)?;
        dst.copy_from_slice(data);
        Ok(())
    }
}

const OA: usize = BASE + 0x100;
const US: usize = BASE + 0x200;
const TEXT: usize = BASE + 0x300;
const OUT: usize = BASE + 0x400;
const BUF: usize = BASE + 0x1000;

/// Writes OBJECT_ATTRIBUTES at OA naming `name` (at US/TEXT).
fn attrs(m: &Fake, root: usize, name: &str, attributes: u32) -> UserPtr<OBJECT_ATTRIBUTES> {
    let units: Vec<u8> = name.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    m.put(TEXT, &units);
    let mut us = Vec::new();
    us.extend_from_slice(&(units.len() as u16).to_le_bytes());
    us.extend_from_slice(&(units.len() as u16).to_le_bytes());
    us.resize(WORD, 0);
    us.extend_from_slice(&TEXT.to_le_bytes());
    m.put(US, &us);
    let mut oa = Vec::new();
    oa.extend_from_slice(&(size_of::<OBJECT_ATTRIBUTES>() as u32).to_le_bytes());
    oa.resize(WORD, 0);
    oa.extend_from_slice(&root.to_le_bytes());
    oa.extend_from_slice(&US.to_le_bytes());
    oa.extend_from_slice(&attributes.to_le_bytes());
    oa.resize(size_of::<OBJECT_ATTRIBUTES>(), 0);
    m.put(OA, &oa);
    UserPtr::required(OA).unwrap()
}

fn setup() -> (ObState, ProcessIdentity, Fake) {
    let mut ob = ObState::new().unwrap();
    let id = ob.attach().unwrap();
    (ob, id, Fake::new())
}

#[test]
fn create_open_query_close() {
    let (mut ob, id, m) = setup();
    let c = id.caller;
    let out = UserPtr::required(OUT).unwrap();
    let a = attrs(&m, 0, "\\BaseNamedObjects\\d", 0);
    assert_eq!(
        named(&mut ob, &c, &m, NamedOp::CreateDirectory, out, 0xF000F, a),
        STATUS_SUCCESS
    );
    let h = m.word(OUT);
    assert_eq!(
        named(&mut ob, &c, &m, NamedOp::CreateDirectory, out, 0xF000F, a),
        STATUS_OBJECT_NAME_COLLISION
    );
    let a = attrs(&m, 0, "\\BaseNamedObjects\\d", ob::OBJ_OPENIF);
    assert_eq!(
        named(&mut ob, &c, &m, NamedOp::CreateDirectory, out, 0xF000F, a),
        STATUS_OBJECT_NAME_EXISTS
    );
    let h2 = m.word(OUT);
    assert_ne!(h, h2);
    // A child, then enumerate.
    let a = attrs(&m, h, "kid", 0);
    assert_eq!(
        named(&mut ob, &c, &m, NamedOp::CreateDirectory, out, 0xF000F, a),
        STATUS_SUCCESS
    );
    let ctx = UserPtr::required(OUT + 16).unwrap();
    let st = query_directory(&ob, &c, &m, h, BUF, 0x400, 0, 1, ctx, None);
    assert_eq!(st, STATUS_SUCCESS);
    let first = m.get(BUF, 2);
    assert_eq!(u16::from_le_bytes([first[0], first[1]]), 6); // "kid"
    let name_at = m.word(BUF + WORD);
    assert_eq!(m.get(name_at, 8), b"k\0i\0d\0\0\0");
    assert_eq!(m.get(OUT + 16, 4), 1u32.to_le_bytes());
    // Terminator entry is zero.
    let entry = ob::info::directory_information_size(WIDTH) as usize;
    assert!(m.get(BUF + entry, entry).iter().all(|&b| b == 0));
    let st = query_directory(&ob, &c, &m, h, BUF, 0x400, 0, 0, ctx, None);
    assert_eq!(st, STATUS_NO_MORE_ENTRIES);
    assert_eq!(close(&mut ob, &c, h), STATUS_SUCCESS);
    assert_eq!(close(&mut ob, &c, h), STATUS_INVALID_HANDLE);
    ob.detach(id);
}

#[test]
fn bad_attributes() {
    let (mut ob, id, m) = setup();
    let c = id.caller;
    let out = UserPtr::required(OUT).unwrap();
    let a = attrs(&m, 0, "\\x", 0);
    m.put(OA, &7u32.to_le_bytes());
    assert_eq!(
        named(&mut ob, &c, &m, NamedOp::CreateDirectory, out, 0xF000F, a),
        STATUS_INVALID_PARAMETER
    );
    let a = attrs(&m, 0, "\\x", 0x8000_0000);
    assert_eq!(
        named(&mut ob, &c, &m, NamedOp::CreateDirectory, out, 0xF000F, a),
        STATUS_INVALID_PARAMETER
    );
    let a = attrs(&m, 0, "\\x", 0);
    m.put(US, &3u16.to_le_bytes());
    assert_eq!(
        named(&mut ob, &c, &m, NamedOp::CreateDirectory, out, 0xF000F, a),
        STATUS_OBJECT_NAME_INVALID
    );
    let a = attrs(&m, 0, "\\x", 0);
    m.put(US + WORD, &(TEXT + 1).to_le_bytes());
    assert_eq!(
        named(&mut ob, &c, &m, NamedOp::CreateDirectory, out, 0xF000F, a),
        STATUS_DATATYPE_MISALIGNMENT
    );
    let a = attrs(&m, 0, "\\x", 0);
    m.put(US + WORD, &(usize::MAX - 1).to_le_bytes());
    assert_eq!(
        named(&mut ob, &c, &m, NamedOp::CreateDirectory, out, 0xF000F, a),
        STATUS_ACCESS_VIOLATION
    );
}

#[test]
fn duplicate_and_query_object() {
    let (mut ob, id, m) = setup();
    let c = id.caller;
    let out = UserPtr::required(OUT).unwrap();
    // A real handle to the current process, with PROCESS_DUP_HANDLE only.
    assert_eq!(
        duplicate_object(
            &mut ob,
            &c,
            &m,
            &|_| None,
            usize::MAX,
            usize::MAX,
            usize::MAX,
            Some(out),
            0x40,
            0,
            0
        ),
        STATUS_SUCCESS
    );
    let p = m.word(OUT);
    let rl = UserPtr::required(OUT + 32).unwrap();
    assert_eq!(
        query_object(&ob, &c, &m, p, 0, BUF, 56, Some(rl)),
        STATUS_SUCCESS
    );
    assert_eq!(m.get(BUF + 4, 4), 0x40u32.to_le_bytes());
    assert_eq!(
        query_object(&ob, &c, &m, p, 0, BUF, 55, Some(rl)),
        STATUS_INFO_LENGTH_MISMATCH
    );
    assert_eq!(m.get(OUT + 32, 4), 56u32.to_le_bytes());
    assert_eq!(
        query_object(&ob, &c, &m, p, 2, BUF, 0x200, Some(rl)),
        STATUS_SUCCESS
    );
    let type_name = m.word(BUF + WORD);
    assert_eq!(
        m.get(type_name, 16),
        "Process\0"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect::<Vec<_>>()
    );
    ob.detach(id);
}
