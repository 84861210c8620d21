// A fixture for integration/layer_includes_catches_sync_reading_an_adapter: sync reaching
// into an adapter, which the layer check must report. Never compiled.
#include "providers/google/google_push.hpp"
