package calsync

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// The servers the tests talk to, all on 127.0.0.1: tests/fakes/fault_server.py (an ICS
// feed, OAuth endpoints) started per test, and the Radicale ctest started
// (tests/tools/dav_server.py), named by CALSYNC_DAV_SERVER.

var hostKey = []byte("0123456789abcdef0123456789abcdef")

func requireEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run these tests through ctest, which sets it", name)
	}
	return v
}

// startFaultServer runs fault_server.py for one test; it prints its port first.
func startFaultServer(t *testing.T) string {
	t.Helper()
	python := os.Getenv("CALSYNC_PYTHON")
	if python == "" {
		python = "python3"
	}
	cmd := exec.Command(python, requireEnv(t, "CALSYNC_FAULT_SERVER"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("fault server: %v", err)
	}
	return "http://127.0.0.1:" + strings.TrimSpace(line)
}

// day is a midnight UTC a few days ahead: inside the default sync window whatever today is.
func day(ahead int) time.Time {
	return time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, ahead)
}

func icsEvent(uid string, start, end time.Time, summary string) string {
	f := "20060102T150405Z"
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//another client//EN\r\n" +
		"BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20260101T000000Z\r\n" +
		"DTSTART:" + start.UTC().Format(f) + "\r\nDTEND:" + end.UTC().Format(f) + "\r\n" +
		"SUMMARY:" + summary + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

// davServer is what dav_server.py start wrote.
type davServer struct {
	URL         string `json:"url"`
	CalendarURL string `json:"calendar_url"`
	User        string `json:"user"`
	Password    string `json:"password"`
}

func radicale(t *testing.T) *davServer {
	t.Helper()
	body, err := os.ReadFile(requireEnv(t, "CALSYNC_DAV_SERVER"))
	if err != nil {
		t.Fatal(err)
	}
	var s davServer
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// request is another CalDAV client, in raw HTTP, sharing no code with calsync.
func (s *davServer) request(t *testing.T, method, url, contentType string, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(s.User, s.Password)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if method == "REPORT" {
		req.Header.Set("Depth", "1")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

func (s *davServer) put(t *testing.T, name, ics string) {
	t.Helper()
	if code, _ := s.request(t, "PUT", s.CalendarURL+name, "text/calendar; charset=utf-8", ics); code != 201 && code != 204 {
		t.Fatalf("PUT %s: HTTP %d", name, code)
	}
}

func (s *davServer) delete(t *testing.T, name string) {
	s.request(t, "DELETE", s.CalendarURL+name, "", "")
}

// events is {UID: calendar-data} of every event on the server (RFC 4791 7.8).
func (s *davServer) events(t *testing.T) map[string]string {
	t.Helper()
	const query = `<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><d:getetag/><c:calendar-data/></d:prop>
  <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter></c:filter>
</c:calendar-query>`
	code, body := s.request(t, "REPORT", s.CalendarURL, "application/xml", query)
	if code != 207 {
		t.Fatalf("REPORT: HTTP %d", code)
	}
	var ms struct {
		Responses []struct {
			Data string `xml:"propstat>prop>calendar-data"`
		} `xml:"response"`
	}
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&ms); err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, r := range ms.Responses {
		unfolded := strings.NewReplacer("\r\n ", "", "\n ", "").Replace(r.Data)
		for _, line := range strings.Split(strings.ReplaceAll(unfolded, "\r\n", "\n"), "\n") {
			if strings.HasPrefix(line, "UID:") {
				found[line[4:]] = r.Data
			}
		}
	}
	return found
}

// recorder is what the callbacks saw; they may run on library threads.
type recorder struct {
	mu    sync.Mutex
	logs  []string
	diffs []SlotDiff
}

func (r *recorder) options(store string, config Config) Options {
	return Options{HostKey: hostKey, StorePath: store, Config: config,
		OnLog: func(level LogLevel, m string) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.logs = append(r.logs, fmt.Sprintf("%d %s", level, m))
		},
		OnSlotsChanged: func(d SlotDiff) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.diffs = append(r.diffs, d)
		}}
}
