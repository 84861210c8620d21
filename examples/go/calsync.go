// Package calsync calls libcalsync.so.1 through its C ABI (cgo): a Client that keeps
// calendar accounts in sync with a store, its Connections, OAuth sign-in, and the pure
// engine functions.
//
// Import it as
//
//	import calsync "github.com/pitstoply/calsync/examples/go"
//
// Building finds calsync.h and the library through pkg-config (calsync.pc, installed by
// `cmake --install`): nothing needs setting for an install in a system prefix; for another
// prefix, put its lib/pkgconfig on PKG_CONFIG_PATH (and its lib on LD_LIBRARY_PATH, or run
// ldconfig, to run).
//
// Handles (Client, Connection, OAuth) are closed with Close. A finalizer frees a handle
// nobody closed once it is garbage, as a safety net only: when that happens is up to the
// collector, and a callback that refers to its client keeps it reachable for ever.
//
// Calls that talk to a calendar service take a context.Context. The C ABI cannot
// interrupt a call in progress, so a context is honoured before the call starts (a done
// context returns its error without calling) and, for ConfirmFree, its deadline bounds
// the call; a call under way runs to its end, which the client's network timeouts
// (Network.ConnectTimeoutSeconds, TotalTimeoutSeconds) bound. OAuth.DeviceWait, which
// mostly sleeps, honours the context throughout.
package calsync

/*
#cgo pkg-config: calsync
#include <stdlib.h>
#include "calsync.h"
*/
import "C"

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"time"
	"unsafe"
)

// ABIVersion is the C ABI this package was written against.
const ABIVersion = C.CALSYNC_ABI_VERSION

// Version is the loaded library's version, e.g. "1.0.0".
func Version() string { return C.GoString(C.calsync_version()) }

// LoadedABIVersion is the ABI of the loaded library; it differs from ABIVersion only when
// the header and the library do not match.
func LoadedABIVersion() int { return int(C.calsync_abi_version()) }

// invoke runs one C call and turns a failure into an *Error. The last error is per OS
// thread, so the goroutine stays on its thread from the call to reading it.
func invoke(op string, fn func() C.calsync_status) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if status := fn(); status != C.CALSYNC_OK {
		return lastError(op, Code(status))
	}
	return nil
}

// invokeString runs a C call with a char** output and returns its text; the library's
// string goes back through calsync_string_free.
func invokeString(op string, fn func(**C.char) C.calsync_status) (string, error) {
	var out *C.char
	if err := invoke(op, func() C.calsync_status { return fn(&out) }); err != nil {
		return "", err
	}
	defer C.calsync_string_free(out)
	return C.GoString(out), nil
}

func invokeJSON(op string, response any, fn func(**C.char) C.calsync_status) error {
	text, err := invokeString(op, fn)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(text), response)
}

// cString is s in C memory; the caller frees it with the returned func.
func cString(s string) (*C.char, func()) {
	p := C.CString(s)
	return p, func() { C.free(unsafe.Pointer(p)) }
}

// document is request as the library's JSON, with the schema version it expects.
func document(request any) (*C.char, func(), error) {
	body, err := json.Marshal(request)
	if err != nil {
		return nil, nil, err
	}
	if bytes.HasPrefix(body, []byte("{")) {
		rest := body[1:]
		if !bytes.HasPrefix(rest, []byte("}")) {
			rest = append([]byte(","), rest...)
		}
		body = append([]byte(`{"version":1`), rest...)
	}
	p, free := cString(string(body))
	return p, free, nil
}

// started is nil when a call may begin: the context is not done.
func started(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	return ctx.Err()
}

// pure is the "handle" of the engine functions: there is none.
func pure(fn func(struct{}) error) error { return fn(struct{}{}) }

// BlockedSlots runs calsync_engine_blocked_slots on a request shaped as calsync.h
// documents (pure: no I/O, no clock).
func BlockedSlots(request any) (*BlockedSlotsResponse, error) {
	return exchange[BlockedSlotsResponse](pure, "calsync_engine_blocked_slots", request,
		func(_ struct{}, req *C.char, out **C.char) C.calsync_status {
			return C.calsync_engine_blocked_slots(req, out)
		})
}

// FreeSlots runs calsync_engine_free_slots: windows of duration within `within` that
// overlap no busy interval, starting at within.Start + k * step.
func FreeSlots(busy []TimeRange, within TimeRange, duration, step time.Duration) ([]TimeRange, error) {
	const op = "calsync_engine_free_slots"
	request, err := newFreeSlotsRequest(op, within, duration, step)
	if err != nil {
		return nil, err
	}
	all := append([]TimeRange{}, busy...)
	request.Busy = &all
	r, err := exchange[freeSlotsResponse](pure, op, request,
		func(_ struct{}, req *C.char, out **C.char) C.calsync_status {
			return C.calsync_engine_free_slots(req, out)
		})
	if err != nil {
		return nil, err
	}
	return r.Free, nil
}

// marshalWith is v's JSON object with the members of extra added.
func marshalWith(v any, extra map[string]any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, err
	}
	for k, x := range extra {
		m[k] = x
	}
	return json.Marshal(m)
}

// The calls of every handle (Client, Connection, OAuth) have a few shapes; use is the
// handle's method that runs a function with its C pointer while the handle is open.
type user[P any] func(func(P) error) error

// call is a C call without output.
func call[P any](use user[P], op string, fn func(P) C.calsync_status) error {
	return use(func(p P) error { return invoke(op, func() C.calsync_status { return fn(p) }) })
}

// callText is a C call taking one string.
func callText[P any](use user[P], op, text string, fn func(P, *C.char) C.calsync_status) error {
	ctext, free := cString(text)
	defer free()
	return call(use, op, func(p P) C.calsync_status { return fn(p, ctext) })
}

// callDocument is a C call taking one JSON document.
func callDocument[P any](use user[P], op string, request any, fn func(P, *C.char) C.calsync_status) error {
	creq, free, err := document(request)
	if err != nil {
		return err
	}
	defer free()
	return call(use, op, func(p P) C.calsync_status { return fn(p, creq) })
}

// fetch is a C call answering with a JSON document, decoded into a T.
func fetch[T any, P any](use user[P], op string, fn func(P, **C.char) C.calsync_status) (*T, error) {
	var r T
	err := use(func(p P) error {
		return invokeJSON(op, &r, func(out **C.char) C.calsync_status { return fn(p, out) })
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// fetchText is fetch for a C call taking one string.
func fetchText[T any, P any](use user[P], op, text string, fn func(P, *C.char, **C.char) C.calsync_status) (*T, error) {
	ctext, free := cString(text)
	defer free()
	return fetch[T](use, op, func(p P, out **C.char) C.calsync_status { return fn(p, ctext, out) })
}

// exchange is fetch for a C call taking one JSON document.
func exchange[T any, P any](use user[P], op string, request any, fn func(P, *C.char, **C.char) C.calsync_status) (*T, error) {
	creq, free, err := document(request)
	if err != nil {
		return nil, err
	}
	defer free()
	return fetch[T](use, op, func(p P, out **C.char) C.calsync_status { return fn(p, creq, out) })
}
