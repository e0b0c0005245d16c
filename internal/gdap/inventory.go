// Package gdap reads and reasons about the partner's GDAP admin relationships with its customers:
// which roles each relationship grants, and to which security groups.
package gdap

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/graph"
)

// Relationship is a delegated admin relationship, with the Graph property names of
// delegatedAdminRelationship.
type Relationship struct {
	ID                 string              `json:"id"`
	DisplayName        string              `json:"displayName"`
	Status             string              `json:"status"`
	Duration           string              `json:"duration"`
	AutoExtendDuration string              `json:"autoExtendDuration"`
	Customer           CustomerParticipant `json:"customer"`
	AccessDetails      AccessDetails       `json:"accessDetails"`
	CreatedDateTime    *time.Time          `json:"createdDateTime"`
	ActivatedDateTime  *time.Time          `json:"activatedDateTime"`
	EndDateTime        *time.Time          `json:"endDateTime"`
	LastModified       *time.Time          `json:"lastModifiedDateTime"`
	ETag               string              `json:"@odata.etag"` // for If-Match on PATCH
}

// UnmarshalJSON reads a relationship as Graph sends it. Microsoft's own example answer to
// creating one (tenantrelationship-post-delegatedadminrelationships) writes "activatedDateTime":
// "" for a relationship not active yet: an empty date-time, like null, reads as none.
func (r *Relationship) UnmarshalJSON(b []byte) error {
	type plain Relationship
	var raw struct {
		plain
		CreatedDateTime   optionalTime `json:"createdDateTime"`
		ActivatedDateTime optionalTime `json:"activatedDateTime"`
		EndDateTime       optionalTime `json:"endDateTime"`
		LastModified      optionalTime `json:"lastModifiedDateTime"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*r = Relationship(raw.plain)
	r.CreatedDateTime, r.ActivatedDateTime, r.EndDateTime, r.LastModified = raw.CreatedDateTime.t, raw.ActivatedDateTime.t, raw.EndDateTime.t, raw.LastModified.t
	return nil
}

// optionalTime is a Graph date-time that may be null or "".
type optionalTime struct{ t *time.Time }

func (o *optionalTime) UnmarshalJSON(b []byte) error {
	if s := string(b); s == "null" || s == `""` {
		o.t = nil
		return nil
	}
	var t time.Time
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	o.t = &t
	return nil
}

// CustomerParticipant is delegatedAdminRelationshipCustomerParticipant.
type CustomerParticipant struct {
	TenantID    string `json:"tenantId"`
	DisplayName string `json:"displayName"`
}

// AccessDetails is delegatedAdminAccessDetails.
type AccessDetails struct {
	UnifiedRoles []UnifiedRole `json:"unifiedRoles"`
}

// UnifiedRole is unifiedRole: one Entra role, by template id.
type UnifiedRole struct {
	RoleDefinitionID string `json:"roleDefinitionId"`
}

// AccessAssignment is delegatedAdminAccessAssignment: roles of a relationship bound to a group.
type AccessAssignment struct {
	ID              string          `json:"id"`
	Status          string          `json:"status"`
	AccessContainer AccessContainer `json:"accessContainer"`
	AccessDetails   AccessDetails   `json:"accessDetails"`
	ETag            string          `json:"@odata.etag"`
}

// AccessContainer is delegatedAdminAccessContainer: the security group that holds the roles.
type AccessContainer struct {
	AccessContainerID   string `json:"accessContainerId"`
	AccessContainerType string `json:"accessContainerType"`
}

// RelationshipAccess is one relationship with its access assignments, or the reason they could
// not be read (one relationship's trouble never hides the others).
type RelationshipAccess struct {
	Relationship Relationship
	Assignments  []AccessAssignment
	Err          error // nil when Assignments is complete
}

// Progress reports how many relationships have their access assignments read.
type Progress func(done, total int)

const relationshipsPath = "/v1.0/tenantRelationships/delegatedAdminRelationships"

// pageSize asks Graph for its largest page of relationships, to make the fewest round trips.
const pageSize = 300

// ReadAccess lists every relationship and, through $batch, the access assignments of each.
// Requests run within the client's concurrency limit, 20 relationships to a $batch and several
// $batch calls at once; items that Graph throttles are retried by the client. It fails only when
// the relationships cannot be listed; a relationship whose assignments cannot be read (its item
// failed, or its whole $batch call did) carries the reason in Err.
//
// progress, when not nil, is called with 0 once the relationships are listed and then as each
// $batch of relationships is done, one call at a time, from the goroutines that read them.
func ReadAccess(ctx context.Context, c *graph.Client, progress Progress) ([]RelationshipAccess, error) {
	rels, err := graph.List[Relationship](ctx, c, relationshipsPath+"?$top="+fmt.Sprint(pageSize))
	if err != nil {
		return nil, fmt.Errorf("list the GDAP relationships: %w", err)
	}
	out := make([]RelationshipAccess, len(rels))
	for i, r := range rels {
		out[i].Relationship = r
	}
	if progress != nil {
		progress(0, len(rels))
	}

	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
	)
	chunks := make(chan []int)
	for w := 0; w < batchWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for idx := range chunks {
				readChunk(ctx, c, out, idx)
				if progress != nil {
					mu.Lock()
					done += len(idx)
					progress(done, len(rels))
					mu.Unlock()
				}
			}
		}()
	}
	for start := 0; start < len(rels); start += batchChunk {
		idx := make([]int, 0, batchChunk)
		for i := start; i < min(start+batchChunk, len(rels)); i++ {
			idx = append(idx, i)
		}
		chunks <- idx
	}
	close(chunks)
	wg.Wait()
	return out, nil
}

// batchChunk is how many relationships one $batch call reads (Graph's limit is 20 requests),
// and batchWorkers how many such calls may be under way at once; the client's own concurrency
// limit decides how many are on the wire.
const (
	batchChunk   = 20
	batchWorkers = 8
)

// readChunk reads the access assignments of the relationships out[idx...] in one $batch.
func readChunk(ctx context.Context, c *graph.Client, out []RelationshipAccess, idx []int) {
	reqs := make([]graph.BatchRequest, len(idx))
	for j, i := range idx {
		id := out[i].Relationship.ID
		reqs[j] = graph.BatchRequest{ID: id, Method: "GET",
			URL: "/tenantRelationships/delegatedAdminRelationships/" + url.PathEscape(id) + "/accessAssignments"}
	}
	answers, err := c.Batch(ctx, "v1.0", reqs)
	for j, i := range idx {
		switch {
		case err != nil:
			out[i].Err = fmt.Errorf("read the access assignments of relationship %s: %w", out[i].Relationship.ID, err)
		case j >= len(answers):
			out[i].Err = fmt.Errorf("read the access assignments of relationship %s: the $batch answer has no item for it", out[i].Relationship.ID)
		default:
			out[i].Assignments, out[i].Err = decodeAssignments(answers[j])
		}
	}
}

// ReadAccessOneByOne does what ReadAccess does with one request at a time and no $batch: the
// plain loop that ReadAccess is measured against.
func ReadAccessOneByOne(ctx context.Context, c *graph.Client) ([]RelationshipAccess, error) {
	rels, err := graph.List[Relationship](ctx, c, relationshipsPath)
	if err != nil {
		return nil, fmt.Errorf("list the GDAP relationships: %w", err)
	}
	out := make([]RelationshipAccess, len(rels))
	for i, r := range rels {
		out[i].Relationship = r
		out[i].Assignments, out[i].Err = graph.List[AccessAssignment](ctx, c, relationshipsPath+"/"+url.PathEscape(r.ID)+"/accessAssignments")
	}
	return out, nil
}

// decodeAssignments reads one $batch answer. A collection with a nextLink is refused rather than
// cut short: a relationship has far fewer assignments than one page holds.
func decodeAssignments(a graph.BatchResponse) ([]AccessAssignment, error) {
	if a.Err != nil {
		return nil, a.Err
	}
	var page struct {
		Value    []AccessAssignment `json:"value"`
		NextLink string             `json:"@odata.nextLink"`
	}
	if err := json.Unmarshal(a.Body, &page); err != nil {
		return nil, fmt.Errorf("read the access assignments of relationship %s: the answer is not a list: %w", a.ID, err)
	}
	if page.NextLink != "" {
		return nil, fmt.Errorf("read the access assignments of relationship %s: the answer was cut into pages, which this app does not expect for one relationship", a.ID)
	}
	return page.Value, nil
}
