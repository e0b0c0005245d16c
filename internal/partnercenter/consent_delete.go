package partnercenter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// DeleteApplicationConsent removes the consent of the partner's app in a customer tenant
// (DELETE /v1/customers/{customerTenantId}/applicationconsents/{applicationId}, "Control Panel
// Vendor APIs"). Partner Center cannot change an existing consent, so a consent that must hold
// more permissions is removed and made again. A consent that is already gone (404) is not an
// error.
func (c *Client) DeleteApplicationConsent(ctx context.Context, customerTenantID, applicationID string) error {
	if strings.TrimSpace(customerTenantID) == "" || strings.TrimSpace(applicationID) == "" {
		return fmt.Errorf("partner center application consent: %w", errors.New("the customer tenant id and the application id are both needed"))
	}
	r := request{
		method: http.MethodDelete,
		path:   "/v1/customers/" + url.PathEscape(customerTenantID) + "/applicationconsents/" + url.PathEscape(applicationID),
	}
	_, err := c.do(ctx, r)
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		return nil
	}
	return err
}
