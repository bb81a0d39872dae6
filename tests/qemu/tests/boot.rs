//! The executive boots on both arches, in debug (printing kernel) and release builds:
//! banner and memory summary, a second address space with IPC, a client fault handled
//! without harm, native PE processes (hello.exe, badcall.exe) run through ntdll's
//! system-service stubs, C programs linked by mingw-w64 against libntdll.a, the
//! conformance suite (ntsuite.exe), two processes waiting on each other (ping.exe,
//! pong.exe; the C pair cping.exe/cpong.exe around two hostile clients, abusemem.exe
//! and abusewait.exe), and the verdict reported through isa-debug-exit.

use nereid_harness::Arch;
use nereid_qemu_tests::{arch_name, boot, wanted, Profile, STEP};
use regex::Regex;

fn selftest(arch: Arch, profile: Profile) {
    if !wanted(arch) {
        eprintln!(
            "skipped: `cargo xtask test --arch` excluded {}",
            arch_name(arch)
        );
        return;
    }
    let test = format!("boot-{}-{}-selftest", arch_name(arch), profile.name());
    let mut q = boot(arch, profile, "selftest", &test);
    let ok = |r: Result<String, nereid_harness::HarnessError>| r.unwrap_or_else(|e| panic!("{e}"));

    ok(q.expect(
        &format!(
            "Nereid NT Executive 0.1.0 on seL4 5.0.0 ({})",
            arch_name(arch)
        ),
        STEP,
    ));
    let mem = ok(q.expect("ntos: memory: RAM", STEP));
    let re = Regex::new(r"RAM (\d+) MiB in (\d+) untypeds; device (\d+) regions").unwrap();
    let c = re
        .captures(&mem)
        .unwrap_or_else(|| panic!("unexpected memory line {mem:?}"));
    let ram_mib: u64 = c[1].parse().unwrap();
    // The guest has 512 MiB; the kernel keeps a little for itself.
    assert!(
        (400..=512).contains(&ram_mib),
        "RAM {ram_mib} MiB reported for a 512 MiB guest"
    );
    assert!(
        c[2].parse::<u32>().unwrap() > 0 && c[3].parse::<u32>().unwrap() > 0,
        "{mem}"
    );
    ok(q.expect("ntos: heap ready", STEP));
    ok(q.expect("ntos: process 1 started (own VSpace, ASID, CNode)", STEP));
    ok(q.expect("ntos: IPC with process 1 ok", STEP));
    let fault = ok(q.expect("ntos: process 1 fault:", STEP));
    assert!(
        Regex::new(r"access violation reading 0x[0-9a-f]+ at ip 0x[0-9a-f]+; process terminated")
            .unwrap()
            .is_match(&fault),
        "fault line {fault:?}"
    );
    ok(q.expect("ntos: executive alive after client fault", STEP));
    // The session manager (the first process) makes the DOS device links and runs the
    // boot programs, reporting each exit status.
    ok(q.expect("smss: Nereid Session Manager", STEP));
    ok(q.expect("smss: 1 DOS device link(s) in \\GLOBAL??", STEP));
    // Native PE processes: ntdll.dll + hello.exe loaded, NtDisplayString, exit status.
    ok(q.expect("hello from a native PE process", STEP));
    ok(q.expect(
        "ntos: process hello.exe exited with status 0x00001234",
        STEP,
    ));
    ok(q.expect("smss: hello.exe exited with status 0x00001234", STEP));
    // Hostile pointers to NtDisplayString get Windows' statuses (badcall.exe checks
    // each and exits with 0xc0de only if all were right).
    for case in [
        "NULL string -> 0xc0000005 ok",
        "kernel-range string -> 0xc0000005 ok",
        "misaligned string -> 0x80000002 ok",
        "unmapped string -> 0xc0000005 ok",
        "kernel-range buffer -> 0xc0000005 ok",
        "unmapped buffer -> 0xc0000005 ok",
    ] {
        ok(q.expect(&format!("badcall: {case}"), STEP));
    }
    ok(q.expect(
        "ntos: process badcall.exe exited with status 0x0000c0de",
        STEP,
    ));
    // C programs built with mingw-w64 against libntdll.a (binary compatibility).
    ok(q.expect("hello from a C native program", STEP));
    // ntdll's DbgPrint / DbgPrintEx formatting a C program's variadic arguments.
    ok(q.expect(
        "dbgprint: ok -5 7 0xff ab  | 00042 wide 123456789012 Z",
        STEP,
    ));
    ok(q.expect("dbgprintex: wstr BEEF %", STEP));
    ok(q.expect(
        "ntos: process chello.exe exited with status 0x00004321",
        STEP,
    ));
    let rtl = ok(q.expect("rtltest: ", STEP));
    assert!(
        Regex::new(r"rtltest: (\d+) checks, 0 failed")
            .unwrap()
            .captures(&rtl)
            .is_some_and(|c| c[1].parse::<u32>().unwrap() >= 20),
        "rtltest result line {rtl:?}"
    );
    ok(q.expect(
        "ntos: process rtltest.exe exited with status 0x0000600d",
        STEP,
    ));
    // The conformance suite: every test passed, and there were some.
    let summary = ok(q.expect(" passed, ", STEP));
    let c = Regex::new(r"(\d+) passed, (\d+) failed")
        .unwrap()
        .captures(&summary)
        .unwrap_or_else(|| panic!("ntsuite summary line {summary:?}"));
    let (passed, failed): (u32, u32) = (c[1].parse().unwrap(), c[2].parse().unwrap());
    assert!(
        failed == 0 && passed > 0,
        "ntsuite: {passed} passed, {failed} failed (see the FAIL lines in the log)"
    );
    ok(q.expect(
        "ntos: process ntsuite.exe exited with status 0x00000000",
        STEP,
    ));
    // Cross-process waits: ping.exe (started first, `async`, blocked in its first wait
    // while smss starts pong.exe) and pong.exe ping-pong through two named
    // auto-reset events. Which of the two finishes first varies, so their lines are
    // checked in the whole log once the boot is over (it ends only when both have).
    ok(q.expect("ntos: self-test passed", STEP));
    let seen: Vec<String> = q.lines().into_iter().map(|l| l.text).collect();
    for want in [
        "ping: 1000 rounds ok",
        "pong: 1000 rounds ok",
        "ntos: process ping.exe exited with status 0x0000a001",
        "ntos: process pong.exe exited with status 0x0000a002",
        "smss: pong.exe exited with status 0x0000a002",
        "ntos: process smss.exe exited with status 0x00000000",
    ] {
        assert!(
            seen.iter().any(|l| l.contains(want)),
            "{want:?} not in the boot log:\n{}",
            seen.join("\n")
        );
    }
    c_pair_and_abusers(&seen);
    let bench = Regex::new(&format!(
        r"BENCH event_pingpong arch={} n=900 median=\d+ p10=\d+ p90=\d+ min=\d+ max=\d+ unit=cycles tsc_mhz=0$",
        regex::escape(arch_name(arch))
    ))
    .unwrap();
    assert!(
        seen.iter().any(|l| bench.is_match(l.trim_end())),
        "no well-formed BENCH event_pingpong line:\n{}",
        seen.join("\n")
    );
    let exit = q.wait_exit(STEP).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exit.debug_exit_value, Some(0), "QEMU exit: {exit:?}");
}

