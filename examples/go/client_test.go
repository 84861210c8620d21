package calsync

// Client and Connection without a calendar server of their own: handle lifetimes,
// mistakes as errors with their codes, appointments and the team feed, contexts, and
// callbacks (including one that panics) over an ICS feed from fault_server.py.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var feedConfig = Config{Zone: "Europe/Berlin", Network: &Network{AllowPrivateAddresses: true}}

// feedURL serves an ICS file with one dentist's hour (Berlin wall time) on day d.
func feedURL(t *testing.T, d time.Time) (string, time.Time) {
	t.Helper()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	date := d.Format("20060102")
	ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nX-WR-CALNAME:Personal\r\n" +
		"BEGIN:VEVENT\r\nUID:dentist\r\nDTSTAMP:20260101T000000Z\r\n" +
		"DTSTART;TZID=Europe/Berlin:" + date + "T153000\r\nDTEND;TZID=Europe/Berlin:" + date + "T163000\r\n" +
		"SUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	path := filepath.Join(t.TempDir(), "personal.ics")
	if err := os.WriteFile(path, []byte(ics), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Date(d.Year(), d.Month(), d.Day(), 15, 30, 0, 0, berlin).UTC()
	return startFaultServer(t) + "/feed?file=" + path, start
}

// feedClient is a client (closed after the test) with the feed of day(5) connected as
// "personal"; o.Config defaults to feedConfig.
func feedClient(t *testing.T, o Options) (*Client, *Connection, time.Time) {
	t.Helper()
	url, start := feedURL(t, day(5))
	if o.HostKey == nil {
		o.HostKey = hostKey
	}
	if o.Config.Zone == "" {
		o.Config = feedConfig
	}
	c, err := NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	k, err := c.Connect(context.Background(), ConnectRequest{Kind: ICSFeed,
		Settings: AccountSettings{URL: url, Name: "Personal"}, ConnectionID: "personal"})
	if err != nil {
		t.Fatal(err)
	}
	return c, k, start
}

// selectFeed picks the feed's one calendar for import.
func selectFeed(t *testing.T, k *Connection) {
	t.Helper()
	calendars, err := k.Calendars(context.Background())
	if err != nil || len(calendars.Calendars) != 1 {
		t.Fatalf("%+v %v", calendars, err)
	}
	if err := k.Select(calendars.Calendars[0].ID, Import, nil); err != nil {
		t.Fatal(err)
	}
}

func TestClosedClientAndItsConnections(t *testing.T) {
	c, k, _ := feedClient(t, Options{})
	again, err := c.Connection("personal")
	if err != nil || again.ID() != "personal" {
		t.Fatalf("%v %v", again, err)
	}
	again.Close()
	if _, err := again.Info(); !errors.Is(err, ErrClosed) {
		t.Fatalf("a closed connection: %v", err)
	}
	if info, err := k.Info(); err != nil || info.Kind != ICSFeed {
		t.Fatalf("the other handle: %+v %v", info, err)
	}
	c.Close()
	c.Close() // twice is harmless
	if _, err := c.Appointments(); !errors.Is(err, ErrClosed) {
		t.Fatalf("a closed client: %v", err)
	}
	if _, err := k.Status(); !errors.Is(err, ErrClosed) {
		t.Fatalf("a connection of a closed client: %v", err)
	}
	k.Close() // after its client: harmless
}

func TestMistakesCarryTheirCodes(t *testing.T) {
	if _, err := NewClient(Options{HostKey: []byte("short")}); !errors.Is(err, ErrInvalid) ||
		!strings.Contains(err.Error(), "host_key") {
		t.Fatalf("short key: %v", err)
	}
	if _, err := NewClient(Options{HostKey: hostKey, Config: Config{Zone: "Mars/Olympus"}}); !errors.Is(err, ErrZone) {
		t.Fatalf("unknown zone: %v", err)
	}
	c, err := NewClient(Options{HostKey: hostKey})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Connection("nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown connection: %v", err)
	}
	if err := c.CancelAppointment("a-never"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown appointment: %v", err)
	}
	d := day(5)
	err = c.UpsertAppointment(Appointment{ID: "a1", Start: d, End: d.Add(-time.Hour)})
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrInvalid || !strings.Contains(e.Message, "end") {
		t.Fatalf("end before start: %v", err)
	}
	if _, err := c.FreeSlots(d, d.Add(time.Hour), 90*time.Millisecond, time.Minute); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a fraction of a second: %v", err)
	}
}

