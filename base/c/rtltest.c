/*
 * rtltest.exe: calls ntdll's Rtl routines from C (mingw-w64, stdcall on i386) and
 * checks the results against what Windows documents. Prints one line per failed
 * check and a result line, then exits with 0x600D when every check passed, otherwise
 * with 0xBAD00000 | (bit n set for failed check n).
 */
#include "nt.h"

static ULONG failed;
static ULONG checks;

static void print(const WCHAR *text)
{
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, text);
    NtDisplayString(&s);
}

/* "rtltest: <what> FAILED\n" for check number `checks`. */
static void check(int ok, const WCHAR *what)
{
    if (!ok) {
        failed |= 1UL << checks;
        print(L"rtltest: ");
        print(what);
        print(L" FAILED\n");
    }
    checks++;
}

static int equal(const UNICODE_STRING *s, const WCHAR *text)
{
    UNICODE_STRING t;
    RtlInitUnicodeString(&t, text);
    return RtlCompareUnicodeString(s, &t, FALSE) == 0;
}

static void integers(void)
{
    WCHAR buf[16];
    UNICODE_STRING s = { 0, sizeof buf, buf };
    WCHAR small[2];
    UNICODE_STRING tiny = { 0, sizeof small, small };

    /* MSDN RtlIntegerToUnicodeString: digits in the given base, no prefix. */
    check(RtlIntegerToUnicodeString(1234, 10, &s) == STATUS_SUCCESS && equal(&s, L"1234"),
          L"RtlIntegerToUnicodeString base 10");
    /* Uppercase hexadecimal digits, as Windows writes them. */
    check(RtlIntegerToUnicodeString(0xBEEF, 16, &s) == STATUS_SUCCESS && equal(&s, L"BEEF"),
          L"RtlIntegerToUnicodeString base 16");
    check(RtlIntegerToUnicodeString(5, 2, &s) == STATUS_SUCCESS && equal(&s, L"101"),
          L"RtlIntegerToUnicodeString base 2");
    /* Documented: STATUS_BUFFER_OVERFLOW when the buffer is too small. */
    check(RtlIntegerToUnicodeString(123456, 10, &tiny) == STATUS_BUFFER_OVERFLOW,
          L"RtlIntegerToUnicodeString overflow");
    /* Documented: STATUS_INVALID_PARAMETER for a base other than 2, 8, 10, 16 (0 = 10). */
    check(RtlIntegerToUnicodeString(7, 3, &s) == STATUS_INVALID_PARAMETER,
          L"RtlIntegerToUnicodeString base 3");
}

static void strings(void)
{
    UNICODE_STRING a, b, c;
    WCHAR buf[32];
    UNICODE_STRING d = { 0, sizeof buf, buf };

    RtlInitUnicodeString(&a, L"abc");
    RtlInitUnicodeString(&b, L"ABC");
    RtlInitUnicodeString(&c, L"ABD");
    /* RtlInitUnicodeString: Length = bytes without the NUL, MaximumLength with it. */
    check(a.Length == 6 && a.MaximumLength == 8, L"RtlInitUnicodeString lengths");
    check(RtlCompareUnicodeString(&a, &b, TRUE) == 0, L"RtlCompareUnicodeString case-insensitive equal");
    /* 'a' (0x61) sorts after 'A' (0x41) when case matters. */
    check(RtlCompareUnicodeString(&a, &b, FALSE) > 0, L"RtlCompareUnicodeString case-sensitive");
    check(RtlCompareUnicodeString(&a, &c, TRUE) < 0, L"RtlCompareUnicodeString less");
    check(RtlEqualUnicodeString(&a, &b, TRUE) && !RtlEqualUnicodeString(&a, &b, FALSE),
          L"RtlEqualUnicodeString");
    check(RtlUpcaseUnicodeChar(L'z') == L'Z' && RtlUpcaseUnicodeChar(L'5') == L'5',
          L"RtlUpcaseUnicodeChar");
    check(RtlAppendUnicodeToString(&d, L"Ner") == STATUS_SUCCESS &&
              RtlAppendUnicodeStringToString(&d, &a) == STATUS_SUCCESS && equal(&d, L"Nerabc"),
          L"RtlAppend*");
}

