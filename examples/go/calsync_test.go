package calsync

import (
	"errors"
	"testing"
)

const ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Workshop\r\n" +
	"BEGIN:VEVENT\r\nUID:holiday\r\nDTSTART;VALUE=DATE:20260401\r\nDTEND;VALUE=DATE:20260403\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:cancelled\r\nSTATUS:CANCELLED\r\nDTSTART:20260405T100000Z\r\nDTEND:20260405T110000Z\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

func request(zone string) map[string]any {
	return map[string]any{
		"zone":      zone,
		"window":    map[string]string{"start": "2026-03-01T00:00:00Z", "end": "2026-05-01T00:00:00Z"},
		"calendars": []any{map[string]any{"id": "w", "ics": ics}},
	}
}

func TestAllDayEventIsReadInTheBusinessZone(t *testing.T) {
	r, err := BlockedSlots(request("America/New_York"))
	if err != nil {
		t.Fatal(err)
	}
	// 1-2 April in New York (UTC-4 in April): local midnight to local midnight; the
	// cancelled event leaves no slot.
	if len(r.Slots) != 1 {
		t.Fatalf("want 1 slot, got %+v", r.Slots)
	}
	s := r.Slots[0]
	if s.Start != "2026-04-01T04:00:00Z" || s.End != "2026-04-03T04:00:00Z" || !s.AllDay ||
		s.Label != "Workshop" || s.EventID != "holiday" {
		t.Fatalf("unexpected slot %+v", s)
	}
}

func TestUnknownZoneIsAnError(t *testing.T) {
	_, err := BlockedSlots(request("Atlantis/Capital"))
	var e *Error
	if !errors.As(err, &e) || e.Status != -4 {
		t.Fatalf("want status -4 (CALSYNC_EZONE), got %v", err)
	}
}

func TestVersion(t *testing.T) {
	if Version() != "0.1.0" {
		t.Fatalf("version %q", Version())
	}
}
