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
    /* DbgPrint's conversions, checked by the QEMU test on the serial line: a C
     * caller's varargs (cdecl on i386, register + stack on x64). */
    RtlInitUnicodeString(&line, L"wide");
    DbgPrint("dbgprint: %s %d %u %#x %-4s| %05d %wZ %I64u %c\n", "ok", -5, 7u, 255u, "ab", 42,
             &line, 123456789012ULL, 'Z');
    DbgPrintEx(0, 0, "dbgprintex: %ls %X %%\n", L"wstr", 0xBEEFu);
    for (;;)
        NtTerminateProcess(NtCurrentProcess(), 0x4321);
}
