package gdap

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/retry"
)

// Microsoft applies some GDAP changes in the background:
//   - PATCH of an access assignment answers 202 Accepted with a Location to a long-running
//     delegatedAdminRelationshipOperation and a Retry-After (delegatedadminaccessassignment-update;
//     the operation's page, delegatedadminrelationshipoperation-get). The change is made only when
//     the operation succeeds, so Apply follows it until it ends.
//   - POST of an access assignment answers the new assignment in status "pending"
//     (delegatedadminrelationship-post-accessassignments): Apply reads it again until it is
//     active, and says so when it is still pending.
// Both waits are bounded; a change still running then is reported as such, in plain words.

const (
	// followFor is how long Apply follows one operation or pending assignment.
	followFor = 2 * time.Minute
	// followPause is the pause between reads when Microsoft gives no Retry-After; followMaxPause
	// caps the Retry-After it gives.
	followPause    = 5 * time.Second
	followMaxPause = 30 * time.Second
)

// ErrStillRunning is wrapped by the error of a change Microsoft accepted but had not finished
// when Apply stopped following it.
var ErrStillRunning = errors.New("Microsoft is still applying the change")

// relationshipOperation is delegatedAdminRelationshipOperation, as far as Apply reads it.
type relationshipOperation struct {
	ID            string `json:"id"`
	OperationType string `json:"operationType"`
	Status        string `json:"status"` // notStarted, running, succeeded, failed (longRunningOperationStatus)
	Data          string `json:"data"`
}

// follow waits for the operation a 202 answer points to. An answer that is not a 202 (200: the
// change was made at once) needs no wait.
func (a *applier) follow(ctx context.Context, res *graph.Response, group string) error {
	if res == nil || res.Status != http.StatusAccepted {
		return nil
	}
	path, err := operationPath(res.Header.Get("Location"))
	if err != nil {
		return fmt.Errorf("Microsoft accepted the change to the group %q but gave no operation to follow (%v); run the check again to see whether it was made", group, err)
	}
	pause := pauseFrom(res.Header.Get("Retry-After"))
	deadline := time.Now().Add(followFor)
	for {
		if err := retry.Sleep(ctx, pause); err != nil {
			return err
		}
		var op relationshipOperation
		got, err := a.c.DoWithHeaders(ctx, "GET", path, nil, nil, &op)
		if err != nil {
			return fmt.Errorf("follow Microsoft's change to the group %q: %w", group, err)
		}
		switch strings.ToLower(op.Status) {
		case "succeeded":
			return nil
		case "failed":
			return fmt.Errorf("Microsoft could not finish the change to the group %q (its operation failed); run the check again to see what the group holds now, and try the fix again", group)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: Microsoft accepted the change to the group %q and was still applying it after %d minutes; run the check again in a few minutes to see it finished", ErrStillRunning, group, int(followFor/time.Minute))
		}
		pause = pauseFrom(got.Header.Get("Retry-After"))
	}
}

// settled reads a new access assignment again until Microsoft has applied it (status active),
// and writes the fix's note: assigned, or still pending.
func (a *applier) settled(ctx context.Context, f Fix, made AccessAssignment, r *FixResult) error {
	status := strings.ToLower(made.Status)
	deadline := time.Now().Add(followFor)
	pause := time.Duration(0)
	for status == "pending" && made.ID != "" && time.Now().Before(deadline) {
		if err := retry.Sleep(ctx, pause); err != nil {
			return err
		}
		pause = followPause
		var again AccessAssignment
		if err := a.c.Do(ctx, "GET", assignmentsPath(f.RelationshipID)+"/"+url.PathEscape(made.ID), nil, &again); err != nil {
			break // the assignment was made; only its status could not be read again
		}
		status = strings.ToLower(again.Status)
	}
	if status == "pending" {
		r.Pending = true
		r.Note = fmt.Sprintf("Assigned %s to the group %q. Microsoft has accepted it and is still applying it (status pending), which usually takes a few minutes; run the check again later to see it active.",
			roleList(f.Roles), f.GroupName)
		return nil
	}
	r.Note = fmt.Sprintf("Assigned %s to the group %q.", roleList(f.Roles), f.GroupName)
	return nil
}

// operationPath turns the Location of a 202 (an absolute Graph address) into the path the Graph
// client sends, from its version on; the client only ever sends it to its own Graph host.
func operationPath(location string) (string, error) {
	u, err := url.Parse(location)
	if err != nil || location == "" {
		return "", errors.New("no Location")
	}
	p := u.EscapedPath()
	for _, v := range []string{"/v1.0/", "/beta/"} {
		if i := strings.Index(p, v); i >= 0 {
			return p[i:], nil
		}
	}
	return "", fmt.Errorf("the Location %q is not a Graph address", u.Path)
}

// pauseFrom reads a Retry-After in seconds, within bounds.
func pauseFrom(value string) time.Duration {
	d, ok := retry.After(value, time.Now())
	if !ok {
		return followPause
	}
	return min(max(d, 0), followMaxPause)
}
