package calsync

// Push without Google or Microsoft: Graph's validation handshake, a forged Google
// notification, and a feed, which has no push.

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestGraphHandshakeIsAnsweredWithItsToken(t *testing.T) {
	c, _, _ := feedClient(t, Options{})
	answer, err := c.HandlePush(PushRequest{Method: "POST", Query: "validationToken=Validation%3A%20T%C3%A9st"})
	if err != nil {
		t.Fatal(err)
	}
	if answer.Status != 200 || answer.ContentType != "text/plain" || answer.Body != "Validation: Tést" ||
		len(answer.Marked) != 0 {
		t.Fatalf("handshake answer: %+v", answer)
	}
}

func TestForgedGoogleNotificationIsAnAuthError(t *testing.T) {
	c, _, _ := feedClient(t, Options{})
	forged := PushRequest{Method: "POST", Headers: []PushHeader{
		{"X-Goog-Channel-ID", "c1"}, {"X-Goog-Channel-Token", "v1.forged"},
		{"X-Goog-Resource-State", "exists"}, {"X-Goog-Resource-ID", "r1"},
		{"X-Goog-Message-Number", "2"}}}
	if _, err := c.HandlePush(forged); !errors.Is(err, ErrAuth) {
		t.Fatalf("forged notification: %v", err)
	}
	if _, err := c.HandlePush(PushRequest{Method: "POST"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("no notification at all: %v", err)
	}
	renewed, err := c.RenewPush(context.Background())
	if err != nil || len(renewed) != 0 {
		t.Fatalf("renew with no channel: %+v %v", renewed, err)
	}
}

func TestFeedHasNoPushAndIsPolled(t *testing.T) {
	_, k, _ := feedClient(t, Options{})
	selectFeed(t, k)
	calendars, err := k.Calendars(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = k.Watch(context.Background(), calendars.Calendars[0].ID, "https://pitstoply.example/push")
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "poll") {
		t.Fatalf("watching a feed: %v", err)
	}
}

// A failed renewal's "expires_at" is "" (calsync.h): it decodes as the zero time, with the
// error, instead of failing the whole RenewPush.
func TestFailedRenewalWithoutExpiryDecodes(t *testing.T) {
	var r struct {
		Channels []PushRenewal `json:"channels"`
	}
	doc := `{"version": 1, "channels": [
	  {"connection_id": "g", "calendar_id": "primary", "old_channel_id": "c1", "channel_id": "c2",
	   "expires_at": "2026-06-08T10:00:00Z", "ok": true},
	  {"connection_id": "m", "calendar_id": "cal", "old_channel_id": "s1", "channel_id": "",
	   "expires_at": "", "ok": false, "error": {"code": "network", "message": "timed out"}}]}`
	if err := json.Unmarshal([]byte(doc), &r); err != nil {
		t.Fatal(err)
	}
	renewed, failed := r.Channels[0], r.Channels[1]
	if !renewed.ExpiresAt.Equal(time.Date(2026, 6, 8, 10, 0, 0, 0, time.UTC)) || renewed.ChannelID != "c2" {
		t.Fatalf("renewed: %+v", renewed)
	}
	if failed.OK || !failed.ExpiresAt.IsZero() || failed.Error == nil || failed.Error.Code != "network" {
		t.Fatalf("failed: %+v", failed)
	}
}
