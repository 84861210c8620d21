package calsync

/*
#include <stdlib.h>
#include <string.h>
#include "calsync.h"
*/
import "C"

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// Options configure NewClient.
//
// Callbacks run on the goroutine of the call doing the work or on one of RunDue's worker
// threads, possibly several at once. They must not Close the client, and should hand
// work that calls the client to another goroutine (a Close waiting for the call in
// flight would block a nested call).
type Options struct {
	// HostKey is at least 32 secret bytes the host keeps. It seals credentials in the
	// store, so a store is reopened with the same key.
	HostKey []byte
	// StorePath is the SQLite file, created when absent; "" keeps everything in memory.
	StorePath string
	Config    Config
	// OnLog gets the library's log lines, which never contain a secret.
	OnLog func(level LogLevel, message string)
	// OnSlotsChanged gets the blocked slots that came and went.
	OnSlotsChanged func(diff SlotDiff)
}

// Client is a calsync_client: connections to calendar services kept in sync with a
// store. It is safe for concurrent use; syncs of different connections run in parallel.
type Client struct {
	mu  sync.RWMutex // calls hold it for reading, Close for writing
	ptr *C.calsync_client

	connMu sync.Mutex // the connection handles still open, freed by Close at the latest
	conns  map[*C.calsync_connection]struct{}

	cb *callbacks
}

// NewClient opens the store (migrating its schema) and loads what it holds.
func NewClient(o Options) (*Client, error) {
	const op = "calsync_client_new"
	if len(o.HostKey) == 0 {
		return nil, invalid(op, `argument "options.host_key": at least 32 secret bytes are needed`)
	}
	config, free, err := document(o.Config)
	if err != nil {
		return nil, err
	}
	defer free()
	var opts C.calsync_client_options
	opts.version = C.CALSYNC_CLIENT_OPTIONS_VERSION
	opts.config_json = config
	if o.StorePath != "" {
		path, freePath := cString(o.StorePath)
		defer freePath()
		opts.store_path = path
	}
	key := C.CBytes(o.HostKey)
	defer func() {
		C.memset(key, 0, C.size_t(len(o.HostKey))) // the library keeps its own copy
		C.free(key)
	}()
	opts.host_key = (*C.uchar)(key)
	opts.host_key_length = C.size_t(len(o.HostKey))
	c := &Client{conns: map[*C.calsync_connection]struct{}{}}
	c.cb = newCallbacks(o.OnLog, o.OnSlotsChanged)
	c.cb.install(&opts)
	if err := invoke(op, func() C.calsync_status { return C.calsync_client_new(&opts, &c.ptr) }); err != nil {
		c.cb.release()
		return nil, err
	}
	runtime.SetFinalizer(c, (*Client).Close)
	return c, nil
}

// Close frees the client after the calls in flight returned, and every connection handle
// of it still open. Closing twice is harmless.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ptr == nil {
		return nil
	}
	c.connMu.Lock()
	for k := range c.conns {
		C.calsync_connection_free(k)
	}
	c.conns = nil
	c.connMu.Unlock()
	C.calsync_client_free(c.ptr)
	c.ptr = nil
	c.cb.release()
	runtime.SetFinalizer(c, nil)
	return nil
}

// use runs fn with the client open and re-raises a callback's panic afterwards.
func (c *Client) use(fn func(*C.calsync_client) error) error {
	c.mu.RLock()
	if c.ptr == nil {
		c.mu.RUnlock()
		return ErrClosed
	}
	err := fn(c.ptr)
	c.mu.RUnlock()
	c.cb.repanic()
	return err
}

// adopt runs a C call that hands out a connection handle, and tracks it.
func (c *Client) adopt(op string, request any,
	fn func(*C.calsync_client, *C.char, **C.calsync_connection) C.calsync_status) (*Connection, error) {
	var h *C.calsync_connection
	err := callDocument(c.use, op, request, func(p *C.calsync_client, req *C.char) C.calsync_status {
		status := fn(p, req, &h)
		return c.register(status, h)
	})
	if err != nil {
		return nil, err
	}
	return c.track(h)
}

// ConnectRequest is an account to add: CalDAV, iCloud or an ICS feed with Settings (and
// a Password), or Google or Microsoft with Tokens.
type ConnectRequest struct {
	Kind         Kind
	Settings     AccountSettings
	Password     string  // caldav, icloud (the app-specific password); never in a message
	Tokens       *Tokens // google, microsoft
	ConnectionID string  // optional; generated when empty
}

