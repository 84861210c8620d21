#include "calsync/export_render.hpp"

#include <cstdint>
#include <initializer_list>

#include "calsync/export_identity.hpp"
#include "core/text_encoding.hpp"

namespace calsync {
namespace {

// SUMMARY is one line (RFC 5545 3.8.1.12 allows folding, not meaning): breaks become spaces.
std::string one_line(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '\r' || c == '\n') {
            if (!out.empty() && out.back() != ' ')
                out += ' ';
        } else {
            out += c;
        }
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

std::string summary_of(const Appointment& a) {
    const std::string service = one_line(a.service);
    const std::string client = one_line(a.client);
    const std::string vehicle = one_line(a.vehicle);
    std::string out = service;
    if (!client.empty())
        out += (out.empty() ? "" : " \u2013 ") + client;
    if (!vehicle.empty())
        out += (out.empty() ? "" : " ") + ("(" + vehicle + ")");
    return out.empty() ? "Appointment" : out;
}

std::string description_of(const Appointment& a, bool include_notes) {
    std::string out;
    auto line = [&](const char* label, const std::string& value) {
        if (value.empty())
            return;
        if (!out.empty())
            out += '\n';
        out += label;
        out += ": ";
        out += value;
    };
    line("Client", one_line(a.client));
    line("Service", one_line(a.service));
    line("Vehicle", one_line(a.vehicle));
    if (include_notes)
        line("Notes", a.notes);
    return out;
}

// FNV-1a, 64 bit (http://www.isthe.com/chongo/tech/comp/fnv/): byte-wise, so the same on
// every platform and compiler.
class Fnv1a64 {
  public:
    void bytes(std::string_view data) {
        for (unsigned char c : data) {
            state_ ^= c;
            state_ *= 1099511628211ULL;
        }
    }
    // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
    void field(std::string_view data) {
        bytes(std::to_string(data.size()));
        bytes(":");
        bytes(data);
    }
    std::string hex() const {
        std::string big_endian(8, '\0');
        std::uint64_t v = state_;
        for (int i = 7; i >= 0; --i, v >>= 8)
            big_endian[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xff);
        return encoding::hex(big_endian);
    }

  private:
    std::uint64_t state_ = 14695981039346656037ULL;
};

std::string instant_text(const EventTime& t) {
    return std::to_string(to_unix(t.resolve(*TimeZone::utc())));
}

}  // namespace

Event render_export(const Appointment& appointment, const ExportOptions& options) {
    Event e;
    e.uid = export_uid(appointment.id, options.uid_domain);
    e.export_marker = appointment.id;
    e.start = EventTime::at_utc(appointment.time.start);
    e.end = EventTime::at_utc(appointment.time.end);
    e.status = appointment.status == AppointmentStatus::cancelled ? EventStatus::cancelled
                                                                  : EventStatus::confirmed;
    e.transparency = Transparency::opaque;
    if (options.busy_only) {
        e.summary = options.busy_summary;
        return e;
    }
    e.summary = summary_of(appointment);
    e.description = description_of(appointment, options.include_notes);
    e.location = options.location;
    return e;
}

std::string export_content_hash(const Event& rendered) {
    Fnv1a64 h;
    // The scheme's name and version come first: a new encoding never equals an old one.
    h.field("calsync-export-content/1");
    for (const std::string* s : {&rendered.uid, &rendered.export_marker, &rendered.summary,
                                 &rendered.description, &rendered.location})
        h.field(*s);
    h.field(instant_text(rendered.start));
    h.field(rendered.end ? instant_text(*rendered.end) : std::string());
    h.field(to_string(rendered.status));
    h.field(to_string(rendered.transparency));
    return "fnv1a64:" + h.hex();
}

}  // namespace calsync
