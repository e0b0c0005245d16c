package sandbox

import (
	"bytes"
	"html/template"
	"net/http"
)

// The sandbox's sign-in pages. They are plain HTML with inline CSS and no external resources (no
// fonts, scripts or images from elsewhere), so they work offline and under a strict
// Content-Security-Policy. Their controls have stable ids (#username, #password, #signin,
// #cancel, #approve, #deny, #code, #next, #continue) for headless browser tests. The words are
// for the people who use the app, not for developers.

// Page names, as defined in pageTemplates.
const (
	pageSignIn   = "signin"
	pageMFA      = "mfa"
	pageFormPost = "formpost"
	pageError    = "error"
	pageDone     = "done"
	pageDevice   = "device"
	pageHome     = "home"
)

type accountHint struct{ UPN, Name, Note string }

type signInPageData struct {
	Action, Flow, Username string
	AppName, Organization  string
	Error, ErrorCode       string
	Accounts               []accountHint
	Password               string
}

type mfaPageData struct {
	Action, Flow, UPN, AppName string
	Number                     int
}

type formField struct{ Name, Value string }

type formPostData struct {
	Action, Nonce, AppName string
	Fields                 []formField
}

type errorPageData struct {
	Title, Message, Advice            string
	TraceID, CorrelationID, Timestamp string
}

type donePageData struct{ Title, Message, Code string }

type devicePageData struct{ Action, Error string }

type homePageData struct {
	Partner, PartnerID, Password string
	Customers                    int
	Accounts                     []accountHint
}

