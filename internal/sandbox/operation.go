package sandbox

import (
	"encoding/json"
	"time"
)

// Long-running operations of GDAP (delegatedAdminRelationshipOperation): PATCH of an access
// assignment answers 202 Accepted with a Location to one, and the change is made when it
// succeeds. An operation succeeds on the operationPolls-th read of it (Options.OperationPolls);
// until then it is "running". Fields as Microsoft's example on delegatedadminrelationshipoperation-get.

// operationRetryAfter is the Retry-After, in seconds, of a 202 (Microsoft's example says 10; the
// sandbox's operations are quicker).
const operationRetryAfter = 1

// defaultOperationPolls is how many reads an operation takes to succeed when Options leave it 0.
const defaultOperationPolls = 1

type operation struct {
	id, kind, status  string
	data              string // the payload: the assignment as it will be
	created, modified time.Time
	polls             int
	apply             func()
}

// startAssignmentUpdate records a running operation that gives a its new roles when it succeeds.
// The caller holds the world's lock.
func (w *world) startAssignmentUpdate(r *relationship, a *accessAssignment, roles []string) *operation {
	now := w.now()
	after := *a
	after.roles = roles
	data, _ := json.Marshal(map[string]any{
		"id": a.id, "status": "active",
		"accessContainer": map[string]any{"accessContainerId": a.groupID, "accessContainerType": "securityGroup"},
		"accessDetails":   assignmentJSON(&after)["accessDetails"],
	})
	op := &operation{id: w.ids.newID("operation", r.id, a.id, now.String()), kind: "delegatedAdminAccessAssignmentUpdate",
		status: "running", data: string(data), created: now, modified: now}
	op.apply = func() {
		a.roles, a.modified = roles, w.now()
		a.etag++
	}
	r.operations = append(r.operations, op)
	return op
}

// poll is one read of an operation: the read that reaches the world's number of polls makes the
// change and ends it. A negative number of polls keeps operations running (a slow Microsoft).
func (w *world) poll(op *operation) {
	if op.status != "running" {
		return
	}
	op.polls++
	if w.operationPolls < 0 || op.polls < w.operationPolls {
		return
	}
	op.apply()
	op.status, op.modified = "succeeded", w.now()
}

// settle finishes a pending access assignment: Microsoft applies a new assignment shortly after
// it answers, so by the next read of it the assignment is active.
func (w *world) settle(a *accessAssignment) {
	if a.status == "pending" {
		a.status, a.modified = "active", w.now()
	}
}

func operationJSON(op *operation) map[string]any {
	return map[string]any{
		"@odata.type":          "#microsoft.graph.delegatedAdminRelationshipOperation",
		"@odata.etag":          etag(op.polls + 1),
		"id":                   op.id,
		"operationType":        op.kind,
		"data":                 op.data,
		"status":               op.status,
		"createdDateTime":      timeString(op.created),
		"lastModifiedDateTime": timeString(op.modified),
	}
}
