// Package troubleshoot finds why Microsoft refuses a partner's tools in a customer tenant (the
// infamous "400" of an integration, seed 000) and fixes what can be fixed safely. Today each cause
// is a hunt through portals; Diagnose runs every check as one diagnosis, for one customer or all.
//
// The partner tenant's checks:
//   - MFA enforcement: security defaults are on, or an enabled Conditional Access policy requires
//     MFA for all users (or for the AdminAgents group); exclusions that leave admins without MFA
//     are named, and so are trusted locations that skip MFA.
//   - Risky account: the signed-in technician (and the integration's service account, when the
//     user names it) is not a risky user in Identity Protection. A risky account gets AADSTS530034
//     from every customer; the fix dismisses the risk, after the user has read what that means.
//     Without Entra ID P2 the check says it could not run.
//   - Your sign-in: the technician's sign-in carries MFA (auth.Check on its claims).
//
// Each customer's checks:
//   - Access: Microsoft gives the technician a token there through GDAP. Its refusals name the
//     cause: 53003 (Conditional Access), 530034 (risky account), 90099 (no consent), 50020 (no
//     GDAP access).
//   - Conditional Access: every policy read with the customer's token goes through Analyse: does
//     it take in guest and external users of type serviceProvider from the partner tenant
//     (includeGuestsOrExternalUsers, or all users), without excluding them, and block them or
//     demand what a partner sign-in cannot give (a compliant or domain-joined device of the
//     customer's, an approved app, a third-party MFA)? The finding names the policy and the
//     clause in plain words. A policy that blocks every technician also stops Onboard365 from
//     reading the policies through GDAP: then a customer's own administrator signs in
//     (Options.Admins) and the check runs with that sign-in.
//   - Sign-in log: failed sign-ins from the partner tenant with error 53003 and the policies that
//     failed them (beta, non-interactive sign-ins), where the customer's licence keeps the log.
//   - GDAP roles and groups: the internal/gdap verdict for the integration's role profile.
//   - Entra ID P1: Conditional Access and the sign-in log need it.
//
// Fixes (Fix, Apply): ExcludeServiceProviders (made by ExcludePartner) adds the partner tenant to a blocking policy's
// excludeGuestsOrExternalUsers as serviceProvider, merged with what is already there, every other
// field unchanged (read, modify and write the conditions; then read again and prove it); it needs
// Conditional Access Administrator or Security Administrator through GDAP, or a customer
// administrator's sign-in. DismissRisk dismisses the risk on a partner account. Nothing changes
// until the caller applies the fixes the person ticked; a fix is Safe when it changes exactly
// what its reason says and nothing the person must weigh.
//
// The package knows nothing of the window: the GUI, the CLI (onboard365 check troubleshoot) and
// the tests use it alike. No token or secret reaches a sentence, a report or an error.
package troubleshoot
