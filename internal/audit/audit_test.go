package audit

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test binary plays a second process when AUDIT_HELPER is set (TestMain).
func TestMain(m *testing.M) {
	if os.Getenv("AUDIT_HELPER") == "append" {
		n, _ := strconv.Atoi(os.Getenv("AUDIT_TIMES"))
		log := Open(os.Getenv("AUDIT_PATH"), nil)
		for i := range n {
			e := sample(i)
			e.Source = os.Getenv("AUDIT_SOURCE")
			if err := log.Record(context.Background(), e); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var t0 = time.Date(2026, 5, 3, 10, 4, 5, 0, time.UTC)

// clock is a fixed clock that moves a minute each time it is read.
func clock() func() time.Time {
	var mu sync.Mutex
	t := t0
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now := t
		t = t.Add(time.Minute)
		return now
	}
}

var customers = []struct{ id, name string }{
	{"0b0c6e6f-6f1a-4d8e-9a43-7b1f0c3e2a11", "Litware"},
	{"a1c2e3f4-5b6d-4e8f-9a0b-1c2d3e4f5a6b", "Fabrikam"},
	{"7e1d2c3b-4a59-4867-8f6e-5d4c3b2a1f09", "Northwind Traders"},
}

func sample(i int) Entry {
	c := customers[i%len(customers)]
	return Entry{
		Technician: "adele.vance@contoso.onmicrosoft.com",
		TenantID:   c.id, TenantName: c.name, Source: "gdap",
		Change: fmt.Sprintf("Created the GDAP relationship Onboard365-%s-%d", c.name, i),
		Target: "5d027261-d21f-4aa9-b7db-7fa1f56fb163", After: "8 roles, 730 days, auto-extend off",
		Result: Succeeded,
	}
}

func newLog(t *testing.T, n int) *Log {
	t.Helper()
	l := Open(filepath.Join(t.TempDir(), "onboard365", "audit.log"), clock())
	for i := range n {
		if err := l.Record(context.Background(), sample(i)); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func TestRecordAndRead(t *testing.T) {
	l := newLog(t, 3)
	entries, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("Read gave %d entries; want 3", len(entries))
	}
	for i, e := range entries {
		want := sample(i)
		if e.Seq != int64(i+1) || !e.Time.Equal(t0.Add(time.Duration(i)*time.Minute)) || e.Technician != want.Technician ||
			e.TenantID != want.TenantID || e.TenantName != want.TenantName || e.Change != want.Change ||
			e.After != want.After || e.Result != Succeeded || e.Redacted {
			t.Errorf("entry %d = %+v; want %+v in place %d at %v", i, e, want, i+1, t0.Add(time.Duration(i)*time.Minute))
		}
		if len(e.Hash) != 64 || (i == 0 && e.Prev != "") || (i > 0 && e.Prev != entries[i-1].Hash) {
			t.Errorf("entry %d is not chained: prev %q, hash %q", i+1, e.Prev, e.Hash)
		}
	}
	b, _ := os.ReadFile(l.Path())
	if lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], `{"hash":"`) {
		t.Fatalf("the log's lines: %q", lines)
	}
	if runtime.GOOS != "windows" {
		st, _ := os.Stat(l.Path())
		if st.Mode().Perm() != 0o600 {
			t.Errorf("the log's mode is %v; want 0600 (the user's alone)", st.Mode().Perm())
		}
	}
	r, err := l.Verify(context.Background(), time.UTC)
	if err != nil || !r.OK || r.Entries != 3 || r.Sentence != "All 3 entries of the audit log are as they were written, in order, and none is missing." {
		t.Fatalf("Verify = %+v, %v", r, err)
	}
}

func TestNoLogYet(t *testing.T) {
	l := Open(filepath.Join(t.TempDir(), "audit.log"), nil)
	entries, err := l.Read(context.Background())
	if err != nil || len(entries) != 0 {
		t.Fatalf("Read of no log = %v, %v", entries, err)
	}
	r, err := l.Verify(context.Background(), nil)
	if err != nil || !r.OK || r.Sentence != "The audit log has no entries yet." {
		t.Fatalf("Verify of no log = %+v, %v", r, err)
	}
}

// edit changes the log's file and answers it, for the tamper cases.
type edit func(t *testing.T, lines []string, path string) []string

func TestVerifyFindsTheFirstEntryThatDoesNotHold(t *testing.T) {
	for _, tc := range []struct {
		name     string
		edit     edit
		line     int
		sentence string
	}{
		{"an edited field", func(t *testing.T, l []string, _ string) []string {
			l[1] = strings.Replace(l[1], "Fabrikam", "Contoso", 1)
			return l
		}, 2, "Entry 2 (3 May 2026 10:05, Contoso: Created the GDAP relationship Onboard365-Fabrikam-1) was changed after it was written."},
		{"an edited result", func(t *testing.T, l []string, _ string) []string {
			l[2] = strings.Replace(l[2], `"result":"succeeded"`, `"result":"failed"`, 1)
			return l
		}, 3, "Entry 3 (3 May 2026 10:06, Northwind Traders: Created the GDAP relationship Onboard365-Northwind Traders-2) was changed after it was written."},
		{"an edit to the last entry", func(t *testing.T, l []string, _ string) []string {
			l[3] = strings.Replace(l[3], "730 days", "7 days", 1)
			return l
		}, 4, "Entry 4 (3 May 2026 10:07, Litware: Created the GDAP relationship Onboard365-Litware-3) was changed after it was written."},
		{"a removed entry", func(t *testing.T, l []string, _ string) []string {
			return append(l[:1], l[2:]...)
		}, 2, "Entry 2 is missing: it was removed from between entries 1 and 3."},
		{"two removed entries", func(t *testing.T, l []string, _ string) []string {
			return append(l[:1], l[3:]...)
		}, 2, "Entries 2 to 3 are missing: they were removed from between entries 1 and 4."},
		{"the first entry removed", func(t *testing.T, l []string, _ string) []string {
			return l[1:]
		}, 1, "The audit log starts at entry 2 (3 May 2026 10:05, Fabrikam: Created the GDAP relationship Onboard365-Fabrikam-1): the entries before it were removed."},
		{"two entries swapped", func(t *testing.T, l []string, _ string) []string {
			l[1], l[2] = l[2], l[1]
			return l
		}, 2, "Entry 3 (3 May 2026 10:06, Northwind Traders: Created the GDAP relationship Onboard365-Northwind Traders-2) comes before entry 2: the entries were put in another order."},
		{"the last entry removed", func(t *testing.T, l []string, _ string) []string {
			return l[:3]
		}, 0, "The audit log ends at entry 3, but 4 were written: the last entry was removed."},
		{"the last two removed", func(t *testing.T, l []string, _ string) []string {
			return l[:2]
		}, 0, "The audit log ends at entry 2, but 4 were written: the last 2 entries were removed."},
		{"all removed", func(t *testing.T, l []string, _ string) []string {
			return nil
		}, 0, "The audit log is empty, but 4 entries had been written to it."},
		{"the log deleted", func(t *testing.T, l []string, path string) []string {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			return []string{"<deleted>"}
		}, 0, "The audit log is missing: 4 entries had been written to it."},
		{"the end marker deleted", func(t *testing.T, l []string, path string) []string {
			if err := os.Remove(path + ".end"); err != nil {
				t.Fatal(err)
			}
			return l
		}, 0, "The audit log's end marker is missing, so removing entries from its end would not show: the marker was deleted, or the log was copied without it."},
		{"a cut-off last line", func(t *testing.T, l []string, _ string) []string {
			l[3] = l[3][:len(l[3])/2]
			return l
		}, 4, "Line 4 of the audit log is not a whole entry: it was cut off when a write was interrupted, or it was edited."},
		{"a line that is not an entry", func(t *testing.T, l []string, _ string) []string {
			return append(l[:2], append([]string{"hello"}, l[2:]...)...)
		}, 3, "Line 3 of the audit log is not a whole entry: it was cut off when a write was interrupted, or it was edited."},
		{"an entry replaced by one with a right hash", func(t *testing.T, l []string, _ string) []string {
			forged := sample(1)
			forged.TenantName = "Contoso"
			first, err := decode([]byte(l[0]))
			if err != nil {
				t.Fatal(err)
			}
			p, _ := prepare(forged, func() time.Time { return t0 })
			line, _, _ := encode(p, &first)
			l[1] = string(line)
			return l
		}, 3, "Entry 3 (3 May 2026 10:06, Northwind Traders: Created the GDAP relationship Onboard365-Northwind Traders-2) does not follow the entry before it: entry 2 was replaced by another."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLog(t, 4)
			b, err := os.ReadFile(l.Path())
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			lines = tc.edit(t, lines, l.Path())
			if len(lines) != 1 || lines[0] != "<deleted>" {
				out := strings.Join(lines, "\n")
				if len(lines) > 0 && tc.name != "a cut-off last line" {
					out += "\n"
				}
				if err := os.WriteFile(l.Path(), []byte(out), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r, err := l.Verify(context.Background(), time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			if r.OK || r.Sentence != tc.sentence || r.Line != tc.line {
				t.Errorf("Verify = OK %v, line %d, %q\nwant line %d, %q", r.OK, r.Line, r.Sentence, tc.line, tc.sentence)
			}
		})
	}
}

func TestADamagedTailIsReportedAndTheNextEntryStandsAlone(t *testing.T) {
	l := newLog(t, 2)
	b, _ := os.ReadFile(l.Path())
	// The computer stopped while a third entry was being written: half a line, no line break.
	third, _, _ := encode(Entry{Seq: 3, Change: "x"}, nil)
	if err := os.WriteFile(l.Path(), append(b, third[:40]...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.Record(context.Background(), sample(2)); err != nil {
		t.Fatal(err)
	}
	entries, err := l.Read(context.Background())
	var damaged *DamagedError
	if !errors.As(err, &damaged) || len(damaged.Lines) != 1 || damaged.Lines[0] != 3 {
		t.Fatalf("Read's error = %v; want line 3 named as damaged", err)
	}
	if err.Error() != "line 3 of the audit log is not a whole entry: it was cut off when a write was interrupted, or edited" {
		t.Errorf("the damage is told as %q", err)
	}
	if len(entries) != 3 || entries[2].Seq != 3 || entries[2].Prev != entries[1].Hash || entries[2].TenantName != "Northwind Traders" {
		t.Fatalf("after the damaged line, Read gave %+v; want the new entry 3 chained after entry 2", entries)
	}
	r, _ := l.Verify(context.Background(), time.UTC)
	if r.OK || r.Line != 3 {
		t.Errorf("Verify = %+v; want line 3 reported", r)
	}
}

func TestTwoProcessesAppendAtOnce(t *testing.T) {
	const each = 30
	path := filepath.Join(t.TempDir(), "audit.log")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var cmds []*exec.Cmd
	for _, source := range []string{"window", "watch"} {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), "AUDIT_HELPER=append", "AUDIT_PATH="+path, "AUDIT_TIMES="+strconv.Itoa(each), "AUDIT_SOURCE="+source)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	// And this process too, from two goroutines.
	l := Open(path, nil)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				e := sample(i)
				e.Source = "test"
				if err := l.Record(context.Background(), e); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("an appending process failed: %v", err)
		}
	}
	entries, err := l.Read(context.Background())
	if err != nil || len(entries) != 4*each {
		t.Fatalf("Read = %d entries, %v; want %d", len(entries), err, 4*each)
	}
	bySource := map[string]int{}
	for _, e := range entries {
		bySource[e.Source]++
	}
	if bySource["window"] != each || bySource["watch"] != each || bySource["test"] != 2*each {
		t.Errorf("entries by source = %v", bySource)
	}
	if r, err := l.Verify(context.Background(), time.UTC); err != nil || !r.OK {
		t.Fatalf("Verify after appending at once = %+v, %v", r, err)
	}
}

func TestRecordTakesOutSecrets(t *testing.T) {
	b64 := base64.RawURLEncoding
	jwt := b64.EncodeToString([]byte(`{"typ":"JWT","alg":"RS256"}`)) + "." +
		b64.EncodeToString([]byte(`{"aud":"https://graph.microsoft.com","tid":"x"}`)) + "." +
		b64.EncodeToString(bytes.Repeat([]byte{0x9c, 0x31, 0xf0}, 30))
	clientSecret := "Xy8Q~" + "k3Jd9sLq2Vn7Rt5Wc1Mz8Hb4Pf6Gy0Ae2Ud"
	for _, tc := range []struct {
		name   string
		modify func(e *Entry)
	}{
		{"an access token in after", func(e *Entry) { e.After = "token " + jwt }},
		{"a client secret in before", func(e *Entry) { e.Before = "secret " + clientSecret }},
		{"a token in the change", func(e *Entry) { e.Change = "Handed out " + jwt }},
		{"a secret in the detail", func(e *Entry) { e.Result, e.Detail = Failed, "the server said "+clientSecret }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := Open(filepath.Join(t.TempDir(), "audit.log"), clock())
			e := sample(0)
			tc.modify(&e)
			if err := l.Record(context.Background(), e); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(l.Path())
			if bytes.Contains(b, []byte(jwt[:20])) || bytes.Contains(b, []byte(clientSecret)) {
				t.Fatal("the secret reached the audit log")
			}
			entries, _ := l.Read(context.Background())
			if len(entries) != 1 || !entries[0].Redacted || !strings.Contains(string(b), "[removed]") {
				t.Fatalf("the entry was not marked redacted: %+v", entries)
			}
			var mem Memory
			if err := mem.Record(context.Background(), e); err != nil || !mem.Entries()[0].Redacted {
				t.Fatal("Memory did not take the secret out as the log does")
			}
		})
	}
}

func TestRecordRefusesAnIncompleteEntry(t *testing.T) {
	for _, tc := range []struct {
		name   string
		modify func(e *Entry)
		want   string
	}{
		{"no technician", func(e *Entry) { e.Technician = " " }, "an audit entry must say the technician"},
		{"no tenant, no change", func(e *Entry) { e.TenantID, e.Change = "", "\x1b[0m" }, "an audit entry must say the tenant and what was changed"},
		{"an unknown result", func(e *Entry) { e.Result = "maybe" }, `an audit entry's result is "succeeded" or "failed", not "maybe"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := sample(0)
			tc.modify(&e)
			for _, rec := range []Recorder{Open(filepath.Join(t.TempDir(), "audit.log"), nil), &Memory{}, Discard{}} {
				if err := rec.Record(context.Background(), e); err == nil || err.Error() != tc.want {
					t.Errorf("%T.Record = %v; want %q", rec, err, tc.want)
				}
			}
		})
	}
}

func TestRecordCleansOutsideText(t *testing.T) {
	var mem Memory
	e := sample(0)
	e.TenantName = "Lit\u202eware\x1b]0;title\x07 Inc.\n"
	e.Change = strings.Repeat("long ", 200)
	if err := mem.Record(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	got := mem.Entries()[0]
	if got.TenantName != "Litware Inc." {
		t.Errorf("TenantName kept as %q", got.TenantName)
	}
	if n := len([]rune(got.Change)); n > maxChange+1 || n < maxChange-5 || !strings.HasSuffix(got.Change, "…") {
		t.Errorf("Change is %d characters; want it cut to %d with …", n, maxChange)
	}
}

func TestMemoryChainsAsTheLogDoes(t *testing.T) {
	mem := Memory{Now: clock()}
	for i := range 3 {
		if err := mem.Record(context.Background(), sample(i)); err != nil {
			t.Fatal(err)
		}
	}
	got := mem.Entries()
	if len(got) != 3 || got[2].Seq != 3 || got[2].Prev != got[1].Hash || !got[0].Time.Equal(t0) {
		t.Fatalf("Memory entries = %+v", got)
	}
	got[0].Change = "changed by the caller"
	if mem.Entries()[0].Change == got[0].Change {
		t.Error("Entries is not a copy")
	}
}

func TestSelect(t *testing.T) {
	var mem Memory
	mem.Now = clock()
	for i := range 6 {
		mem.Record(context.Background(), sample(i))
	}
	entries := mem.Entries()
	for _, tc := range []struct {
		name string
		f    Filter
		want []int64
	}{
		{"all", Filter{}, []int64{1, 2, 3, 4, 5, 6}},
		{"by name, any case", Filter{Customer: "litware"}, []int64{1, 4}},
		{"by a name with a space", Filter{Customer: " Northwind Traders "}, []int64{3, 6}},
		{"by tenant id, any case", Filter{Customer: strings.ToUpper(customers[1].id)}, []int64{2, 5}},
		{"since", Filter{Since: t0.Add(3 * time.Minute)}, []int64{4, 5, 6}},
		{"both", Filter{Customer: "Fabrikam", Since: t0.Add(2 * time.Minute)}, []int64{5}},
		{"nobody", Filter{Customer: "Contoso"}, []int64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := []int64{}
			for _, e := range Select(entries, tc.f) {
				got = append(got, e.Seq)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("Select = %v; want %v", got, tc.want)
			}
		})
	}
}

func TestParseSince(t *testing.T) {
	berlin := time.FixedZone("CEST", 2*3600)
	for _, tc := range []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"2026-05-01", time.Date(2026, 5, 1, 0, 0, 0, 0, berlin), false},
		{" 2026-05-01T09:00:00Z ", time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), false},
		{"2026-05-01T09:00:00+02:00", time.Date(2026, 5, 1, 7, 0, 0, 0, time.UTC), false},
		{"yesterday", time.Time{}, true},
		{"2026-13-01", time.Time{}, true},
	} {
		got, err := ParseSince(tc.in, berlin)
		if (err != nil) != tc.err || !got.Equal(tc.want) {
			t.Errorf("ParseSince(%q) = %v, %v", tc.in, got, err)
		}
	}
	if _, err := ParseSince("\x1b[31mred", nil); err == nil || strings.Contains(err.Error(), "\x1b") {
		t.Errorf("ParseSince's error holds an escape: %q", err)
	}
}

func TestWriteJSON(t *testing.T) {
	mem := Memory{Now: clock()}
	mem.Record(context.Background(), sample(0))
	e := sample(1)
	e.Result, e.Detail = Failed, "The customer has not approved the relationship yet."
	mem.Record(context.Background(), e)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, mem.Entries()); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("WriteJSON wrote no JSON list: %v\n%s", err, buf.String())
	}
	if len(got) != 2 {
		t.Fatalf("WriteJSON wrote %d entries", len(got))
	}
	for _, key := range []string{"time", "technician", "tenantId", "tenantName", "change", "result", "seq", "source", "before", "after", "target", "detail", "redacted"} {
		if _, ok := got[0][key]; !ok {
			t.Errorf("an entry lacks %q: %v", key, got[0])
		}
	}
	if got[0]["time"] != "2026-05-03T10:04:05Z" || got[0]["tenantName"] != "Litware" || got[1]["result"] != "failed" ||
		got[1]["detail"] != e.Detail || got[0]["technician"] != "adele.vance@contoso.onmicrosoft.com" {
		t.Errorf("WriteJSON wrote %v", got)
	}
	buf.Reset()
	WriteJSON(&buf, nil)
	if strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("no entries as JSON = %q; want []", buf.String())
	}
}

func TestWriteCSVIsSafeForASpreadsheet(t *testing.T) {
	e := sample(0)
	e.Seq, e.Time = 1, t0
	e.TenantName = "=HYPERLINK(\"http://evil.example\",\"Litware\")"
	e.Change = "  @SUM(1+1)"
	e.Before = "-2+3"
	e.After = "\tcmd"
	e.Detail = "Lit\u202eware\x1b[2J"
	var buf bytes.Buffer
	if err := WriteCSV(&buf, []Entry{e}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("WriteCSV wrote %v, %v", rows, err)
	}
	if strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Errorf("header = %v", rows[0])
	}
	for i, cell := range rows[1] {
		if c := strings.TrimLeft(cell, " "); c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			t.Errorf("cell %q (%s) would run as a formula", cell, csvHeader[i])
		}
		if strings.ContainsAny(cell, "\x1b\u202e\t") {
			t.Errorf("cell %q (%s) holds an escape or an override", cell, csvHeader[i])
		}
	}
	if rows[1][4] != `'=HYPERLINK("http://evil.example","Litware")` || rows[1][6] != "'@SUM(1+1)" || rows[1][11] != "Litware" || rows[1][1] != "2026-05-03 10:04:05" {
		t.Errorf("row = %q", rows[1])
	}
}

func TestWriteTable(t *testing.T) {
	mem := Memory{Now: clock()}
	e := sample(0)
	e.Before, e.After = "", "Conditional Access Administrator"
	mem.Record(context.Background(), e)
	f := sample(1)
	f.TenantName, f.Result, f.Detail = "", Failed, "Microsoft answered that the group does not exist."
	mem.Record(context.Background(), f)
	var buf bytes.Buffer
	if err := WriteTable(&buf, mem.Entries(), time.UTC); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"WHEN", "TECHNICIAN", "2026-05-03 10:04", "Litware", "(nothing → Conditional Access", "Done",
		customers[1].id, "Failed: Microsoft answered that the group does not exist."} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
	buf.Reset()
	WriteTable(&buf, nil, nil)
	if buf.String() != "No changes recorded.\n" {
		t.Errorf("an empty table = %q", buf.String())
	}
}

func TestDefaultPath(t *testing.T) {
	if runtime.GOOS == "linux" {
		t.Setenv("XDG_CONFIG_HOME", "/home/adele/.config")
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	for sandbox, name := range map[bool]string{false: "audit.log", true: "audit-sandbox.log"} {
		got, err := DefaultPath(sandbox)
		if err != nil || got != filepath.Join(dir, "onboard365", name) {
			t.Errorf("DefaultPath(%v) = %q, %v", sandbox, got, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	var mem Memory
	mem.Record(context.Background(), sample(0))
	good, _, _ := encode(mem.Entries()[0], nil)
	f.Add(good)
	f.Add([]byte(`{"hash":"` + strings.Repeat("0", 64) + `","seq":1}`))
	f.Add([]byte("hello"))
	f.Fuzz(func(t *testing.T, line []byte) {
		e, err := decode(line)
		if err == nil {
			// What decodes whole re-encodes into a line that decodes to the same entry.
			again, e2, err := encode(e, nil)
			if err != nil {
				t.Fatal(err)
			}
			back, err := decode(again)
			if err != nil || back.Hash != e2.Hash || back.Change != e.Change || back.TenantID != e.TenantID {
				t.Fatalf("re-encoded %q did not read back: %v", again, err)
			}
		}
		lines, err := scanLines(context.Background(), bytes.NewReader(append(append([]byte{}, line...), '\n')))
		if err != nil || len(lines) == 0 {
			t.Fatalf("scanLines = %v, %v", lines, err)
		}
	})
}
