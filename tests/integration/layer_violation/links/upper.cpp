// A fixture for integration/layer_links_catches_a_call_up: the higher library.
int upper_answer();

int upper_answer() {
    return 41;
}
