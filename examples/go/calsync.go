// Package calsync calls libcalsync.so.1 through its C ABI. Build flags come from the
// environment (CGO_CFLAGS with the header directory, CGO_LDFLAGS with -L and -lcalsync),
// so no path is written here.
package calsync

/*
#include <stdlib.h>
#include "calsync.h"
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"unsafe"
)

// Error is a failed call: Status is the C status code, Message the library's text.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("calsync status %d: %s", e.Status, e.Message) }

// Version is the loaded library's version, e.g. "0.1.0".
func Version() string { return C.GoString(C.calsync_version()) }

type entry func(*C.char, **C.char) C.calsync_status

func call(fn entry, request any, response any) error {
	body, err := json.Marshal(request)
	if err != nil {
		return err
	}
	// The request is copied into C memory (freed with C.free); the response belongs to
	// the library and goes back through calsync_string_free.
	creq := C.CString(string(body))
	defer C.free(unsafe.Pointer(creq))
	var out *C.char
	if status := fn(creq, &out); status != C.CALSYNC_OK {
		return &Error{Status: int(status), Message: C.GoString(C.calsync_last_error_message())}
	}
	defer C.calsync_string_free(out)
	return json.Unmarshal([]byte(C.GoString(out)), response)
}

// Range is a half-open [Start, End) in RFC 3339 UTC.
type Range struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Slot is one blocked occurrence of an external event.
type Slot struct {
	Range
	CalendarID   string `json:"calendar_id"`
	Label        string `json:"label"`
	EventID      string `json:"event_id"`
	RecurrenceID string `json:"recurrence_id"`
	AllDay       bool   `json:"all_day"`
	Tentative    bool   `json:"tentative"`
}

// BlockedSlotsResponse is the answer of calsync_engine_blocked_slots.
type BlockedSlotsResponse struct {
	Version int     `json:"version"`
	Slots   []Slot  `json:"slots"`
	Busy    []Range `json:"busy"`
	Errors  []struct {
		CalendarID string `json:"calendar_id"`
		EventID    string `json:"event_id"`
		Message    string `json:"message"`
	} `json:"errors"`
}

// BlockedSlots runs the engine on a request shaped as calsync.h documents.
func BlockedSlots(request any) (*BlockedSlotsResponse, error) {
	var r BlockedSlotsResponse
	fn := func(req *C.char, out **C.char) C.calsync_status {
		return C.calsync_engine_blocked_slots(req, out)
	}
	if err := call(fn, request, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
