/* The yardstick for calsync's full pass: the same work done by a plain C program directly
 * on libical. Parses an iCalendar file, expands every VEVENT within
 * [2026-01-01T00:00Z, 2027-01-01T00:00Z) honouring EXDATE and RECURRENCE-ID overrides,
 * keeps the occurrences that block time (not CANCELLED, not TRANSPARENT), converts them to
 * UTC (all-day dates are read in the business zone, Europe/Berlin, as calsync does), then
 * sorts and merges them into busy intervals.
 *
 * usage: baseline_libical [--repeat N] FILE.ics
 * prints: occurrences=<n> merged=<n> checksum=<sum of start + 3 * end over the occurrences,
 * to compare with calsync> seconds=<median of N runs> parse_seconds=<median of the
 * icalparser_parse_string part alone>
 *
 * The timed region is parse + expand + merge + freeing the parsed tree (calsync's read_ics
 * frees its tree too); reading the file and loading the business zone from the system
 * time-zone database (cached by both libraries for the life of the process) are not. */
#define _POSIX_C_SOURCE 200809L

#include <libical/ical.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const int64_t kWindowStart = 1767225600; /* 2026-01-01T00:00:00Z */
static const int64_t kWindowEnd = 1798761600;   /* 2027-01-01T00:00:00Z */
static const char* const kBusinessZone = "Europe/Berlin";

typedef struct {
    int64_t start;
    int64_t end;
} span;

typedef struct {
    span* v;
    size_t n;
    size_t cap;
} span_list;

