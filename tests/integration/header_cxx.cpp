// calsync.h must compile as C++ and keep C linkage.
#include <calsync.h>

int main() {
    return calsync_abi_version() == CALSYNC_ABI_VERSION ? 0 : 1;
}
