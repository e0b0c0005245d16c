package watch

import (
	"testing"
)

func TestMessage(t *testing.T) {
	changes := []Change{
		{Kind: Worse, Finding: secret(Fail, "7d", 6), Before: Warning, Since: day(1)},
		{Kind: Appeared, Finding: consent(Fail), Since: day(4)},
		{Kind: Unchecked, Finding: Finding{Key: "customer:x:gdap", Subject: "Litware", Check: "GDAP roles", Status: CouldNotCheck,
			Sentence: "Microsoft did not answer in time.", Fix: "GDAP relationships"}, Before: Pass},
		{Kind: Fixed, Finding: expiry(Pass, "", 730), Before: Warning, Since: day(1)},
	}
	for i := range changes {
		if changes[i].Finding.Fix == "appreg" {
			changes[i].Finding.Fix = "App registration"
		}
	}
	m := Message(changes, day(4))
	if m.Title != "Onboard365: 2 problems to look at, 1 problem solved, 1 check could not run" {
		t.Errorf("title = %q", m.Title)
	}
	if m.Summary != "Your partner tenant: the app's secret expires in 6 days. Relecloud: the app's consent is gone: tokens for Relecloud no longer redeem. And 2 more." {
		t.Errorf("summary = %q", m.Summary)
	}
	want := []struct {
		heading, text, fix string
		good               bool
	}{
		{"Your partner tenant: App secret", "Worse than before: The app's secret expires in 6 days.", "Open Onboard365 and run App registration to fix it.", false},
		{"Relecloud: Consent", "The app's consent is gone: tokens for Relecloud no longer redeem.", "Open Onboard365 and run App registration to fix it.", false},
		{"Litware: GDAP roles", "Could not be checked: Microsoft did not answer in time.", "", false},
		{"Fabrikam: Relationship end", "Fixed after 3 days: The GDAP relationship ends in 730 days and does not extend itself.", "", true},
	}
	if len(m.Items) != len(want) {
		t.Fatalf("items = %+v", m.Items)
	}
	for i, w := range want {
		it := m.Items[i]
		if it.Heading != w.heading || it.Text != w.text || it.Fix != w.fix || it.Good != w.good {
			t.Errorf("item %d = %+v\nwant %+v", i, it, w)
		}
	}
	if one := Message(changes[2:], day(4)); one.Title != "Onboard365: 1 problem solved, 1 check could not run" ||
		one.Summary != "Litware: GDAP roles could not be checked. Fabrikam: relationship end is fixed." {
		t.Errorf("one fixed = %+v", one)
	}
	gone := Message([]Change{{Kind: Gone, Finding: gdap(Fail)}}, day(4))
	if gone.Items[0].Text != "No longer checked (it had a problem: GDAP roles: fail)." || !gone.Items[0].Good {
		t.Errorf("gone = %+v", gone.Items[0])
	}
}
