package gdap

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/graph"
)

// Group is a security group of the partner tenant, with the Graph property names of group.
type Group struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	// IsAssignableToRole: Entra roles can be assigned to the group, so only a Privileged Role
	// Administrator may change its members.
	IsAssignableToRole bool `json:"isAssignableToRole"`
}

// Technician is the signed-in partner user, with the Graph property names of user.
type Technician struct {
	ID                string `json:"id"`
	DisplayName       string `json:"displayName"`
	UserPrincipalName string `json:"userPrincipalName"`
}

// Inventory is everything a GDAP verdict needs, read from the partner tenant: every relationship
// with its access assignments, the partner's groups (for their names), and the signed-in
// technician with the groups they are in. Parts that could not be read carry the reason; the
// verdicts then say what could not be checked.
type Inventory struct {
	Relationships []RelationshipAccess
	Groups        map[string]Group // the partner tenant's groups by id
	GroupsErr     error            // why Groups could not be read; nil when it is complete
	Technician    Technician
	// TechnicianGroups holds the ids of the groups the technician is in, directly or through
	// other groups (Graph's transitiveMemberOf).
	TechnicianGroups map[string]bool
	TechnicianErr    error // why the technician or their groups could not be read; nil when known
	ReadAt           time.Time
}

// Customers lists the customers the relationships name, sorted by name; relationships not yet
// tied to a customer (created without one) are left out.
func (inv Inventory) Customers() []Customer {
	seen := map[string]int{}
	var out []Customer
	for _, ra := range inv.Relationships {
		c := ra.Relationship.Customer
		key := strings.ToLower(strings.TrimSpace(c.TenantID))
		if key == "" {
			continue
		}
		if i, ok := seen[key]; ok {
			if out[i].Name == "" {
				out[i].Name = c.DisplayName
			}
			continue
		}
		seen[key] = len(out)
		out = append(out, Customer{TenantID: c.TenantID, Name: c.DisplayName})
	}
	sort.Slice(out, func(i, j int) bool { return customerLess(out[i], out[j]) })
	return out
}

// GroupName is a group's display name, or its id when the name is not known.
func (inv Inventory) GroupName(id string) string {
	if g, ok := inv.Groups[id]; ok && g.DisplayName != "" {
		return g.DisplayName
	}
	return id
}

// GroupByName finds a partner group by display name, in any letter case. When several groups
// share the name, the one with the smallest id is taken, so the answer is stable.
func (inv Inventory) GroupByName(name string) (Group, bool) {
	var found Group
	ok := false
	for _, g := range inv.Groups {
		if strings.EqualFold(strings.TrimSpace(g.DisplayName), strings.TrimSpace(name)) && (!ok || g.ID < found.ID) {
			found, ok = g, true
		}
	}
	return found, ok
}

// Paths of the partner-side reads besides the relationships.
const (
	groupsPath       = "/v1.0/groups?$select=id,displayName,isAssignableToRole&$top=999"
	mePath           = "/v1.0/me?$select=id,displayName,userPrincipalName"
	myGroupsPath     = "/v1.0/me/transitiveMemberOf?$select=id,displayName,isAssignableToRole&$top=999"
	directoryObjects = "https://graph.microsoft.com/v1.0/directoryObjects/"
)

// Read reads the inventory with few requests, all at once within the client's concurrency limit:
// the relationships (pages of 300) and their access assignments ($batch, 20 to a call), the
// partner's groups (pages of 999, id and name only: one list costs fewer requests than fetching
// the referenced groups by id, and also finds the groups a fix needs by name), the technician
// (GET /me) and the technician's groups (GET /me/transitiveMemberOf).
//
// It fails only when the relationships cannot be listed. A relationship whose assignments cannot
// be read carries the reason (RelationshipAccess.Err); so do the groups (GroupsErr) and the
// technician (TechnicianErr). progress is called per relationship read, as ReadAccess says.
func Read(ctx context.Context, c *graph.Client, progress Progress) (Inventory, error) {
	inv := Inventory{ReadAt: time.Now().UTC()}
	var (
		wg        sync.WaitGroup
		accessErr error
	)
	wg.Add(4)
	go func() {
		defer wg.Done()
		inv.Relationships, accessErr = ReadAccess(ctx, c, progress)
	}()
	go func() {
		defer wg.Done()
		groups, err := graph.List[Group](ctx, c, groupsPath)
		if err != nil {
			inv.GroupsErr = fmt.Errorf("list the groups of your partner tenant: %w", err)
			return
		}
		inv.Groups = make(map[string]Group, len(groups))
		for _, g := range groups {
			inv.Groups[g.ID] = g
		}
	}()
	var meErr, groupsErr error
	var mine []Group
	go func() {
		defer wg.Done()
		if err := c.Do(ctx, "GET", mePath, nil, &inv.Technician); err != nil {
			meErr = fmt.Errorf("read who you are signed in as: %w", err)
		}
	}()
	go func() {
		defer wg.Done()
		var err error
		if mine, err = graph.List[Group](ctx, c, myGroupsPath); err != nil {
			groupsErr = fmt.Errorf("read which groups you are in: %w", err)
		}
	}()
	wg.Wait()
	if accessErr != nil {
		return Inventory{}, accessErr
	}
	switch {
	case meErr != nil:
		inv.TechnicianErr = meErr
	case groupsErr != nil:
		inv.TechnicianErr = groupsErr
	default:
		inv.TechnicianGroups = make(map[string]bool, len(mine))
		if inv.Groups == nil {
			inv.Groups = map[string]Group{}
		}
		for _, g := range mine {
			inv.TechnicianGroups[g.ID] = true
			// Groups the technician is in are named even when the full list failed.
			if _, ok := inv.Groups[g.ID]; !ok {
				inv.Groups[g.ID] = g
			}
		}
	}
	return inv, nil
}
