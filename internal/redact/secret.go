package redact

import (
	"math"
	"strings"
)

// Removed is what Scrub puts where it took something out.
const Removed = "[removed]"

// LooksSecret reports whether s holds something with the shape of a token or secret (see Scrub).
func LooksSecret(s string) bool {
	_, found := Scrub(s)
	return found
}

// Scrub replaces what has the shape of a token or secret with Removed, and reports whether it
// replaced anything. It looks at each run of the characters that tokens and secrets are made of
// (letters, digits and _ ~ . + = * -) and takes out a run that
//   - has the shape of a JWT (20 characters or more starting "eyJ", the start of every JWT's
//     header in base64url), or
//   - is 200 characters or more (a refresh token; nothing a person names is that long), or
//   - is 20 characters or more and reads as random (randomLooking): an app's client secret, an
//     API key, a webhook's key.
//
// What a change in a tenant is made of stays: ids (GUIDs, in any case), hashes and other runs of
// hexadecimal digits, permission names (Policy.ReadWrite.ConditionalAccess), durations, times,
// addresses and display names. A secret written only in hexadecimal digits is not found, and a
// few random runs in a hundred slip through (under 2% of 32 random bytes in base64url, about 7%
// of 15 random bytes): TestScrubFindsRandomSecrets measures it. This is a guard against a
// mistake in the app, not a promise.
func Scrub(s string) (string, bool) {
	var b strings.Builder
	found := false
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && isSecretByte(s[j]) {
			j++
		}
		if j == i {
			b.WriteByte(s[i])
			i++
			continue
		}
		if run := s[i:j]; secretRun(run) {
			b.WriteString(Removed)
			found = true
		} else {
			b.WriteString(run)
		}
		i = j
	}
	if !found {
		return s, false
	}
	return b.String(), true
}

func isSecretByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_~.+=*-", c) >= 0
}

func secretRun(run string) bool {
	if len(run) >= 200 {
		return true
	}
	if len(run) >= 20 && strings.HasPrefix(run, "eyJ") {
		return true
	}
	if len(run) < 20 {
		return false
	}
	return randomLooking(run)
}

// randomLooking reports a run that mixes capitals and small letters (and digits, when shorter
// than 32 characters) the way random text does, and not the way names do:
//   - its stretches of small letters are short: at most 2.6 letters on average over at least
//     three stretches, or at most 3.5 when under a quarter of its small letters are vowels
//     (words and camel-case names run longer and are about 40% vowels);
//   - its characters are varied: Shannon entropy at least 3.5 bits a character.
//
// Ids and hashes in hexadecimal never have capitals and small letters at once.
func randomLooking(run string) bool {
	var upper, digit bool
	stretches, small, vowels := 0, 0, 0
	inSmall := false
	counts := map[byte]int{}
	for i := 0; i < len(run); i++ {
		c := run[i]
		counts[c]++
		isSmall := c >= 'a' && c <= 'z'
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= '0' && c <= '9':
			digit = true
		case isSmall:
			small++
			if strings.IndexByte("aeiouy", c) >= 0 {
				vowels++
			}
			if !inSmall {
				stretches++
			}
		}
		inSmall = isSmall
	}
	if !upper || stretches < 3 || (!digit && len(run) < 32) {
		return false
	}
	mean := float64(small) / float64(stretches)
	if mean > 3.5 || (mean > 2.6 && float64(vowels) >= 0.25*float64(small)) {
		return false
	}
	entropy := 0.0
	for _, n := range counts {
		p := float64(n) / float64(len(run))
		entropy -= p * math.Log2(p)
	}
	return entropy >= 3.5
}