// AccountSettings are a calsync_provider_new document without the password.
type AccountSettings struct {
	URL            string   `json:"url,omitempty"`      // caldav: server, principal, home or calendar; ics_feed
	Username       string   `json:"username,omitempty"` // caldav; icloud: the Apple ID
	Name           string   `json:"name,omitempty"`     // ics_feed: label
	OwnerAddresses []string `json:"owner_addresses,omitempty"`
}

// Connect adds an account (calsync_client_connect). The account is checked (its
// calendars listed) before anything is stored; one connected before gets its old
// connection, with its export map, back.
func (c *Client) Connect(ctx context.Context, r ConnectRequest) (*Connection, error) {
	if err := started(ctx); err != nil {
		return nil, err
	}
	request := map[string]any{"kind": r.Kind}
	if r.Tokens != nil {
		request["tokens"] = r.Tokens.request()
	} else {
		request["settings"] = r.Settings
	}
	if r.Password != "" {
		request["password"] = r.Password
	}
	if r.ConnectionID != "" {
		request["connection_id"] = r.ConnectionID
	}
	return c.adopt("calsync_client_connect", request,
		func(p *C.calsync_client, req *C.char, out **C.calsync_connection) C.calsync_status {
			return C.calsync_client_connect(p, req, out)
		})
}

// AuthorizeBegin starts a Google or Microsoft sign-in with the OAuth client of the
// client's Config; send the person's browser to the answer's URL.
func (c *Client) AuthorizeBegin(kind Kind, connectionID string) (*AuthorizationStart, error) {
	request := map[string]any{"kind": kind}
	if connectionID != "" {
		request["connection_id"] = connectionID
	}
	return exchange[AuthorizationStart](c.use, "calsync_client_authorize_begin", request,
		func(p *C.calsync_client, req *C.char, out **C.char) C.calsync_status {
			return C.calsync_client_authorize_begin(p, req, out)
		})
}

// AuthorizeComplete finishes a sign-in from the redirect's whole URL.
func (c *Client) AuthorizeComplete(ctx context.Context, redirectURL string) (*Connection, error) {
	if err := started(ctx); err != nil {
		return nil, err
	}
	return c.adopt("calsync_client_authorize_complete", map[string]any{"redirect_url": redirectURL},
		func(p *C.calsync_client, req *C.char, out **C.calsync_connection) C.calsync_status {
			return C.calsync_client_authorize_complete(p, req, out)
		})
}

// Connection is a handle for a stored connection; an error wrapping ErrNotFound when
// there is none.
func (c *Client) Connection(id string) (*Connection, error) {
	var h *C.calsync_connection
	err := callText(c.use, "calsync_client_connection", id, func(p *C.calsync_client, cid *C.char) C.calsync_status {
		status := C.calsync_client_connection(p, cid, &h)
		return c.register(status, h)
	})
	if err != nil {
		return nil, err
	}
	return c.track(h)
}

// Connections lists every connection with its status.
func (c *Client) Connections() ([]ConnectionInfo, error) {
	r, err := fetch[struct {
		Connections []ConnectionInfo `json:"connections"`
	}](c.use, "calsync_client_connections", func(p *C.calsync_client, out **C.char) C.calsync_status {
		return C.calsync_client_connections(p, out)
	})
	if err != nil {
		return nil, err
	}
	return r.Connections, nil
}

// RunDue syncs every connection that is due; call it every minute or so.
func (c *Client) RunDue(ctx context.Context) ([]SyncReport, error) {
	if err := started(ctx); err != nil {
		return nil, err
	}
	r, err := fetch[struct {
		Reports []SyncReport `json:"reports"`
	}](c.use, "calsync_client_run_due", func(p *C.calsync_client, out **C.char) C.calsync_status {
		return C.calsync_client_run_due(p, out)
	})
	if err != nil {
		return nil, err
	}
	return r.Reports, nil
}

// RunDueWithin is RunDue returning after at most wait: the reports of the syncs that
// finished, and the due connections that did not (still running on the client's pool, or
// not started: due at the next call).
func (c *Client) RunDueWithin(wait time.Duration) ([]SyncReport, []string, error) {
	r, err := fetch[struct {
		Reports    []SyncReport `json:"reports"`
		Unfinished []string     `json:"unfinished"`
	}](c.use, "calsync_client_run_due_within", func(p *C.calsync_client, out **C.char) C.calsync_status {
		return C.calsync_client_run_due_within(p, C.longlong(wait.Milliseconds()), out)
	})
	if err != nil {
		return nil, nil, err
	}
	return r.Reports, r.Unfinished, nil
}

// BlockedSlots are the slots customers cannot book in [start, end), from what was read.
func (c *Client) BlockedSlots(start, end time.Time) (*BlockedSlotsResponse, error) {
	return exchange[BlockedSlotsResponse](c.use, "calsync_client_blocked_slots", TimeRange{start, end},
		func(p *C.calsync_client, req *C.char, out **C.char) C.calsync_status {
			return C.calsync_client_blocked_slots(p, req, out)
		})
}

