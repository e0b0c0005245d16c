package sandbox

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// A person at the sandbox's sign-in pages, over plain HTTP: what someone does in a browser
// window (type the user name and password, choose Sign in, choose Approve or Deny on the
// simulated Microsoft Authenticator prompt), and what the browser then does by itself (post
// the auto-submitting result form to the app's loopback address).
//
// The app uses it for its in-app sandbox sign-in, so a person trying the sandbox never meets a
// certificate warning in a real browser, and tests use it to drive MSAL's interactive flow.
//
// The pages are the sandbox's own html/template output, so a small form reader is enough: it
// reads every <form> with its action, its <input> fields and its submit <button>s, in any
// attribute order. A password is only ever posted to the origin of the authorize URL, and the
// final result only to a loopback address (MSAL's listener).

// maxPageBytes is the largest page the walker reads.
const maxPageBytes = 1 << 20

// SignInThroughPages signs username in on the sandbox's pages that authorizeURL (MSAL's
// authorize request, as handed to its OpenURL launcher) leads to: GET the authorize URL, post
// the sign-in form, choose Approve (approveMFA) or Deny on the MFA page when it is shown, and
// post the final auto-submit form (a code, or an error) to its action, MSAL's loopback listener.
//
// hc must trust the sandbox's certificate authority (cloud.Cloud.HTTPClient). It is not
// changed; when it has no cookie jar the walk uses a fresh one, like a private window.
//
// It returns nil once the result was delivered to the app, even when that result is an error
// (MFA denied): the app reports it. It returns an error when the pages did not lead there: a
// wrong password, an error page, or a listener that refused the result.
func SignInThroughPages(ctx context.Context, hc *http.Client, authorizeURL, username, password string, approveMFA bool) error {
	return walkPages(ctx, hc, authorizeURL, person{username: username, password: password, approveMFA: approveMFA})
}

// CancelThroughPages opens authorizeURL and chooses Cancel on the sign-in page, as a person who
// changed their mind does, then delivers the resulting error to the app's loopback listener.
func CancelThroughPages(ctx context.Context, hc *http.Client, authorizeURL string) error {
	return walkPages(ctx, hc, authorizeURL, person{cancel: true})
}

// EnterDeviceCode does what a person does with a device code: open verificationURL, type
// userCode, sign in as username and answer the MFA prompt. It returns nil when the sandbox
// says the sign-in is done (the app's device code poll then gets its tokens), and an error
// otherwise.
func EnterDeviceCode(ctx context.Context, hc *http.Client, verificationURL, userCode, username, password string, approveMFA bool) error {
	b, err := newPageBrowser(ctx, hc, verificationURL)
	if err != nil {
		return err
	}
	p, err := b.get(verificationURL)
	if err != nil {
		return err
	}
	f, ok := p.formWith("code")
	if !ok {
		return p.stuck("the device code page")
	}
	if p, err = b.submit(p, f, map[string]string{"code": userCode}, "next"); err != nil {
		return err
	}
	if _, ok := p.formWith("code"); ok {
		return p.stuck("the device code page (the code was not accepted)")
	}
	if p, err = b.signIn(p, person{username: username, password: password, approveMFA: approveMFA}); err != nil {
		return err
	}
	if strings.Contains(p.title(), "signed in") {
		return nil
	}
	return p.stuck("the end of the device code sign-in")
}

// person is what the walker does on the pages.
type person struct {
	username, password string
	approveMFA         bool
	cancel             bool
}

// PageError says where the walk through the sign-in pages stopped and what the page said. It
// holds only the sandbox's own words (title, message, AADSTS code), never a form's values.
type PageError struct {
	Step    string // where it stopped, for example "the sign-in page"
	Status  int    // the page's HTTP status
	Title   string // the page's heading
	Message string // the page's message or error line
	Code    string // an AADSTS code shown on the page, if any
}

func (e *PageError) Error() string {
	s := "the sandbox's sign-in pages stopped at " + e.Step
	if e.Status != 0 && e.Status != http.StatusOK {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	for _, part := range []string{e.Title, e.Message} {
		if part != "" {
			s += ": " + part
		}
	}
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	return s
}

func walkPages(ctx context.Context, hc *http.Client, authorizeURL string, who person) error {
	b, err := newPageBrowser(ctx, hc, authorizeURL)
	if err != nil {
		return err
	}
	p, err := b.get(authorizeURL)
	if err != nil {
		return err
	}
	if p, err = b.signIn(p, who); err != nil {
		return err
	}
	f, ok := p.formByID("autopost")
	if !ok {
		return p.stuck("the page that returns to the app")
	}
	return b.deliver(p, f)
}

// pageBrowser is an HTTP client with cookies, bound to one sandbox origin.
type pageBrowser struct {
	ctx    context.Context
	hc     *http.Client
	origin string // scheme://host of the sandbox
}

func newPageBrowser(ctx context.Context, hc *http.Client, start string) (*pageBrowser, error) {
	if hc == nil {
		return nil, errors.New("no HTTP client to walk the sandbox's sign-in pages with")
	}
	u, err := url.Parse(start)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, errors.New("the sign-in address is not an https:// address of the sandbox")
	}
	c := *hc
	if c.Jar == nil {
		c.Jar, _ = cookiejar.New(nil)
	}
	return &pageBrowser{ctx: ctx, hc: &c, origin: u.Scheme + "://" + u.Host}, nil
}

