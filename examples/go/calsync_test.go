package calsync

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
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
	if rfc3339(s.Start) != "2026-04-01T04:00:00Z" || rfc3339(s.End) != "2026-04-03T04:00:00Z" || !s.AllDay ||
		s.Label != "Workshop" || s.EventID != "holiday" {
		t.Fatalf("unexpected slot %+v", s)
	}
}

func TestUnknownZoneIsAnError(t *testing.T) {
	_, err := BlockedSlots(request("Atlantis/Capital"))
	var e *Error
	if !errors.As(err, &e) || e.Code != -4 || !errors.Is(err, ErrZone) {
		t.Fatalf("want status -4 (CALSYNC_EZONE), got %v", err)
	}
	if e.Op != "calsync_engine_blocked_slots" {
		t.Fatalf("op %q", e.Op)
	}
}

// The message is per OS thread: each goroutine must read its own call's, whichever
// thread the scheduler moves it to.
func TestErrorMessageIsTheCallersOwn(t *testing.T) {
	var wg sync.WaitGroup
	failures := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			zone := fmt.Sprintf("Atlantis/Zone%d", g)
			for i := 0; i < 200; i++ {
				_, err := BlockedSlots(request(zone))
				var e *Error
				if !errors.As(err, &e) || !strings.Contains(e.Message, zone) {
					failures <- fmt.Sprintf("goroutine %d got %v", g, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
}

func TestFreeSlotsAroundABusyBlock(t *testing.T) {
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	free, err := FreeSlots([]TimeRange{{day.Add(10 * time.Hour), day.Add(11*time.Hour + 30*time.Minute)}},
		TimeRange{day.Add(8 * time.Hour), day.Add(14 * time.Hour)}, time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var starts []int
	for _, f := range free {
		starts = append(starts, f.Start.Hour())
	}
	if fmt.Sprint(starts) != "[8 9 12 13]" {
		t.Fatalf("free starts %v", starts)
	}
	if _, err := FreeSlots(nil, TimeRange{day, day.Add(time.Hour)}, 1500*time.Millisecond, time.Minute); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a fraction of a second: %v", err)
	}
}

func TestVersion(t *testing.T) {
	if Version() != "1.0.0" {
		t.Fatalf("version %q", Version())
	}
}
