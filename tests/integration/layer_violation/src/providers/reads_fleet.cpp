// A fixture for integration/layer_includes_catches_providers_reading_the_fleet: a provider
// using the store's fleet header, which the layer check must report. Never compiled.
#include "calsync/fleet.hpp"
