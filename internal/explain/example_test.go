package explain_test

import (
	"fmt"

	"github.com/onboard365/onboard365/internal/explain"
)

func ExampleFromText() {
	err := fmt.Errorf("redeem refresh token for tenant contoso: %w",
		fmt.Errorf("invalid_grant: AADSTS700082: The refresh token has expired due to inactivity."))
	e := explain.FromText(err.Error())
	fmt.Println(e.Code)
	fmt.Println(e.What)
	fmt.Println(e.Do)
	// Output:
	// AADSTS700082
	// The saved sign-in has expired.
	// Go to Sign in and sign in again with MFA. The app then stores the new sign-in in your keychain.
}

func ExampleFromResponse() {
	body := []byte(`{"code":900421,"description":"...","errorName":"...","isRetryable":false,"source":"PartnerFD"}`)
	e := explain.FromResponse(401, body)
	fmt.Println(e.Code)
	fmt.Println(e.LearnURL)
	// Output:
	// Partner Center 900421
	// https://learn.microsoft.com/partner-center/security/partner-security-requirements-mandating-mfa
}

func ExampleLookup() {
	e, known := explain.Lookup("aadsts90099")
	fmt.Println(e.Code, known)
	fmt.Println(e.Do)
	_, known = explain.Lookup("AADSTS12345")
	fmt.Println(known)
	// Output:
	// AADSTS90099 true
	// Open App registration and run customer consent for this customer. Then try again.
	// false
}
