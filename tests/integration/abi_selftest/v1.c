/* The ABI checker's self-test: version 1 of a tiny library. */
#include "selftest.h"
int calsync_selftest_add(int a, int b) {
    return a + b;
}
int calsync_selftest_size(const struct calsync_selftest_options* o) {
    return (int)o->size;
}
