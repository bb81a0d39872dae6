//! Object manager tests through the service-shaped entry points.
//!
//! Sources for expected statuses are cited per test. "Wine om.c" means the Windows
//! behaviour asserted by Wine's `dlls/ntdll/tests/om.c` (which runs on real Windows);
//! "documented" means the Microsoft documentation of the routine named.

use alloc::vec;
use alloc::vec::Vec;

use super::access::*;
use super::info::*;
use super::name::wide as w;
use super::namespace::{MAX_REPARSE, REPARSE_LIMIT_STATUS};
use super::status::*;
use super::*;

const EVENT_ALL_ACCESS: AccessMask = AccessMask(0x001F_0003);
const EVENT_MAPPING: GenericMapping = GenericMapping {
    read: AccessMask(0x0002_0001),
    write: AccessMask(0x0002_0002),
    execute: AccessMask(0x0012_0000),
    all: EVENT_ALL_ACCESS,
};
const PROCESS_ALL_ACCESS: AccessMask = AccessMask(0x001F_FFFF);

struct Env {
    om: ObjectManager,
    caller: Caller,
    event: TypeIndex,
    process: TypeIndex,
    device: TypeIndex,
}

fn descriptor(
    name: &'static str,
    valid: AccessMask,
    mapping: GenericMapping,
    parses: bool,
) -> TypeDescriptor {
    TypeDescriptor {
        name,
        valid_access: valid,
        mapping,
        parses,
        invalid_attributes: 0,
        security_required: false,
        maintain_handle_count: false,
        pool_type: 0,
    }
}

fn env() -> Env {
    let mut om = ObjectManager::new().unwrap();
    let event = om
        .register_type(descriptor("Event", EVENT_ALL_ACCESS, EVENT_MAPPING, false))
        .unwrap();
    let all = GenericMapping {
        read: PROCESS_ALL_ACCESS,
        write: PROCESS_ALL_ACCESS,
        execute: PROCESS_ALL_ACCESS,
        all: PROCESS_ALL_ACCESS,
    };
    let process = om
        .register_type(descriptor("Process", PROCESS_ALL_ACCESS, all, false))
        .unwrap();
    let device = om
        .register_type(descriptor("Device", AccessMask(0x001F_01FF), all, true))
        .unwrap();
    let table = om.create_handle_table(DEFAULT_HANDLE_LIMIT);
    let caller = Caller::new(table);
    Env {
        om,
        caller,
        event,
        process,
        device,
    }
}

fn attrs(name: &[u16], bits: u32) -> ObjectAttributes<'_> {
    ObjectAttributes::named(name, bits)
}

impl Env {
    fn open_dir(&mut self, name: &str, bits: u32) -> Result<Handle, NtStatus> {
        let name = w(name);
        self.om
            .open_directory(&self.caller, DIRECTORY_QUERY, &attrs(&name, bits))
    }

    fn create_dir(&mut self, name: &str, bits: u32) -> Result<Created, NtStatus> {
        let name = w(name);
        self.om
            .create_directory(&self.caller, DIRECTORY_ALL_ACCESS, &attrs(&name, bits))
    }

    fn create_event(&mut self, name: &str, bits: u32) -> Result<Created, NtStatus> {
        let name = w(name);
        let ty = self.event;
        self.om
            .create_object(&self.caller, ty, &attrs(&name, bits), EVENT_ALL_ACCESS)
    }

    fn create_link(&mut self, name: &str, target: &str) -> Result<Created, NtStatus> {
        let name = w(name);
        let target = w(target);
        self.om.create_symbolic_link(
            &self.caller,
            SYMBOLIC_LINK_ALL_ACCESS,
            &attrs(&name, 0),
            &target,
            1234,
        )
    }

    fn name_of(&self, handle: Handle) -> Vec<u16> {
        match self
            .om
            .query_object(
                &self.caller,
                handle,
                ObjectInformationClass::Name,
                PointerWidth::Bits64,
            )
            .unwrap()
        {
            ObjectInformation::Name(n) => n.name,
            other => panic!("{other:?}"),
        }
    }

    fn basic(&self, handle: Handle) -> BasicInformation {
        match self
            .om
            .query_object(
                &self.caller,
                handle,
                ObjectInformationClass::Basic,
                PointerWidth::Bits64,
            )
            .unwrap()
        {
            ObjectInformation::Basic(b) => b,
            other => panic!("{other:?}"),
        }
    }

    fn process_object(&mut self) -> ObjectId {
        let ty = self.process;
        let c = self
            .om
            .create_object(
                &self.caller,
                ty,
                &ObjectAttributes::default(),
                PROCESS_ALL_ACCESS,
            )
            .unwrap();
        c.object
    }
}

// ----- the standard namespace -------------------------------------------------------

#[test]
fn standard_directories_exist() {
    let mut e = env();
    for name in [
        "\\",
        "\\ObjectTypes",
        "\\Device",
        "\\Driver",
        "\\BaseNamedObjects",
        "\\KnownDlls",
        "\\GLOBAL??",
        "\\??",
    ] {
        let h = e
            .open_dir(name, 0)
            .unwrap_or_else(|s| panic!("{name}: {s:?}"));
        assert_eq!(e.name_of(h), w(name));
    }
}

#[test]
fn dosdevices_is_a_link_to_the_dos_devices_directory() {
    // Windows: \DosDevices is a symbolic link whose target is \?? (WinObj on any NT).
    let mut e = env();
    let name = w("\\DosDevices");
    let link =
        e.om.open_symbolic_link(&e.caller, SYMBOLIC_LINK_QUERY, &attrs(&name, 0))
            .unwrap();
    assert_eq!(
        e.om.query_symbolic_link(&e.caller, link).unwrap(),
        w("\\??")
    );
    // Opening it as a directory follows it.
    let dir = e.open_dir("\\DosDevices", 0).unwrap();
    assert_eq!(e.name_of(dir), w("\\??"));
}

#[test]
fn type_objects_are_listed_in_object_types() {
    let mut e = env();
    let h = e.open_dir("\\ObjectTypes", 0).unwrap();
    let q =
        e.om.query_directory(&e.caller, h, u32::MAX, false, true, 0, PointerWidth::Bits64)
            .unwrap();
    assert_eq!(q.status, STATUS_SUCCESS);
    let names: Vec<Vec<u16>> = q.entries.iter().map(|d| d.name.clone()).collect();
    for t in [
        "Type",
        "Directory",
        "SymbolicLink",
        "Event",
        "Process",
        "Device",
    ] {
        assert!(names.contains(&w(t)), "{t} missing");
    }
    assert!(q.entries.iter().all(|d| d.type_name == w("Type")));
    // A second registration of a name is refused, whatever its case.
    assert_eq!(
        e.om.register_type(descriptor("EVENT", EVENT_ALL_ACCESS, EVENT_MAPPING, false)),
        Err(STATUS_OBJECT_NAME_COLLISION)
    );
    assert_eq!(e.om.type_by_name("event"), Some(e.event));
}

// ----- name syntax ---------------------------------------------------------------------

#[test]
fn invalid_names_without_root() {
    // Wine om.c test_directory ("Bad name" block), run against Windows:
    //   ""                               -> STATUS_OBJECT_PATH_SYNTAX_BAD (open)
    //   "BaseNamedObjects"               -> STATUS_OBJECT_PATH_SYNTAX_BAD
    //   "\\BaseNamedObjects\\"           -> STATUS_OBJECT_NAME_INVALID
    //   "\\\\BaseNamedObjects"           -> STATUS_OBJECT_NAME_INVALID
    //   "\\BaseNamedObjects\\\\om.c-test" -> STATUS_OBJECT_NAME_INVALID
    //   "\\BaseNamedObjects\\om.c-test\\" -> STATUS_OBJECT_PATH_NOT_FOUND
    let mut e = env();
    let cases = [
        ("", STATUS_OBJECT_PATH_SYNTAX_BAD),
        ("BaseNamedObjects", STATUS_OBJECT_PATH_SYNTAX_BAD),
        ("\\BaseNamedObjects\\", STATUS_OBJECT_NAME_INVALID),
        ("\\\\BaseNamedObjects", STATUS_OBJECT_NAME_INVALID),
        (
            "\\BaseNamedObjects\\\\om.c-test",
            STATUS_OBJECT_NAME_INVALID,
        ),
        (
            "\\BaseNamedObjects\\om.c-test\\",
            STATUS_OBJECT_PATH_NOT_FOUND,
        ),
        (
            "\\BaseNamedObjects\\om.c-test",
            STATUS_OBJECT_NAME_NOT_FOUND,
        ),
        ("\\nowhere\\x\\y", STATUS_OBJECT_PATH_NOT_FOUND),
        ("\\\\", STATUS_OBJECT_NAME_INVALID),
    ];
    for (name, status) in cases {
        assert_eq!(e.open_dir(name, 0), Err(status), "open {name:?}");
    }
    for (name, status) in &cases[1..6] {
        assert_eq!(
            e.create_dir(name, 0).map(|_| ()),
            Err(*status),
            "create {name:?}"
        );
    }
    // Wine om.c: a NULL ObjectName cannot be opened (STATUS_OBJECT_NAME_INVALID) but
    // creates an unnamed directory, and so does an empty name.
    let none = ObjectAttributes::default();
    assert_eq!(
        e.om.open_directory(&e.caller, DIRECTORY_QUERY, &none),
        Err(STATUS_OBJECT_NAME_INVALID)
    );
    let c =
        e.om.create_directory(&e.caller, DIRECTORY_QUERY, &none)
            .unwrap();
    assert_eq!(c.status, STATUS_SUCCESS);
    assert!(e.name_of(c.handle).is_empty());
    let c = e.create_dir("", 0).unwrap();
    assert!(e.name_of(c.handle).is_empty());
}