// FreeSlots are the bookable windows of duration in [start, end), starting at
// start + k * step, from what was read.
func (c *Client) FreeSlots(start, end time.Time, duration, step time.Duration) ([]TimeRange, error) {
	const op = "calsync_client_free_slots"
	request, err := newFreeSlotsRequest(op, TimeRange{start, end}, duration, step)
	if err != nil {
		return nil, err
	}
	r, err := exchange[freeSlotsResponse](c.use, op, request,
		func(p *C.calsync_client, req *C.char, out **C.char) C.calsync_status {
			return C.calsync_client_free_slots(p, req, out)
		})
	if err != nil {
		return nil, err
	}
	return r.Free, nil
}

// ConfirmFree reads every import calendar again, then answers whether [start, end) is
// still free. The context's deadline is how long the library may read (the library's
// default without one).
func (c *Client) ConfirmFree(ctx context.Context, start, end time.Time) (*FreeCheck, error) {
	if err := started(ctx); err != nil {
		return nil, err
	}
	request := map[string]any{"start": rfc3339(start), "end": rfc3339(end)}
	if ctx != nil {
		if deadline, ok := ctx.Deadline(); ok {
			left := time.Until(deadline).Milliseconds()
			if left < 0 {
				left = 0
			}
			request["timeout_ms"] = left
		}
	}
	return exchange[FreeCheck](c.use, "calsync_client_confirm_free", request,
		func(p *C.calsync_client, req *C.char, out **C.char) C.calsync_status {
			return C.calsync_client_confirm_free(p, req, out)
		})
}

// UpsertAppointment adds or changes a booking; the export calendars are due at once.
func (c *Client) UpsertAppointment(a Appointment) error {
	return callDocument(c.use, "calsync_client_upsert_appointment", a.request(),
		func(p *C.calsync_client, req *C.char) C.calsync_status {
			return C.calsync_client_upsert_appointment(p, req)
		})
}

// CancelAppointment cancels a booking; its exported events go at the next sync. An error
// wrapping ErrNotFound for an unknown id.
func (c *Client) CancelAppointment(id string) error {
	return callText(c.use, "calsync_client_cancel_appointment", id, func(p *C.calsync_client, cid *C.char) C.calsync_status {
		return C.calsync_client_cancel_appointment(p, cid)
	})
}

// Appointments lists the bookings with their revisions.
func (c *Client) Appointments() ([]Appointment, error) {
	r, err := fetch[struct {
		Appointments []Appointment `json:"appointments"`
	}](c.use, "calsync_client_appointments", func(p *C.calsync_client, out **C.char) C.calsync_status {
		return C.calsync_client_appointments(p, out)
	})
	if err != nil {
		return nil, err
	}
	return r.Appointments, nil
}

// TeamFeedOptions shape Client.TeamFeed's document.
type TeamFeedOptions struct {
	ConnectionID           string `json:"connection_id,omitempty"` // only its exports; "" for all
	CalendarName           string `json:"calendar_name,omitempty"`
	BusyOnly               bool   `json:"busy_only"`
	RefreshIntervalMinutes int    `json:"refresh_interval_minutes,omitempty"`
}

// TeamFeed is the appointments as one iCalendar document, for a subscription feed.
func (c *Client) TeamFeed(o TeamFeedOptions) (string, error) {
	creq, free, err := document(o)
	if err != nil {
		return "", err
	}
	defer free()
	var ics string
	err = c.use(func(p *C.calsync_client) error {
		var err error
		ics, err = invokeString("calsync_client_team_feed", func(out **C.char) C.calsync_status {
			return C.calsync_client_team_feed(p, creq, out)
		})
		return err
	})
	return ics, err
}

// register records a connection handle the library just handed out (status OK), while
// the call still holds the client open, so Close frees it at the latest.
func (c *Client) register(status C.calsync_status, h *C.calsync_connection) C.calsync_status {
	if status == C.CALSYNC_OK {
		c.connMu.Lock()
		c.conns[h] = struct{}{}
		c.connMu.Unlock()
	}
	return status
}

// track wraps a registered handle and reads its id.
func (c *Client) track(h *C.calsync_connection) (*Connection, error) {
	k := &Connection{client: c, ptr: h}
	runtime.SetFinalizer(k, (*Connection).Close)
	info, err := k.Info()
	if err != nil {
		k.Close()
		return nil, err
	}
	k.id = info.ID
	return k, nil
}