// signIn answers the sign-in page (when shown) and the MFA page (when shown). It returns the
// page after them.
func (b *pageBrowser) signIn(p webPage, who person) (webPage, error) {
	if f, ok := p.formWith("password"); ok {
		var err error
		if who.cancel {
			if p, err = b.submit(p, f, nil, "cancel"); err != nil {
				return p, err
			}
			return p, nil
		}
		if p, err = b.submit(p, f, map[string]string{"username": who.username, "password": who.password}, "signin"); err != nil {
			return p, err
		}
		if _, again := p.formWith("password"); again {
			return p, p.stuck("the sign-in page (the user name or password was not accepted)")
		}
	}
	if f, ok := p.formWithButton("approve"); ok {
		click := "deny"
		if who.approveMFA {
			click = "approve"
		}
		return b.submit(p, f, nil, click)
	}
	return p, nil
}

// submit fills a form's fields by element id, "clicks" the submit button with id click (which
// adds its name and value), and posts the form to its action on the sandbox's origin.
func (b *pageBrowser) submit(p webPage, f htmlForm, fill map[string]string, click string) (webPage, error) {
	target, err := p.resolve(f.action)
	if err != nil {
		return webPage{}, err
	}
	if !strings.EqualFold(target.Scheme+"://"+target.Host, b.origin) {
		return webPage{}, fmt.Errorf("the sandbox's %s form posts to another address (%s); nothing was sent", p.step(), target.Host)
	}
	values, ok := f.values(fill, click)
	if !ok {
		return webPage{}, p.stuck(p.step() + fmt.Sprintf(" (it has no %q button)", click))
	}
	return b.post(target.String(), values)
}

