package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/onboard365/onboard365/internal/words"
)

// Report is what Verify found.
type Report struct {
	// Entries is how many entries the log holds.
	Entries int
	// OK is true when every entry is as it was written, in its place, and none is missing.
	OK bool
	// Line is the line of the log where the first problem is (0 when OK, or when the problem is
	// the log's end), and Seq that entry's number when it has one.
	Line int
	Seq  int64
	// Sentence says what was found, for the person who asked.
	Sentence string
}

// Verify reads the whole log and checks its chain: every line a whole entry, every entry's hash
// what it says, numbered one after the other, each naming the hash of the one before, and the
// last one the entry the end marker names. It stops at the first problem and names it in
// Report.Sentence ("Entry 7 (3 May 2026 10:04, Litware: ...) was changed after it was written.");
// times are shown in loc (nil: the computer's time zone). The error is for a log that could not
// be read at all.
func (l *Log) Verify(ctx context.Context, loc *time.Location) (Report, error) {
	if loc == nil {
		loc = time.Local
	}
	lines, err := l.readLines(ctx)
	if err != nil {
		return Report{}, err
	}
	endMark, err := readEnd(l.path + ".end")
	if err != nil {
		return Report{}, err
	}
	r := Report{Entries: len(lines)}
	bad := func(ln line, format string, args ...any) (Report, error) {
		r.Line, r.Seq, r.Sentence = ln.num, ln.entry.Seq, fmt.Sprintf(format, args...)
		return r, nil
	}
	var prev *Entry
	for i := range lines {
		ln := lines[i]
		switch {
		case errors.Is(ln.err, errNotEntry):
			return bad(ln, "Line %d of the audit log is not a whole entry: it was cut off when a write was interrupted, or it was edited.", ln.num)
		case errors.Is(ln.err, errChanged):
			return bad(ln, "Entry %d (%s) was changed after it was written.", ln.entry.Seq, describe(ln.entry, loc))
		case prev == nil && (ln.entry.Seq != 1 || ln.entry.Prev != ""):
			return bad(ln, "The audit log starts at entry %d (%s): the entries before it were removed.", ln.entry.Seq, describe(ln.entry, loc))
		case prev != nil && ln.entry.Seq > prev.Seq+1:
			if later := findSeq(lines[i+1:], prev.Seq+1, ln.entry.Seq); later != nil {
				return bad(ln, "Entry %d (%s) comes before entry %d: the entries were put in another order.", ln.entry.Seq, describe(ln.entry, loc), later.Seq)
			}
			if ln.entry.Seq == prev.Seq+2 {
				return bad(ln, "Entry %d is missing: it was removed from between entries %d and %d.", prev.Seq+1, prev.Seq, ln.entry.Seq)
			}
			return bad(ln, "Entries %d to %d are missing: they were removed from between entries %d and %d.", prev.Seq+1, ln.entry.Seq-1, prev.Seq, ln.entry.Seq)
		case prev != nil && ln.entry.Seq <= prev.Seq:
			return bad(ln, "Entry %d (%s) comes after entry %d: the entries were put in another order.", ln.entry.Seq, describe(ln.entry, loc), prev.Seq)
		case prev != nil && ln.entry.Prev != prev.Hash:
			return bad(ln, "Entry %d (%s) does not follow the entry before it: entry %d was replaced by another.", ln.entry.Seq, describe(ln.entry, loc), prev.Seq)
		}
		prev = &lines[i].entry
	}
	switch {
	case endMark == nil && prev != nil:
		r.Sentence = "The audit log's end marker is missing, so removing entries from its end would not show: the marker was deleted, or the log was copied without it."
		return r, nil
	case endMark != nil && endMark.Seq < 0:
		r.Sentence = "The audit log's end marker is damaged, so removing entries from its end would not show."
		return r, nil
	case endMark != nil && prev == nil:
		if _, err := os.Stat(l.path); errors.Is(err, os.ErrNotExist) {
			r.Sentence = fmt.Sprintf("The audit log is missing: %d %s had been written to it.", endMark.Seq, plural(endMark.Seq, "entry", "entries"))
		} else {
			r.Sentence = fmt.Sprintf("The audit log is empty, but %d %s had been written to it.", endMark.Seq, plural(endMark.Seq, "entry", "entries"))
		}
		return r, nil
	case endMark != nil && prev.Seq < endMark.Seq:
		removed := "the last entry was removed"
		if n := endMark.Seq - prev.Seq; n > 1 {
			removed = fmt.Sprintf("the last %d entries were removed", n)
		}
		r.Sentence = fmt.Sprintf("The audit log ends at entry %d, but %d were written: %s.", prev.Seq, endMark.Seq, removed)
		return r, nil
	case endMark != nil && prev.Seq == endMark.Seq && prev.Hash != endMark.Hash:
		r.Seq = prev.Seq
		r.Sentence = fmt.Sprintf("Entry %d (%s) is not the entry that was written last: it was replaced by another.", prev.Seq, describe(*prev, loc))
		return r, nil
	case endMark != nil && prev.Seq > endMark.Seq+1:
		// One entry past the marker is a write interrupted between the log and its marker.
		r.Sentence = fmt.Sprintf("The audit log's end marker names entry %d, but the log goes on to entry %d: the marker is older than the log.", endMark.Seq, prev.Seq)
		return r, nil
	}
	r.OK = true
	switch r.Entries {
	case 0:
		r.Sentence = "The audit log has no entries yet."
	case 1:
		r.Sentence = "The audit log's one entry is as it was written."
	default:
		r.Sentence = fmt.Sprintf("All %d entries of the audit log are as they were written, in order, and none is missing.", r.Entries)
	}
	return r, nil
}

// findSeq is the first entry in lines numbered from lo up to (not with) hi.
func findSeq(lines []line, lo, hi int64) *Entry {
	for i := range lines {
		if lines[i].err == nil && lines[i].entry.Seq >= lo && lines[i].entry.Seq < hi {
			return &lines[i].entry
		}
	}
	return nil
}

// describe names an entry for a person: when, which customer, what.
func describe(e Entry, loc *time.Location) string {
	s := e.Time.In(loc).Format("2 Jan 2006 15:04")
	if name := words.Line(e.TenantName, 60); name != "" {
		s += ", " + name
	} else if id := words.Line(e.TenantID, 60); id != "" {
		s += ", tenant " + id
	}
	if change := words.Line(e.Change, 60); change != "" {
		s += ": " + change
	}
	return s
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
