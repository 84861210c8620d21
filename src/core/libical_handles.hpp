// RAII owners for libical objects, so no logic path has to remember a *_free call.
#pragma once

#include <libical/ical.h>

#include <memory>

namespace calsync::ical {

struct ComponentDeleter {
    void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using ComponentPtr = std::unique_ptr<icalcomponent, ComponentDeleter>;

struct RecurIteratorDeleter {
    void operator()(icalrecur_iterator* it) const { icalrecur_iterator_free(it); }
};
using RecurIteratorPtr = std::unique_ptr<icalrecur_iterator, RecurIteratorDeleter>;

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

// libical can be built to abort() on a parse error; a library must never do that.
inline void make_libical_errors_nonfatal() {
    static const bool done = [] {
        icalerror_set_errors_are_fatal(0);
        return true;
    }();
    (void)done;
}

}  // namespace calsync::ical
