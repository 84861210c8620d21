package calsync

// The whole flow of Client against a real Radicale (Debian's) that ctest started:
// connect CalDAV, pick the calendar both ways, an event another client put blocks a
// slot, an appointment is exported and then cancelled, status, health check, disconnect;
// a refused password; a SQLite store reopened by a new Client.

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var davConfig = Config{Zone: "Europe/Berlin", Network: &Network{AllowPrivateAddresses: true},
	Export: &ExportSettings{UIDDomain: "garage.test"}}

func connectRadicale(t *testing.T, c *Client, s *davServer, id string) *Connection {
	t.Helper()
	k, err := c.Connect(context.Background(), ConnectRequest{Kind: CalDAV,
		Settings: AccountSettings{URL: s.URL, Username: s.User}, Password: s.Password,
		ConnectionID: id})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustSync(t *testing.T, k *Connection) *SyncReport {
	t.Helper()
	r, err := k.Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r.Status.State != SyncOK {
		t.Fatalf("sync: %s: %s", r.Status.State, r.Status.LastError)
	}
	return r
}

func TestRadicaleWholeFlow(t *testing.T) {
	ctx := context.Background()
	s := radicale(t)
	d := day(3)
	start, end := d.Add(10*time.Hour), d.Add(11*time.Hour)
	s.put(t, "go-flow.ics", icsEvent("go-flow", start, end, "Parts delivery"))
	defer s.delete(t, "go-flow.ics")

	seen := &recorder{}
	c, err := NewClient(seen.options(filepath.Join(t.TempDir(), "calsync.sqlite"), davConfig))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	k := connectRadicale(t, c, s, "radicale-flow")
	defer k.Close()
	if k.ID() != "radicale-flow" {
		t.Fatalf("id %q", k.ID())
	}

	calendars, err := k.Calendars(ctx)
	if err != nil {
		t.Fatal(err)
	}
	workshop := calendars.Find(s.CalendarURL)
	if workshop == nil || workshop.Name != "Workshop" || !workshop.CanWrite || workshop.Selected {
		t.Fatalf("calendar %s in %+v", s.CalendarURL, calendars)
	}
	if err := k.Select(s.CalendarURL, Both, nil); err != nil {
		t.Fatal(err)
	}
	if again, _ := k.Calendars(ctx); again.Find(s.CalendarURL).Direction != Both {
		t.Fatalf("not selected both ways: %+v", again)
	}

	// The other client's event blocks its hour, labelled with the calendar's name.
	report := mustSync(t, k)
	if len(report.Added) != 1 || !report.Added[0].Start.Equal(start) || !report.Added[0].End.Equal(end) {
		t.Fatalf("added %+v", report.Added)
	}
	slots, err := c.BlockedSlots(d, d.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(slots.Slots) != 1 {
		t.Fatalf("slots %+v", slots.Slots)
	}
	slot := slots.Slots[0]
	if slot.Label != "Workshop" || slot.ConnectionID != "radicale-flow" || slot.CalendarID != s.CalendarURL ||
		!strings.HasSuffix(slot.EventID, "go-flow.ics") {
		t.Fatalf("slot %+v", slot)
	}
	seen.mu.Lock()
	if len(seen.diffs) != 1 || len(seen.diffs[0].Added) != 1 || seen.diffs[0].Added[0] != report.Added[0] {
		t.Fatalf("callback saw %+v, the report %+v", seen.diffs, report.Added)
	}
	seen.mu.Unlock()
	free, err := c.FreeSlots(d.Add(9*time.Hour), d.Add(13*time.Hour), time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var hours []int
	for _, f := range free {
		hours = append(hours, f.Start.Hour())
	}
	if len(hours) != 3 || hours[0] != 9 || hours[1] != 11 || hours[2] != 12 {
		t.Fatalf("free hours %v", hours)
	}

	// An appointment goes to the server with its stable UID, and does not block.
	a := Appointment{ID: "g-2002", Start: d.Add(14 * time.Hour), End: d.Add(15 * time.Hour),
		Client: "M. Keller", Service: "Brake check", Vehicle: "Opel Astra"}
	if err := c.UpsertAppointment(a); err != nil {
		t.Fatal(err)
	}
	report = mustSync(t, k)
	if report.Calendars[0].ExportsWritten != 1 {
		t.Fatalf("exports %+v", report.Calendars)
	}
	const uid = "calsync-g-2002@garage.test"
	onServer := s.events(t)
	if !strings.Contains(onServer[uid], "DTSTART:"+a.Start.Format("20060102T150405Z")) ||
		!strings.Contains(onServer[uid], "Brake check") {
		t.Fatalf("%s on the server: %q", uid, onServer[uid])
	}
	if slots, _ := c.BlockedSlots(d, d.AddDate(0, 0, 1)); len(slots.Slots) != 1 {
		t.Fatalf("the export blocks: %+v", slots.Slots)
	}
	listed, err := c.Appointments()
	if err != nil || len(listed) != 1 || listed[0].ID != a.ID || listed[0].Status != Booked || !listed[0].Start.Equal(a.Start) {
		t.Fatalf("appointments %+v %v", listed, err)
	}

	// Cancelled: due at once, so RunDue syncs it (on a library worker thread).
	if err := c.CancelAppointment(a.ID); err != nil {
		t.Fatal(err)
	}
	reports, err := c.RunDue(ctx)
	if err != nil || len(reports) != 1 || reports[0].ConnectionID != "radicale-flow" || reports[0].Status.State != SyncOK {
		t.Fatalf("run due: %+v %v", reports, err)
	}
	if reports, _ := c.RunDue(ctx); len(reports) != 0 {
		t.Fatalf("due again: %+v", reports)
	}
	onServer = s.events(t)
	if _, there := onServer[uid]; there {
		t.Fatalf("%s still on the server", uid)
	}
	if _, there := onServer["go-flow"]; !there {
		t.Fatal("the other client's event went too")
	}

	status, err := k.Status()
	if err != nil {
		t.Fatal(err)
	}
	if status.State != SyncOK || status.ConsecutiveFailures != 0 || status.LastSuccess == nil || len(status.Calendars) != 1 {
		t.Fatalf("status %+v", status)
	}
	if _, ok := status.Calendars[s.CalendarURL]; !ok {
		t.Fatalf("calendar statuses %+v", status.Calendars)
	}
	health, err := k.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]bool{}
	for _, i := range health.Items {
		checks[i.Check] = i.OK
	}
	if !health.OK || !checks["credentials"] || !checks["writable:"+s.CalendarURL] {
		t.Fatalf("health %+v", health)
	}

	if err := k.Disconnect(ctx, false); err != nil {
		t.Fatal(err)
	}
	if slots, _ := c.BlockedSlots(d, d.AddDate(0, 0, 1)); len(slots.Slots) != 0 {
		t.Fatalf("slots after disconnect %+v", slots.Slots)
	}
	connections, err := c.Connections()
	if err != nil || len(connections) != 1 || connections[0].State != Disconnected {
		t.Fatalf("connections %+v %v", connections, err)
	}
	seen.mu.Lock()
	defer seen.mu.Unlock()
	logged := strings.Join(seen.logs, "\n")
	if !strings.Contains(logged, "radicale-flow") || strings.Contains(logged, s.Password) {
		t.Fatalf("logs %q", logged)
	}
}

func TestRadicaleRefusedPasswordIsAnAuthErrorWithoutThePassword(t *testing.T) {
	s := radicale(t)
	seen := &recorder{}
	c, err := NewClient(seen.options("", davConfig))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Connect(context.Background(), ConnectRequest{Kind: CalDAV,
		Settings: AccountSettings{URL: s.URL, Username: s.User}, Password: "wrong-horse-battery"})
	var e *Error
	if !errors.Is(err, ErrAuth) || !errors.As(err, &e) || e.Code != -8 || e.Op != "calsync_client_connect" {
		t.Fatalf("want CALSYNC_EAUTH from calsync_client_connect, got %v", err)
	}
	if strings.Contains(err.Error(), "wrong-horse-battery") {
		t.Fatalf("the password is in %q", err)
	}
	if list, _ := c.Connections(); len(list) != 0 {
		t.Fatalf("stored anyway: %+v", list)
	}
	seen.mu.Lock()
	defer seen.mu.Unlock()
	if strings.Contains(strings.Join(seen.logs, "\n"), "wrong-horse-battery") {
		t.Fatal("the password is in the logs")
	}
}

func TestRadicaleStoreReopenedByANewClient(t *testing.T) {
	s := radicale(t)
	store := filepath.Join(t.TempDir(), "calsync.sqlite")
	d := day(3)
	start := d.Add(16 * time.Hour)
	s.put(t, "go-reopen.ics", icsEvent("go-reopen", start, start.Add(time.Hour), "MOT inspection"))
	defer s.delete(t, "go-reopen.ics")

	first, err := NewClient(Options{HostKey: hostKey, StorePath: store, Config: davConfig})
	if err != nil {
		t.Fatal(err)
	}
	k := connectRadicale(t, first, s, "radicale-reopen")
	if err := k.Select(s.CalendarURL, Import, nil); err != nil {
		t.Fatal(err)
	}
	mustSync(t, k)
	before, _ := first.BlockedSlots(d, d.AddDate(0, 0, 1))
	first.Close() // closes k too
	if _, err := k.Status(); !errors.Is(err, ErrClosed) {
		t.Fatalf("a connection of a closed client: %v", err)
	}

	// A new process: same store, same host key, no request needed to answer.
	c, err := NewClient(Options{HostKey: hostKey, StorePath: store, Config: davConfig})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	after, _ := c.BlockedSlots(d, d.AddDate(0, 0, 1))
	if len(before.Slots) != 1 || len(after.Slots) != 1 || after.Slots[0] != before.Slots[0] {
		t.Fatalf("before %+v, after %+v", before.Slots, after.Slots)
	}
	// The password sealed in the store still signs in: a moved event is seen.
	later := start.Add(2 * time.Hour)
	s.put(t, "go-reopen.ics", icsEvent("go-reopen", later, later.Add(time.Hour), "MOT inspection"))
	again, err := c.Connection("radicale-reopen")
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	mustSync(t, again)
	moved, _ := c.BlockedSlots(d, d.AddDate(0, 0, 1))
	if len(moved.Slots) != 1 || !moved.Slots[0].Start.Equal(later) {
		t.Fatalf("after the move %+v", moved.Slots)
	}

	// Another host key cannot open what the first one sealed.
	stranger, err := NewClient(Options{HostKey: make([]byte, 32), StorePath: store, Config: davConfig})
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	k2, err := stranger.Connection("radicale-reopen")
	if err != nil {
		t.Fatal(err)
	}
	r, err := k2.Sync(context.Background())
	if err != nil || r.Status.State != NeedsReauthorisation || !strings.Contains(r.Status.LastError, "host key") {
		t.Fatalf("with another key: %+v %v", r, err)
	}
}
