package calsync

import (
	"encoding/json"
	"fmt"
	"time"
)

// The results of the calls, decoded from the JSON documents calsync.h describes next to
// each function. Instants are time.Time in UTC; ones that may be absent are *time.Time.
// Instants passed in are sent in UTC to the second.

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// wholeSeconds is d in seconds, refusing a fraction (the C ABI counts whole seconds).
func wholeSeconds(op, name string, d time.Duration) (int64, error) {
	if d%time.Second != 0 {
		return 0, invalid(op, fmt.Sprintf("%s: whole seconds only, got %v", name, d))
	}
	return int64(d / time.Second), nil
}

// TimeRange is a half-open [Start, End).
type TimeRange struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// MarshalJSON sends the range in UTC, as the library reads it.
func (r TimeRange) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"start": rfc3339(r.Start), "end": rfc3339(r.End)})
}

// Direction is which way a selected calendar syncs.
type Direction string

const (
	Import Direction = "import" // its events block slots
	Export Direction = "export" // appointments are written to it
	Both   Direction = "both"
)

// SyncState is a connection's or calendar's state.
type SyncState string

const (
	NeverSynced          SyncState = "never_synced"
	SyncOK               SyncState = "ok"
	SyncError            SyncState = "error"
	RateLimited          SyncState = "rate_limited"
	NeedsReauthorisation SyncState = "needs_reauthorisation"
	CalendarGone         SyncState = "calendar_gone"
)

// ConnectionState says whether a connection is in use.
type ConnectionState string

const (
	Active       ConnectionState = "active"
	Disconnected ConnectionState = "disconnected"
)

// AppointmentStatus is a booking's state.
type AppointmentStatus string

const (
	Booked    AppointmentStatus = "booked"
	Cancelled AppointmentStatus = "cancelled"
)

// Kind is a calendar service.
type Kind string

const (
	CalDAV    Kind = "caldav"
	ICloud    Kind = "icloud"
	ICSFeed   Kind = "ics_feed"
	Google    Kind = "google"
	Microsoft Kind = "microsoft"
)

// BlockedSlot is a time customers cannot book because of an external event.
type BlockedSlot struct {
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	ConnectionID string    `json:"connection_id"` // empty in the engine functions' answers
	CalendarID   string    `json:"calendar_id"`
	Label        string    `json:"label"` // the calendar's name, for the greyed-out UI
	EventID      string    `json:"event_id"`
	RecurrenceID time.Time `json:"recurrence_id"` // the occurrence's original start
	AllDay       bool      `json:"all_day"`
	Tentative    bool      `json:"tentative"`
}

// EventError is an event that could not be read; the others were still used.
type EventError struct {
	CalendarID string `json:"calendar_id"`
	EventID    string `json:"event_id"`
	Message    string `json:"message"`
}

// BlockedSlotsResponse is the answer of Client.BlockedSlots and of the engine function
// BlockedSlots (only the engine reports Errors: events it skipped).
type BlockedSlotsResponse struct {
	Slots  []BlockedSlot `json:"slots"`
	Busy   []TimeRange   `json:"busy"` // merged, sorted, disjoint
	Errors []EventError  `json:"errors,omitempty"`
}

// SlotDiff is what the OnSlotsChanged callback gets: slots that came and went.
type SlotDiff struct {
	ConnectionID string        `json:"connection_id"`
	Added        []BlockedSlot `json:"added"`
	Removed      []BlockedSlot `json:"removed"`
}

// Policy says which events block: confirmed ones always, these three by choice.
type Policy struct {
	TentativeBlocks  bool `json:"tentative_blocks"`
	UnansweredBlocks bool `json:"unanswered_blocks"`
	AllDayBlocks     bool `json:"all_day_blocks"`
}

// DefaultPolicy blocks for every kind of event.
var DefaultPolicy = Policy{TentativeBlocks: true, UnansweredBlocks: true, AllDayBlocks: true}