// deliver posts the auto-submit form to the app's loopback listener, as the page's script does.
func (b *pageBrowser) deliver(p webPage, f htmlForm) error {
	target, err := p.resolve(f.action)
	if err != nil {
		return err
	}
	if target.Scheme != "http" && target.Scheme != "https" || !isLoopbackHost(target.Hostname()) {
		return fmt.Errorf("the sign-in result would go to %s, which is not this computer's loopback address; it was not sent", target.Host)
	}
	values, _ := f.values(nil, "")
	back, err := b.post(target.String(), values)
	if err != nil {
		return fmt.Errorf("deliver the sign-in result to the app: %w", err)
	}
	if back.status != http.StatusOK {
		return fmt.Errorf("the app's sign-in listener at %s refused the result with HTTP %d", target.Host, back.status)
	}
	return nil
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func (b *pageBrowser) get(u string) (webPage, error) {
	req, err := http.NewRequestWithContext(b.ctx, http.MethodGet, u, nil)
	if err != nil {
		return webPage{}, errors.New("the sign-in address is not a valid address")
	}
	return b.do(req)
}

func (b *pageBrowser) post(u string, form url.Values) (webPage, error) {
	req, err := http.NewRequestWithContext(b.ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return webPage{}, errors.New("a form's address is not a valid address")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *pageBrowser) do(req *http.Request) (webPage, error) {
	resp, err := b.hc.Do(req)
	if err != nil {
		// The request's address holds no secret (forms are posted in the body), but keep
		// only the host: an authorize URL is long and says nothing useful here.
		var ue *url.Error
		if errors.As(err, &ue) && ue.Err != nil {
			err = ue.Err
		}
		return webPage{}, fmt.Errorf("%s %s: %w", req.Method, req.URL.Host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPageBytes))
	if err != nil {
		return webPage{}, fmt.Errorf("read the page from %s: %w", req.URL.Host, err)
	}
	return webPage{status: resp.StatusCode, url: resp.Request.URL, body: string(body)}, nil
}

// ---------------------------------------------------------------------------------------------
// A small HTML form reader

// page is one answer of the sandbox.
type webPage struct {
	status int
	url    *url.URL // where it came from, for relative form actions
	body   string
}

type htmlForm struct {
	id, action string
	controls   []formControl // inputs and buttons in document order
}

type formControl struct {
	tag, typ, id, name, value string
}

var (
	formRE    = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form\s*>`)
	controlRE = regexp.MustCompile(`(?is)<(input|button)\b([^>]*)>`)
	attrRE    = regexp.MustCompile(`(?s)([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+)))?`)
	titleRE   = regexp.MustCompile(`(?is)<h1\b[^>]*>(.*?)</h1\s*>`)
	messageRE = regexp.MustCompile(`(?is)<p\b[^>]*\bid="(?:message|error)"[^>]*>(.*?)</p\s*>`)
	codeRE    = regexp.MustCompile(`AADSTS\d{4,9}`)
	tagRE     = regexp.MustCompile(`(?s)<[^>]*>`)
)

func attrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(s, -1) {
		name := strings.ToLower(m[1])
		if _, seen := out[name]; seen {
			continue // as in HTML, the first of two equal attributes wins
		}
		out[name] = html.UnescapeString(m[2] + m[3] + m[4])
	}
	return out
}

func (p webPage) forms() []htmlForm {
	var out []htmlForm
	for _, m := range formRE.FindAllStringSubmatch(p.body, -1) {
		a := attrs(m[1])
		f := htmlForm{id: a["id"], action: a["action"]}
		for _, c := range controlRE.FindAllStringSubmatch(m[2], -1) {
			ca := attrs(c[2])
			typ := strings.ToLower(ca["type"])
			tag := strings.ToLower(c[1])
			if typ == "" {
				typ = "text"
				if tag == "button" {
					typ = "submit"
				}
			}
			f.controls = append(f.controls, formControl{tag: tag, typ: typ, id: ca["id"], name: ca["name"], value: ca["value"]})
		}
		out = append(out, f)
	}
	return out
}

// formWith is the first form with a field whose id is id.
func (p webPage) formWith(id string) (htmlForm, bool) {
	for _, f := range p.forms() {
		for _, c := range f.controls {
			if c.id == id && c.typ != "submit" && c.typ != "button" {
				return f, true
			}
		}
	}
	return htmlForm{}, false
}

// formWithButton is the first form with a submit button whose id is id.
func (p webPage) formWithButton(id string) (htmlForm, bool) {
	for _, f := range p.forms() {
		for _, c := range f.controls {
			if c.id == id && c.typ == "submit" {
				return f, true
			}
		}
	}
	return htmlForm{}, false
}

func (p webPage) formByID(id string) (htmlForm, bool) {
	for _, f := range p.forms() {
		if f.id == id {
			return f, true
		}
	}
	return htmlForm{}, false
}

// values is what a browser sends for the form: every named field, with fill's values for the
// fields whose ids it names, and the name and value of the clicked submit button. ok is false
// when click names no submit button of the form.
func (f htmlForm) values(fill map[string]string, click string) (url.Values, bool) {
	v := url.Values{}
	clicked := click == ""
	for _, c := range f.controls {
		switch c.typ {
		case "submit", "image":
			if c.id == click && click != "" {
				clicked = true
				if c.name != "" {
					v.Add(c.name, c.value)
				}
			}
		case "button", "reset", "file", "checkbox", "radio":
			// not sent by this walker (the sandbox's pages have none that matter)
		default:
			if c.name == "" {
				continue
			}
			value := c.value
			if x, ok := fill[c.id]; ok && c.id != "" {
				value = x
			}
			v.Add(c.name, value)
		}
	}
	return v, clicked
}

func (p webPage) resolve(action string) (*url.URL, error) {
	ref, err := url.Parse(action)
	if err != nil {
		return nil, errors.New("a form on the sandbox's page has an address that is not valid")
	}
	if p.url == nil {
		return ref, nil
	}
	return p.url.ResolveReference(ref), nil
}

func (p webPage) title() string { return textOf(titleRE, p.body) }

// step names the page in words, for errors.
func (p webPage) step() string {
	switch {
	case strings.Contains(p.body, `id="password"`):
		return "sign-in"
	case strings.Contains(p.body, `id="approve"`):
		return "MFA"
	case strings.Contains(p.body, `id="code"`):
		return "device code"
	}
	return "sign-in"
}

// stuck describes a page the walk cannot go on from.
func (p webPage) stuck(step string) *PageError {
	e := &PageError{Step: step, Status: p.status, Title: p.title(), Message: textOf(messageRE, p.body)}
	e.Code = codeRE.FindString(p.body)
	return e
}

// textOf is the first match of re's group 1 as plain text (tags removed, entities decoded,
// spaces collapsed, at most 300 bytes).
func textOf(re *regexp.Regexp, body string) string {
	m := re.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	s := strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(m[1], " "))), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
