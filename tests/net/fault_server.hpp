// The fault server (tests/fakes/fault_server.py) for the network-layer tests.
#pragma once

#include "counting_transport.hpp"
#include "fake_server.hpp"

namespace calsync::test {

// tests/fakes/fault_server.py: one misbehaviour per path.
struct FaultServer : FakeServer {
    FaultServer() : FakeServer(CALSYNC_FAULT_SERVER) {}
};

}  // namespace calsync::test
