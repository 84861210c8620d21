package calsync

import (
	"encoding/json"
	"testing"
)

// Members the C ABI's documents always carry that the Go types once left out (found by
// tests/schema/binding_types.py): each is read.

func TestCalendarOwnerIsRead(t *testing.T) {
	var l CalendarList
	doc := `{"version": 1, "gone": [], "calendars": [{"id": "AAMk", "name": "Workshop",
		"color": "", "time_zone": "Europe/Berlin", "can_write": true, "is_primary": false,
		"owner": "ana@example.com", "selected": false, "direction": "import",
		"policy": {"tentative_blocks": true, "unanswered_blocks": true, "all_day_blocks": true}}]}`
	if err := json.Unmarshal([]byte(doc), &l); err != nil {
		t.Fatal(err)
	}
	if got := l.Find("AAMk").Owner; got != "ana@example.com" {
		t.Fatalf("owner %q", got)
	}
}

func TestCalendarReportCorrectedIsRead(t *testing.T) {
	var r SyncReport
	doc := `{"version": 1, "connection_id": "c1", "added": [], "removed": [],
		"status": {"state": "ok", "last_attempt": null, "last_success": null, "next_due": null,
			"last_error": "", "events_read": 3, "events_exported": 0, "consecutive_failures": 0},
		"calendars": [{"calendar_id": "w", "events_read": 3, "exports_written": 0,
			"corrected": 2, "skipped": [], "capped": [],
			"status": {"state": "ok", "last_attempt": null, "last_success": null,
				"next_due": null, "last_error": "", "events_read": 3, "events_exported": 0,
				"consecutive_failures": 0}}]}`
	if err := json.Unmarshal([]byte(doc), &r); err != nil {
		t.Fatal(err)
	}
	if got := r.Calendars[0].Corrected; got != 2 {
		t.Fatalf("corrected %d", got)
	}
}

// Settings whose default is not the zero value are pointers: false and 0 reach the library.
func TestConfigSendsFalseAndZeroWhereTheDefaultIsNot(t *testing.T) {
	keep, never := false, 0
	config := Config{KeepIdleConnections: &keep, Schedule: &Schedule{FullReadSeconds: &never}}
	doc, err := json.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	var sent map[string]any
	if err := json.Unmarshal(doc, &sent); err != nil {
		t.Fatal(err)
	}
	if sent["keep_idle_connections"] != false {
		t.Fatalf("keep_idle_connections missing or wrong in %s", doc)
	}
	if schedule, _ := sent["schedule"].(map[string]any); schedule["full_read_seconds"] != float64(0) {
		t.Fatalf("full_read_seconds missing or wrong in %s", doc)
	}
	// The library refuses a member it does not know: these are its names.
	c, err := NewClient(Options{HostKey: hostKey, StorePath: t.TempDir() + "/s.db", Config: config})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if doc, _ := json.Marshal(Config{}); string(doc) != "{}" {
		t.Fatalf("an empty Config sends %s", doc)
	}
}
