#include "calsync/export_identity.hpp"

namespace calsync {

std::string export_uid(std::string_view appointment_id, std::string_view uid_domain) {
    std::string uid = "calsync-";
    uid += appointment_id;
    if (!uid_domain.empty()) {
        uid += '@';
        uid += uid_domain;
    }
    return uid;
}

}  // namespace calsync
