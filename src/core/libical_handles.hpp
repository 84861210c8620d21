// RAII owners for libical objects, so no logic path has to remember a *_free call.
#pragma once

#include <libical/ical.h>

#include <memory>
#include <mutex>

namespace calsync::ical {

struct ComponentDeleter {
    void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using ComponentPtr = std::unique_ptr<icalcomponent, ComponentDeleter>;

// icalrecurrencetype_from_string may allocate `rscale`; this owns that one field.
struct RecurrenceRule {
    icalrecurrencetype rule;
    explicit RecurrenceRule(const icalrecurrencetype& r) : rule(r) {}
    RecurrenceRule(const RecurrenceRule&) = delete;
    RecurrenceRule& operator=(const RecurrenceRule&) = delete;
    ~RecurrenceRule() {
        if (rule.rscale != nullptr)
            icalmemory_free_buffer(rule.rscale);
    }
};

// libical 3.0.16 keeps process-wide state without locks: its built-in time zone table,
// filled lazily (icaltimezone_get_builtin_timezone appends to it, unlocked) and read by
// every UTC DATE-TIME it parses (icaltimezone_get_utc_timezone initialises it on first use,
// unlocked). Every path into libical that may load a built-in zone holds this lock (found by
// ThreadSanitizer: two feeds parsed at once): find_iana_zone, and the writer. Reading a
// calendar does not need it (read_ics): written_time() reads times without a zone lookup,
// and prepare_libical() initialises the table before any parse. Recursive, because a
// writer may resolve zones through find_iana_zone, which takes it too.
std::recursive_mutex& libical_mutex();

// libical can be built to abort() on a parse error; a library must never do that.
inline void make_libical_errors_nonfatal() {
    static const bool done = [] {
        icalerror_set_errors_are_fatal(0);
        return true;
    }();
    (void)done;
}

// Before the first parse: errors made non-fatal, and the built-in zone table initialised
// once, under the lock, so that parsing afterwards only reads it.
inline void prepare_libical() {
    static const bool done = [] {
        make_libical_errors_nonfatal();
        std::lock_guard<std::recursive_mutex> lock(libical_mutex());
        (void)icaltimezone_get_utc_timezone();
        return true;
    }();
    (void)done;
}

}  // namespace calsync::ical
