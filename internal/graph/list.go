package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
)

// List reads every page of a Graph collection and returns all its items. It
// follows "@odata.nextLink" until Graph sends none.
//
// T is the caller's own struct for one item, with JSON tags that are Graph's
// property names, exactly as written in Graph's reference (case matters to a
// reader of the code, not to encoding/json). Declare only the properties the
// caller uses; the others are ignored:
//
//	type relationship struct {
//		ID          string `json:"id"`
//		DisplayName string `json:"displayName"`
//		Status      string `json:"status"`
//		Customer    struct {
//			TenantID    string `json:"tenantId"`
//			DisplayName string `json:"displayName"`
//		} `json:"customer"`
//	}
//
//	rels, err := graph.List[relationship](ctx, c, "/v1.0/tenantRelationships/delegatedAdminRelationships")
//	if err != nil {
//		return fmt.Errorf("list delegated admin relationships: %w", err)
//	}
//
// List returns all items or an error, never a short list: a page that is not
// valid JSON, is cut short or lacks "value" is a *DecodeError naming the
// request and the page; so is a next link to another scheme or host (the
// token is never sent there) or one that repeats an earlier page.
func List[T any](ctx context.Context, c *Client, path string) ([]T, error) {
	var all []T
	for items, err := range Pages[T](ctx, c, path) {
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
	}
	return all, nil
}

// Pages is List one page at a time, for callers that show progress or stop
// early. The sequence ends after the last page, or after yielding an error.
func Pages[T any](ctx context.Context, c *Client, path string) iter.Seq2[[]T, error] {
	return func(yield func([]T, error) bool) {
		k, err := c.newCall(http.MethodGet, path, nil, nil)
		if err != nil {
			yield(nil, err)
			return
		}
		first, err := url.Parse(k.URL)
		if err != nil { // newCall checked it already
			yield(nil, err)
			return
		}
		seen := map[string]bool{first.String(): true}
		for page := 1; ; page++ {
			r, err := c.core.Send(ctx, k)
			if err != nil {
				yield(nil, pageErr(page, err))
				return
			}
			items, next, err := decodePage[T](r.Body)
			if err != nil {
				yield(nil, &DecodeError{Service: service, Method: k.Method, Path: k.Path, Page: page, Reason: "the page is not a readable Graph collection", Err: err})
				return
			}
			if !yield(items, nil) || next == "" {
				return
			}
			u, err := c.core.SameOrigin(next)
			if err != nil {
				yield(nil, &DecodeError{Service: service, Method: k.Method, Path: k.Path, Page: page, Reason: "refused to follow @odata.nextLink", Err: err})
				return
			}
			if seen[u.String()] {
				yield(nil, &DecodeError{Service: service, Method: k.Method, Path: k.Path, Page: page, Reason: "@odata.nextLink repeats an earlier page, so the list would never end"})
				return
			}
			seen[u.String()] = true
			k.URL, k.Path = u.String(), c.core.ShownPath(u)
		}
	}
}

// pageErr adds the page number to the error of a page after the first.
func pageErr(page int, err error) error {
	if page == 1 {
		return err
	}
	return fmt.Errorf("page %d: %w", page, err)
}

// decodePage reads one page of a Graph collection:
//
//	{"@odata.context": "...", "value": [...], "@odata.nextLink": "https://..."}
//
// "value" must be present and an array (an empty one is fine); the whole body
// must be one JSON object with nothing after it.
func decodePage[T any](body []byte) (items []T, next string, err error) {
	var p struct {
		Value    *[]T   `json:"value"`
		NextLink string `json:"@odata.nextLink"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, "", err
	}
	if p.Value == nil {
		return nil, "", errors.New(`the page has no "value" array`)
	}
	return *p.Value, p.NextLink, nil
}
