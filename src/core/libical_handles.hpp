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

// libical keeps process-wide state without locks: its built-in time zones are loaded
// lazily, and parsing reaches them (icalcomponent_get_dtstart looks a TZID up there). Every
// path into libical that may touch that state holds this lock (found by ThreadSanitizer:
// two feeds parsed at once). Recursive, because a parse resolves zones through
// find_iana_zone, which takes it too.
std::recursive_mutex& libical_mutex();

// libical can be built to abort() on a parse error; a library must never do that.
inline void make_libical_errors_nonfatal() {
    static const bool done = [] {
        icalerror_set_errors_are_fatal(0);
        return true;
    }();
    (void)done;
}

}  // namespace calsync::ical
