/* The ABI checker's self-test: the header both versions of the tiny library share. With
 * SELFTEST_BROKEN the second version changes a signature and a struct layout. */
#include <stddef.h>
struct calsync_selftest_options {
    unsigned int version;
#ifdef SELFTEST_BROKEN
    long extra; /* inserted before a member: every later offset moves */
#endif
    size_t size;
};
#ifdef SELFTEST_BROKEN
int calsync_selftest_add(long a, int b);
#else
int calsync_selftest_add(int a, int b);
#endif
int calsync_selftest_size(const struct calsync_selftest_options* o);
#ifdef SELFTEST_ADDED
int calsync_selftest_new(void);
#endif
