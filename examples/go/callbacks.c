/* C trampolines for the client's callbacks: calsync.h's function pointer types take
 * const char*, the functions cgo exports take char*. */
#include "_cgo_export.h"
#include "calsync.h"

void calsync_go_log(int level, const char* message, void* user_data) {
    calsyncGoLog(level, (char*)message, user_data);
}

void calsync_go_slots_changed(const char* diff_json, void* user_data) {
    calsyncGoSlotsChanged((char*)diff_json, user_data);
}
