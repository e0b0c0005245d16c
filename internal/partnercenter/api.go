package partnercenter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/onboard365/onboard365/internal/redact"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// customersPageSize is the size of one page of customers; 40 is the value of
// Microsoft's own example in "Get a list of customers".
const customersPageSize = 40

// OrganizationProfile is the partner's organization profile (documented
// properties only; "links" and "attributes" are left out).
type OrganizationProfile struct {
	ID             string  `json:"id"`
	CompanyName    string  `json:"companyName"`
	DefaultAddress Address `json:"defaultAddress"`
	TenantID       string  `json:"tenantId"`
	Domain         string  `json:"domain"` // for example contoso.onmicrosoft.com
	Email          string  `json:"email"`
	Language       string  `json:"language"`
	Culture        string  `json:"culture"`
	ProfileType    string  `json:"profileType"` // "OrganizationProfile"
}

// Address is a postal address of a partner or customer profile.
type Address struct {
	Country      string `json:"country"` // ISO country code
	Region       string `json:"region"`
	City         string `json:"city"`
	State        string `json:"state"`
	AddressLine1 string `json:"addressLine1"`
	AddressLine2 string `json:"addressLine2"`
	PostalCode   string `json:"postalCode"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	PhoneNumber  string `json:"phoneNumber"`
}

// Customer is one of the partner's customers, as listed by ListCustomers.
type Customer struct {
	ID             string         `json:"id"` // the customer id in Partner Center (the tenant id for most customers)
	CompanyProfile CompanyProfile `json:"companyProfile"`
	// RelationshipToPartner is the licensing programme between partner and
	// customer: "none", "reseller", "advisor", "syndication", "microsoft_support"...
	RelationshipToPartner string `json:"relationshipToPartner"`
}

// CompanyProfile is the part of a customer that names its tenant.
type CompanyProfile struct {
	TenantID    string `json:"tenantId"`    // the customer's Microsoft Entra tenant id
	Domain      string `json:"domain"`      // for example fabrikam.onmicrosoft.com
	CompanyName string `json:"companyName"` // the organization's name
}

// ApplicationConsent asks Partner Center to consent the partner's
// multi-tenant app in a customer tenant, with the delegated scopes listed per
// resource app.
type ApplicationConsent struct {
	ApplicationID     string             `json:"applicationId"`         // the partner app's application (client) id
	ApplicationGrants []ApplicationGrant `json:"applicationGrants"`     // one per resource app
	DisplayName       string             `json:"displayName,omitempty"` // optional; the Partner Center PowerShell module sends the app's name
}

// ApplicationGrant is the consent for one resource app.
type ApplicationGrant struct {
	// EnterpriseApplicationID is the resource app's application id, for
	// example 00000003-0000-0000-c000-000000000000 for Microsoft Graph.
	EnterpriseApplicationID string `json:"enterpriseApplicationId"`
	// Scope lists the delegated permissions, comma-separated:
	// "Directory.Read.All,User.Read.All".
	Scope string `json:"scope"`
}

// GetOrganizationProfile reads the partner's organization profile
// (GET /v1/profiles/organization; App+User tokens only).
func (c *Client) GetOrganizationProfile(ctx context.Context) (OrganizationProfile, error) {
	r := request{method: http.MethodGet, path: "/v1/profiles/organization"}
	a, err := c.do(ctx, r)
	if err != nil {
		return OrganizationProfile{}, err
	}
	var p OrganizationProfile
	if err := decodeInto(r, a, &p); err != nil {
		return OrganizationProfile{}, err
	}
	return p, nil
}

// ListCustomers reads all the partner's customers (GET /v1/customers),
// following Partner Center's continuation: each page's links.next gives the
// next page's address (relative to /v1) and the MS-ContinuationToken header
// to send with it.
//
// It returns all customers or an error, never a short list: a page that is
// not valid JSON or lacks "items" is a *DecodeError naming the request and the
// page; so is a next link to another host or one that repeats an earlier page.
func (c *Client) ListCustomers(ctx context.Context) ([]Customer, error) {
	r := request{method: http.MethodGet, path: "/v1/customers?size=" + strconv.Itoa(customersPageSize)}
	first := r.shown()
	seen := map[string]bool{pageKey(r): true}
	var all []Customer
	for page := 1; ; page++ {
		a, err := c.do(ctx, r)
		if err != nil {
			if page > 1 {
				return nil, fmt.Errorf("page %d: %w", page, err)
			}
			return nil, err
		}
		items, next, err := decodeCustomers(a.body)
		if err != nil {
			return nil, &DecodeError{Service: service, Method: r.method, Path: first, Page: page, Reason: "the page is not a readable customer list", Err: err}
		}
		all = append(all, items...)
		if next == nil {
			return all, nil
		}
		if r, err = nextRequest(*next); err != nil {
			return nil, &DecodeError{Service: service, Method: http.MethodGet, Path: first, Page: page, Reason: "refused to follow links.next", Err: err}
		}
		if seen[pageKey(r)] {
			return nil, &DecodeError{Service: service, Method: http.MethodGet, Path: first, Page: page, Reason: "links.next repeats an earlier page, so the list would never end"}
		}
		seen[pageKey(r)] = true
	}
}

// CreateApplicationConsent consents the partner's app in a customer tenant
// (POST /v1/customers/{customerTenantId}/applicationconsents), so that partner
// users can use the app there (Secure Application Model under GDAP).
//
// Partner Center answers 201 Created. It answers 409 Conflict when a consent
// for this application already exists in the customer tenant: this is
// treated as done and returns nil. Partner Center does not change an existing
// consent, so a consent whose scopes must change has to be removed first
// (DELETE .../applicationconsents/{applicationId}).
func (c *Client) CreateApplicationConsent(ctx context.Context, customerTenantID string, consent ApplicationConsent) error {
	if err := checkConsent(customerTenantID, consent); err != nil {
		return fmt.Errorf("partner center application consent: %w", err)
	}
	r := request{
		method: http.MethodPost,
		path:   "/v1/customers/" + url.PathEscape(customerTenantID) + "/applicationconsents",
		body:   consent,
	}
	_, err := c.do(ctx, r)
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusConflict {
		return nil
	}
	return err
}

func checkConsent(customerTenantID string, consent ApplicationConsent) error {
	if strings.TrimSpace(customerTenantID) == "" {
		return errors.New("the customer tenant id is empty")
	}
	if strings.TrimSpace(consent.ApplicationID) == "" {
		return errors.New("the application id is empty")
	}
	if len(consent.ApplicationGrants) == 0 {
		return errors.New("no application grants: name at least one resource app and its scopes")
	}
	for i, g := range consent.ApplicationGrants {
		if strings.TrimSpace(g.EnterpriseApplicationID) == "" || strings.TrimSpace(g.Scope) == "" {
			return fmt.Errorf("grant %d needs both an enterpriseApplicationId and a scope", i+1)
		}
	}
	return nil
}

// link is a Partner Center resource link: {"uri", "method", "headers":[{"key","value"}]}.
type link struct {
	URI     string `json:"uri"`
	Method  string `json:"method"`
	Headers []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"headers"`
}

