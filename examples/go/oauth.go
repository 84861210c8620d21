package calsync

/*
#include "calsync.h"
*/
import "C"

import (
	"context"
	"encoding/base64"
	"errors"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// OAuthConfig configures NewOAuth: an OAuth client for Google or Microsoft.
type OAuthConfig struct {
	Kind Kind // Google or Microsoft
	OAuthClient
	// HostKey is at least 32 secret bytes the host keeps; it signs the state parameter.
	HostKey []byte
	Network *Network
}

// OAuth is a calsync_oauth: sign-in without a Client (the code flow with PKCE, the
// device flow of RFC 8628, refresh, revocation). The begin and complete of one sign-in
// go through the same handle. Calls on one handle take turns.
type OAuth struct {
	mu  sync.Mutex
	ptr *C.calsync_oauth
}

// NewOAuth makes an OAuth client; no network traffic yet.
func NewOAuth(c OAuthConfig) (*OAuth, error) {
	extra := map[string]any{"kind": c.Kind,
		"host_key": base64.RawURLEncoding.EncodeToString(c.HostKey)}
	if c.Network != nil {
		extra["network"] = c.Network
	}
	body, err := marshalWith(c.OAuthClient, extra)
	if err != nil {
		return nil, err
	}
	config, free := cString(`{"version":1,` + string(body[1:]))
	defer free()
	o := &OAuth{}
	if err := invoke("calsync_oauth_new", func() C.calsync_status {
		return C.calsync_oauth_new(config, &o.ptr)
	}); err != nil {
		return nil, err
	}
	runtime.SetFinalizer(o, (*OAuth).Close)
	return o, nil
}

// Close frees the handle; closing twice is harmless.
func (o *OAuth) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ptr != nil {
		C.calsync_oauth_free(o.ptr)
		o.ptr = nil
		runtime.SetFinalizer(o, nil)
	}
	return nil
}

func (o *OAuth) use(fn func(*C.calsync_oauth) error) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ptr == nil {
		return ErrClosed
	}
	return fn(o.ptr)
}

// Begin is where to send the person's browser; connectionID comes back from Complete.
func (o *OAuth) Begin(connectionID string) (*OAuthStart, error) {
	return fetchText[OAuthStart](o.use, "calsync_oauth_begin", connectionID,
		func(p *C.calsync_oauth, id *C.char, out **C.char) C.calsync_status {
			return C.calsync_oauth_begin(p, id, out)
		})
}

// Complete checks the redirect's state and exchanges its code (ErrAuth when refused).
func (o *OAuth) Complete(ctx context.Context, state, code, codeVerifier string) (*OAuthResult, error) {
	if err := started(ctx); err != nil {
		return nil, err
	}
	return exchange[OAuthResult](o.use, "calsync_oauth_complete",
		map[string]string{"state": state, "code": code, "code_verifier": codeVerifier},
		func(p *C.calsync_oauth, req *C.char, out **C.char) C.calsync_status {
			return C.calsync_oauth_complete(p, req, out)
		})
}

// DeviceBegin starts a device sign-in: show the person the answer's UserCode and
// VerificationURI, then DeviceWait.
func (o *OAuth) DeviceBegin(ctx context.Context) (*DeviceAuthorization, error) {
	if err := started(ctx); err != nil {
		return nil, err
	}
	return fetch[DeviceAuthorization](o.use, "calsync_oauth_device_begin",
		func(p *C.calsync_oauth, out **C.char) C.calsync_status {
			return C.calsync_oauth_device_begin(p, out)
		})
}

// DevicePoll asks once: the tokens once approved, an error wrapping ErrPending while not
// yet, ErrAuth when declined or expired.
func (o *OAuth) DevicePoll(ctx context.Context, deviceCode string) (*Tokens, error) {
	if err := started(ctx); err != nil {
		return nil, err
	}
	return fetchText[Tokens](o.use, "calsync_oauth_device_poll", deviceCode,
		func(p *C.calsync_oauth, code *C.char, out **C.char) C.calsync_status {
			return C.calsync_oauth_device_poll(p, code, out)
		})
}

// pollAgain is calsync_oauth_device_poll's pending message: "... poll again in N s".
var pollAgain = regexp.MustCompile(`\b(\d+) s\b`)

// sleep waits d or until ctx is done; a variable so tests can count the waits.
var sleep = func(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// DeviceWait polls until the person approves, at the interval the server asks for (it
// grows on slow_down), until ctx is done or the code expires.
func (o *OAuth) DeviceWait(ctx context.Context, d *DeviceAuthorization) (*Tokens, error) {
	interval := time.Duration(d.IntervalSeconds) * time.Second
	for {
		tokens, err := o.DevicePoll(ctx, d.DeviceCode)
		var e *Error
		if !errors.As(err, &e) || e.Code != ErrPending {
			return tokens, err
		}
		if m := pollAgain.FindStringSubmatch(e.Message); m != nil {
			seconds, _ := strconv.Atoi(m[1])
			interval = time.Duration(seconds) * time.Second
		}
		if d.ExpiresAt != nil && time.Now().Add(interval).After(*d.ExpiresAt) {
			return nil, err
		}
		if err := sleep(ctx, interval); err != nil {
			return nil, err
		}
	}
}

// Refresh gets fresh tokens (ErrAuth when the grant was revoked or expired).
func (o *OAuth) Refresh(ctx context.Context, t Tokens) (*Tokens, error) {
	if err := started(ctx); err != nil {
		return nil, err
	}
	return exchange[Tokens](o.use, "calsync_oauth_refresh", t.request(),
		func(p *C.calsync_oauth, req *C.char, out **C.char) C.calsync_status {
			return C.calsync_oauth_refresh(p, req, out)
		})
}

// Revoke revokes a refresh or access token (RFC 7009).
func (o *OAuth) Revoke(ctx context.Context, token string) error {
	if err := started(ctx); err != nil {
		return err
	}
	return callText(o.use, "calsync_oauth_revoke", token, func(p *C.calsync_oauth, t *C.char) C.calsync_status {
		return C.calsync_oauth_revoke(p, t)
	})
}
