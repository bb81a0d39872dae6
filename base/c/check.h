/*
 * check.h: what Nereid's C test programs share: printing through NtDisplayString and
 * status checks that print one "<program>: FAIL <what>: got 0x..., want 0x..." line
 * per failure (the QEMU tests look for "FAIL" and for each program's result line).
 * Every program defines PROGRAM (a wide string literal) before including this.
 */
#ifndef NEREID_CHECK_H
#define NEREID_CHECK_H

#include "nt.h"

static ULONG failures;

/* The line being built: programs run side by side, so every line goes out in one
   NtDisplayString call and never interleaves with another program's. */
static WCHAR line_buffer[256];
static UNICODE_STRING line = { 0, sizeof line_buffer, line_buffer };

static __attribute__((unused)) void print(const WCHAR *text)
{
    RtlAppendUnicodeToString(&line, text);
}

static __attribute__((unused)) void print_number(ULONG value, ULONG base)
{
    WCHAR buf[16];
    UNICODE_STRING s = { 0, sizeof buf - sizeof(WCHAR), buf };
    if (RtlIntegerToUnicodeString(value, base, &s) == STATUS_SUCCESS) {
        if (base == 16)
            print(L"0x");
        RtlAppendUnicodeStringToString(&line, &s);
    }
}

/* Ends the line ("\n") and prints it. */
static __attribute__((unused)) void end_line(void)
{
    print(L"\n");
    NtDisplayString(&line);
    line.Length = 0;
}

/* Counts and reports a failed check. */
static __attribute__((unused)) void fail(const WCHAR *what, ULONG got, ULONG want)
{
    failures++;
    print(PROGRAM L": FAIL ");
    print(what);
    print(L": got ");
    print_number(got, 16);
    print(L", want ");
    print_number(want, 16);
    end_line();
}

/* Nonzero when `got` is `want`; otherwise a FAIL line. */
static __attribute__((unused)) int expect(NTSTATUS got, NTSTATUS want, const WCHAR *what)
{
    if (got != want) {
        fail(what, (ULONG)got, (ULONG)want);
        return 0;
    }
    return 1;
}

/* Nonzero when `ok`; otherwise a FAIL line showing `value`. */
static __attribute__((unused)) int expect_true(int ok, ULONG value, const WCHAR *what)
{
    if (!ok) {
        fail(what, value, 0);
        return 0;
    }
    return 1;
}

/* OBJECT_ATTRIBUTES for an absolute name (which must outlive the call). */
static __attribute__((unused)) void init_attributes(OBJECT_ATTRIBUTES *oa, UNICODE_STRING *us, const WCHAR *name,
                            ULONG attributes)
{
    RtlInitUnicodeString(us, name);
    oa->Length = sizeof *oa;
    oa->RootDirectory = 0;
    oa->ObjectName = us;
    oa->Attributes = attributes;
    oa->SecurityDescriptor = 0;
    oa->SecurityQualityOfService = 0;
}

/*
 * The abusers' gate: a named notification event abusewait.exe sets just before its
 * infinite wait and cpong.exe waits for, so the pair's second half runs only after
 * the abusers, however the session manager interleaves the programs.
 */
#define ABUSERS_DONE_NAME L"\\BaseNamedObjects\\NereidAbusersDone"

static __attribute__((unused)) HANDLE abusers_gate(void)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING us;
    HANDLE h = 0;
    NTSTATUS s;
    init_attributes(&oa, &us, ABUSERS_DONE_NAME, OBJ_OPENIF);
    s = NtCreateEvent(&h, EVENT_ALL_ACCESS, &oa, NotificationEvent, FALSE);
    if (s != STATUS_SUCCESS && s != STATUS_OBJECT_NAME_EXISTS)
        return 0;
    return h;
}

/* A relative timeout of `ms` milliseconds. */
static __attribute__((unused)) LARGE_INTEGER millis(long long ms)
{
    LARGE_INTEGER t;
    t.QuadPart = -ms * 10000;
    return t;
}

#endif
