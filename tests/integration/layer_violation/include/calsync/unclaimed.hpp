// A fixture for integration/layer_includes_catches_an_unclaimed_public_header: a public
// header no layer claims, which the layer check must report. Never compiled.
#pragma once
