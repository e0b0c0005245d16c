package words

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Contoso", "Contoso"},
		{"Fabrikam\tLtd\nLondon", "Fabrikam\tLtd\nLondon"},
		{"\x1b[31mRed\x1b[0m Corp", "Red Corp"},                          // ANSI colours
		{"\x1b]0;owned\x07Litware", "Litware"},                           // OSC window title, ended by BEL
		{"\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"}, // OSC 8 hyperlink, ended by ST
		{"\x1bcReset", "Reset"},                                          // a two-character escape
		{"tail\x1b", "tail"},
		{"a\u202eevil\u202c.exe", "aevil.exe"}, // bidi override
		{"\u2066iso\u2069 \u200eLRM\u200f \u061cALM", "iso LRM ALM"},
		{"line\u2028break", "line break"},
		{"nul\x00bel\x07del\x7f c1\u009b", "nulbeldel c1"},
		{"bad \xff byte", "bad \ufffd byte"},
		{"Zoë & Ωmega ✓", "Zoë & Ωmega ✓"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"Contoso", "\x1b[31mRed", "\x1b]0;t\x07x", "a\u202eb", "\xff\x1b", "\x1b[", "\x1b]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		if strings.ContainsAny(c, "\x1b\x07\x00\u202e\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u2028\u2029\u009b") || !utf8.ValidString(c) {
			t.Fatalf("Clean(%q) = %q keeps a control, bidi or invalid character", s, c)
		}
		if Clean(c) != c {
			t.Fatalf("Clean is not stable: %q, then %q", c, Clean(c))
		}
		if o := OneLine(s); strings.ContainsAny(o, "\n\t") || o != strings.TrimSpace(o) {
			t.Fatalf("OneLine(%q) = %q", s, o)
		}
		cell := Cell(s)
		if t0 := strings.TrimLeft(cell, " \t\r\n\u00a0"); t0 != "" && strings.ContainsRune("=+-@", rune(t0[0])) && !strings.HasPrefix(cell, "'") {
			t.Fatalf("Cell(%q) = %q could run as a formula", s, cell)
		}
	})
}

func TestNameAndQuote(t *testing.T) {
	if got := Quote("Block \"guests\"\n and\u202e others"); got != `"Block 'guests' and others"` {
		t.Errorf("Quote = %s", got)
	}
	long := strings.Repeat("é", 130)
	if got := Name(long); utf8.RuneCountInString(got) != 121 || !strings.HasSuffix(got, "…") {
		t.Errorf("Name of 130 characters: %d characters", utf8.RuneCountInString(got))
	}
}

