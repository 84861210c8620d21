/* The ABI checker's self-test: version 2, compatible (an addition) or, with
 * SELFTEST_BROKEN, not. */
#include "selftest.h"
#ifdef SELFTEST_BROKEN
int calsync_selftest_add(long a, int b) {
    return (int)a + b;
}
#else
int calsync_selftest_add(int a, int b) {
    return a + b;
}
#endif
int calsync_selftest_size(const struct calsync_selftest_options* o) {
    return (int)o->size;
}
#ifdef SELFTEST_ADDED
int calsync_selftest_new(void) {
    return 1;
}
#endif