static void bitmaps(void)
{
    ULONG bits[2] = { 0, 0 };
    RTL_BITMAP bm;

    RtlInitializeBitMap(&bm, bits, 64);
    RtlSetBits(&bm, 3, 5);
    /* Bit n of the map is bit n % 32 of ULONG n / 32. */
    check(bits[0] == 0xF8 && bits[1] == 0, L"RtlSetBits layout");
    check(RtlNumberOfSetBits(&bm) == 5, L"RtlNumberOfSetBits");
    check(RtlAreBitsSet(&bm, 3, 5) && !RtlAreBitsSet(&bm, 2, 2), L"RtlAreBitsSet");
    /* The first run of 4 clear bits from the hint 0 starts after the set run. */
    check(RtlFindClearBits(&bm, 4, 0) == 8, L"RtlFindClearBits");
    check(RtlFindSetBits(&bm, 5, 0) == 3, L"RtlFindSetBits");
    /* Not found: 0xFFFFFFFF. */
    check(RtlFindSetBits(&bm, 6, 0) == 0xFFFFFFFFUL, L"RtlFindSetBits not found");
    check(RtlFindClearBitsAndSet(&bm, 3, 0) == 0 && RtlNumberOfSetBits(&bm) == 8,
          L"RtlFindClearBitsAndSet");
}

static void times(void)
{
    LARGE_INTEGER t;
    TIME_FIELDS f;
    ULONG secs = 0;

    /* 1970-01-01 is 11644473600 s after 1601-01-01 (the FILETIME epoch). */
    RtlSecondsSince1970ToTime(0, &t);
    check(t.QuadPart == 116444736000000000LL, L"RtlSecondsSince1970ToTime");
    RtlTimeToTimeFields(&t, &f);
    /* 1970-01-01 was a Thursday; TIME_FIELDS.Weekday counts from Sunday = 0. */
    check(f.Year == 1970 && f.Month == 1 && f.Day == 1 && f.Hour == 0 && f.Minute == 0 &&
              f.Second == 0 && f.Milliseconds == 0 && f.Weekday == 4,
          L"RtlTimeToTimeFields epoch");
    f.Year = 2000;
    f.Month = 2;
    f.Day = 29;
    f.Hour = 12;
    f.Minute = 34;
    f.Second = 56;
    f.Milliseconds = 789;
    /* 2000-02-29T12:34:56Z is 951827696 s after 1970 (leap day of a leap century). */
    check(RtlTimeFieldsToTime(&f, &t) && t.QuadPart == 125963012967890000LL,
          L"RtlTimeFieldsToTime");
    check(RtlTimeToSecondsSince1970(&t, &secs) && secs == 951827696UL,
          L"RtlTimeToSecondsSince1970");
    /* Documented: FALSE for fields out of range (month 13). */
    f.Month = 13;
    check(!RtlTimeFieldsToTime(&f, &t), L"RtlTimeFieldsToTime invalid month");
}

void NTAPI NtProcessStartup(void *Peb)
{
    WCHAR buf[16];
    UNICODE_STRING n = { 0, sizeof buf, buf };
    (void)Peb;

    integers();
    strings();
    bitmaps();
    times();

    /* "rtltest: <checks> checks, <failed> failed" */
    print(L"rtltest: ");
    RtlIntegerToUnicodeString(checks, 10, &n);
    NtDisplayString(&n);
    print(L" checks, ");
    {
        ULONG count = 0, bit;
        for (bit = 0; bit < 32; bit++)
            count += (failed >> bit) & 1;
        RtlIntegerToUnicodeString(count, 10, &n);
    }
    NtDisplayString(&n);
    print(L" failed\n");
    for (;;)
        NtTerminateProcess(NtCurrentProcess(), failed ? (NTSTATUS)(0xBAD00000UL | failed) : 0x600D);
}
