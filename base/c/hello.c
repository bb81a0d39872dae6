/*
 * chello.exe: a native program in C, built with mingw-w64 against libntdll.a.
 * Prints one line through NtDisplayString and exits with status 0x4321.
 */
#include "nt.h"

void NTAPI NtProcessStartup(void *Peb)
{
    UNICODE_STRING line;
    (void)Peb;
    RtlInitUnicodeString(&line, L"hello from a C native program\n");
    NtDisplayString(&line);
    for (;;)
        NtTerminateProcess(NtCurrentProcess(), 0x4321);
}
