package authmethods

import (
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/onboard365/onboard365/internal/words"
)

// Microsoft's page where users manage their own sign-in methods (My Sign-Ins, "Security info").
const securityInfoURL = "https://aka.ms/mysecurityinfo"

// instructionSteps tell a user how to set up Microsoft Authenticator and make its notifications
// the default (Microsoft Learn, "Set up the Microsoft Authenticator app as a verification method"
// and "Change your default sign-in method").
var instructionSteps = []string{
	"On your phone, install Microsoft Authenticator from the App Store (iPhone) or Google Play (Android).",
	"On a computer, open " + securityInfoURL + " and sign in with your work account.",
	"Choose \"Add sign-in method\", then \"Microsoft Authenticator\", and follow the steps: the page shows a QR code that you scan with the app.",
	"Approve the test notification that arrives on your phone.",
	"Back on the Security info page, next to \"Default sign-in method\", choose \"Change\" and pick \"Microsoft Authenticator - notification\" (on some pages \"App based authentication - notification\"). Choose Confirm.",
}

// Instructions is the text a technician gives a user who has not set up Microsoft Authenticator:
// what to do, step by step, for the tenant named.
func Instructions(tenant string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Set up Microsoft Authenticator for your %s account\n\n", tenant)
	b.WriteString("We confirm it is really you by sending a notification to the Microsoft Authenticator app on your phone. " +
		"It takes about five minutes:\n\n")
	for i, s := range instructionSteps {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s)
	}
	b.WriteString("\nIf you change phones, set the app up again on the new phone before you give the old one away.\n")
	return b.String()
}

var instructionsPage = template.Must(template.New("instructions").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Set up Microsoft Authenticator</title>
<style>
body{font-family:system-ui,sans-serif;max-width:42em;margin:2em auto;line-height:1.5;color:#111}
section{page-break-after:always;margin-bottom:3em}
section:last-child{page-break-after:auto}
li{margin-bottom:.6em}
.who{color:#444}
</style></head><body>
{{range .People}}<section>
<h1>Set up Microsoft Authenticator for your {{$.Tenant}} account</h1>
{{if .Name}}<p class="who">For {{.Name}}{{if .UPN}} ({{.UPN}}){{end}}</p>{{end}}
<p>We confirm it is really you by sending a notification to the Microsoft Authenticator app on your phone. It takes about five minutes:</p>
<ol>{{range $.Steps}}<li>{{.}}</li>{{end}}</ol>
<p>If you change phones, set the app up again on the new phone before you give the old one away.</p>
</section>
{{end}}</body></html>
`))

// Person is someone the printed instructions are for.
type Person struct{ Name, UPN string }

// WriteInstructions writes the instructions as a printable HTML page: one printed page per
// person, with their name, or one page for anyone when people is empty. Names are cleaned
// (words.Cleaned) and escaped.
func WriteInstructions(w io.Writer, tenant string, people []Person) error {
	tenant, people = words.Clean(tenant), words.Cleaned(people)
	if len(people) == 0 {
		people = []Person{{}}
	}
	return instructionsPage.Execute(w, struct {
		Tenant string
		People []Person
		Steps  []string
	}{tenant, people, instructionSteps})
}

// NeedInstructions lists the users who must set up Microsoft Authenticator themselves.
func NeedInstructions(fs []Finding) []Person {
	var out []Person
	for _, f := range fs {
		if f.Category == NoAuthenticator || f.Category == NoMethods {
			out = append(out, Person{Name: f.User.Name(), UPN: f.User.UserPrincipalName})
		}
	}
	return out
}
