/*
 * abusewait.exe: a hostile client of the wait services. Bad handles and pointers,
 * 65 objects, waits on 64 objects (WaitAll and WaitAny, by timeout and by signal),
 * many short timed waits, events created until the handle table or the executive
 * refuses, and finally an infinite wait on an event nobody will ever set: the process
 * stays parked for the rest of the boot while the executive serves the others
 * (cpong.exe finishes its ping-pong with cping.exe after this). Prints
 * "abusewait: FAIL ..." per failed check and "abusewait: ... ok" before parking.
 */
#define PROGRAM L"abusewait"
#include "check.h"

#define MANY 6000

static HANDLE handles[MANY];

static HANDLE event(ULONG type, BOOLEAN initial)
{
    HANDLE h = 0;
    expect(NtCreateEvent(&h, EVENT_ALL_ACCESS, 0, type, initial), STATUS_SUCCESS,
           L"NtCreateEvent");
    return h;
}

static void bad_arguments(void)
{
    LARGE_INTEGER zero = { .QuadPart = 0 };
    HANDLE h = event(NotificationEvent, FALSE);
    HANDLE list[65];
    expect(NtWaitForSingleObject((HANDLE)(ULONG_PTR)0x1234, FALSE, &zero),
           STATUS_INVALID_HANDLE, L"wait on a bad handle");
    expect(NtWaitForSingleObject(0, FALSE, &zero), STATUS_INVALID_HANDLE,
           L"wait on NULL");
    expect(NtWaitForSingleObject(h, FALSE, (LARGE_INTEGER *)(ULONG_PTR)0x8000),
           STATUS_ACCESS_VIOLATION, L"unmapped timeout pointer");
    for (int i = 0; i < 65; i++)
        list[i] = h;
    expect(NtWaitForMultipleObjects(65, list, WaitAny, FALSE, &zero),
           STATUS_INVALID_PARAMETER_1, L"65 objects");
    expect(NtWaitForMultipleObjects(0, list, WaitAny, FALSE, &zero),
           STATUS_INVALID_PARAMETER_1, L"0 objects");
    expect(NtWaitForMultipleObjects(2, (HANDLE *)(ULONG_PTR)0x8000, WaitAny, FALSE, &zero),
           STATUS_ACCESS_VIOLATION, L"unmapped handle array");
    list[7] = (HANDLE)(ULONG_PTR)0x5678;
    expect(NtWaitForMultipleObjects(8, list, WaitAny, FALSE, &zero), STATUS_INVALID_HANDLE,
           L"a bad handle among 8");
    NtClose(h);
}

static void sixty_four(void)
{
    LARGE_INTEGER zero = { .QuadPart = 0 };
    LARGE_INTEGER short_wait = millis(20);
    HANDLE list[64];
    for (int i = 0; i < 64; i++)
        list[i] = event(NotificationEvent, FALSE);
    expect(NtWaitForMultipleObjects(64, list, WaitAll, FALSE, &zero), STATUS_TIMEOUT,
           L"WaitAll on 64, none set");
    expect(NtWaitForMultipleObjects(64, list, WaitAny, FALSE, &short_wait), STATUS_TIMEOUT,
           L"WaitAny on 64 with a timeout");
    expect(NtSetEvent(list[63], 0), STATUS_SUCCESS, L"set the last");
    expect(NtWaitForMultipleObjects(64, list, WaitAny, FALSE, &zero), (NTSTATUS)63,
           L"WaitAny on 64: index 63");
    for (int i = 0; i < 63; i++)
        NtSetEvent(list[i], 0);
    expect(NtWaitForMultipleObjects(64, list, WaitAll, FALSE, 0), STATUS_SUCCESS,
           L"WaitAll on 64, all set");
    for (int i = 0; i < 64; i++)
        expect(NtClose(list[i]), STATUS_SUCCESS, L"close one of 64");
}

static void many_waits(void)
{
    LARGE_INTEGER t = millis(1);
    HANDLE h = event(SynchronizationEvent, FALSE);
    ULONG timeouts = 0;
    for (int i = 0; i < 200; i++)
        if (NtWaitForSingleObject(h, FALSE, &t) == STATUS_TIMEOUT)
            timeouts++;
    expect_true(timeouts == 200, timeouts, L"200 timed waits time out");
    NtClose(h);
}

static void many_handles(void)
{
    ULONG n = 0;
    NTSTATUS s = STATUS_SUCCESS;
    while (n < MANY) {
        s = NtCreateEvent(&handles[n], EVENT_ALL_ACCESS, 0, NotificationEvent, FALSE);
        if (s != STATUS_SUCCESS)
            break;
        n++;
    }
    expect_true(s == STATUS_INSUFFICIENT_RESOURCES || s == STATUS_NO_MEMORY, (ULONG)s,
                L"handle flood ends with a resource status");
    expect_true(n > 1000, n, L"over 1000 handles first");
    print(PROGRAM L": ");
    print_number(n, 10);
    print(L" events, then ");
    print_number((ULONG)s, 16);
    end_line();
    for (ULONG i = 0; i < n; i++)
        if (NtClose(handles[i]) != STATUS_SUCCESS) {
            fail(L"close after the flood", i, 0);
            break;
        }
    /* Handles are usable again. */
    {
        HANDLE h = event(NotificationEvent, TRUE);
        LARGE_INTEGER zero = { .QuadPart = 0 };
        expect(NtWaitForSingleObject(h, FALSE, &zero), STATUS_SUCCESS, L"wait after flood");
        NtClose(h);
    }
}

void NTAPI NtProcessStartup(void *peb)
{
    HANDLE forever;
    (void)peb;
    bad_arguments();
    sixty_four();
    many_waits();
    many_handles();
    if (!failures) {
        print(PROGRAM L": ok, parking forever");
        end_line();
    }
    forever = event(NotificationEvent, FALSE);
    {
        HANDLE gate = abusers_gate();
        if (!gate || NtSetEvent(gate, 0) != STATUS_SUCCESS) {
            print(PROGRAM L": FAIL could not open the abusers' gate");
            end_line();
        }
    }
    /* Nobody sets it: parked until the executive powers off. */
    NtWaitForSingleObject(forever, FALSE, 0);
    print(PROGRAM L": FAIL the infinite wait returned");
    end_line();
    NtTerminateProcess(NtCurrentProcess(), (NTSTATUS)0xBAD0FFFF);
}
