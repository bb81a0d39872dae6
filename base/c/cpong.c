/*
 * cpong.exe: the second half of the pair with cping.exe (pair.h): waits for PING and
 * sets PONG for every round, then meets cping on the keyed events. Exits with 0xC002
 * when every check passed, else 0xBAD00000 | failures.
 */
#define PROGRAM L"cpong"
#include "pair.h"

void NTAPI NtProcessStartup(void *peb)
{
    (void)peb;
    ping_pong(0);
    rendezvous(0);
    NtTerminateProcess(NtCurrentProcess(), failures ? (NTSTATUS)(0xBAD00000 | failures)
                                                    : (NTSTATUS)0xC002);
}