func TestReadOnlyFeedRefusesExports(t *testing.T) {
	_, k, _ := feedClient(t, Options{})
	calendars, err := k.Calendars(context.Background())
	if err != nil || len(calendars.Calendars) != 1 {
		t.Fatalf("%+v %v", calendars, err)
	}
	err = k.Select(calendars.Calendars[0].ID, Both, nil)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("export to a feed: %v", err)
	}
}

func TestDoneContextStopsACallBeforeItStarts(t *testing.T) {
	c, k, _ := feedClient(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := k.Sync(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("sync: %v", err)
	}
	if status, _ := k.Status(); status.State != NeverSynced {
		t.Fatalf("synced anyway: %+v", status)
	}
	if _, err := c.RunDue(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("run due: %v", err)
	}
	// ConfirmFree's deadline becomes the library's timeout: a spent one answers at once
	// from what was read before.
	d := day(5)
	expired, stop := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer stop()
	if _, err := c.ConfirmFree(expired, d, d.Add(time.Hour)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("confirm free: %v", err)
	}
	soon, stop2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop2()
	answer, err := c.ConfirmFree(soon, d, d.Add(time.Hour))
	if err != nil || !answer.Free {
		t.Fatalf("confirm free: %+v %v", answer, err)
	}
}

func TestAppointmentsAndTeamFeed(t *testing.T) {
	c, err := NewClient(Options{HostKey: hostKey})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Date(2026, 6, 5, 10, 0, 0, 0, time.FixedZone("CEST", 2*3600)) // any zone in, UTC out
	if err := c.UpsertAppointment(Appointment{ID: "a1", Start: start, End: start.Add(time.Hour),
		Client: "J. Weber", Service: "Oil change", Vehicle: "VW Golf"}); err != nil {
		t.Fatal(err)
	}
	if err := c.UpsertAppointment(Appointment{ID: "a2", Start: start.AddDate(0, 0, 1),
		End: start.AddDate(0, 0, 1).Add(time.Hour), Client: "M. Keller"}); err != nil {
		t.Fatal(err)
	}
	if err := c.CancelAppointment("a2"); err != nil {
		t.Fatal(err)
	}
	listed, err := c.Appointments()
	if err != nil || len(listed) != 2 {
		t.Fatalf("%+v %v", listed, err)
	}
	byID := map[string]Appointment{}
	for _, a := range listed {
		byID[a.ID] = a
	}
	if a1 := byID["a1"]; !a1.Start.Equal(time.Date(2026, 6, 5, 8, 0, 0, 0, time.UTC)) ||
		a1.Vehicle != "VW Golf" || a1.Status != Booked || a1.Revision == 0 {
		t.Fatalf("a1 %+v", a1)
	}
	if byID["a2"].Status != Cancelled {
		t.Fatalf("a2 %+v", byID["a2"])
	}
	feed, err := c.TeamFeed(TeamFeedOptions{CalendarName: "Team", BusyOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(feed, "BEGIN:VCALENDAR") || !strings.Contains(feed, "UID:calsync-a1") ||
		strings.Contains(feed, "Weber") || strings.Contains(feed, "calsync-a2") {
		t.Fatalf("feed %q", feed)
	}
}

func TestCallbacksSeeTheSync(t *testing.T) {
	seen := &recorder{}
	_, k, start := feedClient(t, seen.options(filepath.Join(t.TempDir(), "store.sqlite"), feedConfig))
	defer k.Close()
	selectFeed(t, k)
	report := mustSync(t, k)
	if len(report.Added) != 1 || !report.Added[0].Start.Equal(start) || report.Added[0].Label != "Personal" {
		t.Fatalf("added %+v, want one slot at %v", report.Added, start)
	}
	seen.mu.Lock()
	defer seen.mu.Unlock()
	if len(seen.diffs) != 1 || seen.diffs[0].ConnectionID != "personal" || seen.diffs[0].Added[0] != report.Added[0] {
		t.Fatalf("diffs %+v", seen.diffs)
	}
	if !strings.Contains(strings.Join(seen.logs, "\n"), "1 connection personal") {
		t.Fatalf("logs %q", seen.logs)
	}
}

func TestPanicInACallbackSurfacesAfterTheCall(t *testing.T) {
	c, k, _ := feedClient(t, Options{OnSlotsChanged: func(SlotDiff) { panic("host bug") }})
	selectFeed(t, k)
	func() {
		defer func() {
			p, ok := recover().(CallbackPanic)
			if !ok || p.Value != "host bug" {
				t.Fatalf("recovered %#v", p)
			}
		}()
		k.Sync(context.Background())
		t.Fatal("no panic")
	}()
	// The library finished the sync; the client goes on working.
	slots, err := c.BlockedSlots(day(5), day(6))
	if err != nil || len(slots.Slots) != 1 {
		t.Fatalf("after the panic: %+v %v", slots, err)
	}
}

func TestManyGoroutinesShareOneClient(t *testing.T) {
	c, err := NewClient(Options{HostKey: hostKey})
	if err != nil {
		t.Fatal(err)
	}
	d := day(5)
	for i := 0; i < 8; i++ {
		s := d.Add(time.Duration(i) * time.Hour)
		if err := c.UpsertAppointment(Appointment{ID: "a" + string(rune('0'+i)), Start: s, End: s.Add(30 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	counts := make(chan int, 80)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				list, err := c.Appointments()
				if err != nil && !errors.Is(err, ErrClosed) {
					t.Error(err)
				}
				counts <- len(list)
			}
		}()
	}
	wg.Wait()
	close(counts)
	for n := range counts {
		if n != 8 {
			t.Fatalf("a reader saw %d appointments", n)
		}
	}
	// Close waits for calls in flight; calls after it fail cleanly.
	var closing sync.WaitGroup
	for g := 0; g < 4; g++ {
		closing.Add(1)
		go func() {
			defer closing.Done()
			for i := 0; i < 50; i++ {
				if _, err := c.Appointments(); err != nil && !errors.Is(err, ErrClosed) {
					t.Error(err)
				}
			}
		}()
	}
	c.Close()
	closing.Wait()
}

func TestTwoBusinessesOnOneFleetStoreSeeNothingOfEachOther(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "fleet.sqlite")
	open := func(business string) *Client {
		c, err := NewClient(Options{HostKey: hostKey,
			Config: Config{Store: &FleetStore{URL: url, BusinessID: business}}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	one, two := open("garage-1"), open("garage-2")
	defer one.Close()
	defer two.Close()
	start := time.Date(2026, 6, 5, 10, 0, 0, 0, time.UTC)
	for c, id := range map[*Client]string{one: "a1", two: "a2"} {
		if err := c.UpsertAppointment(Appointment{ID: id, Start: start, End: start.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	for c, want := range map[*Client]string{one: "a1", two: "a2"} {
		listed, err := c.Appointments()
		if err != nil || len(listed) != 1 || listed[0].ID != want {
			t.Fatalf("appointments %v, %v; want only %s", listed, err, want)
		}
	}
	if err := two.CancelAppointment("a1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another business's appointment: %v", err)
	}
	if _, err := NewClient(Options{HostKey: hostKey, StorePath: filepath.Join(t.TempDir(), "a.sqlite"),
		Config: Config{Store: &FleetStore{URL: "memory:"}}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a store path and a fleet store at once: %v", err)
	}
}
