// A fixture for integration/layer_includes_catches_store_reading_the_engine: the store using
// the engine's public header, which the layer check must report. Never compiled.
#include "calsync/engine.hpp"
