// Package words is the one kit for the English the app writes, and for the strings from outside
// that go into it: a tenant's, a user's or a policy's name, anything Microsoft or a customer
// wrote. Every output (a table on the terminal, CSV, HTML, JSON, the window) cleans such strings
// the same way, with Clean (or OneLine, Name, Cell and Cleaned, which build on it).
package words

import (
	"encoding/csv"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Clean makes a string from outside safe to show anywhere. It drops terminal escape sequences
// in their 7-bit and 8-bit forms (ESC [ … and CSI as ANSI colours write them, ESC ] … and OSC
// as titles and links do, DCS, SOS, PM and APC strings, and the other ESC sequences), every other
// control character but newline and tab (C0, DEL, C1), the characters that change the direction
// of text (bidi embeddings, overrides, isolates and marks), the zero-width characters that can
// make two different names look the same (U+200B, U+200C, U+2060, U+FEFF, U+180E; the joiner
// U+200D stays, emoji are made of it), the interlinear annotation marks, and the invisible line
// and paragraph separators U+2028 and U+2029 (which become a space). Invalid UTF-8 becomes
// U+FFFD. Everything else stays as it was, so a clean string comes back unchanged.
func Clean(s string) string {
	if !needsCleaning(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b:
			i = skipEscape(s, i+size)
			continue
		case r == 0x9b: // CSI in its 8-bit form
			i = skipCSI(s, i+size)
			continue
		case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f: // OSC, DCS, SOS, PM, APC
			i = skipString(s, i+size)
			continue
		case r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError) // invalid UTF-8: shown as such, never passed through
		case dropped(r):
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsCleaning(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unclean(r, size) {
			return true
		}
		i += size
	}
	return false
}

// unclean says whether Clean changes the character r (of size bytes, as decoded).
func unclean(r rune, size int) bool {
	return r == 0x1b || r == '\u2028' || r == '\u2029' || (r == utf8.RuneError && size == 1) || dropped(r)
}

// dropped says whether Clean drops a character: a control character but newline and tab, a
// bidi formatting character, a zero-width character but the joiner, or an annotation mark.
func dropped(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r == '\u061c' || r == '\u200e' || r == '\u200f' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069'):
		return true
	case r == '\u200b' || r == '\u200c' || r == '\u2060' || r == '\ufeff' || r == '\u180e' || (r >= '\ufff9' && r <= '\ufffb'):
		return true
	}
	return false
}

// skipEscape skips what follows an ESC at s[i:] and answers where the text goes on: a CSI
// sequence, a string sequence, an nF sequence (intermediates, then a final byte), or the one
// character of a two-byte sequence (ESC 7, ESC c).
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch c := s[i]; {
	case c == '[':
		return skipCSI(s, i+1)
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return skipString(s, i+1)
	case c >= 0x20 && c <= 0x2f:
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	case c >= 0x30 && c <= 0x7e:
		return i + 1
	}
	return i
}

// skipCSI skips a control sequence's parameter and intermediate bytes and its final byte.
func skipCSI(s string, i int) int {
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipString skips an OSC, DCS, SOS, PM or APC string up to and with its end: BEL, ESC \ or
// the 8-bit ST. A string that never ends takes the rest of s.
func skipString(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x07 || r == 0x9c:
			return i + size
		case r == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i // another escape starts: the caller reads it
		}
		i += size
	}
	return i
}

// Unclean lists what Clean would drop from s, as Go-quoted characters ("\x1b", "\u202e"), or
// nil: for a test to say what reached an output.
func Unclean(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unclean(r, size) {
			out = append(out, fmt.Sprintf("%+q", r))
		}
		i += size
	}
	return out
}

// OneLine is Clean on one line: every run of white space, newlines and tabs included, becomes
// one space, and none is left at either end (for a column of a table).
func OneLine(s string) string { return strings.Join(strings.Fields(Clean(s)), " ") }

// lineBreaks makes every way of breaking a line a newline (\r\n, \r, \v, \f, NEL, U+2028 and
// U+2029), before Clean would drop the control characters among them.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\v", "\n", "\f", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n")

// Line is a string from outside on one line, for a log line, a notification or an audit entry:
// OneLine, with every kind of line break a space, cut to at most max characters and "…" when it
// was longer (max 0: no limit).
func Line(s string, max int) string {
	return cut(OneLine(lineBreaks.Replace(s)), max)
}

// Text is like Line but keeps its lines, for a mail body, a webhook message or what a command
// printed: every kind of line break a newline, each line on its own made one (OneLine), at most
// one empty line in a row, none at either end.
func Text(s string, max int) string {
	var lines []string
	blank := false
	for _, l := range strings.Split(lineBreaks.Replace(s), "\n") {
		if l = OneLine(l); l == "" {
			blank = len(lines) > 0
			continue
		}
		if blank {
			lines = append(lines, "")
		}
		lines, blank = append(lines, l), false
	}
	return cut(strings.Join(lines, "\n"), max)
}

// cut is s in at most max characters, with "…" after them when it was longer (never after a
// space or a line break); max 0: s as it is.
func cut(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	return strings.TrimRight(string([]rune(s)[:max]), " \n") + "…"
}

// nameLength is how many characters of a name a sentence shows.
const nameLength = 120

// Name makes a name from outside fit into a sentence: on one line, at most 120 characters, and
// with no double quotation mark (it becomes ') so that it cannot break or disguise the sentence
// around it.
func Name(s string) string {
	return cut(strings.ReplaceAll(OneLine(s), `"`, "'"), nameLength)
}

