// What an appointment becomes in an external calendar (pure: no I/O, no clock).
#pragma once

#include <string>

#include "calsync/model.hpp"

namespace calsync {

struct ExportOptions {
    // Right-hand side of every exported UID (see export_uid); empty keeps "calsync-<id>".
    std::string uid_domain;
    // Privacy mode: the event says only that the time is taken. SUMMARY is `busy_summary`,
    // DESCRIPTION and LOCATION are empty, and no client, service, vehicle or note is
    // written anywhere (the UID and marker carry only the appointment id).
    bool busy_only = false;
    std::string busy_summary = "Busy";
    // Notes are free text written for the booking system, often not meant for a calendar
    // shared with others; they are written only when the host asks.
    bool include_notes = false;
    // Written as LOCATION on every export (e.g. the garage's address) unless busy_only.
    std::string location;
};

// The event an appointment becomes:
//   start/end  the appointment's instants, in UTC
//   uid        export_uid(appointment.id, options.uid_domain)
//   export_marker  appointment.id (read back by the importer, so our events never block)
//   status     confirmed for a booked appointment, cancelled for a cancelled one
//   transparency  opaque
//   summary    "<service> – <client> (<vehicle>)", each part left out when empty (with
//              its separator); "Appointment" when all three are empty; line breaks in
//              the parts become spaces. busy_only: `busy_summary`.
//   description  one line per non-empty field, in this order:
//                  "Client: <client>"
//                  "Service: <service>"
//                  "Vehicle: <vehicle>"
//                  "Notes: <notes>"      (only with include_notes; may span lines)
//              busy_only: empty.
//   location   options.location; busy_only: empty.
// Every other Event field is left empty (id and etag are the provider's, calendar_id the
// caller's).
Event render_export(const Appointment& appointment, const ExportOptions& options);

// A fingerprint of exactly the fields an export writes, stable across runs, builds and
// platforms: "fnv1a64:" + 16 lower-case hex digits of FNV-1a-64 over, for each of
//   "calsync-export-content/1" (the scheme), uid, export_marker, summary, description,
//   location, start and end (decimal Unix seconds; end empty when absent), status and
//   transparency (as to_string gives them),
// its decimal byte length, ':' and its bytes. It detects change, it is not a security
// boundary: what it compares is two versions of one appointment's own rendering, and a
// collision (2^-64 per change) would only delay that appointment's update until its next
// edit. SHA-256 would pull OpenSSL into the pure core for no gain here. Changing the
// rendering (or this encoding) changes the hash, so such a release updates every export
// once and no more.
std::string export_content_hash(const Event& rendered);

}  // namespace calsync