// Calendar is one of an account's calendars, with what is selected.
type Calendar struct {
	ID        string    `json:"id"` // what Select takes (CalDAV: the collection URL)
	Name      string    `json:"name"`
	Color     string    `json:"color"`
	TimeZone  string    `json:"time_zone"`
	CanWrite  bool      `json:"can_write"`
	IsPrimary bool      `json:"is_primary"`
	Owner     string    `json:"owner"` // the owner's e-mail address where the service names one (Microsoft), else ""
	Selected  bool      `json:"selected"`
	Direction Direction `json:"direction"`
	Policy    Policy    `json:"policy"`
}

// CalendarList is Connection.Calendars' answer: the calendars now, and the ids of
// selected ones the account no longer lists.
type CalendarList struct {
	Calendars []Calendar `json:"calendars"`
	Gone      []string   `json:"gone"`
}

// Find is the calendar with that id, or nil.
func (l *CalendarList) Find(id string) *Calendar {
	for i := range l.Calendars {
		if l.Calendars[i].ID == id {
			return &l.Calendars[i]
		}
	}
	return nil
}

// Status is a connection's (or a calendar's) sync status. Calendars holds the
// per-calendar statuses in Connection.Status's answer.
type Status struct {
	State               SyncState         `json:"state"`
	LastAttempt         *time.Time        `json:"last_attempt"`
	LastSuccess         *time.Time        `json:"last_success"`
	NextDue             *time.Time        `json:"next_due"`
	LastError           string            `json:"last_error"`
	EventsRead          int64             `json:"events_read"`
	EventsExported      int64             `json:"events_exported"`
	ConsecutiveFailures int               `json:"consecutive_failures"`
	Calendars           map[string]Status `json:"calendars,omitempty"`
}

// ConnectionInfo describes a connection; Status is set in Client.Connections' answer.
type ConnectionInfo struct {
	ID      string          `json:"id"`
	Kind    Kind            `json:"kind"`
	Account string          `json:"account"`
	State   ConnectionState `json:"state"`
	Status  *Status         `json:"status,omitempty"`
}

// SkippedEvent is an event the server sent that could not be read (Skipped), or one left
// out for the occurrence limits (Capped: 10000 per event, 50000 per calendar in the sync
// window). The calendar's other events were still synced and still block.
type SkippedEvent struct {
	EventID string `json:"event_id"`
	Message string `json:"message"`
}

// CalendarReport is one calendar's part of a sync. Corrected counts the events the
// periodic full read found otherwise than the incremental reads had left them, corrected
// in this sync.
type CalendarReport struct {
	CalendarID     string         `json:"calendar_id"`
	Status         Status         `json:"status"`
	EventsRead     int64          `json:"events_read"`
	ExportsWritten int64          `json:"exports_written"`
	Corrected      int64          `json:"corrected"`
	Skipped        []SkippedEvent `json:"skipped"`
	Capped         []SkippedEvent `json:"capped"`
}

// SyncReport is one sync of one connection. A failing calendar does not stop the others:
// read Status and each calendar's.
type SyncReport struct {
	ConnectionID string           `json:"connection_id"`
	Status       Status           `json:"status"`
	Added        []BlockedSlot    `json:"added"`
	Removed      []BlockedSlot    `json:"removed"`
	Calendars    []CalendarReport `json:"calendars"`
}

// HealthItem is one finding of the health check.
type HealthItem struct {
	Check  string `json:"check"` // credentials, scopes, calendar:<id>, writable:<id>, sync
	OK     bool   `json:"ok"`
	Reason string `json:"reason"`
	Action string `json:"action"` // what the user should do
}

// HealthReport is Connection.Check's answer.
type HealthReport struct {
	ConnectionID string       `json:"connection_id"`
	OK           bool         `json:"ok"`
	Items        []HealthItem `json:"items"`
}

// FreeCheck is ConfirmFree's answer. Fresh false: some calendar (StaleConnections) could
// not be read again in time, and the answer comes from what was read before.
type FreeCheck struct {
	Free             bool          `json:"free"`
	Fresh            bool          `json:"fresh"`
	StaleConnections []string      `json:"stale_connections"`
	Conflicts        []BlockedSlot `json:"conflicts"`
}

