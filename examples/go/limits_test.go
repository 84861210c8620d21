package calsync

// The limits of issue 12: an answer the caller's range and step would make huge is
// ErrLimit, and an event over the occurrence limit is named in the sync report (Capped)
// while the calendar's other events still block.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFreeSlotsBeyondTheLimitIsErrLimit(t *testing.T) {
	c, err := NewClient(Options{HostKey: hostKey})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d := day(5)
	_, err = c.FreeSlots(d, d.AddDate(10, 0, 0), time.Minute, time.Second)
	var e *Error
	if !errors.Is(err, ErrLimit) || !errors.As(err, &e) || !strings.Contains(e.Message, "100000") {
		t.Fatalf("ten years by the second: %v, want ErrLimit naming the limit", err)
	}
	free, err := c.FreeSlots(d, d.AddDate(0, 0, 1), time.Hour, time.Hour)
	if err != nil || len(free) != 24 {
		t.Fatalf("a day by the hour: %d windows, %v", len(free), err)
	}
}

func TestAnEventOverTheOccurrenceLimitIsReportedAsCapped(t *testing.T) {
	d := day(5)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	date := d.Format("20060102")
	// A dentist's hour, and an event every minute: far over 10000 occurrences in a year.
	ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n" +
		"BEGIN:VEVENT\r\nUID:dentist\r\nDTSTAMP:20260101T000000Z\r\n" +
		"DTSTART;TZID=Europe/Berlin:" + date + "T153000\r\nDTEND;TZID=Europe/Berlin:" + date + "T163000\r\n" +
		"END:VEVENT\r\nBEGIN:VEVENT\r\nUID:every-minute\r\nDTSTAMP:20260101T000000Z\r\n" +
		"DTSTART:" + date + "T000000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=MINUTELY\r\nEND:VEVENT\r\n" +
		"END:VCALENDAR\r\n"
	path := filepath.Join(t.TempDir(), "busy.ics")
	if err := os.WriteFile(path, []byte(ics), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(Options{HostKey: hostKey, Config: feedConfig})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	k, err := c.Connect(context.Background(), ConnectRequest{Kind: ICSFeed,
		Settings: AccountSettings{URL: startFaultServer(t) + "/feed?file=" + path}})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	selectFeed(t, k)
	report := mustSync(t, k)
	if len(report.Calendars) != 1 {
		t.Fatalf("calendars %+v", report.Calendars)
	}
	capped := report.Calendars[0].Capped
	if len(capped) != 1 || capped[0].EventID != "every-minute" || !strings.Contains(capped[0].Message, "10000") {
		t.Fatalf("capped %+v, want every-minute naming the limit", capped)
	}
	slots, err := c.BlockedSlots(d, d.AddDate(0, 0, 1))
	start := time.Date(d.Year(), d.Month(), d.Day(), 15, 30, 0, 0, berlin).UTC()
	if err != nil || len(slots.Slots) != 1 || slots.Slots[0].EventID != "dentist" || !slots.Slots[0].Start.Equal(start) {
		t.Fatalf("slots %+v %v, want the dentist's hour only", slots, err)
	}
}
