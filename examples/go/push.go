package calsync

// #include "calsync.h"
import "C"

import (
	"context"
	"encoding/json"
	"time"
)

// PushRequest is what the host's push endpoint received, as it came.
type PushRequest struct {
	Method  string       `json:"method"`
	Query   string       `json:"query"` // without the '?'
	Headers []PushHeader `json:"headers"`
	Body    string       `json:"body"`
}

// PushHeader is one header of a PushRequest, as received (names are matched without case).
type PushHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// PushAnswer says what to reply to the service that pushed, and what was made due.
type PushAnswer struct {
	Status      int    `json:"status"` // the HTTP status to reply
	ContentType string `json:"content_type"`
	Body        string `json:"body"`
	Source      string `json:"source"` // graph_validation, graph or google
	Marked      []struct {
		ConnectionID string `json:"connection_id"`
		CalendarID   string `json:"calendar_id"`
	} `json:"marked"`
	Events    []string `json:"events"`
	RenewDue  []string `json:"renew_due"`
	Forgotten []string `json:"forgotten"`
	Ignored   string   `json:"ignored"`
	Refused   int      `json:"refused"`
}

// PushChannel is a watch calsync holds: a Google channel or a Graph subscription.
type PushChannel struct {
	ChannelID    string    `json:"channel_id"`
	ConnectionID string    `json:"connection_id"`
	CalendarID   string    `json:"calendar_id"`
	Kind         Kind      `json:"kind"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// PushRenewal is what RenewPush did for one channel.
type PushRenewal struct {
	ConnectionID string    `json:"connection_id"`
	CalendarID   string    `json:"calendar_id"`
	OldChannelID string    `json:"old_channel_id"`
	ChannelID    string    `json:"channel_id"` // the same for Graph; empty on failure
	ExpiresAt    time.Time `json:"expires_at"` // the zero time on failure
	OK           bool      `json:"ok"`
	Error        *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// UnmarshalJSON reads a renewal of calsync_client_renew_push, whose "expires_at" is ""
// when it failed (time.Time reads only RFC 3339).
func (r *PushRenewal) UnmarshalJSON(b []byte) error {
	type fields PushRenewal // without this method
	var j struct {
		fields
		ExpiresAt string `json:"expires_at"` // shadows fields.ExpiresAt
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = PushRenewal(j.fields)
	if j.ExpiresAt == "" {
		return nil
	}
	var err error
	r.ExpiresAt, err = time.Parse(time.RFC3339, j.ExpiresAt)
	return err
}

// HandlePush checks what the host's endpoint received and says what to reply. A Graph
// validation request is answered; a genuine notification makes its connection due (run
// RunDue soon after replying). A forged one is an error wrapping ErrAuth (reply 403);
// one that is neither Google's nor Graph's wraps ErrInvalid (reply 400).
func (c *Client) HandlePush(r PushRequest) (*PushAnswer, error) {
	if r.Headers == nil {
		r.Headers = []PushHeader{}
	}
	return exchange[PushAnswer](c.use, "calsync_client_handle_push", r,
		func(p *C.calsync_client, req *C.char, out **C.char) C.calsync_status {
			return C.calsync_client_handle_push(p, req, out)
		})
}

// RenewPush renews every channel with less than a day left; call it every hour or so.
// One channel failing does not stop the others: read each renewal's OK.
func (c *Client) RenewPush(ctx context.Context) ([]PushRenewal, error) {
	if err := started(ctx); err != nil {
		return nil, err
	}
	r, err := fetch[struct {
		Channels []PushRenewal `json:"channels"`
	}](c.use, "calsync_client_renew_push", func(p *C.calsync_client, out **C.char) C.calsync_status {
		return C.calsync_client_renew_push(p, out)
	})
	if err != nil {
		return nil, err
	}
	return r.Channels, nil
}

// Watch asks Google or Microsoft to notify address (the host's HTTPS endpoint, which
// passes what it receives to HandlePush) when the calendar changes. CalDAV, iCloud and
// ICS feeds have no push (ErrInvalid): they are polled on the schedule.
func (k *Connection) Watch(ctx context.Context, calendarID, address string) (*PushChannel, error) {
	if err := started(ctx); err != nil {
		return nil, err
	}
	request := map[string]any{"calendar_id": calendarID, "address": address}
	return exchange[PushChannel](k.use, "calsync_connection_watch", request,
		func(p *C.calsync_connection, req *C.char, out **C.char) C.calsync_status {
			return C.calsync_connection_watch(p, req, out)
		})
}
