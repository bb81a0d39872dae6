/*
 * cpong.exe: the second half of the pair with cping.exe (pair.h): waits for PING and
 * sets PONG for every round, then meets cping on the keyed events. Exits with 0xC002
 * when every check passed, else 0xBAD00000 | failures.
 */
#define PROGRAM L"cpong"
#include "pair.h"

void NTAPI NtProcessStartup(void *peb)
{
    HANDLE gate;
    (void)peb;
    /* After the abusers (see check.h); no timeout, as the rounds. */
    gate = abusers_gate();
    if (!gate || NtWaitForSingleObject(gate, FALSE, 0) != STATUS_SUCCESS)
        fail(L"wait for the abusers' gate", 0, 0);
    ping_pong(0);
    rendezvous(0);
    NtTerminateProcess(NtCurrentProcess(), failures ? (NTSTATUS)(0xBAD00000 | failures)
                                                    : (NTSTATUS)0xC002);
}
