package calsync

import (
	"errors"
	"fmt"
	"testing"
)

func TestEveryCodeIsItsOwnSentinel(t *testing.T) {
	codes := []Code{ErrFailed, ErrInvalid, ErrParse, ErrZone, ErrNoMemory, ErrInternal, ErrLimit,
		ErrAuth, ErrNetwork, ErrHTTP, ErrRateLimit, ErrNotFound, ErrConflict, ErrPending}
	for i, c := range codes {
		if int(c) != -1-i {
			t.Fatalf("%s is %d, calsync.h says %d", c, int(c), -1-i)
		}
		err := fmt.Errorf("while booking: %w", &Error{Op: "calsync_x", Code: c, Message: "m"})
		for _, other := range codes {
			if errors.Is(err, other) != (other == c) {
				t.Fatalf("errors.Is(%s error, %s) = %v", c, other, !(other == c))
			}
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != c {
			t.Fatalf("errors.As lost the code of %s", c)
		}
	}
}

func TestErrorText(t *testing.T) {
	e := &Error{Op: "calsync_client_connect", Code: ErrAuth, Message: "the server refused the sign-in"}
	if e.Error() != "calsync_client_connect: the server refused the sign-in (CALSYNC_EAUTH)" {
		t.Fatalf("%q", e.Error())
	}
	if Code(-99).String() != "calsync status -99" {
		t.Fatalf("%q", Code(-99).String())
	}
	if errors.Is(ErrClosed, ErrFailed) {
		t.Fatal("ErrClosed is not a library code")
	}
}
