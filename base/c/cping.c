/*
 * cping.exe: the first half of a C program pair (with cpong.exe). It checks virtual
 * memory services first (reserve + commit, touch, protect, query, decommit, release,
 * each status and each MEMORY_BASIC_INFORMATION field it relies on), then plays the
 * first side of the event ping-pong and of the keyed-event rendezvous (pair.h).
 * Prints "cping: FAIL ..." per failed check, "cping: vm ok" and the pair's result
 * lines; exits with 0xC001 when everything passed, else 0xBAD00000 | failures.
 */
#define PROGRAM L"cping"
#include "pair.h"

#define REGION (256 * 1024)
#define PAGE 4096

static int query(PVOID at, MEMORY_BASIC_INFORMATION *mbi)
{
    SIZE_T len = 0;
    NTSTATUS s = NtQueryVirtualMemory(NtCurrentProcess(), at, 0, mbi, sizeof *mbi, &len);
    return expect(s, STATUS_SUCCESS, L"NtQueryVirtualMemory") &&
           expect_true(len == sizeof *mbi, (ULONG)len, L"ReturnLength");
}

static void virtual_memory(void)
{
    HANDLE self = NtCurrentProcess();
    PVOID base = 0;
    SIZE_T size = REGION;
    MEMORY_BASIC_INFORMATION mbi;
    ULONG old = 0;
    ULONG before = failures;
    volatile unsigned char *p;

    /* Reserve + commit in one call: 64 KiB-aligned base, size as asked. */
    if (!expect(NtAllocateVirtualMemory(self, &base, 0, &size, MEM_RESERVE | MEM_COMMIT,
                                        PAGE_READWRITE),
                STATUS_SUCCESS, L"allocate reserve+commit"))
        return;
    expect_true(((ULONG_PTR)base & 0xFFFF) == 0, (ULONG)(ULONG_PTR)base, L"64 KiB aligned");
    expect_true(size == REGION, (ULONG)size, L"RegionSize");

    /* Committed memory reads as zero; every page takes a write (first touch). */
    p = base;
    for (ULONG i = 0; i < REGION; i += PAGE) {
        if (p[i] != 0)
            fail(L"fresh page not zero", i, 0);
        p[i] = (unsigned char)(i / PAGE + 1);
    }
    for (ULONG i = 0; i < REGION; i += PAGE)
        if (p[i] != (unsigned char)(i / PAGE + 1))
            fail(L"page lost its byte", i, 0);

    if (query(base, &mbi)) {
        expect_true(mbi.BaseAddress == base, 0, L"BaseAddress");
        expect_true(mbi.AllocationBase == base, 0, L"AllocationBase");
        expect_true(mbi.RegionSize == REGION, (ULONG)mbi.RegionSize, L"query RegionSize");
        expect_true(mbi.State == MEM_COMMIT, mbi.State, L"State MEM_COMMIT");
        expect_true(mbi.Protect == PAGE_READWRITE, mbi.Protect, L"Protect");
        expect_true(mbi.Type == MEM_PRIVATE, mbi.Type, L"Type MEM_PRIVATE");
    }

    /* Read-only on the second page: the old protection comes back, and the query
       splits the region in three. */
    {
        PVOID at = (unsigned char *)base + PAGE;
        SIZE_T n = PAGE;
        if (expect(NtProtectVirtualMemory(self, &at, &n, PAGE_READONLY, &old), STATUS_SUCCESS,
                   L"NtProtectVirtualMemory")) {
            expect_true(old == PAGE_READWRITE, old, L"old protection");
            if (query((unsigned char *)base + PAGE, &mbi)) {
                expect_true(mbi.Protect == PAGE_READONLY, mbi.Protect, L"now read-only");
                expect_true(mbi.RegionSize == PAGE, (ULONG)mbi.RegionSize, L"one page");
            }
            expect_true(p[PAGE] == 2, p[PAGE], L"read-only page keeps its byte");
        }
    }

    /* Decommit the upper half: reserved, no longer committed. */
    {
        PVOID at = (unsigned char *)base + REGION / 2;
        SIZE_T n = REGION / 2;
        if (expect(NtFreeVirtualMemory(self, &at, &n, MEM_DECOMMIT), STATUS_SUCCESS,
                   L"decommit") &&
            query((unsigned char *)base + REGION / 2, &mbi)) {
            expect_true(mbi.State == MEM_RESERVE, mbi.State, L"State MEM_RESERVE");
            expect_true(mbi.AllocationBase == base, 0, L"still in the allocation");
        }
    }

    /* Release: the whole reservation is free afterwards; releasing again fails. */
    {
        PVOID at = base;
        SIZE_T n = 0;
        if (expect(NtFreeVirtualMemory(self, &at, &n, MEM_RELEASE), STATUS_SUCCESS,
                   L"release")) {
            expect_true(n == REGION, (ULONG)n, L"released size");
            if (query(base, &mbi))
                expect_true(mbi.State == MEM_FREE, mbi.State, L"State MEM_FREE");
        }
        at = base;
        n = 0;
        expect(NtFreeVirtualMemory(self, &at, &n, MEM_RELEASE), STATUS_MEMORY_NOT_ALLOCATED,
               L"release twice");
    }

    /* Hostile arguments: a kernel address for BaseAddress, a bad protection. */
    {
        SIZE_T n = PAGE;
        PVOID at = 0;
        expect(NtAllocateVirtualMemory(self, (PVOID *)(ULONG_PTR)0x8000, 0, &n, MEM_COMMIT,
                                       PAGE_READWRITE),
               STATUS_ACCESS_VIOLATION, L"BaseAddress pointer unmapped");
        expect(NtAllocateVirtualMemory(self, &at, 0, &n, MEM_COMMIT | MEM_RESERVE, 0x1234),
               STATUS_INVALID_PAGE_PROTECTION, L"bad protection");
    }
    if (failures == before) {
        print(PROGRAM L": vm ok");
        end_line();
    }
}

void NTAPI NtProcessStartup(void *peb)
{
    (void)peb;
    virtual_memory();
    ping_pong(1);
    rendezvous(1);
    NtTerminateProcess(NtCurrentProcess(), failures ? (NTSTATUS)(0xBAD00000 | failures)
                                                    : (NTSTATUS)0xC001);
}