/// The C program pair (cping.exe / cpong.exe: virtual memory, a 200-round event
/// ping-pong across processes, keyed-event rendezvous both ways) and the abusers that
/// run while cping.exe waits (abusemem.exe: reservations and commits until refused;
/// abusewait.exe: bad waits, 64-object waits, a handle flood, then an infinite wait).
/// Every check of those programs prints a FAIL line when it fails; and cpong.exe can
/// only finish after the abusers if the executive kept serving.
fn c_pair_and_abusers(seen: &[String]) {
    let log = || seen.join("\n");
    let fails: Vec<&String> = seen
        .iter()
        .filter(|l| {
            ["cping: ", "cpong: ", "abusemem: ", "abusewait: "]
                .iter()
                .any(|p| l.contains(p))
                && l.contains("FAIL")
        })
        .collect();
    assert!(fails.is_empty(), "failed checks: {fails:#?}\n{}", log());
    let at = |want: &str| {
        seen.iter()
            .position(|l| l.contains(want))
            .unwrap_or_else(|| panic!("{want:?} not in the boot log:\n{}", log()))
    };
    at("cping: vm ok");
    at("abusemem: ok");
    let mem_done = at("ntos: process abusemem.exe exited with status 0x0000ab01");
    let parked = at("abusewait: ok, parking forever");
    let rounds = at("cpong: 200 rounds ok");
    at("cping: 200 rounds ok");
    at("cping: keyed rendezvous ok");
    at("cpong: keyed rendezvous ok");
    at("ntos: process cping.exe exited with status 0x0000c001");
    let pong_done = at("ntos: process cpong.exe exited with status 0x0000c002");
    assert!(
        mem_done < rounds && parked < rounds && rounds < pong_done,
        "cpong.exe did not finish after the abusers:\n{}",
        log()
    );
    // The abusers got statuses, not a dead executive: their result lines name them.
    let reserve = Regex::new(r"abusemem: \d+ reservations, then 0x").unwrap();
    assert!(seen.iter().any(|l| reserve.is_match(l)), "{}", log());
    let flood = Regex::new(r"abusewait: \d+ events, then 0x").unwrap();
    assert!(seen.iter().any(|l| flood.is_match(l)), "{}", log());
}

