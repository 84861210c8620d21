package calsync_test

// Examples, as a program using the package writes them (go test runs the ones with an
// Output comment; the others only compile, as they need a calendar server).

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	calsync "github.com/pitstoply/calsync/examples/go"
)

// hostKey stands for the 32 or more secret bytes a host keeps (in a secret store, not in
// the code); it seals the stored credentials.
var hostKey = []byte("0123456789abcdef0123456789abcdef")

func at(rfc3339 string) time.Time {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		panic(err)
	}
	return t
}

// The engine alone: events as calsync.h documents them, read in their own zones. An
// all-day event blocks the civil day in the business's zone.
func ExampleBlockedSlots() {
	event := func(id, start, end, zone string) map[string]any {
		return map[string]any{"id": id,
			"start": map[string]string{"date_time": start, "time_zone": zone},
			"end":   map[string]string{"date_time": end, "time_zone": zone}}
	}
	holiday := map[string]any{"id": "whit-monday",
		"start": map[string]string{"date": "2026-05-25"}, "end": map[string]string{"date": "2026-05-26"}}
	r, err := calsync.BlockedSlots(map[string]any{
		"zone":   "Europe/Berlin",
		"window": map[string]string{"start": "2026-05-01T00:00:00Z", "end": "2026-06-01T00:00:00Z"},
		"calendars": []any{map[string]any{"id": "team", "name": "Team", "events": []any{
			event("supplier-call", "2026-05-20T09:00:00", "2026-05-20T09:30:00", "America/New_York"),
			holiday,
		}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range r.Slots {
		fmt.Println(s.Start.Format(time.RFC3339), s.End.Format(time.RFC3339), s.EventID)
	}
	// Output:
	// 2026-05-20T13:00:00Z 2026-05-20T13:30:00Z supplier-call
	// 2026-05-24T22:00:00Z 2026-05-25T22:00:00Z whit-monday
}

// Hour-long windows on the quarter hour around one busy interval.
func ExampleFreeSlots() {
	busy := []calsync.TimeRange{{Start: at("2026-06-01T09:00:00Z"), End: at("2026-06-01T10:30:00Z")}}
	within := calsync.TimeRange{Start: at("2026-06-01T08:00:00Z"), End: at("2026-06-01T12:00:00Z")}
	free, err := calsync.FreeSlots(busy, within, time.Hour, 15*time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	for _, w := range free {
		fmt.Println(w.Start.Format("15:04"), w.End.Format("15:04"))
	}
	// Output:
	// 08:00 09:00
	// 10:30 11:30
	// 10:45 11:45
	// 11:00 12:00
}

// A client keeps the host's appointments; an empty StorePath keeps them in memory.
func ExampleClient_UpsertAppointment() {
	c, err := calsync.NewClient(calsync.Options{HostKey: hostKey,
		Config: calsync.Config{Zone: "Europe/Berlin"}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	start := at("2026-06-01T10:00:00+02:00")
	err = c.UpsertAppointment(calsync.Appointment{ID: "a-1001", Start: start,
		End: start.Add(time.Hour), Client: "J. Weber", Service: "Oil change"})
	if err != nil {
		log.Fatal(err)
	}
	appointments, err := c.Appointments()
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range appointments {
		fmt.Println(a.ID, a.Start.Format(time.RFC3339), a.Service, a.Status)
	}
	// Output:
	// a-1001 2026-06-01T08:00:00Z Oil change booked
}

// The host's push endpoint hands calsync what it received and replies as told; here
// Microsoft Graph's validation request, answered with its token.
func ExampleClient_HandlePush() {
	c, err := calsync.NewClient(calsync.Options{HostKey: hostKey})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	answer, err := c.HandlePush(calsync.PushRequest{Method: "POST",
		Query: "validationToken=Validation%3A%20token"})
	if err != nil {
		log.Fatal(err) // errors.Is(err, calsync.ErrAuth): reply 403
	}
	fmt.Println(answer.Status, answer.ContentType, answer.Body, answer.Source)
	// Output:
	// 200 text/plain Validation: token graph_validation
}

// Every failure is an *Error whose Code is also a sentinel for errors.Is.
func ExampleError() {
	_, err := calsync.NewClient(calsync.Options{HostKey: []byte("too short")})
	var e *calsync.Error
	if errors.As(err, &e) {
		fmt.Println(errors.Is(err, calsync.ErrInvalid), e.Op, e.HTTPStatus)
	}
	// Output:
	// true calsync_client_new 0
}

// Connecting a CalDAV account, choosing a calendar and syncing it (not run: it needs a
// server).
func ExampleConnection_Sync() {
	ctx := context.Background()
	c, err := calsync.NewClient(calsync.Options{HostKey: hostKey, StorePath: "calsync.sqlite",
		Config: calsync.Config{Zone: "Europe/Berlin"}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	k, err := c.Connect(ctx, calsync.ConnectRequest{Kind: calsync.CalDAV,
		Settings: calsync.AccountSettings{URL: "https://dav.example.com/", Username: "garage"},
		Password: "app password"})
	if err != nil {
		log.Fatal(err)
	}
	defer k.Close()
	calendars, err := k.Calendars(ctx)
	if err != nil {
		log.Fatal(err)
	}
	// Its events block slots, and bookings are written to it.
	if err := k.Select(calendars.Calendars[0].ID, calsync.Both, nil); err != nil {
		log.Fatal(err)
	}
	report, err := k.Sync(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(report.Status.State, len(report.Added), "slots added")
}
