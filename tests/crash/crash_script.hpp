// The crash test's script: a seeded sequence of what a booking system does (book, change,
// cancel, book again) with syncs in between. The same seed, base and length give the same
// script in every process, so a driver killed at step k and started again continues at
// step k. Every step sets an absolute state (the whole appointment, or "cancelled"), so a
// step repeated after a kill between doing it and recording it changes nothing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "calsync/model.hpp"

namespace calsync::test {

struct ScriptStep {
    enum class Kind { book, cancel, sync };
    Kind kind = Kind::sync;
    Appointment appointment;  // book: the whole appointment; cancel: its id
};

// `base`: the earliest appointment start; appointments lie in the 30 days after it.
inline std::vector<ScriptStep> make_script(std::uint64_t seed, Instant base, int steps) {
    static const char* const kServices[] = {"Oil change", "Brake pads", "Tyre swap",
                                            "Inspection", "Clutch",     "Air conditioning"};
    static const char* const kVehicles[] = {"VW Golf, HH-AB 123", "Opel Corsa, B-XY 77",
                                            "BMW 320d, M-CS 4021", "Skoda Octavia, K-LN 5"};
    std::mt19937_64 rng(seed);
    const auto pick = [&rng](int n) {
        return static_cast<int>(rng() % static_cast<std::uint64_t>(n));
    };
    std::map<std::string, Appointment> known;  // by id, as the script left it
    std::vector<ScriptStep> out;
    int next_id = 0;
    std::string latest;  // the appointment booked or changed last
    const auto fresh_version = [&](Appointment a, int step) {
        const std::int64_t start = to_unix(base) + 1800LL * pick(30 * 48);
        a.time = {instant_from_unix(start), instant_from_unix(start + 1800LL * (1 + pick(6)))};
        a.client = "Client " + a.id + " v" + std::to_string(step);
        a.service = kServices[pick(6)];
        a.vehicle = kVehicles[pick(4)];
        a.status = AppointmentStatus::booked;
        return a;
    };
    const auto with_status = [&known](AppointmentStatus status) {
        std::vector<std::string> ids;
        for (const auto& [id, a] : known)
            if (a.status == status)
                ids.push_back(id);
        return ids;
    };
    for (int k = 0; k < steps; ++k) {
        ScriptStep step;
        const int p = pick(100);
        const std::vector<std::string> booked = with_status(AppointmentStatus::booked);
        const std::vector<std::string> cancelled = with_status(AppointmentStatus::cancelled);
        // Half the changes and cancellations concern the latest booking (a customer who
        // thinks again within minutes: before its export was confirmed, at times).
        const auto one_of = [&](const std::vector<std::string>& ids) {
            if (std::find(ids.begin(), ids.end(), latest) != ids.end() && pick(2) == 0)
                return known[latest];
            return known[ids[static_cast<std::size_t>(pick(static_cast<int>(ids.size())))]];
        };
        if (p < 25) {
            step.kind = ScriptStep::Kind::sync;
        } else if (p >= 55 && p < 75 && !booked.empty()) {  // changed: time, client, car
            step.kind = ScriptStep::Kind::book;
            step.appointment = fresh_version(one_of(booked), k);
        } else if (p >= 75 && p < 90 && !booked.empty()) {
            step.kind = ScriptStep::Kind::cancel;
            step.appointment = one_of(booked);
            step.appointment.status = AppointmentStatus::cancelled;
        } else if (p >= 90 && !cancelled.empty()) {  // booked again, as a new version
            step.kind = ScriptStep::Kind::book;
            step.appointment = fresh_version(one_of(cancelled), k);
        } else {  // a new booking
            Appointment a;
            a.id = "appt-" + std::to_string(next_id++);
            step.kind = ScriptStep::Kind::book;
            step.appointment = fresh_version(a, k);
        }
        if (step.kind != ScriptStep::Kind::sync)
            known[step.appointment.id] = step.appointment;
        if (step.kind == ScriptStep::Kind::book)
            latest = step.appointment.id;
        out.push_back(step);
    }
    return out;
}

}  // namespace calsync::test
