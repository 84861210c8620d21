// A fixture for integration/layer_links_catches_a_call_up: a lower library calling a function
// of a higher one through a declaration of its own, without an include and without linking
// it, which the link check must report.
int upper_answer();
int lower_answer();

int lower_answer() {
    return upper_answer() + 1;
}
