// Package appreg creates and repairs Onboard365's app registration in the partner tenant (the
// Secure Application Model app) and consents it in customers, following the house rule: read,
// plan, apply on a click, read again.
//
//   - Read finds the app (by the client id the keychain holds, else by name) and reads its
//     service principal, redirect addresses, permissions, secrets and admin consent.
//   - PlanChanges compares that with what the permission table needs (package permissions) and
//     lists each change with its reason: create or patch the app, add exactly the missing
//     permissions and redirect addresses, add a secret when none in the keychain is valid for
//     more than 30 days, create the service principal, grant admin consent. A correct app gives
//     an empty plan.
//   - Apply makes the changes, waiting visibly while Entra finishes setting up a new app (it is
//     not found for a few seconds after it is made), proves a new secret works before keeping it
//     in the keychain, and removes an old secret only after the new one works.
//   - ReadCustomers and ConsentCustomers check and make the consent in each customer through
//     Partner Center's applicationconsents, with a result per customer.
//   - Rotate replaces the secret, the old one removed only once the new one works.
//
// The app registration is managed through an AdminSession: a one-off administrator sign-in with
// Microsoft's own Graph command line client, in memory only, so the app itself never holds the
// right to manage app registrations or grant consent.
//
// Every failure a person can see is a *Problem: what happened, why, and what to do.
package appreg
