package appreg

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"

	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/words"
)

// NewSecretCheck proves a client secret the way an integration will use it: MSAL's confidential
// client asks the partner tenant's token endpoint for an app-only Microsoft Graph token
// (client credentials). Nothing is cached or stored. Errors never carry MSAL's text, which can
// hold the token endpoint's whole answer: only its AADSTS code, explained.
func NewSecretCheck(c cloud.Cloud, partnerTenantID string) SecretCheck {
	return func(ctx context.Context, clientID, secret string) error {
		hc, err := c.HTTPClient()
		if err != nil {
			return err
		}
		cred, err := confidential.NewCredFromSecret(secret)
		if err != nil {
			return errors.New("the secret is empty")
		}
		client, err := confidential.New(c.Authority(partnerTenantID), clientID, cred,
			confidential.WithHTTPClient(hc), confidential.WithInstanceDiscovery(false))
		if err != nil {
			return fmt.Errorf("the sign-in settings for the check are not valid (the tenant %q): %w", partnerTenantID, errors.New("MSAL refused them"))
		}
		if _, err := client.AcquireTokenByCredential(ctx, []string{"https://graph.microsoft.com/.default"}); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			x := explain.FromText(err.Error())
			if x.Known {
				return &Problem{What: x.What, Why: x.Why, Do: x.Do}
			}
			return &Problem{What: "Microsoft did not accept the secret.", Why: "The sign-in service refused it or could not be reached.",
				Do: "Wait a minute and try again; check the internet connection."}
		}
		return nil
	}
}

// Rotate replaces the app's client secret: a new one is made, shown to work, kept in the
// keychain, and only then are the old one (the secret the keychain held) and any expired ones
// removed. Secrets that other tools may use are left alone. It returns what it did, and the
// app as it is now (read again).
func Rotate(ctx context.Context, g *graph.Client, st State, opts ApplyOptions) (Result, Plan, error) {
	if st.App == nil {
		return Result{}, Plan{}, &Problem{What: "There is no app registration to rotate the secret of.",
			Why: "Onboard365 found no app called " + fmt.Sprintf("%q", st.Target.name()) + " in your partner tenant.",
			Do:  "Run the App registration wizard first; it creates the app and its secret."}
	}
	p := Plan{Target: st.Target}
	p.Changes = append(p.Changes, Change{Kind: AddSecret, Sentence: fmt.Sprintf("Add a new client secret valid for %d days, check that it works, and keep it in this computer's keychain.",
		int(SecretLifetime.Hours()/24))})
	ours := st.Ours()
	now := st.ReadAt
	kept := 0
	for _, c := range st.App.PasswordCredentials {
		switch {
		case ours != nil && c.KeyID == ours.KeyID:
			p.Changes = append(p.Changes, Change{Kind: RemoveSecret, KeyID: c.KeyID, AfterNewWorks: true,
				Sentence: "Remove the old secret " + secretName(c) + " once the new one works."})
		case c.EndDateTime != nil && c.EndDateTime.Before(now):
			p.Changes = append(p.Changes, Change{Kind: RemoveSecret, KeyID: c.KeyID, AfterNewWorks: true,
				Sentence: "Remove the secret " + secretName(c) + ", which expired on " + words.Day(*c.EndDateTime) + "."})
		default:
			kept++
		}
	}
	if kept > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%s that this computer did not make %s kept: another tool may use %s.",
			words.Count(kept, "other secret"), words.Plural(kept, "is", "are"), words.Plural(kept, "it", "them")))
	}
	res := Apply(ctx, g, st, p, opts)
	return res, p, nil
}

// String is a NewSecret for the person and for logs: never its text.
func (s *NewSecret) String() string {
	if s == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("A client secret for " + s.ClientID + ", valid until " + words.Day(s.Expires))
	if s.Works {
		b.WriteString(", works")
	}
	if s.Stored {
		b.WriteString(", kept in this computer's keychain")
	}
	b.WriteString(".")
	return b.String()
}
