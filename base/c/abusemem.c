/*
 * abusemem.exe: a hostile client of the memory services. It reserves 64 KiB regions
 * until the executive refuses (the VAD table is bounded: STATUS_NO_MEMORY), releases
 * them, then commits 256 KiB blocks and touches every page until the commit limit
 * (STATUS_COMMITMENT_LIMIT), releases everything and commits again to show the memory
 * came back. Every refusal must be an NTSTATUS: if the executive stopped serving, the
 * programs after this one (cpong.exe) would never finish and the QEMU test fails.
 * Prints "abusemem: FAIL ..." per failed check and "abusemem: ... ok" lines; exits with
 * 0xAB01 when everything passed, else 0xBAD00000 | failures.
 */
#define PROGRAM L"abusemem"
#include "check.h"

#define BLOCK (256 * 1024)
#define MAX_BLOCKS 256
#define MAX_RESERVES 100000

static PVOID blocks[MAX_BLOCKS];

static void release(PVOID base)
{
    PVOID at = base;
    SIZE_T n = 0;
    expect(NtFreeVirtualMemory(NtCurrentProcess(), &at, &n, MEM_RELEASE), STATUS_SUCCESS,
           L"release");
}

static void reserve_until_refused(void)
{
    PVOID first = 0, last = 0;
    ULONG count = 0;
    NTSTATUS s = STATUS_SUCCESS;
    /* Reservations only: address space and descriptors, no pages. */
    while (count < MAX_RESERVES) {
        PVOID base = 0;
        SIZE_T size = 0x10000;
        s = NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_RESERVE,
                                    PAGE_NOACCESS);
        if (s != STATUS_SUCCESS)
            break;
        if (!first)
            first = base;
        last = base;
        count++;
    }
    /* Either the descriptor table or the address space runs out. */
    if (!expect_true(s == STATUS_NO_MEMORY || s == STATUS_INSUFFICIENT_RESOURCES ||
                         s == STATUS_COMMITMENT_LIMIT,
                     (ULONG)s, L"reserve loop ended with a memory status"))
        return;
    expect_true(count > 16, count, L"some reservations");
    /* Free them all, walking the address space with NtQueryVirtualMemory. */
    {
        ULONG freed = 0;
        ULONG_PTR at = (ULONG_PTR)(first < last ? first : last);
        ULONG_PTR end = (ULONG_PTR)(first < last ? last : first) + 0x10000;
        while (at < end) {
            MEMORY_BASIC_INFORMATION mbi;
            SIZE_T len;
            if (!expect(NtQueryVirtualMemory(NtCurrentProcess(), (PVOID)at, 0, &mbi,
                                             sizeof mbi, &len),
                        STATUS_SUCCESS, L"query while freeing"))
                break;
            if (mbi.State == MEM_RESERVE && mbi.AllocationProtect == PAGE_NOACCESS &&
                mbi.AllocationBase == mbi.BaseAddress && mbi.RegionSize == 0x10000) {
                release(mbi.BaseAddress);
                freed++;
            }
            at = (ULONG_PTR)mbi.BaseAddress + mbi.RegionSize;
        }
        expect_true(freed == count, freed, L"freed every reservation");
    }
    print(PROGRAM L": ");
    print_number(count, 10);
    print(L" reservations, then ");
    print_number((ULONG)s, 16);
    end_line();
}

/* Commits and touches blocks until refused; returns how many it got. */
static ULONG commit_until_refused(NTSTATUS *last)
{
    ULONG n = 0;
    *last = STATUS_SUCCESS;
    while (n < MAX_BLOCKS) {
        PVOID base = 0;
        SIZE_T size = BLOCK;
        *last = NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size,
                                        MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
        if (*last != STATUS_SUCCESS)
            break;
        for (ULONG i = 0; i < BLOCK; i += 4096)
            ((volatile unsigned char *)base)[i] = 0xA5;
        blocks[n++] = base;
    }
    return n;
}

void NTAPI NtProcessStartup(void *peb)
{
    NTSTATUS s;
    ULONG got, again;
    (void)peb;
    reserve_until_refused();
    got = commit_until_refused(&s);
    if (expect(s, STATUS_COMMITMENT_LIMIT, L"commit loop ended with the commit limit")) {
        print(PROGRAM L": ");
        print_number(got, 10);
        print(L" blocks of 256 KiB committed and touched, then STATUS_COMMITMENT_LIMIT");
        end_line();
    }
    expect_true(got >= 4, got, L"at least 1 MiB committed");
    for (ULONG i = 0; i < got; i++)
        release(blocks[i]);
    /* Everything came back: the same amount fits again. */
    again = commit_until_refused(&s);
    expect(s, STATUS_COMMITMENT_LIMIT, L"second commit loop");
    expect_true(again == got, again, L"same blocks the second time");
    for (ULONG i = 0; i < again; i++)
        release(blocks[i]);
    if (!failures) {
        print(PROGRAM L": ok");
        end_line();
    }
    NtTerminateProcess(NtCurrentProcess(), failures ? (NTSTATUS)(0xBAD00000 | failures)
                                                    : (NTSTATUS)0xAB01);
}
