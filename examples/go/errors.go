package calsync

/*
#include "calsync.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"time"
)

// Code is a calsync_status from calsync.h. Each failure code is also an error value, a
// sentinel for errors.Is (as syscall.Errno is):
//
//	if errors.Is(err, calsync.ErrAuth) { /* ask the person to sign in again */ }
//
// The codes are stable and never reused.
type Code int

// The failure codes of calsync.h.
const (
	ErrFailed    Code = C.CALSYNC_ERROR      // no more specific code; see the message
	ErrInvalid   Code = C.CALSYNC_EINVAL     // a request field is missing or wrong; the message names it
	ErrParse     Code = C.CALSYNC_EPARSE     // input data (iCalendar, a server's answer) cannot be read
	ErrZone      Code = C.CALSYNC_EZONE      // an IANA time-zone name the system does not know
	ErrNoMemory  Code = C.CALSYNC_ENOMEM     // out of memory
	ErrInternal  Code = C.CALSYNC_EINTERNAL  // a bug in calsync; the message says where
	ErrLimit     Code = C.CALSYNC_ELIMIT     // a size or count cap was exceeded
	ErrAuth      Code = C.CALSYNC_EAUTH      // the server refused the credentials
	ErrNetwork   Code = C.CALSYNC_ENETWORK   // the server could not be reached (after retries)
	ErrHTTP      Code = C.CALSYNC_EHTTP      // the server answered with an unexpected HTTP status
	ErrRateLimit Code = C.CALSYNC_ERATELIMIT // the server asked to slow down; try again later
	ErrNotFound  Code = C.CALSYNC_ENOTFOUND  // a connection, calendar, appointment or endpoint does not exist
	ErrConflict  Code = C.CALSYNC_ECONFLICT  // the remote changed since it was read (HTTP 412)
	ErrPending   Code = C.CALSYNC_EPENDING   // not finished, nothing failed (a device sign-in not yet approved)
	ErrLeaseLost Code = C.CALSYNC_ELEASELOST // a worker's lease was taken over; nothing was written
)

var codeNames = map[Code]string{
	ErrFailed: "CALSYNC_ERROR", ErrInvalid: "CALSYNC_EINVAL", ErrParse: "CALSYNC_EPARSE",
	ErrZone: "CALSYNC_EZONE", ErrNoMemory: "CALSYNC_ENOMEM", ErrInternal: "CALSYNC_EINTERNAL",
	ErrLimit: "CALSYNC_ELIMIT", ErrAuth: "CALSYNC_EAUTH", ErrNetwork: "CALSYNC_ENETWORK",
	ErrHTTP: "CALSYNC_EHTTP", ErrRateLimit: "CALSYNC_ERATELIMIT", ErrNotFound: "CALSYNC_ENOTFOUND",
	ErrConflict: "CALSYNC_ECONFLICT", ErrPending: "CALSYNC_EPENDING", ErrLeaseLost: "CALSYNC_ELEASELOST",
}

// String is the code's name in calsync.h, e.g. "CALSYNC_EAUTH".
func (c Code) String() string {
	if name, ok := codeNames[c]; ok {
		return name
	}
	return fmt.Sprintf("calsync status %d", int(c))
}

func (c Code) Error() string { return "calsync: " + c.String() }

// Error is a failed call: the C function, its status code and the library's message
// (which never contains a password, token or client secret), and what the server said
// where one answered: its HTTP status and how long its Retry-After asked to wait.
// errors.Is(err, ErrAuth) and errors.As(err, &e) both work:
//
//	var e *calsync.Error
//	if errors.As(err, &e) && e.HasRetryAfter {
//		time.Sleep(e.RetryAfter)
//	}
type Error struct {
	Op      string // the C function, e.g. "calsync_connection_sync"
	Code    Code
	Message string
	// HTTPStatus is the status of the server's answer behind the failure (429, 503 ...),
	// 0 when none was behind it (a bad argument, an unreachable server).
	HTTPStatus int
	// RetryAfter is the wait the server's Retry-After asked for, in whole seconds;
	// HasRetryAfter tells it from a server that named none.
	RetryAfter    time.Duration
	HasRetryAfter bool
}

// lastError is the failure of the C call this OS thread made last, with status `code`.
func lastError(op string, code Code) *Error {
	e := &Error{Op: op, Code: code, Message: C.GoString(C.calsync_last_error_message()),
		HTTPStatus: int(C.calsync_last_error_http_status())}
	if seconds := int64(C.calsync_last_error_retry_after()); seconds >= 0 {
		e.RetryAfter, e.HasRetryAfter = time.Duration(seconds)*time.Second, true
	}
	return e
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (%s)", e.Op, e.Message, e.Code.String())
}

// Unwrap makes the code the error's cause, so errors.Is matches the sentinels.
func (e *Error) Unwrap() error { return e.Code }

// ErrClosed is returned by a call on a handle after Close (or on a connection after its
// client's Close).
var ErrClosed = errors.New("calsync: handle is closed")

func invalid(op, message string) error {
	return &Error{Op: op, Code: ErrInvalid, Message: message}
}
