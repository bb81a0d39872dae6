//! Host tests of the registry core against Windows' documented behaviour.
//!
//! Sources cited below (abbreviations):
//! - [ZwQueryValueKey], [ZwEnumerateValueKey], [ZwEnumerateKey], [ZwQueryKey],
//!   [ZwCreateKey], [ZwDeleteKey] — learn.microsoft.com/windows-hardware/drivers/ddi/wdm/
//!   nf-wdm-zw{queryvaluekey,enumeratevaluekey,enumeratekey,querykey,createkey,deletekey}
//! - [KEY_VALUE_*], [KEY_*_INFORMATION], [KEY_*_CLASS] — the structure and enumeration
//!   pages under learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ (ntddk/ for
//!   KEY_NAME_INFORMATION and KEY_CACHED_INFORMATION)
//! - [ERREF] — [MS-ERREF] 2.3.1 NTSTATUS Values (the message text defines the condition)
//! - [Limits] — learn.microsoft.com/windows/win32/sysinfo/registry-element-size-limits
//! - [Types] — learn.microsoft.com/windows/win32/sysinfo/registry-value-types
//! - [phnt] — System Informer's phnt `ntregapi.h`: REG_MAX_KEY_NAME_LENGTH = 512 (bytes,
//!   "allow for 256 unicode"), REG_MAX_KEY_VALUE_NAME_LENGTH = 32767 (bytes)
//! - [Wine] — Wine's server `registry.c` (conformance-tested against Windows): a key name
//!   component longer than 256 characters is STATUS_INVALID_PARAMETER
//! - [NT52] — observed Windows Server 2003 kernel behaviour (facts only): NtSetValueKey
//!   rejects names longer than REG_MAX_KEY_VALUE_NAME_LENGTH and data larger than
//!   0x80000000 with STATUS_INVALID_PARAMETER; NtDeleteKey answers STATUS_CANNOT_DELETE
//!   for a key with subkeys or a hive root; absent class/data offsets are 0xFFFFFFFF; a
//!   64-bit kernel aligns the data of KEY_VALUE_FULL_INFORMATION to 8, a 32-bit one to
//!   4 (8 for the Align64 class); KEY_NODE_INFORMATION's class is 4-byte aligned;
//!   NtEnumerateKey indexes the stable subkey list before the volatile one.
//! - [Doc680] — MicrosoftDocs/windows-driver-docs-ddi issue #680: the data of
//!   KEY_VALUE_FULL_INFORMATION is 8-byte aligned (x64).
//! - [REGF] — libyal "Windows NT Registry File (REGF) format": a key node keeps separate
//!   stable and volatile subkey lists; subkey index entries are sorted by upcased name.
//! - [RegCreateKeyEx] — learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regcreatekeyexw,
//!   REG_OPTION_CREATE_LINK: "The target path is assigned to the L\"SymbolicLinkValue\"
//!   value of the key. The target path must be an absolute registry path."
//! - [OBJECT_ATTRIBUTES] — learn.microsoft.com/windows/win32/api/ntdef/ns-ntdef-_object_attributes,
//!   OBJ_OPENLINK: the link itself is opened rather than its target.
//! - [RegDelNull] — learn.microsoft.com/sysinternals/downloads/regdelnull: the native API
//!   creates keys whose names contain NUL characters.

extern crate std;

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use ntdef::status::*;
use ntdef::NtStatus;

use super::name::w;
use super::*;

const T0: i64 = 0x01DA_0000_0000_0000;
const T1: i64 = T0 + 10_000_000;
const T2: i64 = T1 + 10_000_000;

// Raw class numbers as clients pass them ([KEY_*_CLASS]).
const KEY_VALUE_BASIC: u32 = 0;
const KEY_VALUE_FULL: u32 = 1;
const KEY_VALUE_PARTIAL: u32 = 2;
const KEY_VALUE_FULL_ALIGN64: u32 = 3;
const KEY_VALUE_PARTIAL_ALIGN64: u32 = 4;
const KEY_VALUE_LAYER: u32 = 5;
const KEY_BASIC: u32 = 0;
const KEY_NODE: u32 = 1;
const KEY_FULL: u32 = 2;
const KEY_NAME: u32 = 3;
const KEY_CACHED: u32 = 4;
const KEY_FLAGS: u32 = 5;

fn reg() -> Registry {
    Registry::new(T0).unwrap()
}

fn open(r: &mut Registry, path: &str) -> Result<KeyId, NtStatus> {
    r.open_key(None, &w(path), false)
}

fn create(
    r: &mut Registry,
    root: Option<KeyId>,
    name: &str,
    options: u32,
) -> Result<(KeyId, Disposition), NtStatus> {
    r.create_key(root, &w(name), options, &[], T1)
}

fn new_key(r: &mut Registry, root: Option<KeyId>, name: &str) -> KeyId {
    let (id, disp) = create(r, root, name, REG_OPTION_NON_VOLATILE).unwrap();
    assert_eq!(disp, Disposition::CreatedNew);
    id
}

fn software(r: &mut Registry) -> KeyId {
    open(r, "\\Registry\\Machine\\Software").unwrap()
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}

fn i64_at(b: &[u8], off: usize) -> i64 {
    i64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}

fn wide_at(b: &[u8], off: usize, bytes: usize) -> String {
    let units: Vec<u16> = b[off..off + bytes]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).unwrap()
}

fn full_name(r: &Registry, id: KeyId) -> String {
    let info = r.query_key(id, KEY_NAME, 4096).unwrap();
    assert_eq!(info.status, STATUS_SUCCESS);
    wide_at(&info.data, 4, u32_at(&info.data, 0) as usize)
}

fn subkey_names(r: &Registry, id: KeyId) -> Vec<String> {
    let mut names = Vec::new();
    for i in 0.. {
        match r.enumerate_key(id, i, KEY_BASIC, 4096) {
            Ok(info) => {
                assert_eq!(info.status, STATUS_SUCCESS);
                names.push(wide_at(&info.data, 16, u32_at(&info.data, 12) as usize));
            }
            Err(status) => {
                assert_eq!(status, STATUS_NO_MORE_ENTRIES);
                break;
            }
        }
    }
    names
}

fn value_names(r: &Registry, id: KeyId) -> Vec<String> {
    let mut names = Vec::new();
    for i in 0.. {
        match r.enumerate_value(id, i, KEY_VALUE_BASIC, 4096, Layout::Bits64) {
            Ok(info) => names.push(wide_at(&info.data, 12, u32_at(&info.data, 8) as usize)),
            Err(status) => {
                assert_eq!(status, STATUS_NO_MORE_ENTRIES);
                break;
            }
        }
    }
    names
}

fn partial(r: &Registry, id: KeyId, name: &str) -> (u32, Vec<u8>) {
    let info = r
        .query_value(id, &w(name), KEY_VALUE_PARTIAL, 1 << 20, Layout::Bits64)
        .unwrap();
    assert_eq!(info.status, STATUS_SUCCESS);
    let len = u32_at(&info.data, 8) as usize;
    (u32_at(&info.data, 4), info.data[12..12 + len].to_vec())
}