#[test]
fn root_directory_relative_names() {
    // Wine om.c test_directory ("Use of root directory"): with a RootDirectory the
    // name must be relative ("\\om.c-test" -> STATUS_OBJECT_PATH_SYNTAX_BAD),
    // "om.c-test\\" -> STATUS_OBJECT_PATH_NOT_FOUND, an empty name opens the root.
    let mut e = env();
    let bno = e.open_dir("\\BaseNamedObjects", 0).unwrap();
    fn rel_to(root: Handle, name: &[u16]) -> ObjectAttributes<'_> {
        ObjectAttributes {
            root: Some(root),
            name: Some(name),
            attributes: 0,
        }
    }
    let rel = |name| rel_to(bno, name);
    let n = w("\\om.c-test");
    assert_eq!(
        e.om.open_directory(&e.caller, DIRECTORY_QUERY, &rel(&n)),
        Err(STATUS_OBJECT_PATH_SYNTAX_BAD)
    );
    assert_eq!(
        e.om.create_directory(&e.caller, DIRECTORY_QUERY, &rel(&n))
            .map(|_| ()),
        Err(STATUS_OBJECT_PATH_SYNTAX_BAD)
    );
    let n = w("om.c-test\\");
    assert_eq!(
        e.om.open_directory(&e.caller, DIRECTORY_QUERY, &rel(&n)),
        Err(STATUS_OBJECT_PATH_NOT_FOUND)
    );
    let h =
        e.om.open_directory(&e.caller, DIRECTORY_QUERY, &rel(&[]))
            .unwrap();
    assert_eq!(e.name_of(h), w("\\BaseNamedObjects"));
    let n = w("om.c-test");
    let c =
        e.om.create_directory(&e.caller, DIRECTORY_QUERY, &rel(&n))
            .unwrap();
    assert_eq!(e.name_of(c.handle), w("\\BaseNamedObjects\\om.c-test"));
    let n2 = w("om.c-test\\sub");
    let sub =
        e.om.create_directory(&e.caller, DIRECTORY_QUERY, &rel(&n2))
            .unwrap();
    assert_eq!(
        e.name_of(sub.handle),
        w("\\BaseNamedObjects\\om.c-test\\sub")
    );
    // A NULL RootDirectory is no root: the relative name is then a syntax error.
    let null_root = ObjectAttributes {
        root: Some(Handle::NULL),
        name: Some(&n),
        attributes: 0,
    };
    assert_eq!(
        e.om.open_directory(&e.caller, DIRECTORY_QUERY, &null_root),
        Err(STATUS_OBJECT_PATH_SYNTAX_BAD)
    );
}

#[test]
fn root_directory_must_be_a_valid_directory_handle() {
    // Windows: a RootDirectory that is not a directory (and has no parse procedure) is
    // STATUS_OBJECT_TYPE_MISMATCH; an invalid one STATUS_INVALID_HANDLE
    // (ObReferenceObjectByHandle on RootDirectory).
    let mut e = env();
    let ev = e.create_event("", 0).unwrap();
    let n = w("x");
    for (root, status) in [
        (ev.handle, STATUS_OBJECT_TYPE_MISMATCH),
        (Handle(0x1234), STATUS_INVALID_HANDLE),
        (Handle(0xFFFF_FFF0), STATUS_INVALID_HANDLE),
        (Handle::CURRENT_PROCESS, STATUS_INVALID_HANDLE),
    ] {
        let a = ObjectAttributes {
            root: Some(root),
            name: Some(&n),
            attributes: 0,
        };
        assert_eq!(
            e.om.open_directory(&e.caller, DIRECTORY_QUERY, &a),
            Err(status)
        );
        assert_eq!(
            e.om.create_directory(&e.caller, DIRECTORY_QUERY, &a)
                .map(|_| ()),
            Err(status)
        );
    }
}