// renderPage writes a page with headers that keep it out of caches and frames. formPolicy, when
// set, replaces the default "form-action 'self'" part of the Content-Security-Policy (the
// auto-post page sends its form to the app's loopback address and runs one inline script).
func renderPage(w http.ResponseWriter, status int, formPolicy, name string, data any) {
	var buf bytes.Buffer
	if err := pageTemplates.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "The sandbox could not draw this page.", http.StatusInternalServerError)
		return
	}
	if formPolicy == "" {
		formPolicy = "form-action 'self'"
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'; "+formPolicy)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// adviceFor says in plain words what an AADSTS error means and what to do about it.
func adviceFor(code int) string {
	switch code {
	case 50126:
		return "The password is wrong. Every sandbox account's password is \"sandbox\"."
	case 50034:
		return "There is no such account. Use one of the sandbox accounts listed on the sign-in page."
	case 700016:
		return "The app asking you to sign in is not registered in this tenant. Check the application (client) ID that Onboard365 uses, or register the app first."
	case 50011:
		return "The app registration does not allow this app's return address. Add http://localhost as a \"Mobile and desktop applications\" redirect URI of the app registration."
	case 900971:
		return "The app did not say where to return after sign-in. Start the sign-in again from Onboard365."
	case 90002:
		return "There is no tenant with this name or ID. Check the tenant you typed in Onboard365."
	case 50089:
		return "The sign-in took too long or was already finished. Go back to Onboard365 and start the sign-in again."
	case 65004:
		return "The sign-in was cancelled. Nothing was changed."
	case 500121:
		return "The sign-in request was denied in Microsoft Authenticator. If you did not start it, tell your administrator."
	case 50058:
		return "No one is signed in in this browser. Sign in again."
	case 54005, 70008:
		return "The sign-in result was already used or has expired. Sign in again."
	case 501481:
		return "The app could not prove it started this sign-in. Sign in again from Onboard365."
	case 700082:
		return "The stored sign-in was not used for 90 days and has expired. Sign in again to get a new one."
	case 90099:
		return "The app is not consented in this customer. Run the consent step for this customer in Onboard365 (Partner Center application consent)."
	case 50020:
		return "Your account has no delegated access to this customer: there is no active GDAP relationship whose roles are assigned to a group you are in."
	case 53003:
		return "A Conditional Access policy in the customer's tenant blocks service provider users. Exclude your partner tenant's service provider users from that policy."
	case 530034:
		return "Your partner account is flagged as risky, so customers refuse it delegated access. Investigate, then dismiss the risk in Identity Protection."
	case 7000215:
		return "The client secret is wrong. Use the secret's value (shown once when it was created), not its ID."
	case 7000222:
		return "The client secret has expired. Create a new secret for the app registration."
	case 7000218:
		return "The app registration does not allow public client flows, or the request has no client secret."
	case 28000:
		return "A token can be for one service only. Ask for Microsoft Graph and Partner Center permissions in separate requests."
	case 500011:
		return "The sandbox simulates only Microsoft Graph and Partner Center."
	case 1002012:
		return "An app acting as itself must ask for \"<resource>/.default\"."
	case 70016:
		return "The code has not been entered yet. Open the sign-in page and enter the code shown by the app."
	case 70020:
		return "The code expired after 15 minutes. Start the sign-in again."
	}
	return "The sandbox has no explanation for this code. Go back to Onboard365: it explains the errors it meets."
}

var pageTemplates = template.Must(template.New("pages").Parse(`
{{define "head"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.}} - Onboard365 sandbox</title>
<style>
  *{box-sizing:border-box}
  body{margin:0;background:#f2f2f2;color:#1b1b1b;font:15px/1.45 "Segoe UI","Helvetica Neue",Arial,sans-serif}
  .ribbon{background:#fff4ce;border-bottom:1px solid #e8d48a;padding:8px 16px;text-align:center;font-size:13px}
  .ribbon strong{letter-spacing:.04em}
  main{max-width:440px;margin:40px auto;padding:0 16px}
  .card{background:#fff;box-shadow:0 2px 6px rgba(0,0,0,.2);padding:40px 44px 32px}
  .brand{font-weight:600;color:#5e5e5e;font-size:14px;margin-bottom:16px}
  h1{font-size:24px;font-weight:600;margin:0 0 8px}
  p{margin:0 0 12px}
  .sub{color:#5e5e5e;font-size:14px}
  label{display:block;font-size:13px;color:#5e5e5e;margin-top:14px}
  input[type=text],input[type=password]{width:100%;border:0;border-bottom:1px solid #666;padding:6px 0;font:inherit;outline:none}
  input[type=text]:focus,input[type=password]:focus{border-bottom:2px solid #0067b8}
  .buttons{display:flex;gap:8px;justify-content:flex-end;margin-top:28px}
  button{font:inherit;min-width:108px;padding:6px 14px;border:1px solid transparent;cursor:pointer}
  .primary{background:#0067b8;color:#fff}
  .primary:hover{background:#005da6}
  .secondary{background:#cfcfcf;color:#000}
  .secondary:hover{background:#bdbdbd}
  .error{color:#e81123;margin:10px 0 0}
  .code{color:#5e5e5e;font-size:12px}
  .number{font-size:48px;font-weight:600;text-align:center;margin:16px 0}
  .panel{background:#fff;margin-top:16px;padding:20px 24px;font-size:14px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
  .panel h2{font-size:15px;margin:0 0 8px}
  .panel ul{margin:0;padding-left:18px}
  .panel li{margin:6px 0}
  .upn{font-family:Consolas,"Courier New",monospace;font-size:13px}
  .small{font-size:12px;color:#5e5e5e;word-break:break-all}
</style>
</head>
<body>
<div class="ribbon"><strong>SANDBOX</strong> · This is a simulated Microsoft sign-in page. Nothing you type here leaves this computer.</div>
<main>
{{end}}

{{define "foot"}}</main>
</body>
</html>
{{end}}

{{define "accounts"}}<section class="panel" id="accounts">
  <h2>Sandbox accounts</h2>
  <p>Try any of these. The password of every account is <strong class="upn">{{.Password}}</strong>.</p>
  <ul>{{range .Accounts}}
    <li><span class="upn">{{.UPN}}</span><br>{{.Name}}{{if .Note}}: {{.Note}}{{end}}</li>{{end}}
  </ul>
</section>{{end}}

{{define "signin"}}{{template "head" "Sign in"}}
<div class="card">
  <div class="brand">Onboard365 sandbox</div>
  <h1>Sign in to the Onboard365 sandbox</h1>
  <p class="sub">to continue to {{.AppName}}{{if .Organization}} in {{.Organization}}{{end}}</p>
  <form method="post" action="{{.Action}}" autocomplete="off">
    <input type="hidden" name="flow" value="{{.Flow}}">
    <label for="username">Email</label>
    <input type="text" id="username" name="username" value="{{.Username}}" autocomplete="username" autofocus spellcheck="false">
    <label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="current-password">
    {{if .Error}}<p class="error" id="error" role="alert">{{.Error}}</p>{{if .ErrorCode}}<p class="code">{{.ErrorCode}}</p>{{end}}{{end}}
    <div class="buttons">
      <button type="submit" class="primary" id="signin" name="action" value="signin">Sign in</button>
      <button type="submit" class="secondary" id="cancel" name="action" value="cancel" formnovalidate>Cancel</button>
    </div>
  </form>
</div>
{{template "accounts" .}}
{{template "foot"}}{{end}}

{{define "mfa"}}{{template "head" "Approve sign in request"}}
<div class="card">
  <div class="brand">Onboard365 sandbox</div>
  <p class="upn">{{.UPN}}</p>
  <h1>Approve sign in request</h1>
  <p>Approve the sign-in request in Microsoft Authenticator. Open your Authenticator app, and enter the number shown to sign in.</p>
  <div class="number" id="number">{{.Number}}</div>
  <p class="sub">In the sandbox the Authenticator app is simulated: choose Approve to sign in, or Deny to refuse, as you would on your phone.</p>
  <form method="post" action="{{.Action}}">
    <input type="hidden" name="flow" value="{{.Flow}}">
    <div class="buttons">
      <button type="submit" class="primary" id="approve" name="action" value="approve">Approve</button>
      <button type="submit" class="secondary" id="deny" name="action" value="deny">Deny</button>
    </div>
  </form>
</div>
{{template "foot"}}{{end}}

{{define "formpost"}}{{template "head" "Signing you in"}}
<div class="card">
  <div class="brand">Onboard365 sandbox</div>
  <h1>Returning to {{.AppName}}</h1>
  <form method="post" action="{{.Action}}" id="autopost">
    {{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
    {{end}}<p>If nothing happens in a moment, choose Continue.</p>
    <div class="buttons"><button type="submit" class="primary" id="continue">Continue</button></div>
  </form>
</div>
<script nonce="{{.Nonce}}">document.getElementById("autopost").submit();</script>
{{template "foot"}}{{end}}

{{define "error"}}{{template "head" "Sign-in problem"}}
<div class="card">
  <div class="brand">Onboard365 sandbox</div>
  <h1>{{.Title}}</h1>
  <p id="message">{{.Message}}</p>
  {{if .Advice}}<p>{{.Advice}}</p>{{end}}
  {{if .TraceID}}<p class="small">Request Id: {{.TraceID}}<br>Correlation Id: {{.CorrelationID}}<br>Timestamp: {{.Timestamp}}</p>{{end}}
</div>
{{template "foot"}}{{end}}

{{define "done"}}{{template "head" .Title}}
<div class="card">
  <div class="brand">Onboard365 sandbox</div>
  <h1>{{.Title}}</h1>
  <p id="message">{{.Message}}</p>
  {{if .Code}}<p class="code">{{.Code}}</p>{{end}}
</div>
{{template "foot"}}{{end}}

{{define "device"}}{{template "head" "Enter code"}}
<div class="card">
  <div class="brand">Onboard365 sandbox</div>
  <h1>Enter code</h1>
  <p>Enter the code displayed on your app or device.</p>
  <form method="post" action="{{.Action}}" autocomplete="off">
    <label for="code">Code</label>
    <input type="text" id="code" name="otc" autofocus spellcheck="false">
    {{if .Error}}<p class="error" id="error" role="alert">{{.Error}}</p>{{end}}
    <div class="buttons"><button type="submit" class="primary" id="next">Next</button></div>
  </form>
</div>
{{template "foot"}}{{end}}

{{define "home"}}{{template "head" "Sandbox"}}
<div class="card">
  <div class="brand">Onboard365 sandbox</div>
  <h1>A simulated Microsoft cloud on this computer</h1>
  <p>This sandbox stands in for Microsoft's sign-in service, Microsoft Graph and Partner Center, so Onboard365 can be tried without a real tenant. Everything in it is made up and disappears when it stops.</p>
  <p>Partner tenant: <strong>{{.Partner}}</strong> <span class="small">({{.PartnerID}})</span>, with {{.Customers}} customers.</p>
</div>
{{template "accounts" .}}
{{template "foot"}}{{end}}
`))
