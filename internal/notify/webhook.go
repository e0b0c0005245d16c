package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/onboard365/onboard365/internal/redact"
	"github.com/onboard365/onboard365/internal/words"
)

// Teams posts to a Microsoft Teams webhook: a channel's Workflows webhook ("Post to a channel
// when a webhook request is received") or an older Incoming Webhook. Both take a message with an
// Adaptive Card attached; the card's text is in RichTextBlocks, whose text runs Teams shows as
// written (a TextBlock would read Markdown in a customer's name as links).
type Teams struct {
	// URL is the webhook's address, from the keychain: a secret.
	URL string
	// Client sends the request (nil: one that does not follow redirects, so the notice cannot be
	// sent on to another address).
	Client *http.Client
}

// Name is "Teams".
func (Teams) Name() string { return "Teams" }

// Notify posts m to the channel.
func (t Teams) Notify(ctx context.Context, m Message) error {
	m = clean(m)
	type run struct {
		Type   string `json:"type"`
		Text   string `json:"text"`
		Weight string `json:"weight,omitempty"`
		Size   string `json:"size,omitempty"`
		Color  string `json:"color,omitempty"`
		Subtle bool   `json:"isSubtle,omitempty"`
	}
	type block struct {
		Type    string `json:"type"`
		Inlines []run  `json:"inlines"`
		Spacing string `json:"spacing,omitempty"`
	}
	text := func(r run, spacing string) block {
		r.Type = "TextRun"
		return block{Type: "RichTextBlock", Inlines: []run{r}, Spacing: spacing}
	}
	body := []block{text(run{Text: m.Title, Weight: "Bolder", Size: "Medium"}, "")}
	if m.Summary != "" {
		body = append(body, text(run{Text: m.Summary}, ""))
	}
	items, more := shown(m.Items)
	for _, it := range items {
		color := "Attention"
		if it.Good {
			color = "Good"
		}
		body = append(body, text(run{Text: it.Heading, Weight: "Bolder", Color: color}, "Medium"))
		if it.Text != "" {
			body = append(body, text(run{Text: it.Text}, "None"))
		}
		if it.Fix != "" {
			body = append(body, text(run{Text: it.Fix, Subtle: true}, "None"))
		}
	}
	if more > 0 {
		body = append(body, text(run{Text: fmt.Sprintf("And %d more: open Onboard365 to see them all.", more), Subtle: true}, "Medium"))
	}
	payload := map[string]any{
		"type": "message",
		"attachments": []any{map[string]any{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"contentUrl":  nil,
			"content": map[string]any{
				"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
				"type":    "AdaptiveCard",
				"version": "1.4",
				"body":    body,
			},
		}},
	}
	return post(ctx, t.Client, t.URL, "Teams", payload)
}

// Slack posts to a Slack incoming webhook: the summary as the message's text (what Slack's own
// notification shows), and the detail in plain-text blocks, which Slack shows as written.
type Slack struct {
	// URL is the webhook's address, from the keychain: a secret.
	URL string
	// Client sends the request (nil: one that does not follow redirects).
	Client *http.Client
}

// Name is "Slack".
func (Slack) Name() string { return "Slack" }

// Notify posts m to the channel.
func (s Slack) Notify(ctx context.Context, m Message) error {
	m = clean(m)
	type textObj struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	type block struct {
		Type string  `json:"type"`
		Text textObj `json:"text"`
	}
	plain := func(kind, s string, max int) block {
		if r := []rune(s); len(r) > max {
			s = string(r[:max-1]) + "…"
		}
		return block{Type: kind, Text: textObj{Type: "plain_text", Text: s}}
	}
	blocks := []block{plain("header", m.Title, 150)}
	if m.Summary != "" {
		blocks = append(blocks, plain("section", m.Summary, 3000))
	}
	items, more := shown(m.Items)
	for _, it := range items {
		mark := "⚠ "
		if it.Good {
			mark = "✓ "
		}
		lines := []string{mark + it.Heading}
		for _, l := range []string{it.Text, it.Fix} {
			if l != "" {
				lines = append(lines, l)
			}
		}
		blocks = append(blocks, plain("section", strings.Join(lines, "\n"), 3000))
	}
	if more > 0 {
		blocks = append(blocks, plain("section", fmt.Sprintf("And %d more: open Onboard365 to see them all.", more), 3000))
	}
	summary := m.Title
	if m.Summary != "" {
		summary += ": " + m.Summary
	}
	// The text is read as Slack's markup: &, < and > are written as Slack asks, so that nothing in
	// a name becomes a link or a mention.
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	return post(ctx, s.Client, s.URL, "Slack", map[string]any{"text": esc.Replace(summary), "blocks": blocks})
}

// post sends payload as JSON to a webhook and reads its answer. Its errors are sentences that
// never hold the address (a url.Error would).
func post(ctx context.Context, client *http.Client, address, name string, payload any) error {
	u, err := url.Parse(address)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return sentence(fmt.Sprintf("The %s webhook's address is not a web address that starts with https://: copy it again from %s.", name, name), nil)
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return sentence(fmt.Sprintf("The notice for %s could not be written.", name), err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, address, bytes.NewReader(body))
	if err != nil {
		return sentence(fmt.Sprintf("The notice for %s could not be sent.", name), nil)
	}
	req.Header.Set("Content-Type", "application/json")
	if client == nil {
		client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	resp, err := client.Do(req)
	if err != nil {
		return sentence(reachError(name, u.Hostname(), err), unwrapURL(err))
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	said := answerText(string(answer))
	why := ""
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		why = "it sent the notice on to another address, which Onboard365 does not follow: copy the webhook's address again"
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		why = "it does not know the webhook: it was removed, or its address was copied wrong"
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		why = "it refused the webhook: it was turned off, or the workflow's owner no longer has access"
	case resp.StatusCode == http.StatusTooManyRequests:
		why = "it is receiving too many notices just now; the next run tries again"
	case resp.StatusCode >= 500:
		why = "it had a problem of its own; the next run tries again"
	default:
		why = "it did not accept the notice"
	}
	s := fmt.Sprintf("%s answered %d: %s.", name, resp.StatusCode, why)
	if said != "" {
		s += " It said: " + said
	}
	return sentence(s, fmt.Errorf("HTTP %d", resp.StatusCode))
}

// answerText keeps a server's answer short, on one line, and free of secret-shaped runs.
func answerText(s string) string {
	s, _ = redact.Scrub(words.Line(s, 200))
	return s
}

// reachError says why a webhook could not be reached, naming its host only.
func reachError(name, host string, err error) string {
	var dns *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("%s (%s) did not answer in time.", name, host)
	case errors.As(err, &dns):
		return fmt.Sprintf("%s could not be reached: %s is not a name this computer can find (check the network, or the webhook's address).", name, host)
	case strings.Contains(err.Error(), "certificate"):
		return fmt.Sprintf("%s could not be reached safely: %s's certificate was not accepted.", name, host)
	}
	return fmt.Sprintf("%s could not be reached at %s: check this computer's network connection.", name, host)
}

// unwrapURL takes the url.Error off err, so that the address (with its secret part) stays out
// of anything logged.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
