package words

import (
	"strings"
	"testing"
	"time"
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
