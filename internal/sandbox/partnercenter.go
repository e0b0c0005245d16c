package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/onboard365/onboard365/internal/reference/learn"
)

// Partner Center: the partner's organization profile, its customers, and application consents in
// customers. Every App+User call needs MFA in the token (enforced since 2026-04-01): without it
// the answer is 401 with error 900421.

func (s *Server) partnerCenterRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /v1/profiles/organization", s.partnerCall(getOrganizationProfile))
	s.handle(mux, "GET /v1/customers", s.partnerCall(listCustomers))
	s.handle(mux, "GET /v1/customers/relationshiprequests", s.partnerCall(getRelationshipRequest))
	s.handle(mux, "POST /v1/customers/{customerId}/applicationconsents", s.partnerCall(createApplicationConsent))
	s.handle(mux, "DELETE /v1/customers/{customerId}/applicationconsents/{applicationId}", s.partnerCall(deleteApplicationConsent))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writePartnerCenterError(w, http.StatusNotFound, "404", "The sandbox does not simulate "+r.Method+" "+r.URL.Path+".")
	})
}

type partnerHandler func(s *Server, w http.ResponseWriter, r *http.Request, p *principal)

// partnerCall checks the token (Partner Center audience, a partner user, MFA) and runs h with
// the world locked.
func (s *Server) partnerCall(h partnerHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, authErr := s.authenticate(r, audPartnerCenter)
		if authErr != nil {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writePartnerCenterError(w, http.StatusUnauthorized, "401", authErr.message)
			return
		}
		page, ok := s.pages.Get(learn.PartnerCenter, r.Method, templateOr(r.Pattern, r.URL.Path))
		if !ok {
			writePartnerCenterError(w, http.StatusNotImplemented, "501", "The sandbox has no Microsoft page for "+r.Method+" "+r.URL.Path+".")
			return
		}
		// App+User calls carry Partner Center's delegated permission (partner-center-authentication.md).
		if p.user != nil && !learn.Satisfied(page.Delegated, p.scopes) {
			writePartnerCenterError(w, http.StatusForbidden, "403", "The access token does not carry "+strings.Join(learn.Missing(page.Delegated, p.scopes), " and ")+".")
			return
		}
		for key := range r.URL.Query() {
			if !page.SupportsQuery(key) {
				writePartnerCenterError(w, http.StatusBadRequest, "400", "The parameter '"+key+"' is not supported by this request.")
				return
			}
		}
		s.world.mu.Lock()
		defer s.world.mu.Unlock()
		s.world.settleCustomers() // reseller invitations accepted by now (scenario_onboard.go)
		if p.tenant != s.world.partner {
			writePartnerCenterError(w, http.StatusForbidden, "403", "Partner Center accepts tokens of the partner's own tenant only.")
			return
		}
		if p.user != nil && !p.hasMFA() {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writePartnerCenterError(w, http.StatusUnauthorized, "900421",
				"Multi-factor authentication is required: the access token has no mfa claim in amr.")
			return
		}
		h(s, w, r, p)
	}
}

// writePartnerCenterError answers with Partner Center's error shape.
func writePartnerCenterError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("MS-RequestId", newID())
	writeJSON(w, status, map[string]any{
		"code":        code,
		"description": description,
		"data":        []any{},
		"source":      "PartnerFD",
	})
}

func getOrganizationProfile(s *Server, w http.ResponseWriter, r *http.Request, p *principal) {
	if p.user == nil {
		writePartnerCenterError(w, http.StatusForbidden, "403", "The organization profile needs App+User authentication.")
		return
	}
	t := s.world.partner
	writeJSON(w, http.StatusOK, map[string]any{
		"id":          t.id,
		"companyName": t.displayName,
		"tenantId":    t.id,
		"domain":      t.domain,
		"email":       "partners@" + t.domain,
		"language":    "en",
		"culture":     "en-US",
		"defaultAddress": map[string]any{
			// Partner Center answers "" for an address line or phone number it has none of
			// (get-an-organization-profile).
			"country": "US", "city": "Redmond", "state": "WA", "addressLine1": "1 Sandbox Way", "addressLine2": "", "postalCode": "98052",
			"firstName": "Alex", "lastName": "Wilber", "phoneNumber": "4255550100",
		},
		"profileType": "organization_profile",
		"links":       map[string]any{"self": map[string]any{"uri": "/profiles/organization", "method": "GET", "headers": []any{}}},
		"attributes":  map[string]any{"etag": stableID(t.domain, "profile", "etag"), "objectType": "OrganizationProfile"},
	})
}

