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
/* C-variadic, cdecl (no NTAPI), as Windows declares them. */
NTSYSAPI ULONG __cdecl DbgPrint(const char *Format, ...);
NTSYSAPI ULONG __cdecl DbgPrintEx(ULONG ComponentId, ULONG Level, const char *Format, ...);
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

/* Pointer-sized integers. */
typedef __UINTPTR_TYPE__ ULONG_PTR;
typedef ULONG_PTR SIZE_T;
typedef void *PVOID;

typedef struct _OBJECT_ATTRIBUTES {
    ULONG Length;
    HANDLE RootDirectory;
    UNICODE_STRING *ObjectName;
    ULONG Attributes;
    PVOID SecurityDescriptor;
    PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES;

#define OBJ_CASE_INSENSITIVE 0x40
#define OBJ_OPENIF 0x80

typedef struct _MEMORY_BASIC_INFORMATION {
    PVOID BaseAddress;
    PVOID AllocationBase;
    ULONG AllocationProtect;
    SIZE_T RegionSize;
    ULONG State;
    ULONG Protect;
    ULONG Type;
} MEMORY_BASIC_INFORMATION;

/* Events, keyed events, waits. */
NTSYSAPI NTSTATUS NTAPI NtCreateEvent(HANDLE *EventHandle, ULONG DesiredAccess,
                                      OBJECT_ATTRIBUTES *ObjectAttributes, ULONG EventType,
                                      BOOLEAN InitialState);
NTSYSAPI NTSTATUS NTAPI NtOpenEvent(HANDLE *EventHandle, ULONG DesiredAccess,
                                    OBJECT_ATTRIBUTES *ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI NtSetEvent(HANDLE EventHandle, LONG *PreviousState);
NTSYSAPI NTSTATUS NTAPI NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable,
                                              LARGE_INTEGER *Timeout);
NTSYSAPI NTSTATUS NTAPI NtWaitForMultipleObjects(ULONG Count, HANDLE *Handles,
                                                 ULONG WaitType, BOOLEAN Alertable,
                                                 LARGE_INTEGER *Timeout);
NTSYSAPI NTSTATUS NTAPI NtCreateKeyedEvent(HANDLE *KeyedEventHandle, ULONG DesiredAccess,
                                           OBJECT_ATTRIBUTES *ObjectAttributes, ULONG Flags);
NTSYSAPI NTSTATUS NTAPI NtReleaseKeyedEvent(HANDLE KeyedEventHandle, PVOID Key,
                                            BOOLEAN Alertable, LARGE_INTEGER *Timeout);
NTSYSAPI NTSTATUS NTAPI NtWaitForKeyedEvent(HANDLE KeyedEventHandle, PVOID Key,
                                            BOOLEAN Alertable, LARGE_INTEGER *Timeout);
NTSYSAPI NTSTATUS NTAPI NtQueryPerformanceCounter(LARGE_INTEGER *PerformanceCounter,
                                                  LARGE_INTEGER *PerformanceFrequency);

/* Virtual memory. */
NTSYSAPI NTSTATUS NTAPI NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress,
                                                ULONG_PTR ZeroBits, SIZE_T *RegionSize,
                                                ULONG AllocationType, ULONG Protect);
NTSYSAPI NTSTATUS NTAPI NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress,
                                            SIZE_T *RegionSize, ULONG FreeType);
NTSYSAPI NTSTATUS NTAPI NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress,
                                               SIZE_T *NumberOfBytesToProtect,
                                               ULONG NewAccessProtection,
                                               ULONG *OldAccessProtection);
NTSYSAPI NTSTATUS NTAPI NtQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress,
                                             ULONG MemoryInformationClass,
                                             PVOID MemoryInformation,
                                             SIZE_T MemoryInformationLength,
                                             SIZE_T *ReturnLength);

#define EVENT_ALL_ACCESS 0x1F0003
#define KEYEDEVENT_ALL_ACCESS 0xF0003
#define NotificationEvent 0
#define SynchronizationEvent 1
#define WaitAll 0
#define WaitAny 1

#define MEM_COMMIT 0x1000
#define MEM_RESERVE 0x2000
#define MEM_DECOMMIT 0x4000
#define MEM_RELEASE 0x8000
#define MEM_FREE 0x10000
#define MEM_PRIVATE 0x20000
#define PAGE_NOACCESS 0x01
#define PAGE_READONLY 0x02
#define PAGE_READWRITE 0x04

#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#define STATUS_TIMEOUT ((NTSTATUS)0x00000102L)
#define STATUS_OBJECT_NAME_EXISTS ((NTSTATUS)0x40000000L)
#define STATUS_ACCESS_VIOLATION ((NTSTATUS)0xC0000005L)
#define STATUS_INVALID_HANDLE ((NTSTATUS)0xC0000008L)
#define STATUS_NO_MEMORY ((NTSTATUS)0xC0000017L)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009AL)
#define STATUS_INVALID_PARAMETER_1 ((NTSTATUS)0xC00000EFL)
#define STATUS_INVALID_PARAMETER_2 ((NTSTATUS)0xC00000F0L)
#define STATUS_COMMITMENT_LIMIT ((NTSTATUS)0xC000012DL)
#define STATUS_MEMORY_NOT_ALLOCATED ((NTSTATUS)0xC00000A0L)
#define STATUS_INVALID_PAGE_PROTECTION ((NTSTATUS)0xC0000045L)
#define STATUS_BUFFER_OVERFLOW ((NTSTATUS)0x80000005L)
#define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000DL)

#endif
