package calsync

/*
#include <stdint.h>
#include <stdlib.h>
#include "calsync.h"
extern void calsync_go_log(int level, const char* message, void* user_data);
extern void calsync_go_slots_changed(const char* diff_json, void* user_data);
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// LogLevel is a CALSYNC_LOG_* level.
type LogLevel int

const (
	LogDebug   LogLevel = C.CALSYNC_LOG_DEBUG
	LogInfo    LogLevel = C.CALSYNC_LOG_INFO
	LogWarning LogLevel = C.CALSYNC_LOG_WARNING
	LogError   LogLevel = C.CALSYNC_LOG_ERROR
)

// callbacks is what a client's C user_data leads back to. C keeps no Go pointer: user_data
// is C memory holding a cgo.Handle of this.
type callbacks struct {
	log          func(LogLevel, string)
	slotsChanged func(SlotDiff)
	userData     unsafe.Pointer
	handle       cgo.Handle

	mu       sync.Mutex
	panicked any // the first panic of a callback, re-raised once the C call returned
}

// CallbackPanic is what a call panics with when one of its callbacks panicked: a panic
// cannot unwind through C, so it is recovered there and raised again once the library
// has returned (in the goroutine of a call in flight on the same client).
type CallbackPanic struct{ Value any }

func (p CallbackPanic) String() string { return fmt.Sprintf("calsync callback panicked: %v", p.Value) }

func newCallbacks(log func(LogLevel, string), slotsChanged func(SlotDiff)) *callbacks {
	cb := &callbacks{log: log, slotsChanged: slotsChanged}
	cb.handle = cgo.NewHandle(cb)
	cb.userData = C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0))))
	*(*C.uintptr_t)(cb.userData) = C.uintptr_t(cb.handle)
	return cb
}

// install sets the options' callback fields (only for the callbacks there are).
func (cb *callbacks) install(o *C.calsync_client_options) {
	if cb.log != nil {
		o.log = C.calsync_log_fn(C.calsync_go_log)
	}
	if cb.slotsChanged != nil {
		o.slots_changed = C.calsync_slots_changed_fn(C.calsync_go_slots_changed)
	}
	o.user_data = cb.userData
}

// release is called after calsync_client_free: nothing can call back any more.
func (cb *callbacks) release() {
	cb.handle.Delete()
	C.free(cb.userData)
}

func (cb *callbacks) recover() {
	if r := recover(); r != nil {
		cb.mu.Lock()
		if cb.panicked == nil {
			cb.panicked = r
		}
		cb.mu.Unlock()
	}
}

// repanic raises a callback's panic in the calling goroutine, after the C call.
func (cb *callbacks) repanic() {
	cb.mu.Lock()
	r := cb.panicked
	cb.panicked = nil
	cb.mu.Unlock()
	if r != nil {
		panic(CallbackPanic{Value: r})
	}
}

func callbacksOf(user unsafe.Pointer) *callbacks {
	return cgo.Handle(*(*C.uintptr_t)(user)).Value().(*callbacks)
}

//export calsyncGoLog
func calsyncGoLog(level C.int, message *C.char, user unsafe.Pointer) {
	cb := callbacksOf(user)
	defer cb.recover()
	cb.log(LogLevel(level), C.GoString(message))
}

//export calsyncGoSlotsChanged
func calsyncGoSlotsChanged(diffJSON *C.char, user unsafe.Pointer) {
	cb := callbacksOf(user)
	defer cb.recover()
	var diff SlotDiff
	if err := json.Unmarshal([]byte(C.GoString(diffJSON)), &diff); err != nil {
		panic(fmt.Errorf("calsync: a slot diff that is not JSON: %w", err))
	}
	cb.slotsChanged(diff)
}