// decodeCustomers reads one page of customers:
//
//	{"totalCount": 2, "items": [...], "links": {"self": {...}, "next": {"uri": "...", "method": "GET", "headers": [{"key": "MS-ContinuationToken", "value": "..."}]}}, "attributes": {"objectType": "Collection"}}
//
// "items" must be present and an array; next is nil on the last page.
func decodeCustomers(body []byte) (items []Customer, next *link, err error) {
	var p struct {
		Items *[]Customer `json:"items"`
		Links struct {
			Next *link `json:"next"`
		} `json:"links"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, nil, err
	}
	if p.Items == nil {
		return nil, nil, errors.New(`the page has no "items" array`)
	}
	return *p.Items, p.Links.Next, nil
}

// nextRequest turns links.next into the request for the next page. Its uri is
// relative to /v1 ("customers?seekOperation=Next", as the Partner Center SDK
// reads it); a uri that already starts with /v1/ is taken as it is. A uri with
// a scheme or host is refused, so the token never leaves the base URL.
func nextRequest(l link) (request, error) {
	if l.Method != "" && !strings.EqualFold(l.Method, http.MethodGet) {
		return request{}, fmt.Errorf("the next page wants method %q; only GET is expected", redact.Field(l.Method))
	}
	uri := strings.TrimSpace(l.URI)
	if uri == "" {
		return request{}, errors.New("links.next has no uri")
	}
	u, err := url.Parse(uri)
	if err != nil {
		return request{}, fmt.Errorf("links.next.uri is not a valid address: %w", err)
	}
	if u.Scheme != "" || u.Host != "" || strings.HasPrefix(uri, "//") || strings.ContainsAny(uri, "\\\r\n") {
		return request{}, errors.New("links.next.uri points to another host; the client only sends its token to its base URL")
	}
	p := strings.TrimPrefix(uri, "/")
	if !strings.HasPrefix(p, "v1/") {
		p = "v1/" + p
	}
	r := request{method: http.MethodGet, path: "/" + p, header: http.Header{}}
	for _, h := range l.Headers {
		if !validHeaderName(h.Key) || strings.ContainsAny(h.Value, "\r\n\x00") {
			return request{}, errors.New("links.next has a header that cannot be sent")
		}
		r.header.Add(h.Key, h.Value)
	}
	return r, nil
}

// pageKey identifies a page request: its path and continuation token.
func pageKey(r request) string {
	return r.path + "\x00" + strings.Join(r.header.Values("MS-ContinuationToken"), "\x00")
}

// validHeaderName reports whether s is a valid HTTP header name (an RFC 9110 token).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// RelationshipRequest is Partner Center's reseller relationship invitation: the link a customer
// (or an organization that is not one yet) opens to make the partner its reseller.
type RelationshipRequest struct {
	URL string `json:"url"`
}

// GetRelationshipRequest reads the partner's reseller relationship invitation link
// (GET /v1/customers/relationshiprequests, request-reseller-relationship.md; App+User only).
// The link is the same for every customer: whoever accepts it becomes one. An answer without a
// link is a *DecodeError.
func (c *Client) GetRelationshipRequest(ctx context.Context) (RelationshipRequest, error) {
	r := request{method: http.MethodGet, path: "/v1/customers/relationshiprequests"}
	a, err := c.do(ctx, r)
	if err != nil {
		return RelationshipRequest{}, err
	}
	var rr RelationshipRequest
	if err := decodeInto(r, a, &rr); err != nil {
		return RelationshipRequest{}, err
	}
	if !httpsLink(rr.URL) {
		return RelationshipRequest{}, &DecodeError{Service: service, Method: r.method, Path: r.shown(), Reason: "the answer holds no https link"}
	}
	return rr, nil
}

// httpsLink says whether s is an https address with a host: a link the person can open.
func httpsLink(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && u.Scheme == "https" && u.Host != "" && !strings.ContainsAny(s, "\r\n\x00")
}
