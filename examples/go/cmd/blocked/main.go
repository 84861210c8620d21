// Prints the blocked slots of a small calendar through libcalsync's C ABI.
package main

import (
	"fmt"
	"os"
	"time"

	calsync "github.com/pitstoply/calsync/examples/go"
)

func main() {
	r, err := calsync.BlockedSlots(map[string]any{
		"zone":   "Europe/Berlin",
		"window": map[string]string{"start": "2026-03-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"},
		"calendars": []any{map[string]any{"id": "workshop", "name": "Workshop", "events": []any{
			map[string]any{
				"id":         "brake-training",
				"start":      map[string]string{"date_time": "2026-03-02T09:00:00", "time_zone": "Europe/Berlin"},
				"end":        map[string]string{"date_time": "2026-03-02T11:00:00", "time_zone": "Europe/Berlin"},
				"recurrence": map[string]any{"rrule": []string{"FREQ=WEEKLY;COUNT=3"}},
			},
		}}},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("calsync %s: %d blocked slots\n", calsync.Version(), len(r.Slots))
	for _, s := range r.Slots {
		fmt.Printf("%s .. %s  %s  %s\n", s.Start.Format(time.RFC3339), s.End.Format(time.RFC3339), s.Label, s.EventID)
	}
}