#[test]
fn case_sensitivity_follows_obj_case_insensitive() {
    // Wine om.c test_case_sensitive: a case-sensitive open of "\\BaseNamedObjects\\TEst"
    // does not find "test" (STATUS_OBJECT_NAME_NOT_FOUND); a case-insensitive create
    // of "Test" collides with it.
    let mut e = env();
    e.create_event("\\BaseNamedObjects\\test", 0).unwrap();
    assert_eq!(
        e.create_event("\\BaseNamedObjects\\Test", OBJ_CASE_INSENSITIVE)
            .map(|_| ()),
        Err(STATUS_OBJECT_NAME_COLLISION)
    );
    let name = w("\\BaseNamedObjects\\TEst");
    let ty = e.event;
    assert_eq!(
        e.om.open_object_by_name(&e.caller, &attrs(&name, 0), Some(ty), EVENT_ALL_ACCESS),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    assert!(matches!(
        e.om.open_object_by_name(
            &e.caller,
            &attrs(&name, OBJ_CASE_INSENSITIVE),
            Some(ty),
            EVENT_ALL_ACCESS
        ),
        Ok(Opened::Handle { .. })
    ));
    // Case-sensitive creates may add a name differing only in case; each is found by
    // its exact spelling.
    let other = e.create_event("\\BaseNamedObjects\\TEST", 0).unwrap();
    let exact = w("\\BaseNamedObjects\\TEST");
    match e
        .om
        .open_object_by_name(&e.caller, &attrs(&exact, 0), Some(ty), EVENT_ALL_ACCESS)
        .unwrap()
    {
        Opened::Handle { object, .. } => assert_eq!(object, other.object),
        p => panic!("{p:?}"),
    }
    // Intermediate components follow the same flag.
    assert_eq!(
        e.open_dir("\\basenamedobjects", 0),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    assert!(e
        .open_dir("\\basenamedobjects", OBJ_CASE_INSENSITIVE)
        .is_ok());
    assert_eq!(
        e.create_event("\\BASENamedObjects\\x", 0).map(|_| ()),
        Err(STATUS_OBJECT_PATH_NOT_FOUND)
    );
}

#[test]
fn hostile_names() {
    let mut e = env();
    // The longest name a UNICODE_STRING carries (32767 units) is a valid name…
    let mut long = w("\\BaseNamedObjects\\");
    long.resize(name::MAX_NAME_UNITS, u16::from(b'A'));
    let ty = e.event;
    let c =
        e.om.create_object(&e.caller, ty, &attrs(&long, 0), EVENT_ALL_ACCESS)
            .unwrap();
    assert_eq!(e.name_of(c.handle), long);
    // …one more unit cannot come from a UNICODE_STRING: rejected, never truncated.
    long.push(u16::from(b'A'));
    assert_eq!(
        e.om.create_object(&e.caller, ty, &attrs(&long, 0), EVENT_ALL_ACCESS)
            .map(|_| ()),
        Err(STATUS_OBJECT_NAME_INVALID)
    );
    assert_eq!(
        e.om.open_directory(&e.caller, DIRECTORY_QUERY, &attrs(&long, 0)),
        Err(STATUS_OBJECT_NAME_INVALID)
    );
    // An embedded NUL is an ordinary character of a counted name: "a\0b" is its own
    // name, distinct from "a".
    let nul = w("\\BaseNamedObjects\\a\0b");
    let c =
        e.om.create_object(&e.caller, ty, &attrs(&nul, 0), EVENT_ALL_ACCESS)
            .unwrap();
    assert_eq!(e.name_of(c.handle), nul);
    let a = w("\\BaseNamedObjects\\a");
    assert_eq!(
        e.om.open_object_by_name(&e.caller, &attrs(&a, 0), Some(ty), EVENT_ALL_ACCESS),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    // Nested names may add up past a UNICODE_STRING: the name query refuses them.
    let big = vec![u16::from(b'd'); 20000];
    let mut outer = w("\\BaseNamedObjects\\");
    outer.extend_from_slice(&big);
    let d =
        e.om.create_directory(&e.caller, DIRECTORY_ALL_ACCESS, &attrs(&outer, 0))
            .unwrap();
    let inner = ObjectAttributes {
        root: Some(d.handle),
        name: Some(&big),
        attributes: 0,
    };
    let nested =
        e.om.create_directory(&e.caller, DIRECTORY_ALL_ACCESS, &inner)
            .unwrap();
    assert_eq!(
        e.om.query_object(
            &e.caller,
            nested.handle,
            ObjectInformationClass::Name,
            PointerWidth::Bits64
        ),
        Err(STATUS_NAME_TOO_LONG)
    );
    assert_eq!(
        e.basic(nested.handle).name_info_size,
        16 + 2 * (20000 + 20000 + 19) + 2
    );
    // Surrogates, '/', '*' and control characters are just characters.
    let odd = [0x5C, 0xD800, 0x2F, 0x2A, 0x01, 0xFFFF];
    let c =
        e.om.create_object(&e.caller, ty, &attrs(&odd, 0), EVENT_ALL_ACCESS)
            .unwrap();
    assert_eq!(e.name_of(c.handle), odd.to_vec());
}

#[test]
fn invalid_attribute_bits() {
    // Windows: OBJECT_ATTRIBUTES.Attributes outside OBJ_VALID_ATTRIBUTES (0x1FF2) is
    // STATUS_INVALID_PARAMETER (ObpCaptureObjectCreateInformation); OBJ_PROTECT_CLOSE
    // (0x1) is a handle flag, not a valid object attribute.
    let mut e = env();
    for bits in [0x1, 0x2000, 0x8000_0000, u32::MAX] {
        assert_eq!(
            e.create_dir("\\BaseNamedObjects\\x", bits).map(|_| ()),
            Err(STATUS_INVALID_PARAMETER)
        );
        assert_eq!(
            e.open_dir("\\BaseNamedObjects", bits),
            Err(STATUS_INVALID_PARAMETER)
        );
    }
    // A type's InvalidAttributes are refused too.
    let mut d = descriptor("NoInherit", EVENT_ALL_ACCESS, EVENT_MAPPING, false);
    d.invalid_attributes = OBJ_INHERIT;
    let ty = e.om.register_type(d).unwrap();
    let n = w("\\BaseNamedObjects\\ni");
    assert_eq!(
        e.om.create_object(&e.caller, ty, &attrs(&n, OBJ_INHERIT), EVENT_ALL_ACCESS)
            .map(|_| ()),
        Err(STATUS_INVALID_PARAMETER)
    );
    // Object manager types cannot be made bodiless through create_object.
    assert_eq!(
        e.om.create_object(
            &e.caller,
            TypeIndex::DIRECTORY,
            &attrs(&n, 0),
            DIRECTORY_QUERY
        )
        .map(|_| ()),
        Err(STATUS_INVALID_PARAMETER)
    );
}

// ----- collisions and OBJ_OPENIF --------------------------------------------------------

#[test]
fn name_collisions_and_openif() {
    // Wine om.c test_name_collisions: a second create of a name is
    // STATUS_OBJECT_NAME_COLLISION; with OBJ_OPENIF it opens the existing object and
    // returns STATUS_OBJECT_NAME_EXISTS; OBJ_OPENIF on an object of another type is
    // STATUS_OBJECT_TYPE_MISMATCH.
    let mut e = env();
    let first = e.create_dir("\\BaseNamedObjects\\dir", 0).unwrap();
    assert_eq!(
        e.create_dir("\\BaseNamedObjects\\dir", 0).map(|_| ()),
        Err(STATUS_OBJECT_NAME_COLLISION)
    );
    let again = e.create_dir("\\BaseNamedObjects\\dir", OBJ_OPENIF).unwrap();
    assert_eq!(again.status, STATUS_OBJECT_NAME_EXISTS);
    assert!(again.status.is_success());
    assert!(!again.is_new());
    assert_eq!(again.object, first.object);
    assert_ne!(again.handle, first.handle);
    assert_eq!(
        e.create_event("\\BaseNamedObjects\\dir", OBJ_OPENIF)
            .map(|_| ()),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    assert_eq!(
        e.create_event("\\BaseNamedObjects\\dir", 0).map(|_| ()),
        Err(STATUS_OBJECT_NAME_COLLISION)
    );
    // "\" itself exists.
    assert_eq!(
        e.create_dir("\\", 0).map(|_| ()),
        Err(STATUS_OBJECT_NAME_COLLISION)
    );
    assert_eq!(e.create_dir("\\", OBJ_OPENIF).unwrap().object, e.om.root());
    // Wine om.c test_name_collisions: creating a mutant named "\\" is
    // STATUS_OBJECT_TYPE_MISMATCH, with or without OBJ_OPENIF.
    for bits in [0, OBJ_OPENIF] {
        assert_eq!(
            e.create_event("\\", bits).map(|_| ()),
            Err(STATUS_OBJECT_TYPE_MISMATCH)
        );
    }
    // Reaching "\" through a link is the same.
    e.create_link("\\BaseNamedObjects\\toroot", "\\").unwrap();
    assert_eq!(
        e.create_event("\\BaseNamedObjects\\toroot", 0).map(|_| ()),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
}

// ----- lifetime -------------------------------------------------------------------------

#[test]
fn temporary_objects_go_with_their_last_handle() {
    // Windows (documented, "Object Names" / ObMakeTemporaryObject): a temporary named
    // object's name is deleted when its last handle is closed.
    let mut e = env();
    let baseline = e.om.object_count();
    let c = e.create_dir("\\BaseNamedObjects\\tmp", 0).unwrap();
    let second = e.open_dir("\\BaseNamedObjects\\tmp", 0).unwrap();
    assert_eq!(e.basic(second).handle_count, 2);
    e.om.close(&e.caller, c.handle).unwrap();
    assert!(e
        .open_dir("\\BaseNamedObjects\\tmp", 0)
        .map(|h| e.om.close(&e.caller, h))
        .is_ok());
    e.om.close(&e.caller, second).unwrap();
    assert_eq!(
        e.open_dir("\\BaseNamedObjects\\tmp", 0),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    assert_eq!(e.om.object_count(), baseline);
    assert!(e.om.header(c.object).is_none());
}

#[test]
fn permanent_objects_need_the_privilege_and_stay() {
    // Windows: OBJ_PERMANENT needs SeCreatePermanentPrivilege, else
    // STATUS_PRIVILEGE_NOT_HELD; NtMakeTemporaryObject needs DELETE access (documented
    // for ZwMakeTemporaryObject) and the name goes when the last handle closes.
    let mut e = env();
    let baseline = e.om.object_count();
    assert_eq!(
        e.create_dir("\\BaseNamedObjects\\perm", OBJ_PERMANENT)
            .map(|_| ()),
        Err(STATUS_PRIVILEGE_NOT_HELD)
    );
    e.caller.privileges.create_permanent = true;
    let c = e
        .create_dir("\\BaseNamedObjects\\perm", OBJ_PERMANENT)
        .unwrap();
    assert_eq!(e.basic(c.handle).attributes & OBJ_PERMANENT, OBJ_PERMANENT);
    e.om.close(&e.caller, c.handle).unwrap();
    let h = e.open_dir("\\BaseNamedObjects\\perm", 0).unwrap();
    assert_eq!(e.om.make_temporary(&e.caller, h), Err(STATUS_ACCESS_DENIED));
    let name = w("\\BaseNamedObjects\\perm");
    let hd =
        e.om.open_directory(&e.caller, DELETE, &attrs(&name, 0))
            .unwrap();
    e.om.make_temporary(&e.caller, hd).unwrap();
    assert_eq!(e.basic(hd).attributes & OBJ_PERMANENT, 0);
    // Still named while handles remain.
    e.om.close(&e.caller, hd).unwrap();
    assert_eq!(e.name_of(h), name);
    e.om.close(&e.caller, h).unwrap();
    assert_eq!(
        e.open_dir("\\BaseNamedObjects\\perm", 0),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    assert_eq!(e.om.object_count(), baseline);
}

#[test]
fn make_permanent_needs_the_privilege() {
    let mut e = env();
    let c = e.create_dir("\\BaseNamedObjects\\p", 0).unwrap();
    assert_eq!(
        e.om.make_permanent(&e.caller, c.handle),
        Err(STATUS_PRIVILEGE_NOT_HELD)
    );
    e.caller.privileges.create_permanent = true;
    e.om.make_permanent(&e.caller, c.handle).unwrap();
    e.om.close(&e.caller, c.handle).unwrap();
    assert!(e.open_dir("\\BaseNamedObjects\\p", 0).is_ok());
}

#[test]
fn references_outlive_handles_but_not_names() {
    // Windows: the name goes with the last handle (ObpDeleteNameCheck), the object with
    // the last reference; the owner learns of the deletion.
    let mut e = env();
    let c = e.create_event("\\BaseNamedObjects\\ev", 0).unwrap();
    let ty = e.event;
    let entry =
        e.om.reference_object_by_handle(&e.caller, c.handle, Some(ty), EVENT_ALL_ACCESS)
            .unwrap();
    assert_eq!(entry.object, c.object);
    e.om.close(&e.caller, c.handle).unwrap();
    let name = w("\\BaseNamedObjects\\ev");
    assert_eq!(
        e.om.open_object_by_name(&e.caller, &attrs(&name, 0), Some(ty), EVENT_ALL_ACCESS),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    assert!(e.om.header(c.object).is_some());
    assert!(e.om.take_deleted().is_empty());
    e.om.dereference(c.object);
    assert!(e.om.header(c.object).is_none());
    assert_eq!(
        e.om.take_deleted(),
        vec![DeletedObject { id: c.object, ty }]
    );
    assert!(e.om.take_deleted().is_empty());
    // A stale id is inert.
    e.om.dereference(c.object);
    assert_eq!(e.om.reference(c.object), Err(STATUS_INVALID_HANDLE));
}

#[test]
fn a_directory_outlives_its_named_children() {
    let mut e = env();
    let baseline = e.om.object_count();
    let d = e.create_dir("\\BaseNamedObjects\\d", 0).unwrap();
    let ev = e.create_event("\\BaseNamedObjects\\d\\ev", 0).unwrap();
    e.om.close(&e.caller, d.handle).unwrap();
    // The directory lost its name but lives on for its child.
    assert_eq!(
        e.open_dir("\\BaseNamedObjects\\d", 0),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    assert!(e.om.header(d.object).is_some());
    e.om.close(&e.caller, ev.handle).unwrap();
    assert!(e.om.header(d.object).is_none());
    assert_eq!(e.om.object_count(), baseline);
}

// ----- handles --------------------------------------------------------------------------

#[test]
fn handle_values_and_bogus_handles() {
    // Windows: handle values are multiples of 4 starting at 4, the low two bits are
    // ignored on lookup ("Kernel Objects" / handle tagging), and NtClose of a value that
    // names no handle is STATUS_INVALID_HANDLE (documented in ZwClose; Wine om.c).
    let mut e = env();
    let a = e.open_dir("\\", 0).unwrap();
    let b = e.open_dir("\\", 0).unwrap();
    assert_eq!((a, b), (Handle(4), Handle(8)));
    assert_eq!(e.name_of(Handle(b.0 | 3)), w("\\"));
    for bogus in [
        0u64,
        3,
        12,
        0xFFFF_FFF0,
        0xFFFF_FFFF_FFFF_FFF0,
        u64::MAX - 2,
        1 << 62,
        Handle::from_raw32(0xFFFF_FFF0).0,
        Handle::CURRENT_PROCESS.0,
        Handle::CURRENT_THREAD.0,
    ] {
        assert_eq!(
            e.om.close(&e.caller, Handle(bogus)),
            Err(STATUS_INVALID_HANDLE),
            "{bogus:#x}"
        );
    }
    for bogus in [0u64, 3, 0xFFFF_FFF0, u64::MAX - 5] {
        assert_eq!(
            e.om.query_object(
                &e.caller,
                Handle(bogus),
                ObjectInformationClass::Basic,
                PointerWidth::Bits32
            ),
            Err(STATUS_INVALID_HANDLE)
        );
    }
    e.om.close(&e.caller, Handle(a.0 | 2)).unwrap();
    assert_eq!(e.om.close(&e.caller, a), Err(STATUS_INVALID_HANDLE));
    // The freed value is the next one handed out.
    assert_eq!(e.open_dir("\\", 0).unwrap(), a);
}

#[test]
fn handle_checks_type_then_access() {
    // Windows: ObReferenceObjectByHandle checks the object type
    // (STATUS_OBJECT_TYPE_MISMATCH) before the granted access (STATUS_ACCESS_DENIED).
    let mut e = env();
    let ev = e.create_event("", 0).unwrap();
    assert_eq!(
        e.om.query_directory(
            &e.caller,
            ev.handle,
            4096,
            false,
            true,
            0,
            PointerWidth::Bits64
        ),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    let name = w("\\BaseNamedObjects");
    let traverse_only =
        e.om.open_directory(&e.caller, DIRECTORY_TRAVERSE, &attrs(&name, 0))
            .unwrap();
    assert_eq!(
        e.om.query_directory(
            &e.caller,
            traverse_only,
            4096,
            false,
            true,
            0,
            PointerWidth::Bits64
        ),
        Err(STATUS_ACCESS_DENIED)
    );
    assert_eq!(
        e.om.query_symbolic_link(&e.caller, traverse_only),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    let link = e.create_link("\\BaseNamedObjects\\l", "\\Device").unwrap();
    let ln = w("\\BaseNamedObjects\\l");
    let no_query =
        e.om.open_symbolic_link(&e.caller, DELETE, &attrs(&ln, 0))
            .unwrap();
    assert_eq!(
        e.om.query_symbolic_link(&e.caller, no_query),
        Err(STATUS_ACCESS_DENIED)
    );
    assert_eq!(
        e.om.query_symbolic_link(&e.caller, link.handle).unwrap(),
        w("\\Device")
    );
    // Generic rights in the desired mask are mapped before the check.
    let ty = e.event;
    let read_only =
        e.om.duplicate(
            &e.caller,
            ev.handle,
            Some(e.caller.table),
            AccessMask(0x0002_0001),
            0,
            0,
        )
        .unwrap()
        .unwrap();
    assert!(e
        .om
        .object_by_handle(&e.caller, read_only, Some(ty), GENERIC_READ)
        .is_ok());
    assert_eq!(
        e.om.object_by_handle(&e.caller, read_only, Some(ty), GENERIC_WRITE),
        Err(STATUS_ACCESS_DENIED)
    );
}

#[test]
fn granted_access_is_mapped_and_masked() {
    // Windows: generic rights are mapped through the type's GENERIC_MAPPING,
    // MAXIMUM_ALLOWED grants what the caller may have, rights outside the type's
    // ValidAccessMask are not granted; ACCESS_SYSTEM_SECURITY needs
    // SeSecurityPrivilege (STATUS_PRIVILEGE_NOT_HELD) — "ACCESS_MASK" documentation.
    let mut e = env();
    let name = w("\\BaseNamedObjects");
    let granted = |e: &mut Env, access| {
        let h = e.om.open_directory(&e.caller, access, &attrs(&name, 0))?;
        Ok::<_, NtStatus>(e.basic(h).granted_access)
    };
    assert_eq!(granted(&mut e, GENERIC_READ), Ok(AccessMask(0x0002_0003)));
    assert_eq!(granted(&mut e, GENERIC_ALL), Ok(DIRECTORY_ALL_ACCESS));
    assert_eq!(granted(&mut e, MAXIMUM_ALLOWED), Ok(DIRECTORY_ALL_ACCESS));
    assert_eq!(granted(&mut e, AccessMask(0xFFFF)), Ok(AccessMask(0xF)));
    assert_eq!(granted(&mut e, SYNCHRONIZE), Ok(AccessMask(0)));
    assert_eq!(
        granted(&mut e, ACCESS_SYSTEM_SECURITY),
        Err(STATUS_PRIVILEGE_NOT_HELD)
    );
    assert_eq!(
        granted(&mut e, AccessMask(u32::MAX)),
        Err(STATUS_PRIVILEGE_NOT_HELD)
    );
    e.caller.privileges.security = true;
    assert_eq!(
        granted(&mut e, AccessMask(u32::MAX)),
        Ok(DIRECTORY_ALL_ACCESS | ACCESS_SYSTEM_SECURITY)
    );
}

#[test]
fn protect_from_close() {
    // Windows: closing a handle with HANDLE_FLAG_PROTECT_FROM_CLOSE set is
    // STATUS_HANDLE_NOT_CLOSABLE (documented under SetHandleInformation / NtClose).
    let mut e = env();
    let h = e.open_dir("\\", 0).unwrap();
    let protect = HandleAttributes {
        inherit: true,
        protect_from_close: true,
    };
    e.om.set_handle_flags(&e.caller, h, protect).unwrap();
    assert_eq!(
        e.om.query_object(
            &e.caller,
            h,
            ObjectInformationClass::HandleFlag,
            PointerWidth::Bits32
        )
        .unwrap(),
        ObjectInformation::HandleFlag(protect)
    );
    assert_eq!(
        e.basic(h).attributes,
        OBJ_INHERIT | handle::OBJ_PROTECT_CLOSE | OBJ_PERMANENT
    );
    assert_eq!(e.om.close(&e.caller, h), Err(STATUS_HANDLE_NOT_CLOSABLE));
    assert_eq!(e.om.close(&e.caller, h), Err(STATUS_HANDLE_NOT_CLOSABLE));
    e.om.set_handle_flags(&e.caller, h, HandleAttributes::default())
        .unwrap();
    e.om.close(&e.caller, h).unwrap();
    assert_eq!(
        e.om.set_handle_flags(&e.caller, h, protect),
        Err(STATUS_INVALID_HANDLE)
    );
    assert_eq!(
        e.om.set_handle_flags(&e.caller, Handle::CURRENT_PROCESS, protect),
        Err(STATUS_INVALID_HANDLE)
    );
}

#[test]
fn pseudo_handles_resolve_through_the_caller() {
    // Windows: NtCurrentProcess() (-1) and NtCurrentThread() (-2) name the caller's own
    // process and thread with full access (documented for GetCurrentProcess).
    let mut e = env();
    let ty = e.process;
    assert_eq!(
        e.om.object_by_handle(
            &e.caller,
            Handle::CURRENT_PROCESS,
            Some(ty),
            PROCESS_ALL_ACCESS
        ),
        Err(STATUS_INVALID_HANDLE)
    );
    let p = e.process_object();
    e.caller.process = Some(p);
    let entry =
        e.om.object_by_handle(
            &e.caller,
            Handle::from_raw32(0xFFFF_FFFF),
            Some(ty),
            PROCESS_ALL_ACCESS,
        )
        .unwrap();
    assert_eq!((entry.object, entry.access), (p, PROCESS_ALL_ACCESS));
    assert_eq!(
        e.om.object_by_handle(
            &e.caller,
            Handle::CURRENT_PROCESS,
            Some(TypeIndex::DIRECTORY),
            AccessMask(0)
        ),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    assert_eq!(
        e.om.object_by_handle(&e.caller, Handle::CURRENT_THREAD, None, AccessMask(0)),
        Err(STATUS_INVALID_HANDLE)
    );
    // The third pseudo value and its neighbours are ordinary (invalid) handles.
    assert_eq!(
        e.om.object_by_handle(&e.caller, Handle(u64::MAX - 2), None, AccessMask(0)),
        Err(STATUS_INVALID_HANDLE)
    );
}

// ----- duplication ----------------------------------------------------------------------

#[test]
fn duplicate_access_rules() {
    // Windows (documented, DuplicateHandle / ZwDuplicateObject): DUPLICATE_SAME_ACCESS
    // keeps the source's access; otherwise DesiredAccess is mapped through the type's
    // generic mapping. Nereid refuses anything the source handle lacks
    // (STATUS_ACCESS_DENIED) — see the module notes on security.
    let mut e = env();
    let t = e.caller.table;
    let name = w("\\BaseNamedObjects");
    let query =
        e.om.open_directory(&e.caller, DIRECTORY_QUERY, &attrs(&name, 0))
            .unwrap();
    let same =
        e.om.duplicate(
            &e.caller,
            query,
            Some(t),
            AccessMask(0),
            0,
            DUPLICATE_SAME_ACCESS,
        )
        .unwrap()
        .unwrap();
    assert_eq!(e.basic(same).granted_access, DIRECTORY_QUERY);
    for escalation in [
        DIRECTORY_ALL_ACCESS,
        DIRECTORY_CREATE_OBJECT,
        GENERIC_ALL,
        GENERIC_WRITE,
        DELETE,
        AccessMask(DIRECTORY_QUERY.0 | WRITE_DAC.0),
    ] {
        assert_eq!(
            e.om.duplicate(&e.caller, query, Some(t), escalation, 0, 0),
            Err(STATUS_ACCESS_DENIED),
            "{escalation:?}"
        );
    }
    assert_eq!(
        e.om.duplicate(&e.caller, query, Some(t), AccessMask(u32::MAX), 0, 0),
        Err(STATUS_ACCESS_DENIED)
    );
    // MAXIMUM_ALLOWED: what the source has.
    let max =
        e.om.duplicate(&e.caller, query, Some(t), MAXIMUM_ALLOWED, 0, 0)
            .unwrap()
            .unwrap();
    assert_eq!(e.basic(max).granted_access, DIRECTORY_QUERY);
    // Narrowing works, and bits outside the valid mask are simply not granted.
    let all =
        e.om.open_directory(&e.caller, DIRECTORY_ALL_ACCESS, &attrs(&name, 0))
            .unwrap();
    let narrow =
        e.om.duplicate(&e.caller, all, Some(t), AccessMask(0xFFFF), 0, 0)
            .unwrap()
            .unwrap();
    assert_eq!(e.basic(narrow).granted_access, AccessMask(0xF));
    let read =
        e.om.duplicate(&e.caller, all, Some(t), GENERIC_READ, 0, 0)
            .unwrap()
            .unwrap();
    assert_eq!(e.basic(read).granted_access, AccessMask(0x0002_0003));
}

#[test]
fn duplicate_options_and_tables() {
    let mut e = env();
    let src = e.caller.table;
    let dst = e.om.create_handle_table(DEFAULT_HANDLE_LIMIT);
    let other = Caller::new(dst);
    let c = e
        .create_dir("\\BaseNamedObjects\\dup", OBJ_INHERIT)
        .unwrap();
    // Into another process, attributes as given.
    let h =
        e.om.duplicate(
            &e.caller,
            c.handle,
            Some(dst),
            AccessMask(0),
            0,
            DUPLICATE_SAME_ACCESS,
        )
        .unwrap()
        .unwrap();
    assert_eq!(h, Handle(4));
    let entry = e.om.resolve_handle(&other, h).unwrap();
    assert_eq!(entry.object, c.object);
    assert!(!entry.attributes.inherit);
    // DUPLICATE_SAME_ATTRIBUTES copies OBJ_INHERIT; explicit attributes keep only the
    // handle bits.
    let h2 =
        e.om.duplicate(
            &e.caller,
            c.handle,
            Some(dst),
            AccessMask(0),
            0,
            DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES,
        )
        .unwrap()
        .unwrap();
    assert!(e.om.resolve_handle(&other, h2).unwrap().attributes.inherit);
    let h3 =
        e.om.duplicate(
            &e.caller,
            c.handle,
            Some(dst),
            AccessMask(0),
            u32::MAX,
            DUPLICATE_SAME_ACCESS,
        )
        .unwrap()
        .unwrap();
    let a = e.om.resolve_handle(&other, h3).unwrap().attributes;
    assert!(a.inherit && a.protect_from_close);
    // DUPLICATE_CLOSE_SOURCE closes the source even when the duplicate fails
    // (documented for DuplicateHandle: "regardless of any error status returned").
    let victim = e.open_dir("\\BaseNamedObjects\\dup", 0).unwrap();
    assert_eq!(
        e.om.duplicate(
            &e.caller,
            victim,
            Some(dst),
            DIRECTORY_ALL_ACCESS,
            0,
            DUPLICATE_CLOSE_SOURCE
        ),
        Err(STATUS_ACCESS_DENIED)
    );
    assert_eq!(e.om.close(&e.caller, victim), Err(STATUS_INVALID_HANDLE));
    // With a NULL target process, DUPLICATE_CLOSE_SOURCE just closes…
    let victim = e.open_dir("\\BaseNamedObjects\\dup", 0).unwrap();
    assert_eq!(
        e.om.duplicate(
            &e.caller,
            victim,
            None,
            AccessMask(0),
            0,
            DUPLICATE_CLOSE_SOURCE
        ),
        Ok(None)
    );
    assert_eq!(e.om.close(&e.caller, victim), Err(STATUS_INVALID_HANDLE));
    // …and without it there is nowhere to put the handle.
    assert_eq!(
        e.om.duplicate(
            &e.caller,
            c.handle,
            None,
            AccessMask(0),
            0,
            DUPLICATE_SAME_ACCESS
        ),
        Err(STATUS_INVALID_HANDLE)
    );
    // Within one table, with close-source: a new value, the old one gone.
    let moved =
        e.om.duplicate(
            &e.caller,
            c.handle,
            Some(src),
            AccessMask(0),
            0,
            DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE,
        )
        .unwrap()
        .unwrap();
    assert_ne!(moved, c.handle);
    assert_eq!(e.om.close(&e.caller, c.handle), Err(STATUS_INVALID_HANDLE));
    assert_eq!(e.name_of(moved), w("\\BaseNamedObjects\\dup"));
    // Invalid sources and unknown option bits.
    for bogus in [0u64, 3, 0xFFFF_FFF0, u64::MAX - 2] {
        assert_eq!(
            e.om.duplicate(
                &e.caller,
                Handle(bogus),
                Some(dst),
                AccessMask(0),
                0,
                u32::MAX
            ),
            Err(STATUS_INVALID_HANDLE)
        );
    }
    // A protected source survives DUPLICATE_CLOSE_SOURCE.
    e.om.set_handle_flags(
        &e.caller,
        moved,
        HandleAttributes {
            inherit: false,
            protect_from_close: true,
        },
    )
    .unwrap();
    e.om.duplicate(
        &e.caller,
        moved,
        Some(dst),
        AccessMask(0),
        0,
        DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE,
    )
    .unwrap();
    assert!(e.om.resolve_handle(&e.caller, moved).is_ok());
    // Everything goes with the tables.
    e.om.destroy_handle_table(dst);
    e.om.destroy_handle_table(src);
    assert!(e.om.header(c.object).is_none());
    assert_eq!(
        e.om.resolve_handle(&e.caller, moved),
        Err(STATUS_INVALID_HANDLE)
    );
}

#[test]
fn duplicating_the_current_process_pseudo_handle() {
    // Windows (documented, GetCurrentProcess): DuplicateHandle of the pseudo-handle
    // yields a real handle to the process; closing the pseudo-handle does nothing.
    let mut e = env();
    let p = e.process_object();
    e.caller.process = Some(p);
    let t = e.caller.table;
    let h =
        e.om.duplicate(
            &e.caller,
            Handle::CURRENT_PROCESS,
            Some(t),
            AccessMask(0),
            0,
            DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE,
        )
        .unwrap()
        .unwrap();
    let entry = e.om.resolve_handle(&e.caller, h).unwrap();
    assert_eq!((entry.object, entry.access), (p, PROCESS_ALL_ACCESS));
    assert!(e
        .om
        .resolve_handle(&e.caller, Handle::CURRENT_PROCESS)
        .is_ok());
}

#[test]
fn handle_tables_limits_inheritance_and_teardown() {
    let mut e = env();
    let baseline = e.om.object_count();
    let small = e.om.create_handle_table(2);
    let c = Caller::new(small);
    let n = w("\\");
    e.om.open_directory(&c, DIRECTORY_QUERY, &attrs(&n, OBJ_INHERIT))
        .unwrap();
    e.om.open_directory(&c, DIRECTORY_QUERY, &attrs(&n, 0))
        .unwrap();
    assert_eq!(
        e.om.open_directory(&c, DIRECTORY_QUERY, &attrs(&n, 0)),
        Err(STATUS_INSUFFICIENT_RESOURCES)
    );
    // A failed create leaves nothing behind.
    let ty = e.event;
    let en = w("\\BaseNamedObjects\\full");
    assert_eq!(
        e.om.create_object(&c, ty, &attrs(&en, 0), EVENT_ALL_ACCESS)
            .map(|_| ()),
        Err(STATUS_INSUFFICIENT_RESOURCES)
    );
    assert_eq!(
        e.om.create_object(&c, ty, &ObjectAttributes::default(), EVENT_ALL_ACCESS)
            .map(|_| ()),
        Err(STATUS_INSUFFICIENT_RESOURCES)
    );
    assert_eq!(e.om.object_count(), baseline);
    assert_eq!(
        e.om.open_object_by_name(&e.caller, &attrs(&en, 0), Some(ty), EVENT_ALL_ACCESS),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    // Inheritance copies OBJ_INHERIT handles at the same values.
    let child = e.om.create_handle_table(DEFAULT_HANDLE_LIMIT);
    e.om.inherit_handles(small, child).unwrap();
    let table = e.om.handle_table(child).unwrap();
    assert_eq!(table.count(), 1);
    assert!(table.get(Handle(4)).is_ok());
    assert_eq!(
        e.om.inherit_handles(small, child),
        Err(STATUS_INVALID_PARAMETER)
    );
    // Teardown closes protected handles too, and objects go with their last handle.
    let ev =
        e.om.create_object(
            &Caller::new(child),
            ty,
            &attrs(&w("\\BaseNamedObjects\\c"), 0),
            EVENT_ALL_ACCESS,
        )
        .unwrap();
    e.om.set_handle_flags(
        &Caller::new(child),
        ev.handle,
        HandleAttributes {
            inherit: false,
            protect_from_close: true,
        },
    )
    .unwrap();
    e.om.destroy_handle_table(child);
    e.om.destroy_handle_table(small);
    assert_eq!(e.om.object_count(), baseline);
    assert_eq!(
        e.om.take_deleted(),
        vec![DeletedObject { id: ev.object, ty }]
    );
    assert_eq!(
        e.om.open_directory(&c, DIRECTORY_QUERY, &attrs(&n, 0)),
        Err(STATUS_INVALID_HANDLE)
    );
}

// ----- symbolic links -------------------------------------------------------------------

#[test]
fn links_are_followed_anywhere_in_a_path() {
    let mut e = env();
    e.create_link("\\BaseNamedObjects\\dev", "\\Device")
        .unwrap();
    e.create_dir("\\Device\\Sub", 0).unwrap();
    let h = e.open_dir("\\BaseNamedObjects\\dev", 0).unwrap();
    assert_eq!(e.name_of(h), w("\\Device"));
    let h = e.open_dir("\\BaseNamedObjects\\dev\\Sub", 0).unwrap();
    assert_eq!(e.name_of(h), w("\\Device\\Sub"));
    // Creating through a link creates at the target.
    let c = e.create_dir("\\BaseNamedObjects\\dev\\New", 0).unwrap();
    assert_eq!(e.name_of(c.handle), w("\\Device\\New"));
    // Links into links.
    e.create_link("\\BaseNamedObjects\\dev2", "\\BaseNamedObjects\\dev")
        .unwrap();
    let h = e.open_dir("\\BaseNamedObjects\\dev2\\Sub", 0).unwrap();
    assert_eq!(e.name_of(h), w("\\Device\\Sub"));
    // Missing target components.
    e.create_link("\\BaseNamedObjects\\dangling", "\\nowhere\\x")
        .unwrap();
    assert_eq!(
        e.open_dir("\\BaseNamedObjects\\dangling", 0),
        Err(STATUS_OBJECT_PATH_NOT_FOUND)
    );
    e.create_link("\\BaseNamedObjects\\dangling2", "\\Device\\none")
        .unwrap();
    assert_eq!(
        e.open_dir("\\BaseNamedObjects\\dangling2", 0),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    // Global\ and Local\ in \BaseNamedObjects lead back to it.
    let ev = e.create_event("\\BaseNamedObjects\\Global\\g", 0).unwrap();
    assert_eq!(e.name_of(ev.handle), w("\\BaseNamedObjects\\g"));
}

#[test]
fn the_link_itself_is_opened_when_asked_for() {
    // Windows: NtOpenSymbolicLinkObject opens the link named by the last component, and
    // OBJ_OPENLINK does the same for any open; creating a link where one exists is a
    // collision (the existing link is not followed). OBJ_DONT_REPARSE refuses to follow
    // (STATUS_REPARSE_POINT_ENCOUNTERED, documented for OBJ_DONT_REPARSE).
    let mut e = env();
    let l = e.create_link("\\BaseNamedObjects\\l", "\\Device").unwrap();
    let n = w("\\BaseNamedObjects\\l");
    let h =
        e.om.open_symbolic_link(&e.caller, SYMBOLIC_LINK_QUERY, &attrs(&n, 0))
            .unwrap();
    assert_eq!(e.om.resolve_handle(&e.caller, h).unwrap().object, l.object);
    match e
        .om
        .open_object_by_name(&e.caller, &attrs(&n, OBJ_OPENLINK), None, AccessMask(0))
        .unwrap()
    {
        Opened::Handle { object, .. } => assert_eq!(object, l.object),
        p => panic!("{p:?}"),
    }
    assert_eq!(
        e.create_link("\\BaseNamedObjects\\l", "\\Driver")
            .map(|_| ()),
        Err(STATUS_OBJECT_NAME_COLLISION)
    );
    // Opened as a directory, the link is followed: here a directory exists at the
    // target, so a directory create over the link collides with the target.
    assert_eq!(
        e.create_dir("\\BaseNamedObjects\\l", 0).map(|_| ()),
        Err(STATUS_OBJECT_NAME_COLLISION)
    );
    assert_eq!(
        e.open_dir("\\BaseNamedObjects\\l", OBJ_DONT_REPARSE),
        Err(STATUS_REPARSE_POINT_ENCOUNTERED)
    );
    // A link in the middle of a path is always followed, OBJ_OPENLINK or not.
    e.create_dir("\\Device\\d", 0).unwrap();
    let n = w("\\BaseNamedObjects\\l\\d");
    assert!(e
        .om
        .open_directory(&e.caller, DIRECTORY_QUERY, &attrs(&n, OBJ_OPENLINK))
        .is_ok());
    // Opening a non-link as a link is a type mismatch.
    let n = w("\\Device");
    assert_eq!(
        e.om.open_symbolic_link(&e.caller, SYMBOLIC_LINK_QUERY, &attrs(&n, 0)),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
}

#[test]
fn link_loops_and_depth() {
    let mut e = env();
    e.create_link("\\BaseNamedObjects\\a", "\\BaseNamedObjects\\b")
        .unwrap();
    e.create_link("\\BaseNamedObjects\\b", "\\BaseNamedObjects\\a")
        .unwrap();
    e.create_link("\\BaseNamedObjects\\self", "\\BaseNamedObjects\\self\\x")
        .unwrap();
    for name in [
        "\\BaseNamedObjects\\a",
        "\\BaseNamedObjects\\b\\c",
        "\\BaseNamedObjects\\self",
    ] {
        assert_eq!(e.open_dir(name, 0), Err(REPARSE_LIMIT_STATUS), "{name}");
        assert_eq!(
            e.create_dir(name, 0).map(|_| ()),
            Err(REPARSE_LIMIT_STATUS),
            "{name}"
        );
    }
    // Links can still be opened as links.
    let n = w("\\BaseNamedObjects\\a");
    assert!(e
        .om
        .open_symbolic_link(&e.caller, SYMBOLIC_LINK_QUERY, &attrs(&n, 0))
        .is_ok());
    // A chain of exactly MAX_REPARSE links resolves; one more does not.
    let chain = |i: u32| alloc::format!("\\BaseNamedObjects\\chain{i}");
    e.create_link(&chain(0), "\\Device").unwrap();
    for i in 1..=MAX_REPARSE {
        e.create_link(&chain(i), &chain(i - 1)).unwrap();
    }
    assert!(e.open_dir(&chain(MAX_REPARSE - 1), 0).is_ok());
    assert_eq!(
        e.open_dir(&chain(MAX_REPARSE), 0),
        Err(REPARSE_LIMIT_STATUS)
    );
}

#[test]
fn hostile_link_targets() {
    let mut e = env();
    // Relative and empty targets cannot restart at the root.
    e.create_link("\\BaseNamedObjects\\rel", "Device").unwrap();
    assert_eq!(
        e.open_dir("\\BaseNamedObjects\\rel", 0),
        Err(STATUS_OBJECT_PATH_SYNTAX_BAD)
    );
    e.create_link("\\BaseNamedObjects\\empty", "").unwrap();
    assert_eq!(
        e.open_dir("\\BaseNamedObjects\\empty", 0),
        Err(STATUS_OBJECT_PATH_SYNTAX_BAD)
    );
    // A target that expands the name past a UNICODE_STRING: STATUS_NAME_TOO_LONG.
    let mut target = w("\\");
    target.resize(32000, u16::from(b'x'));
    let n = w("\\BaseNamedObjects\\big");
    e.om.create_symbolic_link(
        &e.caller,
        SYMBOLIC_LINK_ALL_ACCESS,
        &attrs(&n, 0),
        &target,
        0,
    )
    .unwrap();
    let mut long = w("\\BaseNamedObjects\\big\\");
    long.resize(1000, u16::from(b'y'));
    assert_eq!(
        e.om.open_directory(&e.caller, DIRECTORY_QUERY, &attrs(&long, 0)),
        Err(STATUS_NAME_TOO_LONG)
    );
    // A target that cannot be stored with its terminator is refused.
    let huge = vec![u16::from(b'\\'); name::MAX_NAME_UNITS];
    let n = w("\\BaseNamedObjects\\huge");
    assert_eq!(
        e.om.create_symbolic_link(&e.caller, SYMBOLIC_LINK_ALL_ACCESS, &attrs(&n, 0), &huge, 0)
            .map(|_| ()),
        Err(STATUS_INVALID_PARAMETER)
    );
}

#[test]
fn dos_devices_fall_back_to_global() {
    // Windows: \?? is the caller's DOS device directory, whose misses fall through to
    // \GLOBAL?? ("Local and Global MS-DOS Device Names", documented).
    let mut e = env();
    e.create_dir("\\Device\\Vol", 0).unwrap();
    e.create_link("\\GLOBAL??\\C:", "\\Device\\Vol").unwrap();
    for name in [
        "\\??\\C:",
        "\\??\\c:",
        "\\DosDevices\\C:",
        "\\GLOBAL??\\Global\\C:",
    ] {
        let h = e.open_dir(name, OBJ_CASE_INSENSITIVE).unwrap();
        assert_eq!(e.name_of(h), w("\\Device\\Vol"), "{name}");
    }
    // A local definition shadows the global one.
    e.create_dir("\\Device\\Other", 0).unwrap();
    e.create_link("\\??\\C:", "\\Device\\Other").unwrap();
    let h = e.open_dir("\\??\\C:", 0).unwrap();
    assert_eq!(e.name_of(h), w("\\Device\\Other"));
}

#[test]
fn query_symbolic_link_sizes() {
    // ZwQuerySymbolicLinkObject (documented): too small a buffer is
    // STATUS_BUFFER_TOO_SMALL and ReturnedLength receives the size needed.
    let mut e = env();
    let c = e
        .create_link("\\BaseNamedObjects\\q", "\\Device\\Vol")
        .unwrap();
    let target = e.om.query_symbolic_link(&e.caller, c.handle).unwrap();
    assert_eq!(target, w("\\Device\\Vol"));
    let fit = fit_link_target(target.len(), 10, true);
    assert_eq!(
        (fit.status, fit.returned_length),
        (STATUS_BUFFER_TOO_SMALL, 24)
    );
    let fit = fit_link_target(target.len(), 24, true);
    assert_eq!(
        (fit.status, fit.length, fit.terminate),
        (STATUS_SUCCESS, 22, true)
    );
}

// ----- enumeration ----------------------------------------------------------------------

#[test]
fn query_directory_single_entries() {
    // NtQueryDirectoryObject (documented, ZwQueryDirectoryObject): ReturnSingleEntry
    // returns one entry per call, Context advances, STATUS_NO_MORE_ENTRIES at the end;
    // RestartScan starts over.
    let mut e = env();
    let d = e.create_dir("\\BaseNamedObjects\\enum", 0).unwrap();
    e.create_event("\\BaseNamedObjects\\enum\\one", 0).unwrap();
    e.create_dir("\\BaseNamedObjects\\enum\\two", 0).unwrap();
    e.create_link("\\BaseNamedObjects\\enum\\three", "\\")
        .unwrap();
    let width = PointerWidth::Bits64;
    let mut context = 0;
    let mut seen = Vec::new();
    loop {
        let q =
            e.om.query_directory(&e.caller, d.handle, 4096, true, false, context, width)
                .unwrap();
        if q.status == STATUS_NO_MORE_ENTRIES {
            assert!(q.entries.is_empty());
            assert_eq!(q.context, context);
            assert_eq!(q.return_length, directory_information_size(width));
            break;
        }
        assert_eq!(q.status, STATUS_SUCCESS);
        assert_eq!(q.entries.len(), 1);
        assert_eq!(q.context, context + 1);
        let entry = &q.entries[0];
        assert_eq!(
            q.return_length,
            directory_information_size(width)
                + directory_entry_size(entry.name.len(), entry.type_name.len(), width)
        );
        seen.push((entry.name.clone(), entry.type_name.clone()));
        context = q.context;
    }
    assert_eq!(
        seen,
        vec![
            (w("one"), w("Event")),
            (w("two"), w("Directory")),
            (w("three"), w("SymbolicLink")),
        ]
    );
    let q =
        e.om.query_directory(&e.caller, d.handle, 4096, true, true, context, width)
            .unwrap();
    assert_eq!(
        (q.status, q.context, q.entries[0].name.clone()),
        (STATUS_SUCCESS, 1, w("one"))
    );
    // Single entry, buffer too small: the size needed, nothing returned.
    let q =
        e.om.query_directory(&e.caller, d.handle, 40, true, true, 0, width)
            .unwrap();
    assert_eq!(q.status, STATUS_BUFFER_TOO_SMALL);
    assert_eq!(q.return_length, 32 + directory_entry_size(3, 5, width));
    assert!(q.entries.is_empty());
    assert_eq!(q.context, 0);
    // Hostile contexts.
    for ctx in [3, 4, u32::MAX] {
        let q =
            e.om.query_directory(&e.caller, d.handle, 4096, false, false, ctx, width)
                .unwrap();
        assert_eq!(q.status, STATUS_NO_MORE_ENTRIES);
    }
    // An empty directory has nothing even on restart.
    let empty = e.create_dir("", 0).unwrap();
    let q =
        e.om.query_directory(&e.caller, empty.handle, 4096, false, true, 0, width)
            .unwrap();
    assert_eq!(q.status, STATUS_NO_MORE_ENTRIES);
}

#[test]
fn query_directory_buffer_full() {
    // Without ReturnSingleEntry: as many entries as fit; STATUS_MORE_ENTRIES when some
    // remain (documented for ZwQueryDirectoryObject), STATUS_BUFFER_TOO_SMALL when not
    // even one fits.
    let mut e = env();
    let d = e.create_dir("\\BaseNamedObjects\\full", 0).unwrap();
    for n in ["aa", "bb", "cc"] {
        e.create_event(&alloc::format!("\\BaseNamedObjects\\full\\{n}"), 0)
            .unwrap();
    }
    for width in [PointerWidth::Bits32, PointerWidth::Bits64] {
        let one = directory_entry_size(2, 5, width);
        let term = directory_information_size(width);
        let q =
            e.om.query_directory(&e.caller, d.handle, term + 3 * one, false, true, 0, width)
                .unwrap();
        assert_eq!(
            (q.status, q.entries.len(), q.context, q.return_length),
            (STATUS_SUCCESS, 3, 3, term + 3 * one)
        );
        let q =
            e.om.query_directory(
                &e.caller,
                d.handle,
                term + 3 * one - 1,
                false,
                true,
                0,
                width,
            )
            .unwrap();
        assert_eq!(
            (q.status, q.entries.len(), q.context, q.return_length),
            (STATUS_MORE_ENTRIES, 2, 2, term + 2 * one)
        );
        let q =
            e.om.query_directory(
                &e.caller,
                d.handle,
                term + one,
                false,
                false,
                q.context,
                width,
            )
            .unwrap();
        assert_eq!(
            (q.status, q.entries.len(), q.context),
            (STATUS_SUCCESS, 1, 3)
        );
        assert_eq!(q.entries[0].name, w("cc"));
        let q =
            e.om.query_directory(&e.caller, d.handle, term + one - 1, false, true, 0, width)
                .unwrap();
        assert_eq!(
            (q.status, q.entries.len(), q.context, q.return_length),
            (STATUS_BUFFER_TOO_SMALL, 0, 0, term + one)
        );
        let q =
            e.om.query_directory(&e.caller, d.handle, 0, false, true, 0, width)
                .unwrap();
        assert_eq!(q.status, STATUS_BUFFER_TOO_SMALL);
    }
}

// ----- NtQueryObject --------------------------------------------------------------------

#[test]
fn query_object_information() {
    // NtQueryObject (documented, winternl.h / ZwQueryObject): basic information
    // reports the handle's attributes and granted access and the object's counts;
    // name information the full path (empty for unnamed objects); type information the
    // type's name, mapping and valid mask.
    let mut e = env();
    let c = e
        .create_dir("\\BaseNamedObjects\\info", OBJ_INHERIT)
        .unwrap();
    let b = e.basic(c.handle);
    assert_eq!(b.attributes, OBJ_INHERIT);
    assert_eq!(b.granted_access, DIRECTORY_ALL_ACCESS);
    assert_eq!(b.handle_count, 1);
    // The handle's reference and the directory entry's.
    assert_eq!(b.pointer_count, 2);
    let name_len = (w("\\BaseNamedObjects\\info").len() * 2) as u32;
    assert_eq!(b.name_info_size, 16 + name_len + 2);
    assert_eq!(b.creation_time, 0);
    let name =
        e.om.query_object(
            &e.caller,
            c.handle,
            ObjectInformationClass::Name,
            PointerWidth::Bits32,
        )
        .unwrap();
    assert_eq!(name.required_length(PointerWidth::Bits32), 8 + name_len + 2);
    assert_eq!(
        name.status_for(8 + name_len + 1, PointerWidth::Bits32),
        STATUS_INFO_LENGTH_MISMATCH
    );
    assert_eq!(
        name.status_for(8 + name_len + 2, PointerWidth::Bits32),
        STATUS_SUCCESS
    );
    let ty =
        e.om.query_object(
            &e.caller,
            c.handle,
            ObjectInformationClass::Type,
            PointerWidth::Bits64,
        )
        .unwrap();
    let ObjectInformation::Type(t) = &ty else {
        panic!("{ty:?}")
    };
    assert_eq!(t.type_name, w("Directory"));
    assert_eq!(t.valid_access_mask, DIRECTORY_ALL_ACCESS);
    assert_eq!(t.generic_mapping, DIRECTORY_MAPPING);
    assert_eq!(t.type_index, 3);
    assert!(t.total_number_of_objects >= 9);
    assert_eq!(ty.required_length(PointerWidth::Bits64), 104 + 24);
    assert_eq!(b.type_info_size, 104 + 24);
    // Unnamed objects.
    let un = e.create_event("", 0).unwrap();
    assert!(e.name_of(un.handle).is_empty());
    assert_eq!(e.basic(un.handle).name_info_size, 0);
    assert_eq!(e.basic(un.handle).pointer_count, 1);
    // Links report their creation time.
    let l = e.create_link("\\BaseNamedObjects\\t", "\\").unwrap();
    assert_eq!(e.basic(l.handle).creation_time, 1234);
    // The root's name.
    let root = e.open_dir("\\", 0).unwrap();
    assert_eq!(e.name_of(root), w("\\"));
}

// ----- parsing objects ------------------------------------------------------------------

#[test]
fn lookups_stop_at_parsing_objects() {
    let mut e = env();
    let ty = e.device;
    let n = w("\\Device\\Harddisk0");
    let dev =
        e.om.create_object(&e.caller, ty, &attrs(&n, 0), AccessMask(0x1F01FF))
            .unwrap();
    e.create_link("\\GLOBAL??\\C:", "\\Device\\Harddisk0")
        .unwrap();
    let cases = [
        ("\\Device\\Harddisk0\\dir\\file.txt", "\\dir\\file.txt"),
        ("\\Device\\Harddisk0", ""),
        ("\\??\\C:\\file", "\\file"),
        ("\\Device\\Harddisk0\\\\x", "\\\\x"),
    ];
    for (name, rest) in cases {
        let name = w(name);
        assert_eq!(
            e.om.open_object_by_name(&e.caller, &attrs(&name, 0), None, AccessMask(0))
                .unwrap(),
            Opened::Parse {
                object: dev.object,
                remaining: w(rest)
            }
        );
        assert_eq!(
            e.om.open_directory(&e.caller, DIRECTORY_QUERY, &attrs(&name, 0)),
            Err(STATUS_OBJECT_TYPE_MISMATCH)
        );
    }
    // A parsing root directory hands over the whole relative name.
    let rel = w("sub\\x");
    let a = ObjectAttributes {
        root: Some(dev.handle),
        name: Some(&rel),
        attributes: 0,
    };
    assert_eq!(
        e.om.open_object_by_name(&e.caller, &a, None, AccessMask(0))
            .unwrap(),
        Opened::Parse {
            object: dev.object,
            remaining: rel.clone()
        }
    );
    // A plain object in the middle of a path: STATUS_OBJECT_TYPE_MISMATCH.
    e.create_event("\\BaseNamedObjects\\ev", 0).unwrap();
    assert_eq!(
        e.open_dir("\\BaseNamedObjects\\ev\\x", 0),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    assert_eq!(
        e.create_event("\\BaseNamedObjects\\ev\\x", 0).map(|_| ()),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
}
