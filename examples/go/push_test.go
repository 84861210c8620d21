package calsync

// Push without Google or Microsoft: Graph's validation handshake, a forged Google
// notification, and a feed, which has no push.

import (
	"context"
	"errors"
	"strings"
	"testing"
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
