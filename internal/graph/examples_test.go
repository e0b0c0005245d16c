package graph

import (
	"encoding/json"
	"testing"

	"github.com/onboard365/onboard365/internal/reference/learn/learntest"
)

// TestMicrosoftsExampleAnswersDecode holds the $batch reader to the example answer on
// Microsoft's JSON batching page: every item is answered once, in the order of the request's
// ids, and an item that failed gives Graph's error code and message.
func TestMicrosoftsExampleAnswersDecode(t *testing.T) {
	learntest.Check(t, "graph", map[string]learntest.Read{
		"graph/concepts/json-batching.md": func(t *testing.T, a learntest.Answer) {
			var sent struct {
				Requests []struct {
					ID, Method, URL string
				} `json:"requests"`
			}
			if err := json.Unmarshal([]byte(a.Request.Body), &sent); err != nil || len(sent.Requests) == 0 {
				t.Fatalf("%s: the example request is not a $batch: %v", a.Where(), err)
			}
			ids := make([]string, len(sent.Requests))
			for i, r := range sent.Requests {
				ids[i] = r.ID
			}
			got, err := decodeBatch(a.Body, ids)
			if err != nil {
				t.Fatalf("%s: the $batch answer is refused: %v", a.Where(), err)
			}
			var want struct {
				Responses []struct {
					ID     string          `json:"id"`
					Status int             `json:"status"`
					Body   json.RawMessage `json:"body"`
				} `json:"responses"`
			}
			if err := json.Unmarshal(a.Body, &want); err != nil {
				t.Fatal(err)
			}
			byID := map[string]int{}
			for i, id := range ids {
				byID[id] = i
			}
			for _, w := range want.Responses {
				g := got[byID[w.ID]]
				if g.ID != w.ID || g.Status != w.Status {
					t.Errorf("%s: item %s reads as %s with status %d, the example has %d", a.Where(), w.ID, g.ID, g.Status, w.Status)
				}
				if w.Status >= 400 {
					e := newError(sent.Requests[byID[w.ID]].Method, sent.Requests[byID[w.ID]].URL, g.Status, itemHeader(g.Headers), g.Body)
					var body struct {
						Error struct{ Code, Message string } `json:"error"`
					}
					_ = json.Unmarshal(w.Body, &body)
					if e.Code != body.Error.Code || e.Message == "" {
						t.Errorf("%s: item %s's error reads as code %q message %q, the example has %q", a.Where(), w.ID, e.Code, e.Message, body.Error.Code)
					}
				} else if len(g.Body) == 0 {
					t.Errorf("%s: item %s lost its body", a.Where(), w.ID)
				}
			}
		},
	})
}
