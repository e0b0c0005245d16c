package watch

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/notify"
)

// TestWatchRunsTellAWebhookOncePerChange is what `watch run` does each morning, with the health
// check's findings given: the memory decides what to tell, Message words it, and notify delivers
// it to a Teams webhook on loopback. A day without a change posts nothing.
func TestWatchRunsTellAWebhookOncePerChange(t *testing.T) {
	var mu sync.Mutex
	var posts []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		posts = append(posts, string(b))
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	teams := notify.Teams{URL: srv.URL + "/workflows/secret", Client: srv.Client()}
	store := OpenStore(filepath.Join(t.TempDir(), "watch-state.json"))

	run := func(n int, findings ...Finding) []Change {
		t.Helper()
		changes, err := store.Update(context.Background(), Result{CheckedAt: day(n), Findings: findings},
			func(ctx context.Context, c []Change) error {
				rep := notify.Send(ctx, Message(c, day(n)), 5*time.Second, teams)
				if len(rep.Delivered) == 0 {
					return rep.Failed[0]
				}
				return nil
			})
		if err != nil {
			t.Fatalf("day %d: %v", n, err)
		}
		return changes
	}
	run(0, expiry(Pass, "", 90), consent(Pass), secret(Pass, "", 200))
	run(1, expiry(Warning, "30d", 30), consent(Fail), secret(Warning, "30d", 25))
	run(2, expiry(Warning, "30d", 29), consent(Fail), secret(Warning, "30d", 24))
	run(3, expiry(Warning, "30d", 28), consent(Pass), secret(Warning, "30d", 23))
	run(4, expiry(Warning, "30d", 27), consent(Pass), secret(Warning, "30d", 22))

	mu.Lock()
	defer mu.Unlock()
	if len(posts) != 2 {
		t.Fatalf("the webhook got %d posts; want 2 (day 1's three problems, day 3's fix)", len(posts))
	}
	var card struct {
		Attachments []struct {
			Content struct {
				Body []struct {
					Inlines []struct{ Text string } `json:"inlines"`
				} `json:"body"`
			} `json:"content"`
		} `json:"attachments"`
	}
	text := func(post string) string {
		if err := json.Unmarshal([]byte(post), &card); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, b := range card.Attachments[0].Content.Body {
			out = append(out, b.Inlines[0].Text)
		}
		return strings.Join(out, "\n")
	}
	first, second := text(posts[0]), text(posts[1])
	for _, want := range []string{"Onboard365: 3 problems to look at", "Fabrikam: Relationship end", "Relecloud: Consent", "Your partner tenant: App secret"} {
		if !strings.Contains(first, want) {
			t.Errorf("day 1's post lacks %q:\n%s", want, first)
		}
	}
	if !strings.Contains(second, "Onboard365: 1 problem solved") || !strings.Contains(second, "Fixed after 2 days: The Onboard365 app is consented") {
		t.Errorf("day 3's post:\n%s", second)
	}
}
