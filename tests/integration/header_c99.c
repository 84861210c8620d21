/* calsync.h must compile as strict C99 on its own. */
#include <calsync.h>

int main(void) {
    return calsync_abi_version() == CALSYNC_ABI_VERSION ? 0 : 1;
}