// Appointment is a booking of the host's. Revision is set on the ones Appointments lists.
type Appointment struct {
	ID       string            `json:"id"`
	Start    time.Time         `json:"start"`
	End      time.Time         `json:"end"`
	Client   string            `json:"client"`
	Service  string            `json:"service"`
	Vehicle  string            `json:"vehicle"`
	Notes    string            `json:"notes"`
	Status   AppointmentStatus `json:"status"`
	Revision int64             `json:"revision"`
}

func (a Appointment) request() map[string]any {
	status := a.Status
	if status == "" {
		status = Booked
	}
	return map[string]any{"id": a.ID, "start": rfc3339(a.Start), "end": rfc3339(a.End),
		"client": a.Client, "service": a.Service, "vehicle": a.Vehicle, "notes": a.Notes,
		"status": status}
}

// AuthorizationStart is Client.AuthorizeBegin's answer: send the browser to URL.
type AuthorizationStart struct {
	ConnectionID string `json:"connection_id"`
	URL          string `json:"url"`
	State        string `json:"state"`
}

// Tokens are OAuth tokens. They are secrets: store them sealed. Printing them with the
// fmt verbs leaves the tokens out.
type Tokens struct {
	AccessToken  string     `json:"access_token"`
	RefreshToken string     `json:"refresh_token"`
	Scope        string     `json:"scope"`
	ExpiresAt    *time.Time `json:"expires_at,omitempty"`
}

func (t Tokens) String() string {
	expires := "none"
	if t.ExpiresAt != nil {
		expires = rfc3339(*t.ExpiresAt)
	}
	return fmt.Sprintf("calsync.Tokens{Scope: %q, ExpiresAt: %s, tokens redacted}", t.Scope, expires)
}

// GoString keeps %#v from printing the tokens too.
func (t Tokens) GoString() string { return t.String() }

func (t Tokens) request() map[string]any {
	r := map[string]any{"access_token": t.AccessToken, "refresh_token": t.RefreshToken,
		"scope": t.Scope}
	if t.ExpiresAt != nil {
		r["expires_at"] = rfc3339(*t.ExpiresAt)
	}
	return r
}

// OAuthStart is OAuth.Begin's answer: send the browser to URL; keep CodeVerifier
// (secret) until the redirect comes back.
type OAuthStart struct {
	URL          string `json:"url"`
	State        string `json:"state"`
	CodeVerifier string `json:"code_verifier"`
}

// OAuthResult is OAuth.Complete's answer.
type OAuthResult struct {
	ConnectionID string `json:"connection_id"`
	Tokens       Tokens `json:"tokens"`
}

// DeviceAuthorization is OAuth.DeviceBegin's answer: show the person UserCode and
// VerificationURI (or Message), then DeviceWait.
type DeviceAuthorization struct {
	DeviceCode      string     `json:"device_code"`
	UserCode        string     `json:"user_code"`
	VerificationURI string     `json:"verification_uri"`
	Message         string     `json:"message"`
	IntervalSeconds int        `json:"interval_seconds"`
	ExpiresAt       *time.Time `json:"expires_at"`
}

type freeSlotsRequest struct {
	Busy            *[]TimeRange `json:"busy,omitempty"` // the engine's; the client uses its own
	Within          TimeRange    `json:"within"`
	DurationSeconds int64        `json:"duration_seconds"`
	StepSeconds     int64        `json:"step_seconds"`
}

func newFreeSlotsRequest(op string, within TimeRange, duration, step time.Duration) (*freeSlotsRequest, error) {
	d, err := wholeSeconds(op, "duration", duration)
	if err != nil {
		return nil, err
	}
	s, err := wholeSeconds(op, "step", step)
	if err != nil {
		return nil, err
	}
	return &freeSlotsRequest{Within: within, DurationSeconds: d, StepSeconds: s}, nil
}

type freeSlotsResponse struct {
	Free []TimeRange `json:"free"`
}
