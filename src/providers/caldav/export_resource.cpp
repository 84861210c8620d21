#include "providers/caldav/export_resource.hpp"

#include <string_view>

#include "calsync/export_identity.hpp"

namespace calsync::providers::caldav {

std::string export_resource_name(const std::string& appointment_id) {
    std::string out;
    for (char c : appointment_id) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        out += plain ? c : '_';
    }
    return out + ".ics";
}

std::string exported_appointment(const std::string& href, const std::string& uid) {
    const std::string prefix = export_uid("", "");
    if (uid.size() <= prefix.size() || uid.compare(0, prefix.size(), prefix) != 0)
        return "";
    std::string_view name(href);
    name.remove_prefix(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1);
    // The UID is "calsync-<id>" or "calsync-<id>@<domain>", and an id may hold '@' itself:
    // the name says where the id ends, as export_resource_name keeps an id's length.
    const std::string_view suffix = ".ics";
    if (name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix)
        return "";
    const std::string_view rest = std::string_view(uid).substr(prefix.size());
    const std::size_t length = name.size() - suffix.size();
    const bool whole = rest.size() == length;
    const bool domain = rest.size() > length + 1 && rest[length] == '@';
    if (!whole && !domain)
        return "";
    std::string id(rest.substr(0, length));
    if (export_resource_name(id) == name)
        return id;
    return "";
}

}  // namespace calsync::providers::caldav