// A formula behind white space is text too (issue 15: " =1+1" passed the guard).
func TestCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Contoso", "Contoso"},
		{"=1+1", "'=1+1"},
		{" =1+1", "' =1+1"},
		{"\u00a0\u00a0+SUM(A1)", "'\u00a0\u00a0+SUM(A1)"},
		{"-2", "'-2"},
		{"@cmd", "'@cmd"},
		{"\tTab", "'\tTab"},
		{"\r=1", "'=1"}, // a carriage return is a control character: dropped
		{"\x1b[31m=1", "'=1"},
		{"\u200b=1", "'=1"}, // a zero-width space hides nothing
		{"a=b", "a=b"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Cell(tt.in); got != tt.want {
			t.Errorf("Cell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSentences(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{JoinAnd(nil), ""},
		{JoinAnd([]string{"a"}), "a"},
		{JoinAnd([]string{"a", "b"}), "a and b"},
		{JoinAnd([]string{"a", "b", "c"}), "a, b and c"},
		{Count(1, "day"), "1 day"},
		{Count(3, "day"), "3 days"},
		{Count(0, "role"), "0 roles"},
		{Count(2, "fix"), "2 fixes"},
		{Count(2, "more fix"), "2 more fixes"},
		{Count(3, "policy"), "3 policies"},
		{Count(3, "Conditional Access policy"), "3 Conditional Access policies"},
		{Count(2, "day"), "2 days"},
		{Count(2, "address"), "2 addresses"},
		{Count(2, "person"), "2 people"},
		{Count(1, "fix"), "1 fix"},
		{Person("Lee Gu (risky technician)", "lee@contoso.com"), "Lee Gu (risky technician), lee@contoso.com"},
		{Person("Alex Wilber", "alex@contoso.com"), "Alex Wilber (alex@contoso.com)"},
		{Person("", "alex@contoso.com"), "alex@contoso.com"},
		{Person("alex@contoso.com", "ALEX@contoso.com"), "ALEX@contoso.com"},
		{Plural(1, "it", "them"), "it"},
		{Plural(2, "it", "them"), "them"},
		{LowerFirst("Microsoft refused"), "Microsoft refused"},
		{LowerFirst("Some roles"), "some roles"},
		{LowerFirst("MFA is off"), "MFA is off"},
		{LowerFirst("Ölfirma"), "ölfirma"},
		{LowerFirst(""), ""},
		{UpperFirst("ölfirma"), "Ölfirma"},
		{Sentence(" no role "), "No role."},
		{Sentence("Done!"), "Done!"},
		{Sentence(""), ""},
		{Day(time.Date(2026, 5, 4, 23, 0, 0, 0, time.FixedZone("x", -3600))), "5 May 2026"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

type inner struct {
	Name  string
	Notes []string
}

type report struct {
	Title   string
	Items   []inner
	ByName  map[string]*inner
	Change  any
	secret  string
	When    time.Time
	Count   int
	Pointer *string
}

// Cleaned cleans every exported string, however deep, and leaves the original alone.
func TestCleaned(t *testing.T) {
	bad := "\x1b[31mLit\u202eware"
	p := bad
	in := report{Title: bad, Items: []inner{{Name: bad, Notes: []string{bad}}}, ByName: map[string]*inner{bad: {Name: bad}},
		Change: bad, secret: bad, When: time.Unix(5, 0), Count: 3, Pointer: &p}
	out := Cleaned(in)
	if out.Title != "Litware" || out.Items[0].Name != "Litware" || out.Items[0].Notes[0] != "Litware" || out.ByName["Litware"].Name != "Litware" ||
		*out.Pointer != "Litware" {
		t.Errorf("not cleaned: %+v", out)
	}
	if out.Change != bad || out.secret != bad || !out.When.Equal(in.When) || out.Count != 3 {
		t.Errorf("interface and unexported fields must stay as they are: %+v", out)
	}
	if in.Title != bad || in.Items[0].Name != bad || in.ByName[bad].Name != bad || p != bad {
		t.Error("Cleaned changed its input")
	}
}

// Leaks finds what of a Hostile name reached an output, and nothing in a clean one.
func TestLeaks(t *testing.T) {
	if l := Leaks("Name: "+Hostile, false); len(l) < 4 {
		t.Errorf("raw: %q", l)
	}
	if l := Leaks(`{"name":"\u001b]0;x\u0007EvilCorp"}`, false); len(l) != 2 {
		t.Errorf("escaped JSON: %q", l)
	}
	if l := Leaks("Customer\n"+Cell(" =1+1 EvilCorp")+"\n", true); l != nil {
		t.Errorf("a guarded CSV cell: %q", l)
	}
	if l := Leaks("Customer\n =1+1 EvilCorp\n", true); len(l) != 1 {
		t.Errorf("an unguarded CSV cell: %q", l)
	}
	if l := Leaks(OneLine(Hostile), false); l != nil || OneLine(Hostile) != "=1+1 EvilCorp" {
		t.Errorf("cleaned: %q, %q", l, OneLine(Hostile))
	}
}

func TestLine(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		max      int
		want     string
	}{
		{"plain", "Litware Inc.", 0, "Litware Inc."},
		{"spaces and breaks become one space", "  Contoso\r\n\tLtd \u00a0 EU ", 0, "Contoso Ltd EU"},
		{"a colour escape goes whole", "\x1b[31;1mred\x1b[0m alert", 0, "red alert"},
		{"a title-setting OSC goes whole (BEL)", "\x1b]0;pwned\x07Fabrikam", 0, "Fabrikam"},
		{"an OSC 8 link goes whole (ST)", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", 0, "click"},
		{"an 8-bit CSI goes whole", "a\u009b2Jb", 0, "ab"},
		{"an 8-bit OSC goes whole", "a\u009d0;x\u009cb", 0, "ab"},
		{"a DCS string goes whole", "a\x1bPq#0;2;0;0;0\x1b\\b", 0, "ab"},
		{"a charset escape goes whole", "a\x1b(Bb", 0, "ab"},
		{"a two-byte escape goes", "a\x1bcb", 0, "ab"},
		{"an escape at the end goes", "ab\x1b", 0, "ab"},
		{"an unended OSC takes the rest", "ab\x1b]0;title", 0, "ab"},
		{"direction overrides go", "invoice\u202egpj.exe", 0, "invoicegpj.exe"},
		{"isolates and marks go", "\u2066a\u2069\u200e\u200f\u061cb", 0, "ab"},
		{"zero-width characters go", "Con\u200btoso\ufeff", 0, "Contoso"},
		{"other controls go", "a\x00b\x07c\x7fd\u0085e", 0, "abcd e"},
		{"invalid UTF-8 is replaced", "a\xffb", 0, "a\uFFFDb"},
		{"cut with an ellipsis", "Northwind Traders", 9, "Northwind…"},
		{"cut never ends on a space", "Northwind Traders", 10, "Northwind…"},
		{"short enough stays", "Northwind", 9, "Northwind"},
		{"only invisible", "\u202e\x1b[0m", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Line(tc.in, tc.max); got != tc.want {
				t.Errorf("Line(%q, %d) = %q; want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"one\ntwo", "one\ntwo"},
		{"one\r\ntwo\rthree", "one\ntwo\nthree"},
		{"one  \n\n\n\n two", "one\n\ntwo"},
		{"\n\nfirst\x1b[2J\n", "first"},
		{"tab\there\u2028next", "tab here\nnext"},
	} {
		if got := Text(tc.in, 0); got != tc.want {
			t.Errorf("Text(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
	if got := Text("abc\ndef", 5); got != "abc\nd…" {
		t.Errorf("Text cut = %q", got)
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"Litware", "\x1b[31mred", "\x1b]0;t\x07x", "a\u202eb", "=1", "a\xffb", "\u009b2J", "x\r\ny"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1000 {
			max = 0
		}
		for _, multiline := range []bool{false, true} {
			out := Line(s, max)
			if multiline {
				out = Text(s, max)
			}
			if !utf8.ValidString(out) {
				t.Fatalf("%q (lines kept: %v) = %q: not UTF-8", s, multiline, out)
			}
			for _, r := range out {
				if r == '\n' && multiline {
					continue
				}
				if dropped(r) || r == '\u2028' || r == '\u2029' || (unicode.IsSpace(r) && r != ' ') {
					t.Fatalf("%q (lines kept: %v) = %q holds %U", s, multiline, out, r)
				}
			}
			if max > 0 && utf8.RuneCountInString(out) > max+1 {
				t.Fatalf("%q (max %d) = %q: too long", s, max, out)
			}
			if strings.HasPrefix(out, " ") || strings.HasSuffix(strings.TrimSuffix(out, "…"), " ") {
				t.Fatalf("%q = %q: not trimmed", s, out)
			}
		}
	})
}
