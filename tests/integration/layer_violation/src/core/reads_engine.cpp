// A fixture for integration/layer_includes_catches_core_reading_the_engine: core using an
// engine header (the two were one library once), which the layer check must report. Never
// compiled.
#include "engine/json_codec.hpp"
