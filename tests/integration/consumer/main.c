/* A program built against an installed calsync: one event in, one blocked slot out. */
#include <calsync.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    const char* request =
        "{\"version\":1,\"zone\":\"Europe/Berlin\","
        "\"window\":{\"start\":\"2026-06-01T00:00:00Z\",\"end\":\"2026-06-02T00:00:00Z\"},"
        "\"calendars\":[{\"id\":\"c\",\"ics\":\"BEGIN:VCALENDAR\\r\\nVERSION:2.0\\r\\n"
        "BEGIN:VEVENT\\r\\nUID:x\\r\\nDTSTART;TZID=Europe/Berlin:20260601T100000\\r\\n"
        "DTEND;TZID=Europe/Berlin:20260601T110000\\r\\nEND:VEVENT\\r\\nEND:VCALENDAR\\r\\n\"}]}";
    char* response = NULL;
    if (calsync_abi_version() != CALSYNC_ABI_VERSION) {
        fprintf(stderr, "ABI mismatch\n");
        return 1;
    }
#if CALSYNC_VERSION_NUMBER < 10000
#error "calsync.h older than 1.0.0"
#endif
    /* Installed header and library are of one release. */
    if (strcmp(calsync_version(), CALSYNC_VERSION_STRING) != 0) {
        fprintf(stderr, "library %s, header %s\n", calsync_version(), CALSYNC_VERSION_STRING);
        return 1;
    }
    if (calsync_engine_blocked_slots(request, &response) != CALSYNC_OK) {
        fprintf(stderr, "failed: %s\n", calsync_last_error_message());
        return 1;
    }
    /* 10:00-11:00 in Berlin summer time (UTC+2). */
    const int ok =
        strstr(response, "\"start\":\"2026-06-01T08:00:00Z\",\"end\":\"2026-06-01T09:00:00Z\"") !=
        NULL;
    printf("calsync %s: %s\n", calsync_version(), response);
    calsync_string_free(response);
    return ok ? 0 : 1;
}