// ----- status values -----

#[test]
fn local_status_values_are_windows_values() {
    // [ERREF]
    assert_eq!(STATUS_NO_MORE_ENTRIES.as_u32(), 0x8000_001A);
    assert_eq!(STATUS_INVALID_HANDLE.as_u32(), 0xC000_0008);
    assert_eq!(STATUS_OBJECT_NAME_INVALID.as_u32(), 0xC000_0033);
    assert_eq!(STATUS_OBJECT_NAME_NOT_FOUND.as_u32(), 0xC000_0034);
    assert_eq!(STATUS_OBJECT_PATH_SYNTAX_BAD.as_u32(), 0xC000_003B);
    assert_eq!(STATUS_INSUFFICIENT_RESOURCES.as_u32(), 0xC000_009A);
    assert_eq!(STATUS_CANNOT_DELETE.as_u32(), 0xC000_0121);
    assert_eq!(STATUS_KEY_DELETED.as_u32(), 0xC000_017C);
    assert_eq!(STATUS_CHILD_MUST_BE_VOLATILE.as_u32(), 0xC000_0181);
    // [ZwCreateKey] Disposition values; [Types] value type numbers.
    assert_eq!(Disposition::CreatedNew.as_u32(), 1);
    assert_eq!(Disposition::OpenedExisting.as_u32(), 2);
    assert_eq!((REG_LINK, REG_MULTI_SZ, REG_QWORD), (6, 7, 11));
}

// ----- tree and names -----

#[test]
fn predefined_keys_exist_and_report_full_names() {
    let mut r = reg();
    for (path, expect) in [
        ("\\Registry", "\\REGISTRY"),
        ("\\REGISTRY\\MACHINE", "\\REGISTRY\\MACHINE"),
        ("\\registry\\user", "\\REGISTRY\\USER"),
        ("\\Registry\\Machine\\System", "\\REGISTRY\\MACHINE\\SYSTEM"),
        (
            "\\Registry\\Machine\\Software",
            "\\REGISTRY\\MACHINE\\SOFTWARE",
        ),
        (
            "\\Registry\\Machine\\Hardware",
            "\\REGISTRY\\MACHINE\\HARDWARE",
        ),
    ] {
        let id = open(&mut r, path).unwrap();
        assert_eq!(full_name(&r, id), expect);
    }
    let machine = open(&mut r, "\\Registry\\Machine").unwrap();
    assert_eq!(
        subkey_names(&r, machine),
        ["SOFTWARE", "SYSTEM", "HARDWARE"]
    );
    let hw = open(&mut r, "\\Registry\\Machine\\Hardware").unwrap();
    assert!(r.is_volatile(hw).unwrap());
}

