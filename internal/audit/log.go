package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/atomicfile"
	"github.com/onboard365/onboard365/internal/filelock"
)

// The log is a text file, one entry a line:
//
//	{"hash":"<64 hex digits>","seq":1,"time":"...",...,"prev":""}
//
// hash is the SHA-256 of the line without its hash member, that is of the bytes
// `{"seq":1,...}` exactly as written; prev is the hash of the entry before. Hashing the bytes as
// written, not a re-encoding, keeps the chain whole when a later version adds fields.
//
// Beside the log, path+".end" holds the number and hash of the last entry written, so that
// removing entries from the end shows too; path+".lock" is the lock (filelock) that the window
// and a scheduled watch take before they write.
//
// The chain shows an edit, a removal or a reordering made without recomputing the hashes: it is
// evidence of a changed log, not a protection against someone who can write the user's files and
// rewrites the whole chain.

const hashPrefix = `{"hash":"`

// maxLine is the longest line Read takes as an entry (an entry is at most a few kilobytes).
const maxLine = 1 << 20

// Log is the audit log in one file. It does no I/O until used; every method takes the lock, so
// the window and a scheduled watch may use the same file at once.
type Log struct {
	path string
	now  func() time.Time
}

// Open is the log at path (made, with its folder, on the first Record). now gives the time for
// entries without one; nil means time.Now.
func Open(path string, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{path: path, now: now}
}

// Path is the log's file.
func (l *Log) Path() string { return l.path }

func (l *Log) lock(ctx context.Context) (*filelock.Lock, error) {
	lk, err := filelock.Acquire(ctx, l.path+".lock")
	if err != nil {
		return nil, fmt.Errorf("waiting for the audit log: %w", err)
	}
	return lk, nil
}

// encode gives the line for e (without its newline) chained after last, and e with Seq, Prev
// and Hash set.
func encode(e Entry, last *Entry) ([]byte, Entry, error) {
	e.Seq, e.Prev = 1, ""
	if last != nil {
		e.Seq, e.Prev = last.Seq+1, last.Hash
	}
	body, err := json.Marshal(e)
	if err != nil {
		return nil, Entry{}, fmt.Errorf("writing an audit entry: %w", err)
	}
	sum := sha256.Sum256(body)
	e.Hash = hex.EncodeToString(sum[:])
	line := make([]byte, 0, len(hashPrefix)+len(e.Hash)+len(body)+2)
	line = append(line, hashPrefix...)
	line = append(line, e.Hash...)
	line = append(line, `",`...)
	line = append(line, body[1:]...)
	return line, e, nil
}

// errNotEntry and errChanged are how decode tells a line that is not an entry from an entry
// whose hash no longer matches what it says.
var (
	errNotEntry = errors.New("not an audit entry")
	errChanged  = errors.New("changed after it was written")
)

// decode reads one line (without its newline). An entry whose hash does not match comes back
// with errChanged, and the entry as it now reads.
func decode(line []byte) (Entry, error) {
	n := len(hashPrefix)
	if len(line) < n+64+3 || !bytes.HasPrefix(line, []byte(hashPrefix)) || string(line[n+64:n+66]) != `",` {
		return Entry{}, errNotEntry
	}
	want := string(line[n : n+64])
	if _, err := hex.DecodeString(want); err != nil || strings.ToLower(want) != want {
		return Entry{}, errNotEntry
	}
	body := make([]byte, 0, len(line)-n-64-1)
	body = append(body, '{')
	body = append(body, line[n+66:]...)
	var e Entry
	if err := json.Unmarshal(body, &e); err != nil {
		return Entry{}, errNotEntry
	}
	sum := sha256.Sum256(body)
	e.Hash = want
	if hex.EncodeToString(sum[:]) != want {
		return e, errChanged
	}
	return e, nil
}

