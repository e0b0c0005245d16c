// Package textsafe makes text safe to show, store and export when it came from outside (a
// customer's name, a policy's name, an answer from Microsoft) or may hold what must not leave
// memory (a token pasted by mistake).
//
//   - Line and Text take out what could disguise or break what is around the text: control
//     characters, terminal escapes (ANSI CSI, OSC and the other string sequences, in their
//     7-bit and 8-bit forms), direction overrides and isolates, and zero-width characters.
//   - Cell makes a value safe for a CSV cell that a spreadsheet opens: a value that a
//     spreadsheet would run as a formula is written as text.
//   - Scrub and LooksSecret find what has the shape of a token or secret: a JWT, or a long run
//     of mixed letters and digits that reads as random.
package textsafe

import (
	"strings"
	"unicode/utf8"
)

// Line is s on one line, cleaned (see the package comment), with runs of white space made one
// space and the ends trimmed, cut to at most max characters with "…" when longer (max 0: no
// limit). Invalid UTF-8 becomes U+FFFD.
func Line(s string, max int) string {
	return clean(s, false, max)
}

// Text is like Line but keeps line breaks (as "\n"; at most two in a row), for a mail body or
// a webhook message: each line is cleaned and trimmed on its right.
func Text(s string, max int) string {
	return clean(s, true, max)
}

// Cell is s made safe for one CSV cell: Line without a length limit, then, when its first
// character other than a space is one that a spreadsheet reads as the start of a formula
// (=, +, -, @, or a tab or carriage return in what came in), a leading apostrophe so that the
// spreadsheet shows it as text.
func Cell(s string) string {
	raw := strings.TrimLeft(s, " ")
	out := Line(s, 0)
	if raw != "" && strings.ContainsRune("=+-@\t\r", rune(raw[0])) {
		return "'" + out
	}
	if out != "" && strings.ContainsRune("=+-@", rune(out[0])) {
		return "'" + out
	}
	return out
}

// clean walks s once, dropping escapes and invisible characters.
func clean(s string, multiline bool, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	space, newlines := false, 0 // a space or line break waits to be written before the next character
	n := 0
	cut := false
	emit := func(r rune) {
		pending := 0
		if b.Len() > 0 && newlines > 0 {
			pending = newlines
		} else if b.Len() > 0 && space {
			pending = 1
		}
		if max > 0 && n+pending >= max {
			cut = true
			return
		}
		if b.Len() > 0 {
			switch {
			case newlines > 0:
				b.WriteString(strings.Repeat("\n", newlines))
				n += newlines
			case space:
				b.WriteByte(' ')
				n++
			}
		}
		space, newlines = false, 0
		b.WriteRune(r)
		n++
	}
	for i := 0; i < len(s) && !cut; {
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
		case r == '\n' || r == '\u2028' || r == '\u2029' || r == '\r' || r == '\v' || r == '\f' || r == 0x85:
			if multiline {
				if r == '\r' && i+1 < len(s) && s[i+1] == '\n' {
					i++ // \r\n is one break
				}
				if b.Len() > 0 && newlines < 2 {
					newlines++
				}
			} else {
				space = true
			}
		case r == '\t' || r == ' ' || r == '\u00a0' || r == '\u3000' || (r >= '\u2000' && r <= '\u200a') || r == '\u202f' || r == '\u205f':
			space = true
		case invisible(r):
		default:
			emit(r)
		}
		i += size
	}
	out := b.String()
	if multiline {
		lines := strings.Split(out, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight(l, " ")
		}
		out = strings.Join(lines, "\n")
	}
	if cut {
		out = strings.TrimRight(out, " \n") + "…"
	}
	return out
}

// invisible reports the characters that are dropped: controls, direction marks, overrides and
// isolates, zero-width characters, and the interlinear annotation marks.
func invisible(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r == '\u200b', r == '\u200c', r == '\u200d', r == '\u200e', r == '\u200f', r == '\u2060', r == '\ufeff', r == '\u061c', r == '\u180e':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069', r >= '\ufff9' && r <= '\ufffb':
		return true
	}
	return false
}

// skipEscape skips what follows an ESC at s[i:] and answers where the text goes on.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch c := s[i]; {
	case c == '[':
		return skipCSI(s, i+1)
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return skipString(s, i+1)
	case c >= 0x20 && c <= 0x2f: // nF: intermediates, then one final byte
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	case c >= 0x30 && c <= 0x7e: // a two-byte sequence (ESC 7, ESC c, ...)
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
			return i // another escape starts: let the caller read it
		}
		i += size
	}
	return i
}
