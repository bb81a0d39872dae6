/*
 * pair.h: what cping.exe and cpong.exe share: two named auto-reset events in
 * \BaseNamedObjects (created with OBJ_OPENIF by whichever program runs first), the
 * rounds of the ping-pong, and the keyed-event rendezvous that follows it (the
 * system's keyed event through a NULL handle, then a named keyed event).
 *
 * A round: cping sets PING and waits for PONG; cpong waits for PING and sets PONG.
 * The round waits have no timeout: the executive starts the next boot program only
 * once cping.exe is parked in a wait that cannot end by itself (a timed wait would
 * hold the boot up), so a lost wake-up hangs the boot and the QEMU test times out.
 * The keyed rendezvous, when both programs run, has 60 s timeouts.
 */
#ifndef NEREID_PAIR_H
#define NEREID_PAIR_H

#include "check.h"

#define ROUNDS 200
#define PING_NAME L"\\BaseNamedObjects\\NereidCPing"
#define PONG_NAME L"\\BaseNamedObjects\\NereidCPong"
#define KEYED_NAME L"\\BaseNamedObjects\\NereidCKeyed"
/* Keys: even values, any pointer-sized number. */
#define KEY_GLOBAL ((PVOID)(ULONG_PTR)0x4E520000)
#define KEY_NAMED ((PVOID)(ULONG_PTR)0x4E520002)

static HANDLE open_event(const WCHAR *name)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING us;
    HANDLE h = 0;
    NTSTATUS s;
    init_attributes(&oa, &us, name, OBJ_OPENIF);
    s = NtCreateEvent(&h, EVENT_ALL_ACCESS, &oa, SynchronizationEvent, FALSE);
    if (s != STATUS_SUCCESS && s != STATUS_OBJECT_NAME_EXISTS) {
        fail(L"NtCreateEvent(OBJ_OPENIF)", (ULONG)s, 0);
        return 0;
    }
    return h;
}

static HANDLE open_keyed(void)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING us;
    HANDLE h = 0;
    NTSTATUS s;
    init_attributes(&oa, &us, KEYED_NAME, OBJ_OPENIF);
    s = NtCreateKeyedEvent(&h, KEYEDEVENT_ALL_ACCESS, &oa, 0);
    if (s != STATUS_SUCCESS && s != STATUS_OBJECT_NAME_EXISTS) {
        fail(L"NtCreateKeyedEvent(OBJ_OPENIF)", (ULONG)s, 0);
        return 0;
    }
    return h;
}

/* The rounds: `first` is cping's side (set, then wait). */
static void ping_pong(int first)
{
    HANDLE ping = open_event(PING_NAME);
    HANDLE pong = open_event(PONG_NAME);
    HANDLE mine = first ? ping : pong;
    HANDLE theirs = first ? pong : ping;
    ULONG done = 0;
    if (!ping || !pong)
        return;
    for (ULONG i = 0; i < ROUNDS; i++) {
        if (first && !expect(NtSetEvent(mine, 0), STATUS_SUCCESS, L"NtSetEvent"))
            break;
        if (!expect(NtWaitForSingleObject(theirs, FALSE, 0), STATUS_SUCCESS,
                    L"NtWaitForSingleObject"))
            break;
        if (!first && !expect(NtSetEvent(mine, 0), STATUS_SUCCESS, L"NtSetEvent"))
            break;
        done++;
    }
    expect(NtClose(ping), STATUS_SUCCESS, L"NtClose(PING)");
    expect(NtClose(pong), STATUS_SUCCESS, L"NtClose(PONG)");
    if (done == ROUNDS) {
        print(PROGRAM L": ");
        print_number(done, 10);
        print(L" rounds ok");
        end_line();
    }
}

/* Both rendezvous: cping releases on the global keyed event and waits on the named
   one; cpong does the opposite. Either side may come first; both must succeed. */
static void rendezvous(int first)
{
    LARGE_INTEGER t = millis(60000);
    HANDLE keyed = open_keyed();
    ULONG ok = 0;
    if (!keyed)
        return;
    if (first) {
        ok += expect(NtReleaseKeyedEvent(0, KEY_GLOBAL, FALSE, &t), STATUS_SUCCESS,
                     L"NtReleaseKeyedEvent(NULL)");
        ok += expect(NtWaitForKeyedEvent(keyed, KEY_NAMED, FALSE, &t), STATUS_SUCCESS,
                     L"NtWaitForKeyedEvent(named)");
    } else {
        ok += expect(NtWaitForKeyedEvent(0, KEY_GLOBAL, FALSE, &t), STATUS_SUCCESS,
                     L"NtWaitForKeyedEvent(NULL)");
        ok += expect(NtReleaseKeyedEvent(keyed, KEY_NAMED, FALSE, &t), STATUS_SUCCESS,
                     L"NtReleaseKeyedEvent(named)");
    }
    expect(NtClose(keyed), STATUS_SUCCESS, L"NtClose(keyed)");
    if (ok == 2) {
        print(PROGRAM L": keyed rendezvous ok");
        end_line();
    }
}

#endif