// Record appends e to the log: cleaned and checked (see Entry), numbered and chained after the
// last whole entry, written in one write and flushed to the disk before Record returns. A log
// whose last line was cut off (the computer stopped during a write) keeps that line, which Read
// and Verify report, and the new entry starts on a line of its own.
func (l *Log) Record(ctx context.Context, e Entry) error {
	e, err := prepare(e, l.now)
	if err != nil {
		return err
	}
	lk, err := l.lock(ctx)
	if err != nil {
		return err
	}
	defer lk.Release()

	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("opening the audit log: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("reading the audit log: %w", err)
	}
	last, endsInLine, err := lastEntry(f, st.Size())
	if err != nil {
		return err
	}
	line, e, err := encode(e, last)
	if err != nil {
		return err
	}
	var out []byte
	if !endsInLine {
		out = append(out, '\n')
	}
	out = append(append(out, line...), '\n')
	if _, err := f.Write(out); err != nil {
		// Take back what part of the entry was written, so that no half line stays.
		_ = f.Truncate(st.Size())
		return fmt.Errorf("writing to the audit log: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("writing to the audit log: %w", err)
	}
	if st.Size() == 0 {
		atomicfile.SyncDir(filepath.Dir(l.path))
	}
	return writeEnd(l.path+".end", end{Seq: e.Seq, Hash: e.Hash})
}

// lastEntry finds the last whole entry in the log, reading back from its end, and whether the
// file ends with a line break (an empty file does).
func lastEntry(f *os.File, size int64) (*Entry, bool, error) {
	if size == 0 {
		return nil, true, nil
	}
	const block = 64 << 10
	var tail []byte
	for off := size; off > 0; {
		n := int64(block)
		if off < n {
			n = off
		}
		off -= n
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
			return nil, false, fmt.Errorf("reading the audit log: %w", err)
		}
		tail = append(buf, tail...)
		// Every line but the first in tail is whole (the first may start before off).
		lines := bytes.Split(tail, []byte("\n"))
		for i := len(lines) - 1; i >= 0; i-- {
			if i == 0 && off > 0 {
				break
			}
			if e, err := decode(lines[i]); err == nil || errors.Is(err, errChanged) {
				return &e, tail[len(tail)-1] == '\n', nil
			}
		}
		if int64(len(tail)) > 4*maxLine {
			break // nothing readable near the end: start the chain again, which Verify reports
		}
	}
	lastByte := make([]byte, 1)
	if _, err := f.ReadAt(lastByte, size-1); err != nil {
		return nil, false, fmt.Errorf("reading the audit log: %w", err)
	}
	return nil, lastByte[0] == '\n', nil
}

// end is what path+".end" holds: the last entry written.
type end struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// writeEnd replaces the end marker in one step (a new file renamed over the old one).
func writeEnd(path string, e end) error {
	b, _ := json.Marshal(e)
	if err := atomicfile.Write(path, append(b, '\n')); err != nil {
		return fmt.Errorf("writing the audit log's end marker: %w", err)
	}
	return nil
}

func readEnd(path string) (*end, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the audit log's end marker: %w", err)
	}
	var e end
	if err := json.Unmarshal(b, &e); err != nil || e.Seq < 1 || len(e.Hash) != 64 {
		return &end{Seq: -1}, nil
	}
	return &e, nil
}

// DamagedError is what Read's error is when some lines are not whole entries; Read returns the
// entries it could read with it.
type DamagedError struct {
	Lines []int // line numbers, from 1
}

func (e *DamagedError) Error() string {
	nums := make([]string, len(e.Lines))
	for i, n := range e.Lines {
		nums[i] = strconv.Itoa(n)
	}
	if len(e.Lines) == 1 {
		return fmt.Sprintf("line %s of the audit log is not a whole entry: it was cut off when a write was interrupted, or edited", nums[0])
	}
	return fmt.Sprintf("%d lines of the audit log are not whole entries (lines %s): they were cut off when a write was interrupted, or edited", len(nums), strings.Join(nums, ", "))
}

// line is one line of the log as read.
type line struct {
	num   int
	entry Entry
	err   error // nil, errNotEntry or errChanged
}

// readLines reads every line of the log under the lock. A missing log has no lines.
func (l *Log) readLines(ctx context.Context) ([]line, error) {
	lk, err := l.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer lk.Release()
	f, err := os.Open(l.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("opening the audit log: %w", err)
	}
	defer f.Close()
	return scanLines(ctx, f)
}

func scanLines(ctx context.Context, r io.Reader) ([]line, error) {
	var out []line
	br := bufio.NewReaderSize(r, 64<<10)
	for num := 1; ; num++ {
		if num%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		b, tooLong, err := readLine(br)
		if len(b) == 0 && !tooLong && errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("reading the audit log: %w", err)
		}
		ln := line{num: num, err: errNotEntry}
		if !tooLong {
			ln.entry, ln.err = decode(bytes.TrimSuffix(b, []byte("\r")))
		}
		out = append(out, ln)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
	}
}

// readLine reads up to and without the next line break, keeping at most maxLine bytes.
func readLine(br *bufio.Reader) (b []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if len(b)+len(chunk) > maxLine {
			tooLong = true
		} else {
			b = append(b, chunk...)
		}
		switch {
		case err == nil:
			return bytes.TrimSuffix(b, []byte("\n")), tooLong, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return b, tooLong, err
		}
	}
}

// Read gives every entry in the log, oldest first. Lines that are not whole entries are left
// out and named in a *DamagedError, returned with the entries that could be read. Whether the
// entries still hold together is Verify's question, not Read's. No log yet: no entries.
func (l *Log) Read(ctx context.Context) ([]Entry, error) {
	lines, err := l.readLines(ctx)
	if err != nil {
		return nil, err
	}
	var entries []Entry
	var damaged []int
	for _, ln := range lines {
		if errors.Is(ln.err, errNotEntry) {
			damaged = append(damaged, ln.num)
			continue
		}
		entries = append(entries, ln.entry)
	}
	if len(damaged) > 0 {
		return entries, &DamagedError{Lines: damaged}
	}
	return entries, nil
}
