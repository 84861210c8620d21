package calsync

// OAuth against the local authorization, token, revocation and device endpoints of
// fault_server.py: the code flow with PKCE, refresh and revoke, the device flow through
// pending and slow_down, and tokens kept out of printed values and messages.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const clientSecret = "very-secret-client"

// The Google client is a confidential one; the Microsoft one a public client, as the
// device flow Microsoft keeps to public clients wants.
func newTestOAuth(t *testing.T, base string, kind Kind, readOnly bool) *OAuth {
	t.Helper()
	secret := clientSecret
	if kind == Microsoft {
		secret = ""
	}
	o, err := newTestOAuthWithSecret(t, base, kind, readOnly, secret)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func newTestOAuthWithSecret(t *testing.T, base string, kind Kind, readOnly bool, secret string) (*OAuth, error) {
	t.Helper()
	o, err := NewOAuth(OAuthConfig{Kind: kind, HostKey: hostKey, Network: &Network{AllowPrivateAddresses: true},
		OAuthClient: OAuthClient{ClientID: "client-1", ClientSecret: secret,
			RedirectURI: "http://127.0.0.1:1/cb", ReadOnly: readOnly,
			AuthorizationURL: base + "/authorize", TokenURL: base + "/token",
			RevocationURL: base + "/revoke", DeviceAuthorizationURL: base + "/devicecode"}})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { o.Close() })
	return o, nil
}

// Microsoft's device flow is for public clients: with a client secret it is refused
// before anything is sent, saying so.
func TestOAuthMicrosoftDeviceFlowRefusesAClientSecret(t *testing.T) {
	o, err := newTestOAuthWithSecret(t, startFaultServer(t), Microsoft, false, clientSecret)
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.DeviceBegin(context.Background())
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "public clients") ||
		strings.Contains(err.Error(), clientSecret) {
		t.Fatalf("device begin with a secret: %v", err)
	}
}

// follow plays the browser: opens the authorization URL, returns the redirect's query.
func follow(t *testing.T, u string) url.Values {
	t.Helper()
	client := http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	location, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return location.Query()
}

func TestOAuthSignInRefreshAndRevoke(t *testing.T) {
	ctx := context.Background()
	o := newTestOAuth(t, startFaultServer(t), Google, true)
	start, err := o.Begin("garage-7/google")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(start.URL, "code_challenge_method=S256") || !strings.Contains(start.URL, "calendar.events.readonly") {
		t.Fatalf("url %s", start.URL)
	}
	q := follow(t, start.URL)
	if q.Get("state") != start.State {
		t.Fatalf("state %q, want %q", q.Get("state"), start.State)
	}
	done, err := o.Complete(ctx, q.Get("state"), q.Get("code"), start.CodeVerifier)
	if err != nil {
		t.Fatal(err)
	}
	if done.ConnectionID != "garage-7/google" || done.Tokens.AccessToken != "a1" ||
		done.Tokens.RefreshToken != "r1" || done.Tokens.ExpiresAt == nil {
		t.Fatalf("result %+v", done)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if printed := fmt.Sprintf(verb, done.Tokens); strings.Contains(printed, "r1") || strings.Contains(printed, "a1") {
			t.Fatalf("%s prints the tokens: %s", verb, printed)
		}
	}
	if _, err := o.Complete(ctx, q.Get("state"), q.Get("code"), start.CodeVerifier); !errors.Is(err, ErrAuth) ||
		!strings.Contains(err.Error(), "already used") {
		t.Fatalf("a state spent twice: %v", err)
	}
	refreshed, err := o.Refresh(ctx, done.Tokens)
	if err != nil || refreshed.RefreshToken != "r2" {
		t.Fatalf("refresh: %+v %v", refreshed, err)
	}
	if err := o.Revoke(ctx, "r2"); err != nil {
		t.Fatal(err)
	}
	_, err = o.Refresh(ctx, *refreshed)
	if !errors.Is(err, ErrAuth) || strings.Contains(err.Error(), "r2") || strings.Contains(err.Error(), clientSecret) {
		t.Fatalf("a revoked grant: %v", err)
	}
	o.Close()
	if _, err := o.Begin("x"); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed: %v", err)
	}
}

func TestOAuthDeviceFlowWaitsAsTheServerAsks(t *testing.T) {
	ctx := context.Background()
	o := newTestOAuth(t, startFaultServer(t), Microsoft, false)
	device, err := o.DeviceBegin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(device.UserCode, "WDJB-MJH") || device.IntervalSeconds != 1 {
		t.Fatalf("device %+v", device)
	}
	if _, err := o.DevicePoll(ctx, device.DeviceCode); !errors.Is(err, ErrPending) {
		t.Fatalf("first poll: %v", err)
	}
	var waits []time.Duration
	real := sleep
	sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	defer func() { sleep = real }()
	tokens, err := o.DeviceWait(ctx, device)
	if err != nil || tokens.AccessToken != "a2" {
		t.Fatalf("wait: %+v %v", tokens, err)
	}
	// Pending at 1 s, then slow_down: 6 s (RFC 8628 3.5 adds 5 s).
	if len(waits) != 1 || waits[0] != 6*time.Second {
		t.Fatalf("waits %v", waits)
	}
	if _, err := o.DevicePoll(ctx, device.DeviceCode); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a spent code: %v", err)
	}
}

func TestOAuthDeviceWaitStopsWithItsContext(t *testing.T) {
	o := newTestOAuth(t, startFaultServer(t), Microsoft, false)
	device, err := o.DeviceBegin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	began := time.Now()
	if _, err := o.DeviceWait(ctx, device); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait: %v", err)
	}
	if waited := time.Since(began); waited > 900*time.Millisecond {
		t.Fatalf("waited %v past a 200 ms deadline for a 1 s interval", waited)
	}
}

func TestOAuthBadConfigurationNamesTheField(t *testing.T) {
	_, err := NewOAuth(OAuthConfig{Kind: Google, HostKey: []byte("short"), OAuthClient: OAuthClient{ClientID: "c"}})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "host_key") {
		t.Fatalf("%v", err)
	}
}