// Person names a person by their name and sign-in name, as a sentence does: "Lee Gu
// (lee@contoso.com)"; "Lee Gu (risky technician), lee@contoso.com" when the name has brackets of
// its own (two pairs in a row read badly); the sign-in name alone when there is no other name, or
// it is the same. Both are from outside: they are made fit with Name.
func Person(name, signIn string) string {
	name, signIn = Name(name), Name(signIn)
	switch {
	case name == "" || strings.EqualFold(name, signIn):
		return signIn
	case signIn == "":
		return name
	case strings.HasSuffix(name, ")"):
		return name + ", " + signIn
	}
	return name + " (" + signIn + ")"
}

// Quote is a name from outside in quotation marks (see Name), so that it reads as a name.
func Quote(s string) string { return `"` + Name(s) + `"` }

// Cell makes a string from outside a safe CSV cell: clean, and never run as a formula by a
// spreadsheet (one that starts, after any white space, with =, +, - or @, or starts with a tab or
// carriage return, is written as text with a leading ').
func Cell(s string) string {
	s = Clean(s)
	if s == "" {
		return s
	}
	if s[0] == '\t' || s[0] == '\r' || Formula(s) {
		return "'" + s
	}
	return s
}

// Cells makes every cell of a row a safe CSV cell (Cell), in place, and returns the row.
func Cells(row []string) []string {
	for i, c := range row {
		row[i] = Cell(c)
	}
	return row
}

// Formula says whether a spreadsheet would run a cell as a formula (Cell makes sure none does).
func Formula(cell string) bool {
	t := strings.TrimLeft(cell, " \t\r\n\u00a0")
	return t != "" && strings.ContainsRune("=+-@", rune(t[0]))
}

// JoinAnd joins items as a sentence lists them: "a", "a and b", "a, b and c".
func JoinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// Count is a number with its noun: "1 day", "3 days", "2 fixes", "4 policies" (the plural of
// the noun's last word, as PluralOf makes it).
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %s", n, PluralOf(noun))
}

// PluralOf is a noun's plural, its last word made plural the regular English way: "fix" gives
// "fixes", "policy" "policies", "day" "days", "more fix" "more fixes". The app's few irregular
// nouns are written out ("person" "people").
func PluralOf(noun string) string {
	head, last := "", noun
	if i := strings.LastIndexByte(noun, ' '); i >= 0 {
		head, last = noun[:i+1], noun[i+1:]
	}
	low := strings.ToLower(last)
	switch {
	case low == "person":
		return head + last[:len(last)-6] + "people"
	case low == "":
	case strings.HasSuffix(low, "s") || strings.HasSuffix(low, "x") || strings.HasSuffix(low, "z") ||
		strings.HasSuffix(low, "ch") || strings.HasSuffix(low, "sh"):
		return noun + "es"
	case strings.HasSuffix(low, "y") && len(low) > 1 && !strings.ContainsRune("aeiou", rune(low[len(low)-2])):
		return head + last[:len(last)-1] + "ies"
	}
	return noun + "s"
}

// Plural is one when n is 1, else many: "it" or "them", "is" or "are".
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// names keep their capital letter wherever they stand in a sentence.
var names = []string{"Microsoft", "Onboard365", "Partner Center", "Entra"}

// LowerFirst lower-cases the first letter, for a sentence that goes on after a comma or
// "because", unless the word is an acronym ("MFA", "GDAP"), a name that keeps its capital
// inside ("iPhone"), or a name ("Microsoft", "Partner Center").
func LowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	for _, n := range names {
		if strings.HasPrefix(s, n) {
			return s
		}
	}
	if next, _ := utf8.DecodeRuneInString(s[size:]); unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[size:]
}

// UpperFirst upper-cases the first letter.
func UpperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// Sentence makes a text one sentence: trimmed, its first letter up, and a full stop at the end
// unless it ends with one (or with ! or ?). An empty text stays empty.
func Sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	s = UpperFirst(s)
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}

// Day is a date as the app writes it: "4 May 2026", in UTC.
func Day(t time.Time) string { return t.UTC().Format("2 January 2006") }

// Hostile is a name from outside as a probe of the app wrote one (issue 15), for tests of every
// output: a formula behind a space, an OSC sequence that sets the terminal's title, an ANSI
// colour, and a right-to-left override. Clean makes it " =1+1 EvilCorp".
const Hostile = " =1+1\x1b]0;owned\x07 \x1b[31mEvil\u202eCorp\u202c"

// Leaks lists what of a Hostile name reached an output: the characters Clean drops (in a JSON
// output too, where they stand escaped), and, for a CSV output, a cell a spreadsheet would run.
// It is nil when the output shows the name cleaned.
func Leaks(output string, isCSV bool) []string {
	leaks := Unclean(output)
	for _, esc := range []string{`\u001b`, `\u0007`, `\u202e`, `\u202c`} {
		if strings.Contains(output, esc) {
			leaks = append(leaks, esc)
		}
	}
	if isCSV {
		rows, err := csv.NewReader(strings.NewReader(output)).ReadAll()
		if err != nil {
			leaks = append(leaks, "not CSV: "+err.Error())
		}
		for _, row := range rows {
			for _, c := range row {
				if Formula(c) {
					leaks = append(leaks, "a formula: "+c)
				}
			}
		}
	}
	if !strings.Contains(output, "EvilCorp") {
		leaks = append(leaks, "the name itself is lost")
	}
	return leaks
}
