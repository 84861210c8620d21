package calsync

/*
#include <stdlib.h>
#include <string.h>
#include "calsync.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"time"
)

// WorkerOptions configure NewWorker (calsync_worker_options).
type WorkerOptions struct {
	// HostKey is the clients' host key (at least 32 secret bytes).
	HostKey []byte
	// StoreURL is the fleet: "postgresql://..." (a libpq URI), "sqlite:PATH", "memory:".
	StoreURL string
	// Owner names this worker in its leases; "" is "<hostname>:<pid>".
	Owner string
	// Config is CLIENT_CONFIG, for every business.
	Config Config
	// Threads is how many syncs run at once (0: Config's MaxConcurrentSyncs).
	Threads uint
	// Lease is how long a claim lives unless renewed (0: a minute; at least 3 s).
	Lease time.Duration
}

// Worker is a calsync_worker: it syncs the due connections of every business of a fleet
// with leases and fencing tokens. RunOnce and Run from one goroutine at a time; Stop and
// MarkDue from any.
type Worker struct {
	mu  sync.RWMutex // calls hold it for reading, Close for writing
	ptr *C.calsync_worker
}

// WorkerPass is what one RunOnce did (calsync_worker_run_once's document).
type WorkerPass struct {
	Claimed int          `json:"claimed"`
	Reports []SyncReport `json:"reports"`
	Lost    []string     `json:"lost"`   // taken over by another worker: nothing more written
	Failed  []string     `json:"failed"` // not synced; due again after the first retry
}

// NewWorker opens the fleet at o.StoreURL.
func NewWorker(o WorkerOptions) (*Worker, error) {
	const op = "calsync_worker_new"
	if len(o.HostKey) == 0 {
		return nil, invalid(op, `argument "options.host_key": at least 32 secret bytes are needed`)
	}
	config, free, err := document(o.Config)
	if err != nil {
		return nil, err
	}
	defer free()
	url, freeURL := cString(o.StoreURL)
	defer freeURL()
	var opts C.calsync_worker_options
	opts.version = C.CALSYNC_WORKER_OPTIONS_VERSION
	opts.store_url = url
	opts.config_json = config
	if o.Owner != "" {
		owner, freeOwner := cString(o.Owner)
		defer freeOwner()
		opts.owner = owner
	}
	opts.threads = C.uint(o.Threads)
	opts.lease_seconds = C.uint(o.Lease / time.Second)
	key := C.CBytes(o.HostKey)
	defer func() {
		C.memset(key, 0, C.size_t(len(o.HostKey))) // the library keeps its own copy
		C.free(key)
	}()
	opts.host_key = (*C.uchar)(key)
	opts.host_key_length = C.size_t(len(o.HostKey))
	w := &Worker{}
	if err := invoke(op, func() C.calsync_status { return C.calsync_worker_new(&opts, &w.ptr) }); err != nil {
		return nil, err
	}
	runtime.SetFinalizer(w, func(w *Worker) { w.Close() })
	return w, nil
}

// Close stops the worker and frees it once the syncs it claimed are done. Closing twice is
// harmless.
func (w *Worker) Close() error {
	w.Stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ptr == nil {
		return nil
	}
	C.calsync_worker_free(w.ptr)
	w.ptr = nil
	runtime.SetFinalizer(w, nil)
	return nil
}

func (w *Worker) use(fn func(*C.calsync_worker) error) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.ptr == nil {
		return ErrClosed
	}
	return fn(w.ptr)
}

// RunOnce claims what is due now, syncs it and returns when done.
func (w *Worker) RunOnce() (*WorkerPass, error) {
	return fetch[WorkerPass](w.use, "calsync_worker_run_once",
		func(p *C.calsync_worker, out **C.char) C.calsync_status {
			return C.calsync_worker_run_once(p, out)
		})
}

// Run syncs due connections until Stop: up to the worker's threads at once, claiming again
// as threads free up (calsync_worker_run), and sleeps while nothing is due.
func (w *Worker) Run() error {
	return call(w.use, "calsync_worker_run", func(p *C.calsync_worker) C.calsync_status {
		return C.calsync_worker_run(p)
	})
}

// Stop makes Run return after the syncs it claimed.
func (w *Worker) Stop() {
	_ = call(w.use, "calsync_worker_stop", func(p *C.calsync_worker) C.calsync_status {
		return C.calsync_worker_stop(p)
	})
}

// MarkDue makes a connection of a business due now (a push, "sync now", a sign-in).
func (w *Worker) MarkDue(businessID, connectionID string) error {
	b, freeB := cString(businessID)
	defer freeB()
	return callText(w.use, "calsync_worker_mark_due", connectionID,
		func(p *C.calsync_worker, id *C.char) C.calsync_status {
			return C.calsync_worker_mark_due(p, b, id)
		})
}