#[test]
fn path_syntax() {
    let mut r = reg();
    let sw = software(&mut r);
    // Object-manager rules: an absolute name needs no root, a relative one needs one.
    assert_eq!(open(&mut r, "Registry"), Err(STATUS_OBJECT_PATH_SYNTAX_BAD));
    assert_eq!(
        r.open_key(Some(sw), &w("\\x"), false),
        Err(STATUS_OBJECT_PATH_SYNTAX_BAD)
    );
    assert_eq!(open(&mut r, "\\Foo"), Err(STATUS_OBJECT_NAME_NOT_FOUND));
    assert_eq!(
        open(&mut r, "\\RegistryX"),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    assert_eq!(open(&mut r, ""), Err(STATUS_OBJECT_PATH_SYNTAX_BAD));
    // Doubled and trailing separators delimit nothing.
    let m = open(&mut r, "\\Registry\\\\Machine\\").unwrap();
    assert_eq!(full_name(&r, m), "\\REGISTRY\\MACHINE");
    // An empty relative name designates the root key itself.
    let same = r.open_key(Some(sw), &[], false).unwrap();
    assert_eq!(same, sw);
    let (same, disp) = create(&mut r, Some(sw), "", 0).unwrap();
    assert_eq!((same, disp), (sw, Disposition::OpenedExisting));
}

#[test]
fn create_then_open_existing_case_insensitively() {
    let mut r = reg();
    let sw = software(&mut r);
    let (a, disp) = create(&mut r, Some(sw), "Vendor", 0).unwrap();
    assert_eq!(disp, Disposition::CreatedNew); // [ZwCreateKey] REG_CREATED_NEW_KEY
    let (b, disp) = create(&mut r, Some(sw), "VENDOR", 0).unwrap();
    assert_eq!(disp, Disposition::OpenedExisting); // [ZwCreateKey] REG_OPENED_EXISTING_KEY
    assert_eq!(a, b);
    // Names keep the spelling of their creation.
    assert_eq!(full_name(&r, b), "\\REGISTRY\\MACHINE\\SOFTWARE\\Vendor");
    let c = open(&mut r, "\\registry\\machine\\software\\vEnDoR").unwrap();
    assert_eq!(c, a);
    // Latin-1 folds too (ntrtl::upcase).
    new_key(&mut r, Some(sw), "été");
    assert!(r.open_key(Some(sw), &w("ÉTÉ"), false).is_ok());
}

#[test]
fn missing_intermediate_key_creates_nothing() {
    let mut r = reg();
    let sw = software(&mut r);
    let before = r.key_count();
    // [ZwCreateKey]: every key on the path but the last must exist.
    assert_eq!(
        create(&mut r, Some(sw), "A\\B\\C", 0),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    assert_eq!(r.key_count(), before);
    assert_eq!(
        r.open_key(Some(sw), &w("A"), false),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    // With the intermediate present, a multi-component name works.
    new_key(&mut r, Some(sw), "A");
    let c = new_key(&mut r, Some(sw), "A\\B");
    assert_eq!(full_name(&r, c), "\\REGISTRY\\MACHINE\\SOFTWARE\\A\\B");
    let abs = new_key(&mut r, None, "\\Registry\\Machine\\Software\\A\\B\\C");
    assert_eq!(full_name(&r, abs), "\\REGISTRY\\MACHINE\\SOFTWARE\\A\\B\\C");
}

#[test]
fn stable_key_under_volatile_key_is_refused() {
    let mut r = reg();
    let sw = software(&mut r);
    let (vol, _) = create(&mut r, Some(sw), "Vol", REG_OPTION_VOLATILE).unwrap();
    assert!(r.is_volatile(vol).unwrap());
    // [ERREF] STATUS_CHILD_MUST_BE_VOLATILE: "An attempt was made to create a stable
    // subkey under a volatile parent key."
    assert_eq!(
        create(&mut r, Some(vol), "Stable", REG_OPTION_NON_VOLATILE),
        Err(STATUS_CHILD_MUST_BE_VOLATILE)
    );
    assert_eq!(
        create(&mut r, None, "\\Registry\\Machine\\Hardware\\X", 0),
        Err(STATUS_CHILD_MUST_BE_VOLATILE)
    );
    let (child, disp) = create(&mut r, Some(vol), "V2", REG_OPTION_VOLATILE).unwrap();
    assert_eq!(disp, Disposition::CreatedNew);
    // Opening an existing volatile key needs no option.
    let (again, disp) = create(&mut r, Some(vol), "v2", 0).unwrap();
    assert_eq!((again, disp), (child, Disposition::OpenedExisting));
    // A volatile key under a stable one is fine (done above), and the option is
    // ignored for an existing stable key.
    let (st, disp) = create(
        &mut r,
        None,
        "\\Registry\\Machine\\Software",
        REG_OPTION_VOLATILE,
    )
    .unwrap();
    assert_eq!((st, disp), (sw, Disposition::OpenedExisting));
    assert!(!r.is_volatile(sw).unwrap());
}

#[test]
fn create_options_are_validated() {
    let mut r = reg();
    let sw = software(&mut r);
    // [ZwCreateKey] CreateOptions: only the REG_OPTION_* bits are legal.
    for bad in [0x20, 0x100, 0x8000_0000, u32::MAX] {
        assert_eq!(
            create(&mut r, Some(sw), "K", bad),
            Err(STATUS_INVALID_PARAMETER)
        );
    }
    let (link, _) = create(&mut r, Some(sw), "L", REG_OPTION_CREATE_LINK).unwrap();
    assert!(r.is_link(link).unwrap());
    let (k, _) = create(
        &mut r,
        Some(sw),
        "K",
        REG_OPTION_BACKUP_RESTORE | REG_OPTION_OPEN_LINK | REG_OPTION_DONT_VIRTUALIZE,
    )
    .unwrap();
    assert!(!r.is_link(k).unwrap());
}

#[test]
fn name_length_limits() {
    let mut r = reg();
    let sw = software(&mut r);
    // [Limits] documents 255 characters for Win32 callers; the kernel accepts
    // REG_MAX_KEY_NAME_LENGTH = 512 bytes ([phnt]) and refuses longer components with
    // STATUS_INVALID_PARAMETER ([Wine]).
    let ok: String = "k".repeat(MAX_KEY_NAME_UNITS);
    let long: String = "k".repeat(MAX_KEY_NAME_UNITS + 1);
    assert_eq!(MAX_KEY_NAME_UNITS, 256);
    new_key(&mut r, Some(sw), &ok);
    assert!(r.open_key(Some(sw), &w(&ok), false).is_ok());
    assert_eq!(
        create(&mut r, Some(sw), &long, 0),
        Err(STATUS_INVALID_PARAMETER)
    );
    assert_eq!(
        r.open_key(Some(sw), &w(&long), false),
        Err(STATUS_INVALID_PARAMETER)
    );
    // Longer than any UNICODE_STRING can describe.
    let huge = vec![b'a' as u16; MAX_PATH_UNITS + 1];
    assert_eq!(
        r.open_key(Some(sw), &huge, false),
        Err(STATUS_OBJECT_NAME_INVALID)
    );
    assert_eq!(
        r.create_key(Some(sw), &huge, 0, &[], T1),
        Err(STATUS_OBJECT_NAME_INVALID)
    );
    let huge_class = vec![b'c' as u16; MAX_PATH_UNITS + 1];
    assert_eq!(
        r.create_key(Some(sw), &w("c"), 0, &huge_class, T1),
        Err(STATUS_INVALID_PARAMETER)
    );
}

#[test]
fn depth_is_limited() {
    // [Limits]: "A registry tree can be 512 levels deep." The status past the limit is
    // not documented; STATUS_INVALID_PARAMETER is this registry's choice.
    let mut r = reg();
    let mut key = software(&mut r); // depth 2
    for _ in 3..=MAX_DEPTH {
        key = new_key(&mut r, Some(key), "d");
    }
    assert_eq!(
        create(&mut r, Some(key), "d", 0),
        Err(STATUS_INVALID_PARAMETER)
    );
}

#[test]
fn nul_and_odd_characters_are_name_characters() {
    // [RegDelNull]: names with embedded NULs exist and are distinct keys.
    let mut r = reg();
    let sw = software(&mut r);
    let plain = new_key(&mut r, Some(sw), "a");
    let (with_nul, disp) = r
        .create_key(Some(sw), &[b'a' as u16, 0], 0, &[], T1)
        .unwrap();
    assert_eq!(disp, Disposition::CreatedNew);
    assert_ne!(plain, with_nul);
    let (nul_only, disp) = r.create_key(Some(sw), &[0], 0, &[], T1).unwrap();
    assert_eq!(disp, Disposition::CreatedNew);
    assert_ne!(nul_only, plain);
    // Unpaired surrogates are just code units.
    assert!(r.create_key(Some(sw), &[0xD800], 0, &[], T1).is_ok());
    let full = r.query_key(sw, KEY_FULL, 100).unwrap();
    assert_eq!(u32_at(&full.data, 20), 4);
    // Sorted by code unit after folding: "\0" < "A" < "A\0" < U+D800.
    let first = r.enumerate_key(sw, 0, KEY_BASIC, 100).unwrap();
    assert_eq!(&first.data[12..18], [2, 0, 0, 0, 0, 0]);
    let third = r.enumerate_key(sw, 2, KEY_BASIC, 100).unwrap();
    assert_eq!(&third.data[12..20], [4, 0, 0, 0, b'a', 0, 0, 0]);
}

// ----- delete, handles -----

#[test]
fn delete_rules() {
    let mut r = reg();
    let sw = software(&mut r);
    let parent = new_key(&mut r, Some(sw), "P");
    new_key(&mut r, Some(parent), "C");
    // [NT52] (RegDeleteKey: "The subkey to be deleted must not have subkeys.")
    assert_eq!(r.delete_key(parent, T2), Err(STATUS_CANNOT_DELETE));
    // Hive roots and \REGISTRY cannot be deleted ([NT52]).
    for path in [
        "\\Registry",
        "\\Registry\\Machine",
        "\\Registry\\User",
        "\\Registry\\Machine\\Software",
        "\\Registry\\Machine\\System",
        "\\Registry\\Machine\\Hardware",
    ] {
        let id = open(&mut r, path).unwrap();
        assert_eq!(r.delete_key(id, T2), Err(STATUS_CANNOT_DELETE), "{path}");
    }
}

#[test]
fn deleted_key_answers_key_deleted_until_closed() {
    let mut r = reg();
    let sw = software(&mut r);
    let victim = new_key(&mut r, Some(sw), "Victim");
    r.set_value(victim, &w("v"), REG_DWORD, &[1, 0, 0, 0], T1)
        .unwrap();
    let second = open(&mut r, "\\Registry\\Machine\\Software\\Victim").unwrap();
    assert_eq!(second, victim);
    let count = r.key_count();
    r.delete_key(victim, T2).unwrap();
    // [ERREF] STATUS_KEY_DELETED: "Illegal operation attempted on a registry key that
    // has already been deleted." [ZwDeleteKey]: the key goes away when its handles close.
    let v = w("v");
    assert_eq!(r.delete_key(victim, T2), Err(STATUS_KEY_DELETED));
    assert_eq!(r.query_key(victim, KEY_BASIC, 100), Err(STATUS_KEY_DELETED));
    assert_eq!(r.query_key(victim, KEY_NAME, 100), Err(STATUS_KEY_DELETED));
    assert_eq!(
        r.enumerate_key(victim, 0, KEY_BASIC, 100),
        Err(STATUS_KEY_DELETED)
    );
    assert_eq!(
        r.enumerate_value(victim, 0, KEY_VALUE_BASIC, 100, Layout::Bits32),
        Err(STATUS_KEY_DELETED)
    );
    assert_eq!(
        r.query_value(victim, &v, KEY_VALUE_PARTIAL, 100, Layout::Bits32),
        Err(STATUS_KEY_DELETED)
    );
    assert_eq!(
        r.set_value(victim, &v, REG_SZ, &[], T2),
        Err(STATUS_KEY_DELETED)
    );
    assert_eq!(r.delete_value(victim, &v, T2), Err(STATUS_KEY_DELETED));
    assert_eq!(r.flush_key(victim), Err(STATUS_KEY_DELETED));
    assert_eq!(
        create(&mut r, Some(victim), "x", 0),
        Err(STATUS_KEY_DELETED)
    );
    assert_eq!(
        r.open_key(Some(victim), &[], false),
        Err(STATUS_KEY_DELETED)
    );
    // Gone from the namespace at once.
    assert_eq!(
        open(&mut r, "\\Registry\\Machine\\Software\\Victim"),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    assert!(subkey_names(&r, sw).is_empty());
    // The tombstone lives until the last reference is dropped.
    assert_eq!(r.key_count(), count);
    r.close_key(victim).unwrap();
    assert_eq!(r.key_count(), count);
    r.close_key(victim).unwrap();
    assert_eq!(r.key_count(), count - 1);
    // A stale id never aliases the key that reuses its slot.
    let reborn = new_key(&mut r, Some(sw), "Victim");
    assert_ne!(reborn, victim);
    assert_eq!(
        r.query_key(victim, KEY_BASIC, 100),
        Err(STATUS_INVALID_HANDLE)
    );
    assert_eq!(r.close_key(victim), Err(STATUS_INVALID_HANDLE));
    assert!(r.query_key(reborn, KEY_BASIC, 100).is_ok());
    assert!(r.query_value(reborn, &v, 2, 100, Layout::Bits32) == Err(STATUS_OBJECT_NAME_NOT_FOUND));
}

#[test]
fn closing_more_than_opened_is_refused_and_tree_keys_survive_close() {
    let mut r = reg();
    let sw = software(&mut r);
    let k = new_key(&mut r, Some(sw), "K");
    r.close_key(k).unwrap();
    assert_eq!(r.close_key(k), Err(STATUS_INVALID_HANDLE));
    // A closed, undeleted key stays in the registry.
    assert!(r.open_key(Some(sw), &w("k"), false).is_ok());
    assert!(r.flush_key(k).is_ok()); // [ZwFlushKey]: nothing to persist here
}

// ----- values -----

#[test]
fn every_value_type_round_trips_unvalidated() {
    // [Types]; the type is stored as given ([ZwSetValueKey] does not check the data).
    let mut r = reg();
    let sw = software(&mut r);
    let k = new_key(&mut r, Some(sw), "Values");
    let cases: [(&str, u32, &[u8]); 14] = [
        ("none", REG_NONE, b""),
        ("sz", REG_SZ, b"a\0b\0\0\0"),
        ("expand", REG_EXPAND_SZ, b"%\0"),
        ("binary", REG_BINARY, &[0xFF; 7]),
        ("dword", REG_DWORD, &[1, 2, 3, 4]),
        ("short dword", REG_DWORD, &[1, 2, 3]),
        ("big", REG_DWORD_BIG_ENDIAN, &[0, 0, 0, 1]),
        ("link", REG_LINK, b"\\\0"),
        ("multi", REG_MULTI_SZ, b"a\0\0\0\0\0"),
        ("res", REG_RESOURCE_LIST, &[9; 16]),
        ("frd", REG_FULL_RESOURCE_DESCRIPTOR, &[8; 3]),
        ("rrl", REG_RESOURCE_REQUIREMENTS_LIST, &[7; 5]),
        ("qword", REG_QWORD, &[1, 2, 3, 4, 5, 6, 7, 8]),
        ("odd type", 0x1234_5678, b"x"),
    ];
    for (name, ty, data) in cases {
        r.set_value(k, &w(name), ty, data, T1).unwrap();
    }
    for (name, ty, data) in cases {
        assert_eq!(partial(&r, k, name), (ty, data.to_vec()), "{name}");
    }
    assert_eq!(value_names(&r, k).len(), cases.len());
}

#[test]
fn default_value_replacement_and_deletion() {
    let mut r = reg();
    let sw = software(&mut r);
    let k = new_key(&mut r, Some(sw), "K");
    // [ZwQueryValueKey]: missing value.
    assert_eq!(
        r.query_value(k, &[], KEY_VALUE_PARTIAL, 100, Layout::Bits64),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    r.set_value(k, &[], REG_SZ, b"d\0\0\0", T1).unwrap(); // the default value
    r.set_value(k, &w("First"), REG_DWORD, &[1, 0, 0, 0], T1)
        .unwrap();
    r.set_value(k, &w("Second"), REG_DWORD, &[2, 0, 0, 0], T1)
        .unwrap();
    assert_eq!(partial(&r, k, ""), (REG_SZ, b"d\0\0\0".to_vec()));
    // Replacing (case-insensitively) keeps the value's place and first spelling.
    r.set_value(k, &w("FIRST"), REG_BINARY, &[9], T1).unwrap();
    assert_eq!(partial(&r, k, "first"), (REG_BINARY, vec![9]));
    assert_eq!(value_names(&r, k), ["", "First", "Second"]);
    // [ZwDeleteValueKey]: missing name.
    assert_eq!(
        r.delete_value(k, &w("Third"), T1),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    r.delete_value(k, &w("first"), T1).unwrap();
    assert_eq!(value_names(&r, k), ["", "Second"]);
    r.delete_value(k, &[], T1).unwrap();
    assert_eq!(value_names(&r, k), ["Second"]);
    // Value names may contain separators and NULs.
    r.set_value(k, &w("a\\b"), REG_NONE, &[], T1).unwrap();
    r.set_value(k, &[0, 0], REG_NONE, &[], T1).unwrap();
    assert_eq!(value_names(&r, k), ["Second", "a\\b", "\0\0"]);
}

#[test]
fn value_name_and_data_limits() {
    // [Limits] value name 16,383 characters; [NT52]/[phnt]: longer names are
    // STATUS_INVALID_PARAMETER.
    let mut r = reg();
    let sw = software(&mut r);
    let k = new_key(&mut r, Some(sw), "K");
    let max = vec![b'v' as u16; MAX_VALUE_NAME_UNITS];
    r.set_value(k, &max, REG_NONE, &[], T1).unwrap();
    let info = r
        .query_value(k, &max, KEY_VALUE_BASIC, 0, Layout::Bits64)
        .unwrap();
    assert_eq!(info.result_length, 12 + 2 * 16_383);
    let over = vec![b'v' as u16; MAX_VALUE_NAME_UNITS + 1];
    assert_eq!(
        r.set_value(k, &over, REG_NONE, &[], T1),
        Err(STATUS_INVALID_PARAMETER)
    );
    // Names that long cannot exist, so other operations just do not find them.
    assert_eq!(
        r.query_value(k, &over, KEY_VALUE_BASIC, 0, Layout::Bits64),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
}

// ----- KEY_VALUE_*_INFORMATION -----

#[test]
fn value_basic_layout_and_buffer_rules() {
    let mut r = reg();
    let sw = software(&mut r);
    let k = new_key(&mut r, Some(sw), "K");
    r.set_value(k, &w("Name"), REG_DWORD, &[4, 3, 2, 1], T1)
        .unwrap();
    let q = |len| {
        r.query_value(k, &w("name"), KEY_VALUE_BASIC, len, Layout::Bits32)
            .unwrap()
    };
    // [KEY_VALUE_BASIC_INFORMATION] { TitleIndex, Type, NameLength, Name[] }: 12 + 8.
    let full = q(20);
    assert_eq!(full.status, STATUS_SUCCESS);
    assert_eq!(full.result_length, 20);
    assert_eq!(full.data.len(), 20);
    assert_eq!(u32_at(&full.data, 0), 0);
    assert_eq!(u32_at(&full.data, 4), REG_DWORD);
    assert_eq!(u32_at(&full.data, 8), 8);
    assert_eq!(wide_at(&full.data, 12, 8), "Name");
    // [ZwQueryValueKey]: smaller than the fixed part → STATUS_BUFFER_TOO_SMALL, nothing
    // written, ResultLength = size required.
    for len in [0, 1, 11] {
        let s = q(len);
        assert_eq!(s.status, STATUS_BUFFER_TOO_SMALL);
        assert!(s.data.is_empty());
        assert_eq!(s.result_length, 20);
    }
    // Fixed part fits → STATUS_BUFFER_OVERFLOW with partial data, same ResultLength.
    for len in [12, 13, 19] {
        let o = q(len);
        assert_eq!(o.status, STATUS_BUFFER_OVERFLOW);
        assert_eq!(o.result_length, 20);
        assert_eq!(o.data[..], full.data[..len as usize]);
        assert_eq!(u32_at(&o.data, 8), 8, "NameLength is the full length");
    }
    // A larger buffer takes only what is needed.
    let big = q(u32::MAX);
    assert_eq!((big.status, big.data.len()), (STATUS_SUCCESS, 20));
}

#[test]
fn value_partial_layouts() {
    let mut r = reg();
    let sw = software(&mut r);
    let k = new_key(&mut r, Some(sw), "K");
    r.set_value(k, &w("v"), REG_BINARY, &[1, 2, 3], T1).unwrap();
    // [KEY_VALUE_PARTIAL_INFORMATION] { TitleIndex, Type, DataLength, Data[] }
    let p = r
        .query_value(k, &w("v"), KEY_VALUE_PARTIAL, 100, Layout::Bits32)
        .unwrap();
    assert_eq!(p.data, [0, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 1, 2, 3]);
    assert_eq!(p.result_length, 15);
    // [KEY_VALUE_PARTIAL_INFORMATION_ALIGN64] { Type, DataLength, Data[] }: no TitleIndex.
    let p64 = r
        .query_value(k, &w("v"), KEY_VALUE_PARTIAL_ALIGN64, 100, Layout::Bits64)
        .unwrap();
    assert_eq!(p64.data, [3, 0, 0, 0, 3, 0, 0, 0, 1, 2, 3]);
    let small = r
        .query_value(k, &w("v"), KEY_VALUE_PARTIAL_ALIGN64, 7, Layout::Bits64)
        .unwrap();
    assert_eq!(
        (small.status, small.result_length),
        (STATUS_BUFFER_TOO_SMALL, 11)
    );
    let over = r
        .query_value(k, &w("v"), KEY_VALUE_PARTIAL, 13, Layout::Bits64)
        .unwrap();
    assert_eq!(over.status, STATUS_BUFFER_OVERFLOW);
    assert_eq!(over.data, [0, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 1]);
}

#[test]
fn value_full_data_alignment_per_abi() {
    // [KEY_VALUE_FULL_INFORMATION] { TitleIndex, Type, DataOffset, DataLength,
    // NameLength, Name[] } then the data at DataOffset. Alignment: [NT52], [Doc680].
    let mut r = reg();
    let sw = software(&mut r);
    let k = new_key(&mut r, Some(sw), "K");
    r.set_value(k, &w("abc"), REG_DWORD, &[7, 0, 0, 0], T1)
        .unwrap(); // name 6 bytes
    r.set_value(k, &w("ab"), REG_DWORD, &[8, 0, 0, 0], T1)
        .unwrap(); // name 4 bytes
    r.set_value(k, &w("e"), REG_NONE, &[], T1).unwrap();
    let cases = [
        // (name, class, layout, DataOffset)
        ("abc", KEY_VALUE_FULL, Layout::Bits32, 28),
        ("abc", KEY_VALUE_FULL, Layout::Bits64, 32),
        ("abc", KEY_VALUE_FULL_ALIGN64, Layout::Bits32, 32),
        ("abc", KEY_VALUE_FULL_ALIGN64, Layout::Bits64, 32),
        ("ab", KEY_VALUE_FULL, Layout::Bits32, 24),
        ("ab", KEY_VALUE_FULL, Layout::Bits64, 24),
    ];
    for (name, class, layout, offset) in cases {
        let info = r.query_value(k, &w(name), class, 100, layout).unwrap();
        assert_eq!(info.status, STATUS_SUCCESS);
        let d = &info.data;
        assert_eq!(u32_at(d, 0), 0, "TitleIndex");
        assert_eq!(u32_at(d, 4), REG_DWORD);
        assert_eq!(u32_at(d, 8), offset, "{name} {class} {layout:?}");
        assert_eq!(u32_at(d, 12), 4, "DataLength");
        assert_eq!(u32_at(d, 16) as usize, name.len() * 2);
        assert_eq!(wide_at(d, 20, name.len() * 2), name);
        assert!(d[20 + name.len() * 2..offset as usize]
            .iter()
            .all(|&b| b == 0));
        assert_eq!(info.result_length, offset + 4);
        assert_eq!(d.len() as u32, offset + 4);
        // Header fits, data does not: partial data, full ResultLength.
        let o = r
            .query_value(k, &w(name), class, offset + 2, layout)
            .unwrap();
        assert_eq!(o.status, STATUS_BUFFER_OVERFLOW);
        assert_eq!(o.result_length, offset + 4);
        assert_eq!(o.data[..], d[..offset as usize + 2]);
        let s = r.query_value(k, &w(name), class, 19, layout).unwrap();
        assert_eq!(
            (s.status, s.result_length),
            (STATUS_BUFFER_TOO_SMALL, offset + 4)
        );
    }
    // No data: DataOffset is 0xFFFFFFFF ([NT52]) and nothing follows the name.
    let e = r
        .query_value(k, &w("e"), KEY_VALUE_FULL, 100, Layout::Bits64)
        .unwrap();
    assert_eq!(u32_at(&e.data, 8), u32::MAX);
    assert_eq!(u32_at(&e.data, 12), 0);
    assert_eq!(e.result_length, 22);
}

#[test]
fn value_classes_are_validated() {
    // [ZwQueryValueKey], [ZwEnumerateValueKey]: an invalid KeyValueInformationClass is
    // STATUS_INVALID_PARAMETER, checked before the name is looked up.
    let mut r = reg();
    let sw = software(&mut r);
    let k = new_key(&mut r, Some(sw), "K");
    r.set_value(k, &w("v"), REG_SZ, &[], T1).unwrap();
    for class in [KEY_VALUE_LAYER, 6, 0x100, u32::MAX] {
        for name in ["v", "missing"] {
            assert_eq!(
                r.query_value(k, &w(name), class, 100, Layout::Bits64),
                Err(STATUS_INVALID_PARAMETER)
            );
        }
        assert_eq!(
            r.enumerate_value(k, 0, class, 100, Layout::Bits64),
            Err(STATUS_INVALID_PARAMETER)
        );
    }
}

#[test]
fn values_enumerate_in_creation_order() {
    let mut r = reg();
    let sw = software(&mut r);
    let k = new_key(&mut r, Some(sw), "K");
    for name in ["zeta", "Alpha", "mid", "beta"] {
        r.set_value(k, &w(name), REG_SZ, &[], T1).unwrap();
    }
    assert_eq!(value_names(&r, k), ["zeta", "Alpha", "mid", "beta"]);
    // [ZwEnumerateValueKey]: an index past the end is STATUS_NO_MORE_ENTRIES.
    for index in [4, 5, u32::MAX] {
        assert_eq!(
            r.enumerate_value(k, index, KEY_VALUE_FULL, 100, Layout::Bits64),
            Err(STATUS_NO_MORE_ENTRIES)
        );
    }
    // Enumeration uses the same structures and buffer rules as the query.
    let e = r
        .enumerate_value(k, 2, KEY_VALUE_BASIC, 0, Layout::Bits32)
        .unwrap();
    assert_eq!(
        (e.status, e.result_length),
        (STATUS_BUFFER_TOO_SMALL, 12 + 6)
    );
}

// ----- keys: enumeration and KEY_*_INFORMATION -----

#[test]
fn subkeys_enumerate_sorted_case_insensitively_stable_first() {
    // [REGF], [NT52]: stable subkeys sorted by upcased name, then volatile ones.
    let mut r = reg();
    let sw = software(&mut r);
    for name in ["b", "_x", "A", "ab", "a0", "Zed"] {
        new_key(&mut r, Some(sw), name);
    }
    create(&mut r, Some(sw), "0vol", REG_OPTION_VOLATILE).unwrap();
    create(&mut r, Some(sw), "Avol", REG_OPTION_VOLATILE).unwrap();
    // Folded: "A" < "A0" < "AB" < "B" < "ZED" < "_X" ('_' is 0x5F, after 'Z' once
    // folded but before 'a' if not folded).
    assert_eq!(
        subkey_names(&r, sw),
        ["A", "a0", "ab", "b", "Zed", "_x", "0vol", "Avol"]
    );
    // [ZwEnumerateKey]: an index past the end is STATUS_NO_MORE_ENTRIES.
    assert_eq!(
        r.enumerate_key(sw, u32::MAX, KEY_BASIC, 100),
        Err(STATUS_NO_MORE_ENTRIES)
    );
    assert_eq!(
        r.enumerate_key(sw, 8, KEY_NODE, 0),
        Err(STATUS_NO_MORE_ENTRIES)
    );
}

#[test]
fn key_classes_are_validated() {
    let mut r = reg();
    let sw = software(&mut r);
    new_key(&mut r, Some(sw), "K");
    // [ZwQueryKey]: invalid KeyInformationClass → STATUS_INVALID_PARAMETER.
    for class in [KEY_FLAGS, 6, 9, 0x100, u32::MAX] {
        assert_eq!(r.query_key(sw, class, 100), Err(STATUS_INVALID_PARAMETER));
    }
    // [ZwEnumerateKey]: only the basic, node and full classes enumerate.
    for class in [KEY_NAME, KEY_CACHED, KEY_FLAGS, u32::MAX] {
        assert_eq!(
            r.enumerate_key(sw, 0, class, 100),
            Err(STATUS_INVALID_PARAMETER)
        );
        assert_eq!(
            r.enumerate_key(sw, u32::MAX, class, 100),
            Err(STATUS_INVALID_PARAMETER)
        );
    }
}

#[test]
fn key_basic_and_node_layouts() {
    let mut r = reg();
    let sw = software(&mut r);
    let (k, _) = r.create_key(Some(sw), &w("Abc"), 0, &w("Cls"), T1).unwrap();
    // [KEY_BASIC_INFORMATION] { LastWriteTime, TitleIndex, NameLength, Name[] }
    let b = r.query_key(k, KEY_BASIC, 100).unwrap();
    assert_eq!(i64_at(&b.data, 0), T1);
    assert_eq!(u32_at(&b.data, 8), 0);
    assert_eq!(u32_at(&b.data, 12), 6);
    assert_eq!(wide_at(&b.data, 16, 6), "Abc");
    assert_eq!(b.result_length, 22);
    // [KEY_NODE_INFORMATION] { LastWriteTime, TitleIndex, ClassOffset, ClassLength,
    // NameLength, Name[] } then the class, 4-byte aligned ([NT52]).
    let n = r.enumerate_key(sw, 0, KEY_NODE, 100).unwrap();
    assert_eq!(n.status, STATUS_SUCCESS);
    assert_eq!(i64_at(&n.data, 0), T1);
    assert_eq!(u32_at(&n.data, 12), 32, "ClassOffset = align4(24 + 6)");
    assert_eq!(u32_at(&n.data, 16), 6, "ClassLength");
    assert_eq!(u32_at(&n.data, 20), 6, "NameLength");
    assert_eq!(wide_at(&n.data, 24, 6), "Abc");
    assert_eq!(&n.data[30..32], [0, 0]);
    assert_eq!(wide_at(&n.data, 32, 6), "Cls");
    assert_eq!(n.result_length, 38);
    // Without a class the offset is 0xFFFFFFFF and nothing follows the name ([NT52]).
    let bare = new_key(&mut r, Some(sw), "Bare");
    let n = r.query_key(bare, KEY_NODE, 100).unwrap();
    assert_eq!((u32_at(&n.data, 12), u32_at(&n.data, 16)), (u32::MAX, 0));
    assert_eq!(n.result_length, 24 + 8);
    // Buffer rules as for values ([ZwQueryKey]).
    let s = r.query_key(k, KEY_NODE, 23).unwrap();
    assert_eq!(
        (s.status, s.result_length, s.data.len()),
        (STATUS_BUFFER_TOO_SMALL, 38, 0)
    );
    let o = r.query_key(k, KEY_NODE, 24).unwrap();
    assert_eq!(
        (o.status, o.result_length, o.data.len()),
        (STATUS_BUFFER_OVERFLOW, 38, 24)
    );
}

#[test]
fn key_full_and_cached_counts() {
    let mut r = reg();
    let sw = software(&mut r);
    let (k, _) = r.create_key(Some(sw), &w("K"), 0, &w("Klass"), T1).unwrap();
    r.create_key(Some(k), &w("Sub"), 0, &w("ab"), T1).unwrap();
    r.create_key(Some(k), &w("LongerSub"), REG_OPTION_VOLATILE, &[], T1)
        .unwrap();
    r.set_value(k, &w("v"), REG_BINARY, &[0; 10], T2).unwrap();
    r.set_value(k, &w("value"), REG_BINARY, &[0; 3], T2)
        .unwrap();
    // [KEY_FULL_INFORMATION] { LastWriteTime, TitleIndex, ClassOffset, ClassLength,
    // SubKeys, MaxNameLen, MaxClassLen, Values, MaxValueNameLen, MaxValueDataLen,
    // Class[] } (lengths in bytes).
    let f = r.query_key(k, KEY_FULL, 100).unwrap();
    let d = &f.data;
    assert_eq!(i64_at(d, 0), T2);
    assert_eq!(u32_at(d, 8), 0);
    assert_eq!(u32_at(d, 12), 44, "ClassOffset = FIELD_OFFSET(Class)");
    assert_eq!(u32_at(d, 16), 10, "ClassLength");
    assert_eq!(u32_at(d, 20), 2, "SubKeys (stable + volatile)");
    assert_eq!(u32_at(d, 24), 18, "MaxNameLen");
    assert_eq!(u32_at(d, 28), 4, "MaxClassLen");
    assert_eq!(u32_at(d, 32), 2, "Values");
    assert_eq!(u32_at(d, 36), 10, "MaxValueNameLen");
    assert_eq!(u32_at(d, 40), 10, "MaxValueDataLen");
    assert_eq!(wide_at(d, 44, 10), "Klass");
    assert_eq!(f.result_length, 54);
    // Through enumeration too: "Sub" (stable, class "ab") comes before the volatile
    // "LongerSub" (no class: ClassOffset 0xFFFFFFFF).
    let e = r.enumerate_key(k, 0, KEY_FULL, 100).unwrap();
    assert_eq!((u32_at(&e.data, 12), u32_at(&e.data, 16)), (44, 4));
    assert_eq!(e.result_length, 44 + 4);
    let e = r.enumerate_key(k, 1, KEY_FULL, 100).unwrap();
    assert_eq!((u32_at(&e.data, 12), u32_at(&e.data, 16)), (u32::MAX, 0));
    assert_eq!(e.result_length, 44);
    let s = r.query_key(k, KEY_FULL, 43).unwrap();
    assert_eq!((s.status, s.result_length), (STATUS_BUFFER_TOO_SMALL, 54));
    let o = r.query_key(k, KEY_FULL, 44).unwrap();
    assert_eq!((o.status, o.data.len()), (STATUS_BUFFER_OVERFLOW, 44));
    // [KEY_CACHED_INFORMATION] { LastWriteTime, TitleIndex, SubKeys, MaxNameLen, Values,
    // MaxValueNameLen, MaxValueDataLen, NameLength }: fixed, sizeof 40.
    let c = r.query_key(k, KEY_CACHED, 100).unwrap();
    assert_eq!(c.data.len(), 40);
    assert_eq!(c.result_length, 40);
    assert_eq!(i64_at(&c.data, 0), T2);
    let fields: Vec<u32> = (8..40).step_by(4).map(|o| u32_at(&c.data, o)).collect();
    assert_eq!(fields, [0, 2, 18, 2, 10, 10, 2, 0]);
    let s = r.query_key(k, KEY_CACHED, 39).unwrap();
    assert_eq!((s.status, s.result_length), (STATUS_BUFFER_TOO_SMALL, 40));
}

#[test]
fn key_name_information_buffer_rules() {
    // [KEY_NAME_INFORMATION] { NameLength, Name[] }: the full path.
    let mut r = reg();
    let sw = software(&mut r);
    let full = r.query_key(sw, KEY_NAME, 1000).unwrap();
    let path = "\\REGISTRY\\MACHINE\\SOFTWARE";
    assert_eq!(full.result_length as usize, 4 + 2 * path.len());
    let s = r.query_key(sw, KEY_NAME, 3).unwrap();
    assert_eq!(s.status, STATUS_BUFFER_TOO_SMALL);
    let o = r.query_key(sw, KEY_NAME, 4).unwrap();
    assert_eq!(o.status, STATUS_BUFFER_OVERFLOW);
    assert_eq!(u32_at(&o.data, 0) as usize, 2 * path.len());
    assert_eq!(o.data.len(), 4);
}

#[test]
fn result_length_always_suffices() {
    // Callers size their buffer from ResultLength; that size must then succeed.
    let mut r = reg();
    let sw = software(&mut r);
    for (i, name) in ["a", "ab", "abc", "abcd", "abcde"].iter().enumerate() {
        let class = "c".repeat(i);
        let (k, _) = r.create_key(Some(sw), &w(name), 0, &w(&class), T1).unwrap();
        r.set_value(k, &w(name), REG_BINARY, &vec![1; i], T1)
            .unwrap();
        for class in [KEY_BASIC, KEY_NODE, KEY_FULL, KEY_NAME, KEY_CACHED] {
            let need = r.query_key(k, class, 0).unwrap().result_length;
            let got = r.query_key(k, class, need).unwrap();
            assert_eq!(got.status, STATUS_SUCCESS, "{name} {class}");
            assert_eq!(got.data.len() as u32, need);
            let short = r.query_key(k, class, need - 1).unwrap();
            assert_ne!(short.status, STATUS_SUCCESS);
        }
        for class in 0..5 {
            for layout in [Layout::Bits32, Layout::Bits64] {
                let need = r
                    .query_value(k, &w(name), class, 0, layout)
                    .unwrap()
                    .result_length;
                let got = r.query_value(k, &w(name), class, need, layout).unwrap();
                assert_eq!(got.status, STATUS_SUCCESS);
                assert_eq!(got.data.len() as u32, need);
            }
        }
    }
}

#[test]
fn last_write_time_follows_changes() {
    let mut r = reg();
    let sw = software(&mut r);
    let lwt = |r: &Registry, id| i64_at(&r.query_key(id, KEY_BASIC, 100).unwrap().data, 0);
    assert_eq!(lwt(&r, sw), T0);
    let k = new_key(&mut r, Some(sw), "K"); // at T1
    assert_eq!((lwt(&r, k), lwt(&r, sw)), (T1, T1));
    r.set_value(k, &w("v"), REG_SZ, &[], T2).unwrap();
    assert_eq!((lwt(&r, k), lwt(&r, sw)), (T2, T1));
    r.delete_value(k, &w("v"), T2 + 1).unwrap();
    assert_eq!(lwt(&r, k), T2 + 1);
    // Opening or querying changes nothing.
    let (_, disp) = r.create_key(Some(sw), &w("K"), 0, &[], T2 + 5).unwrap();
    assert_eq!(disp, Disposition::OpenedExisting);
    assert_eq!((lwt(&r, k), lwt(&r, sw)), (T2 + 1, T1));
    r.delete_key(k, T2 + 9).unwrap();
    assert_eq!(lwt(&r, sw), T2 + 9);
}

#[test]
fn zero_length_buffers_never_fail_hard() {
    let mut r = reg();
    let sw = software(&mut r);
    let k = new_key(&mut r, Some(sw), "K");
    r.set_value(k, &w("big"), REG_BINARY, &vec![0xAB; 1 << 16], T1)
        .unwrap();
    for class in 0..5 {
        let q = r
            .query_value(k, &w("big"), class, 0, Layout::Bits64)
            .unwrap();
        assert_eq!(q.status, STATUS_BUFFER_TOO_SMALL);
        assert!(q.data.is_empty());
        assert_eq!(q.result_length > 1 << 16, class != KEY_VALUE_BASIC);
    }
    for class in 0..5 {
        let q = r.query_key(k, class, 0).unwrap();
        assert_eq!(q.status, STATUS_BUFFER_TOO_SMALL);
        assert!(q.data.is_empty());
    }
}

// ----- symbolic links -----

fn set_link(r: &mut Registry, link: KeyId, target: &str, ty: u32) {
    let bytes: Vec<u8> = w(target).iter().flat_map(|c| c.to_le_bytes()).collect();
    r.set_value(link, &w("SymbolicLinkValue"), ty, &bytes, T1)
        .unwrap();
}

#[test]
fn symbolic_links_are_followed() {
    // [RegCreateKeyEx] REG_OPTION_CREATE_LINK, [OBJECT_ATTRIBUTES] OBJ_OPENLINK.
    let mut r = reg();
    let sys = open(&mut r, "\\Registry\\Machine\\System").unwrap();
    let cs1 = new_key(&mut r, Some(sys), "ControlSet001");
    new_key(&mut r, Some(cs1), "Services");
    let (link, disp) = create(
        &mut r,
        Some(sys),
        "CurrentControlSet",
        REG_OPTION_CREATE_LINK,
    )
    .unwrap();
    assert_eq!(disp, Disposition::CreatedNew);
    assert!(r.is_link(link).unwrap());
    set_link(
        &mut r,
        link,
        "\\Registry\\Machine\\System\\ControlSet001",
        REG_LINK,
    );
    // In the middle and at the end of a path.
    let svc = open(
        &mut r,
        "\\Registry\\Machine\\System\\CurrentControlSet\\Services",
    )
    .unwrap();
    assert_eq!(
        full_name(&r, svc),
        "\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services"
    );
    let end = r
        .open_key(Some(sys), &w("currentcontrolset"), false)
        .unwrap();
    assert_eq!(end, cs1);
    // OBJ_OPENLINK opens the link itself, as do the link options of NtCreateKey.
    assert_eq!(
        r.open_key(Some(sys), &w("CurrentControlSet"), true),
        Ok(link)
    );
    assert_eq!(
        create(&mut r, Some(sys), "CurrentControlSet", REG_OPTION_OPEN_LINK),
        Ok((link, Disposition::OpenedExisting))
    );
    // Creating through a link creates in the target.
    let (control, disp) = create(
        &mut r,
        None,
        "\\Registry\\Machine\\System\\CurrentControlSet\\Control",
        0,
    )
    .unwrap();
    assert_eq!(disp, Disposition::CreatedNew);
    assert_eq!(
        full_name(&r, control),
        "\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Control"
    );
    // A link cannot be created where a key exists ([Wine]).
    for name in ["CurrentControlSet", "ControlSet001"] {
        assert_eq!(
            create(&mut r, Some(sys), name, REG_OPTION_CREATE_LINK),
            Err(STATUS_OBJECT_NAME_COLLISION)
        );
    }
}

#[test]
fn broken_and_looping_links_are_not_found() {
    let mut r = reg();
    let sw = software(&mut r);
    let (link, _) = create(&mut r, Some(sw), "L", REG_OPTION_CREATE_LINK).unwrap();
    let through = |r: &mut Registry| r.open_key(Some(sw), &w("L\\x"), false);
    // No target yet.
    assert_eq!(through(&mut r), Err(STATUS_OBJECT_NAME_NOT_FOUND));
    assert_eq!(r.open_key(Some(sw), &w("L"), true), Ok(link));
    // Wrong type, relative target.
    set_link(&mut r, link, "\\Registry\\Machine", REG_SZ);
    assert_eq!(through(&mut r), Err(STATUS_OBJECT_NAME_NOT_FOUND));
    set_link(&mut r, link, "Machine", REG_LINK);
    assert_eq!(through(&mut r), Err(STATUS_OBJECT_NAME_NOT_FOUND));
    // Target outside \REGISTRY.
    set_link(&mut r, link, "\\Device\\X", REG_LINK);
    assert_eq!(through(&mut r), Err(STATUS_OBJECT_NAME_NOT_FOUND));
    // A link to itself and a pair of links pointing at each other end, unresolved.
    set_link(&mut r, link, "\\Registry\\Machine\\Software\\L", REG_LINK);
    assert_eq!(through(&mut r), Err(STATUS_OBJECT_NAME_NOT_FOUND));
    assert_eq!(
        r.open_key(Some(sw), &w("L"), false),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    let (other, _) = create(&mut r, Some(sw), "M", REG_OPTION_CREATE_LINK).unwrap();
    set_link(&mut r, link, "\\Registry\\Machine\\Software\\M", REG_LINK);
    set_link(&mut r, other, "\\Registry\\Machine\\Software\\L", REG_LINK);
    assert_eq!(through(&mut r), Err(STATUS_OBJECT_NAME_NOT_FOUND));
    // Repointed at a real key, the link works, odd trailing byte ignored.
    let mut bytes: Vec<u8> = w("\\Registry\\Machine\\Software")
        .iter()
        .flat_map(|c| c.to_le_bytes())
        .collect();
    bytes.push(0x41);
    r.set_value(link, &w("symboliclinkvalue"), REG_LINK, &bytes, T1)
        .unwrap();
    new_key(&mut r, Some(sw), "x");
    assert!(through(&mut r).is_ok());
}