// listCustomers pages with a continuation token carried in the MS-ContinuationToken header.
func listCustomers(s *Server, w http.ResponseWriter, r *http.Request, p *principal) {
	size := 100
	if v := r.URL.Query().Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writePartnerCenterError(w, http.StatusBadRequest, "400", "The size must be a whole number from 1 to 500.")
			return
		}
		size = min(n, 500)
	}
	start := 0
	if tok := r.Header.Get("MS-ContinuationToken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(raw), "customers:"))
		if err != nil || err2 != nil || n < 0 || n > len(s.world.customers) {
			writePartnerCenterError(w, http.StatusBadRequest, "400", "The continuation token is not valid.")
			return
		}
		start = n
	}
	end := min(start+size, len(s.world.customers))
	items := make([]any, 0, end-start)
	for _, c := range s.world.customers[start:end] {
		relationship := "reseller"
		if s.world.side.adminOnly[c.id] { // scenario_onboard.go
			relationship = "none"
		}
		items = append(items, map[string]any{
			"id": c.id,
			"companyProfile": map[string]any{
				"tenantId": c.id, "domain": c.domain, "companyName": c.displayName,
				"attributes": map[string]any{"objectType": "CustomerCompanyProfile"},
			},
			"relationshipToPartner": relationship,
			"attributes":            map[string]any{"objectType": "Customer"},
		})
	}
	out := map[string]any{
		"totalCount": len(items),
		"items":      items,
		"attributes": map[string]any{"objectType": "Collection"},
	}
	if end < len(s.world.customers) {
		out["links"] = map[string]any{"next": map[string]any{
			"uri":    "/customers?size=" + strconv.Itoa(size) + "&seekOperation=Next",
			"method": "GET",
			"headers": []any{map[string]any{
				"key": "MS-ContinuationToken", "value": base64.RawURLEncoding.EncodeToString([]byte("customers:" + strconv.Itoa(end))),
			}},
		}}
	}
	writeJSON(w, http.StatusOK, out)
}

// getRelationshipRequest answers the partner's reseller relationship invitation link, in the shape
// of request-reseller-relationship.md: App+User only. Whoever accepts it becomes a customer
// (scenario_onboard.go); the partnerId is the partner's tenant.
func getRelationshipRequest(s *Server, w http.ResponseWriter, r *http.Request, p *principal) {
	if p.user == nil {
		writePartnerCenterError(w, http.StatusForbidden, "403", "The relationship request link needs App+User authentication.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"url":        "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=" + s.world.partner.id + "&msppId=0&DAP=false#/BillingAccounts/partner-invitation",
		"attributes": map[string]any{"objectType": "RelationshipRequest"},
	})
}

type consentBody struct {
	ApplicationID     string `json:"applicationId"`
	ApplicationGrants []struct {
		EnterpriseApplicationID string `json:"enterpriseApplicationId"`
		Scope                   string `json:"scope"`
	} `json:"applicationGrants"`
}

func createApplicationConsent(s *Server, w http.ResponseWriter, r *http.Request, p *principal) {
	customer := s.world.tenant(r.PathValue("customerId"))
	if customer == nil || !s.world.isCustomer(customer) {
		writePartnerCenterError(w, http.StatusNotFound, "600008", "The customer was not found among this partner's customers.")
		return
	}
	var body consentBody
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	if err != nil || body.ApplicationID == "" || len(body.ApplicationGrants) == 0 {
		writePartnerCenterError(w, http.StatusBadRequest, "400", "The body needs applicationId and at least one applicationGrants entry.")
		return
	}
	if len(s.world.activeRelationships(customer.id)) == 0 {
		writePartnerCenterError(w, http.StatusForbidden, "403", "The partner has no active admin relationship with this customer, so it cannot consent for it.")
		return
	}
	if !s.world.relationshipAllowsConsent(customer.id) { // scenario_appreg.go
		writePartnerCenterError(w, http.StatusForbidden, "403", "No active admin relationship with this customer includes Application Administrator or Cloud Application Administrator, which consenting an application requires.")
		return
	}
	if _, exists := s.world.consents[customer.id][body.ApplicationID]; exists {
		writePartnerCenterError(w, http.StatusConflict, "409", "Permission entry already exists.")
		return
	}
	var grants []applicationGrant
	for _, g := range body.ApplicationGrants {
		grants = append(grants, applicationGrant{enterpriseApplicationID: g.EnterpriseApplicationID, scope: g.Scope})
	}
	if s.world.consents[customer.id] == nil {
		s.world.consents[customer.id] = map[string][]applicationGrant{}
	}
	s.world.consents[customer.id][body.ApplicationID] = grants
	customer.servicePrincipals = append(customer.servicePrincipals, &servicePrincipal{id: s.world.ids.newID("servicePrincipal", customer.id, body.ApplicationID), appID: body.ApplicationID, displayName: body.ApplicationID})
	writeJSON(w, http.StatusCreated, json.RawMessage(raw))
}

func deleteApplicationConsent(s *Server, w http.ResponseWriter, r *http.Request, p *principal) {
	customer := s.world.tenant(r.PathValue("customerId"))
	appID := r.PathValue("applicationId")
	if customer == nil || s.world.consents[customer.id][appID] == nil {
		writePartnerCenterError(w, http.StatusNotFound, "404", "No consent for this application in this customer.")
		return
	}
	delete(s.world.consents[customer.id], appID)
	kept := customer.servicePrincipals[:0]
	for _, sp := range customer.servicePrincipals {
		if sp.appID != appID {
			kept = append(kept, sp)
		}
	}
	customer.servicePrincipals = kept
	// control-panel-vendor-apis.md: Remove consent answers 200 OK (or 201).
	w.WriteHeader(http.StatusOK)
}

func (w *world) isCustomer(t *tenant) bool {
	for _, c := range w.customers {
		if c == t {
			return true
		}
	}
	return false
}
