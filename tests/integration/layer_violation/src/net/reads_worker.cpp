// A fixture for integration/layer_includes_catches_net_reading_the_worker: net using sync's
// worker header, which the layer check must report. Never compiled.
#include "calsync/worker.hpp"