static void span_push(span_list* l, int64_t start, int64_t end) {
    if (l->n == l->cap) {
        l->cap = l->cap != 0 ? l->cap * 2 : 4096;
        l->v = realloc(l->v, l->cap * sizeof(span));
        if (l->v == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
    }
    l->v[l->n].start = start;
    l->v[l->n].end = end;
    l->n++;
}

static int span_cmp(const void* a, const void* b) {
    const span* x = a;
    const span* y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

/* A RECURRENCE-ID override, found by its series' UID and the instance it replaces. */
typedef struct {
    const char* uid;
    int64_t rid;
    icalcomponent* comp;
} override_ref;

static int override_cmp(const void* a, const void* b) {
    const override_ref* x = a;
    const override_ref* y = b;
    const int c = strcmp(x->uid, y->uid);
    if (c != 0)
        return c;
    return x->rid < y->rid ? -1 : x->rid > y->rid;
}

typedef struct {
    icalcomponent* vcal;
    icaltimezone* business;
    span_list spans;
} pass_state;

/* Property getters give the wall-clock fields only; the TZID parameter names the zone,
 * looked up among the calendar's VTIMEZONEs. DATE values and floating times are read in
 * the business zone. */
static icaltimezone* zone_of(const pass_state* st, icalproperty* prop, struct icaltimetype t) {
    if (icaltime_is_utc(t))
        return icaltimezone_get_utc_timezone();
    if (!t.is_date) {
        icalparameter* tzid = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
        if (tzid != NULL) {
            icaltimezone* z = icalcomponent_get_timezone(st->vcal, icalparameter_get_tzid(tzid));
            if (z == NULL)
                z = icaltimezone_get_builtin_timezone(icalparameter_get_tzid(tzid));
            if (z != NULL)
                return z;
        }
    }
    return st->business;
}

static int64_t to_utc(const pass_state* st, icalproperty* prop, struct icaltimetype t) {
    return (int64_t)icaltime_as_timet_with_zone(t, zone_of(st, prop, t));
}

static int blocks(icalcomponent* c) {
    icalproperty* p = icalcomponent_get_first_property(c, ICAL_STATUS_PROPERTY);
    if (p != NULL && icalproperty_get_status(p) == ICAL_STATUS_CANCELLED)
        return 0;
    p = icalcomponent_get_first_property(c, ICAL_TRANSP_PROPERTY);
    if (p != NULL) {
        const icalproperty_transp t = icalproperty_get_transp(p);
        if (t == ICAL_TRANSP_TRANSPARENT || t == ICAL_TRANSP_TRANSPARENTNOCONFLICT)
            return 0;
    }
    return 1;
}

static void keep(pass_state* st, int64_t start, int64_t end) {
    if (start < end && start < kWindowEnd && end > kWindowStart)
        span_push(&st->spans, start, end);
}

/* How long each instance lasts: whole days for an all-day event (each instance ends at
 * the business zone's midnight, so DST days keep their length in days), else seconds. */
typedef struct {
    int is_date;
    int days;
    int64_t seconds;
} length;

static length length_of(const pass_state* st, icalcomponent* c, icalproperty* dtstart_prop,
                        struct icaltimetype start) {
    length len = {start.is_date, 0, 0};
    icalproperty* end_prop = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
    if (end_prop != NULL) {
        const struct icaltimetype end = icalproperty_get_dtend(end_prop);
        if (start.is_date && end.is_date) {
            len.days = icaltime_day_of_year(end) - icaltime_day_of_year(start);
            for (int y = start.year; y < end.year; ++y)
                len.days += icaltime_days_in_year(y);
            if (len.days <= 0)
                len.days = 1;
        } else {
            len.is_date = 0;
            len.seconds = to_utc(st, end_prop, end) - to_utc(st, dtstart_prop, start);
            if (len.seconds < 0)
                len.seconds = 0;
        }
        return len;
    }
    icalproperty* dur_prop = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
    if (dur_prop != NULL) {
        len.is_date = 0;
        len.seconds = icaldurationtype_as_int(icalproperty_get_duration(dur_prop));
        if (len.seconds < 0)
            len.seconds = 0;
    } else if (start.is_date) {
        len.days = 1; /* RFC 5545 3.6.1: a DATE start without an end lasts one day */
    }
    return len;
}

static void occurrence(pass_state* st, struct icaltimetype local, int64_t start,
                       const length* len) {
    if (len->is_date) {
        struct icaltimetype end = local;
        icaltime_adjust(&end, len->days, 0, 0, 0);
        keep(st, start, (int64_t)icaltime_as_timet_with_zone(end, st->business));
    } else {
        keep(st, start, start + len->seconds);
    }
}

static int contains(const int64_t* v, size_t n, int64_t x) {
    for (size_t i = 0; i < n; ++i)
        if (v[i] == x)
            return 1;
    return 0;
}

static void expand_override(pass_state* st, icalcomponent* ov) {
    if (!blocks(ov))
        return;
    icalproperty* sp = icalcomponent_get_first_property(ov, ICAL_DTSTART_PROPERTY);
    if (sp == NULL)
        return;
    const struct icaltimetype s = icalproperty_get_dtstart(sp);
    const length len = length_of(st, ov, sp, s);
    occurrence(st, s, to_utc(st, sp, s), &len);
}

static void expand_master(pass_state* st, icalcomponent* c, const override_ref* ovs, size_t n_ovs) {
    icalproperty* sp = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
    if (sp == NULL)
        return;
    const struct icaltimetype dtstart = icalproperty_get_dtstart(sp);
    /* Resolved once: every instance of the series is a wall-clock time in this zone. */
    icaltimezone* zone = zone_of(st, sp, dtstart);
    const int64_t first = (int64_t)icaltime_as_timet_with_zone(dtstart, zone);
    const length len = length_of(st, c, sp, dtstart);
    const int master_blocks = blocks(c);
    icalproperty* rrule = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY);

    if (rrule == NULL) {
        if (master_blocks)
            occurrence(st, dtstart, first, &len);
        return;
    }

    /* Fixed arrays with linear search: the generated series carry at most three EXDATEs and
     * two overrides, where anything cleverer would only cost time. */
    int64_t exdates[64];
    size_t n_ex = 0;
    for (icalproperty* x = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY);
         x != NULL && n_ex < 64; x = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY))
        exdates[n_ex++] = to_utc(st, x, icalproperty_get_exdate(x));
    int64_t replaced[64];
    size_t n_replaced = 0;
    for (size_t i = 0; i < n_ovs; ++i) {
        if (contains(exdates, n_ex, ovs[i].rid))
            continue;
        if (n_replaced < 64)
            replaced[n_replaced++] = ovs[i].rid;
        expand_override(st, ovs[i].comp);
    }
    if (!master_blocks)
        return;

    struct icalrecurrencetype rule = icalproperty_get_rrule(rrule);
    /* libical compares UNTIL with the floating wall-clock fields of each instance; RFC 5545
     * 3.3.10 makes a UTC UNTIL an instant, so the bound is applied here, in UTC. */
    const struct icaltimetype until = rule.until;
    const int has_until = !icaltime_is_null_time(until);
    /* A floating UNTIL (old exports) is a wall-clock time in the series' zone. */
    const int64_t until_utc =
        has_until && !until.is_date
            ? (int64_t)icaltime_as_timet_with_zone(
                  until, icaltime_is_utc(until) ? icaltimezone_get_utc_timezone() : zone)
            : 0;
    rule.until = icaltime_null_time();

    struct icaltimetype start = dtstart;
    start.zone = NULL;
    icalrecur_iterator* it = icalrecur_iterator_new(rule, start);
    if (it == NULL)
        return;
    for (struct icaltimetype t = icalrecur_iterator_next(it); !icaltime_is_null_time(t);
         t = icalrecur_iterator_next(it)) {
        if (has_until && until.is_date && icaltime_compare_date_only(t, until) > 0)
            break;
        const int64_t at = (int64_t)icaltime_as_timet_with_zone(t, zone);
        if (has_until && !until.is_date && at > until_utc)
            break;
        if (at >= kWindowEnd)
            break;
        if (contains(exdates, n_ex, at) || contains(replaced, n_replaced, at))
            continue;
        occurrence(st, t, at, &len);
    }
    icalrecur_iterator_free(it);
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Returns the seconds spent in icalparser_parse_string alone, to show where time goes. */
static double run_pass(const char* text, icaltimezone* business, size_t* occurrences,
                       size_t* merged, uint64_t* checksum) {
    pass_state st = {NULL, business, {NULL, 0, 0}};
    const double t0 = now_seconds();
    icalcomponent* root = icalparser_parse_string(text);
    const double parse_seconds = now_seconds() - t0;
    if (root == NULL || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
        fprintf(stderr, "not a VCALENDAR\n");
        exit(1);
    }
    st.vcal = root;

    /* Overrides first, sorted by UID, so each master finds its own by binary search. */
    size_t n_ovs = 0, cap_ovs = 256;
    override_ref* ovs = malloc(cap_ovs * sizeof(override_ref));
    for (icalcomponent* c = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
         c != NULL; c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
        icalproperty* rid = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
        if (rid == NULL)
            continue;
        if (n_ovs == cap_ovs) {
            cap_ovs *= 2;
            ovs = realloc(ovs, cap_ovs * sizeof(override_ref));
        }
        const char* uid = icalcomponent_get_uid(c);
        ovs[n_ovs].uid = uid != NULL ? uid : "";
        ovs[n_ovs].rid = to_utc(&st, rid, icalproperty_get_recurrenceid(rid));
        ovs[n_ovs].comp = c;
        n_ovs++;
    }
    qsort(ovs, n_ovs, sizeof(override_ref), override_cmp);

    for (icalcomponent* c = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
         c != NULL; c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
        if (icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY) != NULL)
            continue;
        const char* uid = icalcomponent_get_uid(c);
        override_ref key = {uid != NULL ? uid : "", INT64_MIN, NULL};
        size_t lo = 0, hi = n_ovs;
        while (lo < hi) {
            const size_t mid = lo + (hi - lo) / 2;
            if (override_cmp(&ovs[mid], &key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t end = lo;
        while (end < n_ovs && strcmp(ovs[end].uid, key.uid) == 0)
            ++end;
        expand_master(&st, c, ovs + lo, end - lo);
    }

    uint64_t sum = 0;
    for (size_t i = 0; i < st.spans.n; ++i)
        sum += (uint64_t)st.spans.v[i].start + 3 * (uint64_t)st.spans.v[i].end;
    qsort(st.spans.v, st.spans.n, sizeof(span), span_cmp);
    size_t out = 0;
    for (size_t i = 0; i < st.spans.n; ++i) {
        /* Touching intervals merge: [a,b) and [b,c) are one busy stretch. */
        if (out > 0 && st.spans.v[i].start <= st.spans.v[out - 1].end) {
            if (st.spans.v[i].end > st.spans.v[out - 1].end)
                st.spans.v[out - 1].end = st.spans.v[i].end;
        } else {
            st.spans.v[out++] = st.spans.v[i];
        }
    }
    *occurrences = st.spans.n;
    *merged = out;
    *checksum = sum;
    free(ovs);
    free(st.spans.v);
    icalcomponent_free(root);
    return parse_seconds;
}

static char* read_file(const char* path) {
    FILE* f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    const long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char* text = malloc((size_t)size + 1);
    if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    text[size] = '\0';
    fclose(f);
    return text;
}

static int double_cmp(const void* a, const void* b) {
    const double x = *(const double*)a;
    const double y = *(const double*)b;
    return (x > y) - (x < y);
}

static double median(double* v, int n) {
    qsort(v, (size_t)n, sizeof(double), double_cmp);
    return n % 2 != 0 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

int main(int argc, char** argv) {
    int repeat = 1;
    const char* path = NULL;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            repeat = atoi(argv[++i]);
        } else if (path == NULL && argv[i][0] != '-') {
            path = argv[i];
        } else {
            path = NULL;
            break;
        }
    }
    if (path == NULL || repeat < 1) {
        fprintf(stderr, "usage: %s [--repeat N] FILE.ics\n", argv[0]);
        return 2;
    }
    icalerror_set_errors_are_fatal(0);
    char* text = read_file(path);
    icaltimezone* business = icaltimezone_get_builtin_timezone(kBusinessZone);
    if (business == NULL) {
        fprintf(stderr, "no zone %s in the system time-zone database\n", kBusinessZone);
        return 1;
    }

    double* seconds = malloc((size_t)repeat * sizeof(double));
    double* parse_seconds = malloc((size_t)repeat * sizeof(double));
    size_t occurrences = 0, merged = 0;
    uint64_t checksum = 0;
    for (int r = 0; r < repeat; ++r) {
        const double t0 = now_seconds();
        parse_seconds[r] = run_pass(text, business, &occurrences, &merged, &checksum);
        seconds[r] = now_seconds() - t0;
    }
    printf("occurrences=%zu merged=%zu checksum=%llu seconds=%.6f parse_seconds=%.6f runs=%d\n",
           occurrences, merged, (unsigned long long)checksum, median(seconds, repeat),
           median(parse_seconds, repeat), repeat);
    free(seconds);
    free(parse_seconds);
    free(text);
    return 0;
}