// Connection is a calsync_connection: one connection of a Client, safe for concurrent
// use. Close frees the handle, not the connection (Disconnect does that); the client's
// Close closes it at the latest.
type Connection struct {
	client *Client
	mu     sync.RWMutex
	ptr    *C.calsync_connection
	id     string
}

// ID is the connection's id.
func (k *Connection) ID() string { return k.id }

// Close frees the handle; harmless twice or after the client's Close.
func (k *Connection) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ptr == nil {
		return nil
	}
	c := k.client
	c.connMu.Lock()
	if _, open := c.conns[k.ptr]; open {
		delete(c.conns, k.ptr)
		C.calsync_connection_free(k.ptr)
	}
	c.connMu.Unlock()
	k.ptr = nil
	runtime.SetFinalizer(k, nil)
	return nil
}

func (k *Connection) use(fn func(*C.calsync_connection) error) error {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.ptr == nil {
		return ErrClosed
	}
	// The client being open means its Close has not freed this handle yet.
	return k.client.use(func(*C.calsync_client) error { return fn(k.ptr) })
}

// Info describes the connection.
func (k *Connection) Info() (*ConnectionInfo, error) {
	return fetch[ConnectionInfo](k.use, "calsync_connection_info", func(p *C.calsync_connection, out **C.char) C.calsync_status {
		return C.calsync_connection_info(p, out)
	})
}

// Calendars lists the account's calendars now (one request), with what is selected.
func (k *Connection) Calendars(ctx context.Context) (*CalendarList, error) {
	if err := started(ctx); err != nil {
		return nil, err
	}
	return fetch[CalendarList](k.use, "calsync_connection_calendars", func(p *C.calsync_connection, out **C.char) C.calsync_status {
		return C.calsync_connection_calendars(p, out)
	})
}

// Select syncs a calendar in a direction, with a policy (nil: the client's default).
// Export needs a calendar the account can write. The next sync is due at once.
func (k *Connection) Select(calendarID string, direction Direction, policy *Policy) error {
	request := map[string]any{"calendar_id": calendarID, "direction": direction}
	if policy != nil {
		request["policy"] = policy
	}
	return callDocument(k.use, "calsync_connection_select", request, func(p *C.calsync_connection, req *C.char) C.calsync_status {
		return C.calsync_connection_select(p, req)
	})
}

// Deselect stops a calendar's events blocking, at once; its exports stay.
func (k *Connection) Deselect(calendarID string) error {
	return callText(k.use, "calsync_connection_deselect", calendarID, func(p *C.calsync_connection, id *C.char) C.calsync_status {
		return C.calsync_connection_deselect(p, id)
	})
}

// Sync syncs now. A report is made even when calendars failed: read its Status.
func (k *Connection) Sync(ctx context.Context) (*SyncReport, error) {
	if err := started(ctx); err != nil {
		return nil, err
	}
	return fetch[SyncReport](k.use, "calsync_connection_sync", func(p *C.calsync_connection, out **C.char) C.calsync_status {
		return C.calsync_connection_sync(p, out)
	})
}

// RequestSync makes the connection due at once (a push notification, "sync now").
func (k *Connection) RequestSync() error {
	return call(k.use, "calsync_connection_request_sync", func(p *C.calsync_connection) C.calsync_status {
		return C.calsync_connection_request_sync(p)
	})
}

// Status is the connection's sync status, with each selected calendar's.
func (k *Connection) Status() (*Status, error) {
	return fetch[Status](k.use, "calsync_connection_status", func(p *C.calsync_connection, out **C.char) C.calsync_status {
		return C.calsync_connection_status(p, out)
	})
}

// Check runs the health check (the CLI's doctor), talking to the service.
func (k *Connection) Check(ctx context.Context) (*HealthReport, error) {
	if err := started(ctx); err != nil {
		return nil, err
	}
	return fetch[HealthReport](k.use, "calsync_connection_check", func(p *C.calsync_connection, out **C.char) C.calsync_status {
		return C.calsync_connection_check(p, out)
	})
}

// Disconnect drops the connection's imported events and blocked slots at once; events
// exported to its calendars stay, and the export map is kept for a reconnect. revoke
// first revokes the OAuth grant; where that cannot be done (ErrInvalid: no grant, or
// Microsoft; ErrNetwork, ErrHTTP) nothing is disconnected.
func (k *Connection) Disconnect(ctx context.Context, revoke bool) error {
	if err := started(ctx); err != nil {
		return err
	}
	flag := C.int(0)
	if revoke {
		flag = 1
	}
	return call(k.use, "calsync_connection_disconnect", func(p *C.calsync_connection) C.calsync_status {
		return C.calsync_connection_disconnect(p, flag)
	})
}
