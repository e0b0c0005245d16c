package audit

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onboard365/onboard365/internal/words"
)

// Filter chooses entries for a list: `onboard365 audit --customer NAME --since DATE`, and the
// Settings page's list for one customer.
type Filter struct {
	// Customer is a tenant id or a customer's name; case does not matter; empty means all.
	Customer string
	// Since keeps the entries made at or after it; zero means all.
	Since time.Time
}

// Match reports whether e passes the filter.
func (f Filter) Match(e Entry) bool {
	if c := strings.TrimSpace(f.Customer); c != "" && !strings.EqualFold(c, e.TenantID) && !strings.EqualFold(c, e.TenantName) {
		return false
	}
	return f.Since.IsZero() || !e.Time.Before(f.Since)
}

// Select is the entries that pass f, in their order.
func Select(entries []Entry, f Filter) []Entry {
	out := []Entry{}
	for _, e := range entries {
		if f.Match(e) {
			out = append(out, e)
		}
	}
	return out
}

// ParseSince reads a --since value: a day (2026-05-01, from midnight in loc) or a time in RFC 3339
// (2026-05-01T09:00:00+02:00). nil loc means the computer's time zone. The error is a sentence
// for the command line.
func ParseSince(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.Local
	}
	s = strings.TrimSpace(s)
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since takes a day such as 2026-05-01, or a time such as 2026-05-01T09:00:00+02:00, not %q", words.Line(s, 40))
}

// jsonEntry is one entry of WriteJSON's list. Its fields only ever grow.
type jsonEntry struct {
	Seq        int64  `json:"seq"`
	Time       string `json:"time"`
	Technician string `json:"technician"`
	TenantID   string `json:"tenantId"`
	TenantName string `json:"tenantName"`
	Source     string `json:"source"`
	Change     string `json:"change"`
	Target     string `json:"target"`
	Before     string `json:"before"`
	After      string `json:"after"`
	Result     string `json:"result"`
	Detail     string `json:"detail"`
	Redacted   bool   `json:"redacted"`
}

// WriteJSON writes the entries as a JSON list (`onboard365 audit --format json`):
//
//	[{"seq": 1, "time": "2026-05-03T10:04:05Z", "technician": "adele@contoso.com",
//	  "tenantId": "...", "tenantName": "Litware", "source": "gdap",
//	  "change": "Created the GDAP relationship ...", "target": "...", "before": "", "after": "...",
//	  "result": "succeeded", "detail": "", "redacted": false}]
//
// Every field is always there (times in UTC, RFC 3339); later versions only add fields. An
// empty list is [].
func WriteJSON(w io.Writer, entries []Entry) error {
	out := make([]jsonEntry, 0, len(entries))
	for _, e := range entries {
		out = append(out, jsonEntry{
			Seq: e.Seq, Time: e.Time.UTC().Format(time.RFC3339),
			Technician: words.Line(e.Technician, 0), TenantID: words.Line(e.TenantID, 0),
			TenantName: words.Line(e.TenantName, 0), Source: words.Line(e.Source, 0),
			Change: words.Line(e.Change, 0), Target: words.Line(e.Target, 0),
			Before: words.Line(e.Before, 0), After: words.Line(e.After, 0),
			Result: words.Line(string(e.Result), 0), Detail: words.Line(e.Detail, 0),
			Redacted: e.Redacted,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// csvHeader is the first row of WriteCSV.
var csvHeader = []string{"Entry", "Time (UTC)", "Technician", "Tenant ID", "Customer", "Source", "Change", "Target", "Before", "After", "Result", "Detail"}

// WriteCSV writes a header row and one row an entry, for a spreadsheet: every cell on one line,
// cleaned, and never read as a formula (words.Line, words.Cell).
func WriteCSV(w io.Writer, entries []Entry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, e := range entries {
		row := []string{strconv.FormatInt(e.Seq, 10), e.Time.UTC().Format("2006-01-02 15:04:05"), e.Technician,
			e.TenantID, e.TenantName, e.Source, e.Change, e.Target, e.Before, e.After, ResultWord(e.Result), e.Detail}
		for i := range row {
			row[i] = words.Cell(words.Line(row[i], 0))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTable writes the entries for a terminal: when (in loc; nil: the computer's time zone),
// who, which customer, what, and how it ended; long text is cut.
func WriteTable(w io.Writer, entries []Entry, loc *time.Location) error {
	if loc == nil {
		loc = time.Local
	}
	if len(entries) == 0 {
		_, err := fmt.Fprintln(w, "No changes recorded.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tTECHNICIAN\tCUSTOMER\tCHANGE\tRESULT")
	for _, e := range entries {
		customer := words.Line(e.TenantName, 30)
		if customer == "" {
			customer = words.Line(e.TenantID, 36)
		}
		change := e.Change
		if e.Before != "" || e.After != "" {
			change += " (" + orNothing(e.Before) + " → " + orNothing(e.After) + ")"
		}
		result := ResultWord(e.Result)
		if e.Detail != "" {
			result += ": " + e.Detail
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Time.In(loc).Format("2006-01-02 15:04"),
			words.Line(e.Technician, 40), customer, words.Line(change, 80), words.Line(result, 60))
	}
	return tw.Flush()
}

func orNothing(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

// ResultWord is a result as a person reads it: "Done" or "Failed".
func ResultWord(r Result) string {
	switch r {
	case Succeeded:
		return "Done"
	case Failed:
		return "Failed"
	}
	return string(r)
}
