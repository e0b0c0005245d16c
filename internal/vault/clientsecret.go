package vault

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// clientSecret is the JSON stored under ClientSecretName.
type clientSecret struct {
	ClientID string    `json:"client_id"`
	Secret   string    `json:"secret"`
	Expires  time.Time `json:"expires,omitzero"`
}

// PutClientSecret stores the app registration's client secret (one app at a time: it replaces
// any secret stored before) with the time it expires, for Settings to show.
func (v *Vault) PutClientSecret(ctx context.Context, clientID, secret string, expires time.Time) error {
	if clientID == "" || secret == "" {
		return errors.New("vault: a client secret needs both the application (client) ID and the secret")
	}
	b, err := json.Marshal(clientSecret{ClientID: clientID, Secret: secret, Expires: expires.UTC()})
	if err != nil {
		return errors.New("vault: the client secret could not be encoded")
	}
	return v.Put(ctx, ClientSecretName, b)
}

// ClientSecret returns the stored client secret: ErrNotFound when none is stored, a *DamagedError
// when it cannot be read back, an *UnavailableError when the keychain cannot be used.
func (v *Vault) ClientSecret(ctx context.Context) (clientID, secret string, expires time.Time, err error) {
	b, err := v.Get(ctx, ClientSecretName)
	if err != nil {
		return "", "", time.Time{}, err
	}
	var cs clientSecret
	// Never wrap json's error: its message may quote part of the input, which holds the secret.
	if json.Unmarshal(b, &cs) != nil || cs.ClientID == "" || cs.Secret == "" {
		return "", "", time.Time{}, &DamagedError{Name: ClientSecretName, Detail: "the stored client secret is not in the expected form"}
	}
	return cs.ClientID, cs.Secret, cs.Expires, nil
}
