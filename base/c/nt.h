/*
 * nt.h: the few NT types and ntdll prototypes Nereid's C test programs use.
 * Written for Nereid from the documented ABI (type sizes, NTAPI = stdcall on i386);
 * not a copy of any SDK header.
 */
#ifndef NEREID_NT_H
#define NEREID_NT_H

#define NTAPI __stdcall
#define NTSYSAPI __declspec(dllimport)

typedef unsigned char BOOLEAN;
typedef unsigned short USHORT;
typedef short CSHORT;
typedef unsigned short WCHAR;
typedef long LONG;            /* 32 bits on both arches (LLP64) */
typedef unsigned long ULONG;
typedef long NTSTATUS;
typedef void *HANDLE;

#define TRUE 1
#define FALSE 0
#define NT_SUCCESS(s) ((NTSTATUS)(s) >= 0)

typedef struct _UNICODE_STRING {
    USHORT Length;        /* bytes, without a terminator */
    USHORT MaximumLength; /* bytes */
    WCHAR *Buffer;
} UNICODE_STRING;

typedef struct _RTL_BITMAP {
    ULONG SizeOfBitMap; /* bits */
    ULONG *Buffer;
} RTL_BITMAP;

typedef struct _TIME_FIELDS {
    CSHORT Year;
    CSHORT Month;
    CSHORT Day;
    CSHORT Hour;
    CSHORT Minute;
    CSHORT Second;
    CSHORT Milliseconds;
    CSHORT Weekday; /* 0 = Sunday */
} TIME_FIELDS;

typedef union _LARGE_INTEGER {
    struct {
        ULONG LowPart;
        LONG HighPart;
    } u;
    long long QuadPart;
} LARGE_INTEGER;

#define NtCurrentProcess() ((HANDLE)(long)-1)

/* System services. */
NTSYSAPI NTSTATUS NTAPI NtDisplayString(UNICODE_STRING *String);
NTSYSAPI NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus);
NTSYSAPI NTSTATUS NTAPI NtClose(HANDLE Handle);

/* Strings. */
NTSYSAPI void NTAPI RtlInitUnicodeString(UNICODE_STRING *Destination, const WCHAR *Source);
NTSYSAPI NTSTATUS NTAPI RtlIntegerToUnicodeString(ULONG Value, ULONG Base,
                                                  UNICODE_STRING *String);
NTSYSAPI LONG NTAPI RtlCompareUnicodeString(const UNICODE_STRING *String1,
                                            const UNICODE_STRING *String2,
                                            BOOLEAN CaseInSensitive);
NTSYSAPI BOOLEAN NTAPI RtlEqualUnicodeString(const UNICODE_STRING *String1,
                                             const UNICODE_STRING *String2,
                                             BOOLEAN CaseInSensitive);
NTSYSAPI NTSTATUS NTAPI RtlAppendUnicodeToString(UNICODE_STRING *Destination,
                                                 const WCHAR *Source);
NTSYSAPI NTSTATUS NTAPI RtlAppendUnicodeStringToString(UNICODE_STRING *Destination,
                                                       const UNICODE_STRING *Source);
NTSYSAPI WCHAR NTAPI RtlUpcaseUnicodeChar(WCHAR SourceCharacter);

/* Bitmaps. */
NTSYSAPI void NTAPI RtlInitializeBitMap(RTL_BITMAP *BitMapHeader, ULONG *BitMapBuffer,
                                        ULONG SizeOfBitMap);
NTSYSAPI void NTAPI RtlSetBits(RTL_BITMAP *BitMapHeader, ULONG StartingIndex,
                               ULONG NumberToSet);
NTSYSAPI BOOLEAN NTAPI RtlAreBitsSet(RTL_BITMAP *BitMapHeader, ULONG StartingIndex,
                                     ULONG Length);
NTSYSAPI ULONG NTAPI RtlNumberOfSetBits(RTL_BITMAP *BitMapHeader);
NTSYSAPI ULONG NTAPI RtlFindClearBits(RTL_BITMAP *BitMapHeader, ULONG NumberToFind,
                                      ULONG HintIndex);
NTSYSAPI ULONG NTAPI RtlFindSetBits(RTL_BITMAP *BitMapHeader, ULONG NumberToFind,
                                    ULONG HintIndex);
NTSYSAPI ULONG NTAPI RtlFindClearBitsAndSet(RTL_BITMAP *BitMapHeader, ULONG NumberToFind,
                                            ULONG HintIndex);

/* Time: 100 ns units since 1601-01-01 UTC. */
NTSYSAPI void NTAPI RtlTimeToTimeFields(LARGE_INTEGER *Time, TIME_FIELDS *TimeFields);
NTSYSAPI BOOLEAN NTAPI RtlTimeFieldsToTime(TIME_FIELDS *TimeFields, LARGE_INTEGER *Time);
NTSYSAPI void NTAPI RtlSecondsSince1970ToTime(ULONG ElapsedSeconds, LARGE_INTEGER *Time);
NTSYSAPI BOOLEAN NTAPI RtlTimeToSecondsSince1970(LARGE_INTEGER *Time, ULONG *ElapsedSeconds);

#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#define STATUS_BUFFER_OVERFLOW ((NTSTATUS)0x80000005L)
#define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000DL)

#endif
