package troubleshoot

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/graph"
)

// failure is why a request to a tenant did not succeed, sorted into what the checks need to know.
type failure struct {
	token     bool   // no token could be had: Entra refused it (or nobody is signed in)
	aadsts    string // for a refused token, the AADSTS number ("53003"); "" when unknown
	status    int    // for an answer from Graph, its HTTP status
	graphCode string // for an answer from Graph, its error code ("Authorization_RequestDenied")
	sentence  string // what happened, why and what to do, in plain words (never Microsoft's own text)
}

var aadstsRE = regexp.MustCompile(`(?i)AADSTS(\d{4,9})`)

// classify reads an error of a Graph call made for the checks.
func classify(err error) failure {
	if err == nil {
		return failure{}
	}
	var te *auth.TokenError
	if errors.As(err, &te) {
		code := te.Code
		if code == "" {
			code = strings.TrimPrefix(strings.ToUpper(te.Explained.Code), "AADSTS")
		}
		return failure{token: true, aadsts: code, sentence: te.Explained.String()}
	}
	var ge *graph.Error
	if errors.As(err, &ge) {
		// The outermost explanation: "Onboard365 gave up after 6 tries" over the 429 inside it.
		x, _ := explain.Of(err)
		return failure{status: ge.Status, graphCode: ge.Code, sentence: x.String()}
	}
	switch {
	case errors.Is(err, context.Canceled):
		return failure{sentence: "The check was stopped before Microsoft answered."}
	case errors.Is(err, context.DeadlineExceeded):
		return failure{sentence: "Microsoft did not answer in time. Check the internet connection and run the check again."}
	}
	if x, ok := explain.Of(err); ok && !strings.Contains(err.Error(), "get an access token") {
		return failure{sentence: x.String()} // a network failure, named by its service
	}
	text := err.Error()
	if strings.Contains(text, "get an access token") {
		// A token source other than internal/auth's: keep the AADSTS code, if the text has one.
		f := failure{token: true}
		if m := aadstsRE.FindStringSubmatch(text); m != nil {
			f.aadsts = m[1]
		}
		f.sentence = explain.FromText(text).String()
		return f
	}
	return failure{sentence: explain.FromText(text).String()}
}

// noLicence says whether Graph refused because the tenant lacks a premium licence.
func (f failure) noLicence() bool {
	return f.status == http.StatusForbidden && strings.EqualFold(f.graphCode, "Authentication_RequestFromNonPremiumTenantOrB2CTenant")
}

// noRole says whether Graph refused because the caller lacks a role or permission.
func (f failure) noRole() bool {
	return f.status == http.StatusForbidden && !f.noLicence()
}
