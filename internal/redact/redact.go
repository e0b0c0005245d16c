// Package redact keeps secrets out of what the app shows and logs: it cleans text that came
// from outside (error answers from Microsoft) before it can reach an error message.
package redact

import "strings"

// Field keeps a code, id or date from an answer only when it is at most 64
// characters of letters, digits and " _-:.+,". An access token is far longer,
// so a server that echoes one cannot put it into an error message.
func Field(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 64 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte(" _-:.+,", c) >= 0:
		default:
			return ""
		}
	}
	return s
}

// Tokens replaces every run of 40 or more letters, digits, "-", "_" and "."
// that holds at least two dots (the shape of a JWT access token) with
// "[removed]", and cuts the text to 1,000 bytes.
func Tokens(s string) string {
	if len(s) > 1000 {
		s = s[:1000]
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j, dots := i, 0
		for j < len(s) && isTokenByte(s[j]) {
			if s[j] == '.' {
				dots++
			}
			j++
		}
		switch {
		case j == i:
			b.WriteByte(s[i])
			i++
		case j-i >= 40 && dots >= 2:
			b.WriteString("[removed]")
			i = j
		default:
			b.WriteString(s[i:j])
			i = j
		}
	}
	return b.String()
}

func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}
