/*
 * quickstart.c: the C ABI from connect to export, on a CalDAV server.
 *
 *   CALSYNC_PASSWORD=... quickstart SERVER_URL USER CALENDAR_URL
 *
 * Connects the account (discovery finds the calendars), syncs CALENDAR_URL both ways,
 * books one appointment for tomorrow and exports it, and prints the blocked slots of the
 * next 30 days. State is kept in memory here; pass a file as store_path to keep it
 * between runs.
 */
#include <calsync.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int check(calsync_status status, const char* what) {
    if (status == CALSYNC_OK)
        return 1;
    fprintf(stderr, "%s failed (%d): %s\n", what, status, calsync_last_error_message());
    return 0;
}

/* The instant `days` whole days from now at `hour`:00 UTC, as RFC 3339. */
static void day_from_now(int days, int hour, char out[32]) {
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm utc;
    gmtime_r(&t, &utc);
    utc.tm_hour = hour;
    utc.tm_min = 0;
    utc.tm_sec = 0;
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &utc);
}

/* Prints a JSON answer the library handed out, then frees it. */
static void print_answer(const char* title, char* json) {
    printf("%s: %s\n", title, json);
    calsync_string_free(json);
}

int main(int argc, char** argv) {
    calsync_client_options options = CALSYNC_CLIENT_OPTIONS_INIT;
    calsync_client* client = NULL;
    calsync_connection* connection = NULL;
    /* A real host keeps 32 random bytes of its own, secret and stable across restarts. */
    static const unsigned char host_key[32] = "quickstart-only-host-key-32bytes";
    const char* password = getenv("CALSYNC_PASSWORD");
    char request[2048];
    char start[32], end[32], until[32];
    char* answer = NULL;
    int ok = 0;

    if (argc != 4 || password == NULL) {
        fprintf(stderr, "usage: CALSYNC_PASSWORD=... %s SERVER_URL USER CALENDAR_URL\n", argv[0]);
        return 2;
    }
    options.host_key = host_key;
    options.host_key_length = sizeof host_key;
    options.config_json =
        "{\"zone\": \"Europe/Berlin\", \"network\": {\"allow_private_addresses\": true}}";
    if (!check(calsync_client_new(&options, &client), "calsync_client_new"))
        return 1;

    /* JSON in: real code builds it with a JSON library (the values need escaping). */
    snprintf(request, sizeof request,
             "{\"kind\": \"caldav\", \"settings\": {\"url\": \"%s\", \"username\": \"%s\"},"
             " \"password\": \"%s\"}",
             argv[1], argv[2], password);
    if (!check(calsync_client_connect(client, request, &connection), "connect"))
        goto done;
    if (!check(calsync_connection_calendars(connection, &answer), "calendars"))
        goto done;
    print_answer("calendars", answer);

    snprintf(request, sizeof request, "{\"calendar_id\": \"%s\", \"direction\": \"both\"}",
             argv[3]);
    if (!check(calsync_connection_select(connection, request), "select"))
        goto done;
    day_from_now(1, 7, start);
    day_from_now(1, 9, end);
    snprintf(request, sizeof request,
             "{\"id\": \"quickstart-1\", \"start\": \"%s\", \"end\": \"%s\","
             " \"client\": \"J. Weber\", \"service\": \"Brake check\","
             " \"vehicle\": \"VW Golf, HH-AB 123\"}",
             start, end);
    if (!check(calsync_client_upsert_appointment(client, request), "upsert appointment"))
        goto done;
    if (!check(calsync_connection_sync(connection, &answer), "sync"))
        goto done;
    print_answer("sync", answer);
    day_from_now(0, 0, start);
    day_from_now(30, 0, until);
    snprintf(request, sizeof request, "{\"start\": \"%s\", \"end\": \"%s\"}", start, until);
    if (!check(calsync_client_blocked_slots(client, request, &answer), "blocked slots"))
        goto done;
    print_answer("blocked", answer);
    ok = 1;
done:
    calsync_connection_free(connection);
    calsync_client_free(client);
    return ok ? 0 : 1;
}