#[test]
fn x86_64_debug_selftest() {
    selftest(Arch::X86_64, Profile::Debug);
}

#[test]
fn x86_64_release_selftest() {
    selftest(Arch::X86_64, Profile::Release);
}

#[test]
fn i386_debug_selftest() {
    selftest(Arch::I386, Profile::Debug);
}

#[test]
fn i386_release_selftest() {
    selftest(Arch::I386, Profile::Release);
}

/// The console is on the VGA text screen too: read 0xB8000 over QMP while the
/// executive (the `run` build, which stays up) is idle.
fn vga_console(arch: Arch) {
    if !wanted(arch) {
        eprintln!(
            "skipped: `cargo xtask test --arch` excluded {}",
            arch_name(arch)
        );
        return;
    }
    let test = format!("vga-{}-debug-run", arch_name(arch));
    let mut q = boot(arch, Profile::Debug, "run", &test);
    q.expect("ntos: executive alive after client fault", STEP)
        .unwrap_or_else(|e| panic!("{e}"));
    let screen = q.vga_text().unwrap_or_else(|e| panic!("{e}"));
    let banner = format!(
        "Nereid NT Executive 0.1.0 on seL4 5.0.0 ({})",
        arch_name(arch)
    );
    assert!(
        screen.iter().any(|l| l.contains(&banner)),
        "banner not on the VGA screen:\n{}",
        screen.join("\n")
    );
    assert!(
        screen.iter().any(|l| l.contains("RAM")),
        "memory summary not on the VGA screen:\n{}",
        screen.join("\n")
    );
}

#[test]
fn x86_64_vga_console() {
    vga_console(Arch::X86_64);
}

#[test]
fn i386_vga_console() {
    vga_console(Arch::I386);
}

/// The harness must fail a test whose expected line never comes, and show the lines it
/// did see: otherwise every other test here could pass without checking anything.
#[test]
fn harness_fails_when_expected_text_never_comes() {
    let arch = if wanted(Arch::X86_64) {
        Arch::X86_64
    } else {
        Arch::I386
    };
    let mut q = boot(arch, Profile::Debug, "selftest", "harness-negative");
    let err = q
        .expect(
            "this text is never printed by Nereid",
            std::time::Duration::from_secs(15),
        )
        .expect_err("expect() succeeded on text the guest never prints");
    let msg = err.to_string();
    assert!(
        msg.contains("this text is never printed by Nereid"),
        "error does not name the expectation: {msg}"
    );
    // The error shows the last serial lines (at most 40 of them): whatever the guest
    // printed last must be in it. (The banner scrolled out of that window once boots
    // ran more programs.)
    let seen = q.lines();
    let last = seen
        .iter()
        .rev()
        .map(|l| l.text.trim())
        .find(|t| !t.is_empty())
        .expect("the guest printed nothing");
    assert!(
        msg.contains(last),
        "error does not show the last serial line {last:?}: {msg}"
    );
    assert!(
        msg.contains("ntos: self-test passed"),
        "error does not show the end of the boot: {msg}"
    );
}
