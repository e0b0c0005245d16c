package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// task describes one guided task: what it does, what the user needs, and its steps. A task whose
// wizard is not in this version yet shows that plainly instead of a button that does nothing.
type task struct {
	title string
	what  string   // what it does and why, plain words
	needs string   // what the user must have before starting
	steps []string // the steps the wizard walks, in order
}

var signInTask = task{
	title: "Sign in",
	what: "Signs you in to your partner tenant in a fresh, private browser window, checks that the sign-in " +
		"really used multi-factor authentication (MFA), and answers plainly: will Partner Center accept it? " +
		"A sign-in that passes is kept in this computer's keychain, never in a file.",
	needs: "An account in your partner tenant that is set up for MFA.",
	steps: []string{"Choose the account", "Sign in in a private browser window", "See the MFA verdict and its evidence", "Keep the sign-in in the keychain"},
}

var appRegistrationTask = task{
	title: "App registration",
	what: "Creates or repairs the app registration that your tools use to reach your customers (Microsoft's " +
		"Secure Application Model), with only the permissions they need, and gives it consent in your " +
		"customers' tenants. Running it again on a correct app changes nothing.",
	needs: "Application Administrator or Global Administrator in the partner tenant, and the Admin agent role in Partner Center.",
	steps: []string{"Choose the tools it serves", "Sign in as an administrator (kept in memory only)", "Read what exists and plan",
		"Apply, keep the new secret in the keychain, and read again", "Sign in with the app", "Check every customer's consent", "Consent and check again"},
}

var onboardTask = task{
	title: "Onboard a customer",
	what: "Brings one customer, an existing one or one that is not with you yet, to a working GDAP connection: " +
		"one relationship request with the roles of the templates you choose, the approval link for their Global " +
		"Administrator, a wait you can leave and resume, then your groups, the app's consent and a check that it all works.",
	needs: "A signed-in account with the Admin agent role in Partner Center.",
	steps: []string{"Choose the customer", "Choose the templates", "Send the request", "Wait for approval", "Set up groups and consent", "Check the connection"},
}

var gdapTask = task{
	title: "GDAP relationships",
	what: "Checks every customer's GDAP admin relationships: do they grant the roles your tools need, to " +
		"security groups your technicians are in, and do any expire soon? Every problem comes with a fix " +
		"that you review before it is applied.",
	needs: "A signed-in account with the Admin agent role in Partner Center.",
	steps: []string{"Choose the role profile", "Read every customer", "See the verdict per customer", "Review and apply fixes", "Read again and confirm"},
}

var authenticatorTask = task{
	title: "Authenticator default method",
	what: "Finds users whose default sign-in method is a text message or a phone call instead of a Microsoft " +
		"Authenticator notification, and switches them to Authenticator, so that verification requests " +
		"reach them.",
	needs: "Entra ID P1 in the tenant, and the Authentication Administrator and Reports Reader roles through GDAP.",
	steps: []string{"Choose the tenant and check access", "Read every user's methods", "Choose users and apply", "Read again and confirm"},
}

var troubleshootTask = task{
	title: `Troubleshoot "400" errors`,
	what: "Finds why a customer refuses your tools: no MFA enforcement in your own tenant, a risky partner " +
		"account, a customer Conditional Access policy that blocks service provider users, or missing roles " +
		"and licences. It checks one customer or all of them and fixes what is safe to fix.",
	needs: "A signed-in account; for policy fixes, Conditional Access Administrator or Security Administrator through GDAP.",
	steps: []string{"Choose customers", "Run the checks", "See the checklist per customer", "Review and apply safe fixes"},
}

// taskPage shows a task that has no wizard in this version yet: what it will do, what it needs,
// and its steps, with a plain note instead of a Start button.
func taskPage(t task) fyne.CanvasObject {
	steps := container.NewVBox()
	for i, s := range t.steps {
		steps.Add(widget.NewLabel(fmt.Sprintf("%d. %s", i+1, s)))
	}
	note := card(theme.ColorNamePrimary, widget.NewIcon(theme.InfoIcon()),
		paragraph("This wizard is not in this version of Onboard365 yet. The steps above are what it will walk you through."))
	return readable(container.NewVBox(
		heading(t.title),
		paragraph(t.what),
		subheading("What you need"),
		paragraph(t.needs),
		subheading("Steps"),
		steps,
		note,
	))
}
