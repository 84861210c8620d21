package calsync

// Worker over a SQLite fleet file whose "default" business is a client's store, and
// Client.RunDueWithin, against an ICS feed from fault_server.py.

import (
	"path/filepath"
	"testing"
	"time"
)

func TestWorkerSyncsAConnectionMarkedDue(t *testing.T) {
	store := filepath.Join(t.TempDir(), "fleet.sqlite")
	c, k, start := feedClient(t, Options{StorePath: store})
	selectFeed(t, k)
	c.Close()
	w, err := NewWorker(WorkerOptions{HostKey: hostKey, StoreURL: "sqlite:" + store,
		Owner: "go-worker", Config: feedConfig, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.MarkDue("default", "personal"); err != nil {
		t.Fatal(err)
	}
	pass, err := w.RunOnce()
	if err != nil || pass.Claimed != 1 || len(pass.Reports) != 1 || pass.Reports[0].ConnectionID != "personal" {
		t.Fatalf("%+v %v", pass, err)
	}
	if again, err := w.RunOnce(); err != nil || again.Claimed != 0 {
		t.Fatalf("synced, yet claimed again: %+v %v", again, err)
	}
	// A client opened afterwards sees the worker's read.
	after, err := NewClient(Options{HostKey: hostKey, StorePath: store, Config: feedConfig})
	if err != nil {
		t.Fatal(err)
	}
	defer after.Close()
	slots, err := after.BlockedSlots(start, start.Add(time.Hour))
	if err != nil || len(slots.Slots) != 1 {
		t.Fatalf("%+v %v", slots, err)
	}
}

func TestRunDueWithinReportsWhatFinished(t *testing.T) {
	c, k, _ := feedClient(t, Options{})
	selectFeed(t, k)
	reports, unfinished, err := c.RunDueWithin(30 * time.Second)
	if err != nil || len(reports) != 1 || len(unfinished) != 0 {
		t.Fatalf("%+v %v %v", reports, unfinished, err)
	}
}
