package calsync

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestEveryCodeIsItsOwnSentinel(t *testing.T) {
	codes := []Code{ErrFailed, ErrInvalid, ErrParse, ErrZone, ErrNoMemory, ErrInternal, ErrLimit,
		ErrAuth, ErrNetwork, ErrHTTP, ErrRateLimit, ErrNotFound, ErrConflict, ErrPending,
		ErrLeaseLost}
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

// fault_server.py's /busy/S/N/ answers every request with status S and Retry-After: N.
func TestServerStatusAndRetryAfterRideOnTheError(t *testing.T) {
	server := startFaultServer(t)
	c, err := NewClient(Options{HostKey: hostKey, Config: feedConfig})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, tc := range []struct {
		path   string
		code   Code
		status int
		wait   time.Duration
	}{
		{"/busy/429/3600/", ErrRateLimit, 429, time.Hour},
		{"/busy/503/900/", ErrHTTP, 503, 15 * time.Minute},
	} {
		_, err := c.Connect(context.Background(), ConnectRequest{Kind: CalDAV,
			Settings: AccountSettings{URL: server + tc.path, Username: "garage"}, Password: "pw"})
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.code || e.HTTPStatus != tc.status ||
			!e.HasRetryAfter || e.RetryAfter != tc.wait {
			t.Fatalf("%s: %#v", tc.path, err)
		}
	}
	_, err = NewClient(Options{HostKey: []byte("short")})
	var e *Error
	if !errors.As(err, &e) || e.HTTPStatus != 0 || e.HasRetryAfter {
		t.Fatalf("no server answer behind it: %#v", err)
	}
}
