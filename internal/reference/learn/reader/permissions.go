package reader

import (
	"fmt"
	"regexp"
	"strings"
)

// How the pages write permission tables, and so how they are read.
//
// Two layouts:
//   - older pages: "| Permission type | Permissions (from least to most privileged) |", one cell
//     per permission type, the permissions from least to most privileged: the first
//     alternative is the least privileged one;
//   - newer pages (usually in an include file): "| Permission type | Least privileged
//     permissions | Higher privileged permissions |";
//   - group-post-members has a third: one row per kind of member ("Supported resource"), one
//     column per permission type.
//
// In a cell, alternatives are separated by commas and the permissions of one alternative are
// joined by "and": "AppRoleAssignment.ReadWrite.All and Application.Read.All,
// AppRoleAssignment.ReadWrite.All and Directory.Read.All" is two alternatives of two. When only
// the last comma-separated part has an "and" ("Policy.Read.All, Policy.ReadWrite.ConditionalAccess
// and Application.Read.All"), the cell is an English list of one alternative: all of them are
// needed, as the page's note on a known permissions issue says (DOMAIN.md). "Not supported.",
// "Not available." and empty cells name none.

// perms is one permission type's alternatives from a table.
type perms struct {
	alternatives [][]string
	least        int // how many of the first alternatives are least privileged
}

// permissionName is what a Graph permission name looks like.
var permissionName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)+$`)

// parseCell reads one cell's alternatives.
func parseCell(cell string) ([][]string, error) {
	c := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(cell, "*", ""), "`", ""))
	c = strings.TrimSuffix(c, ",")
	switch strings.ToLower(strings.TrimSuffix(c, ".")) {
	case "", "not supported", "not available", "none":
		return nil, nil
	}
	parts := strings.Split(c, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	withAnd := 0
	for _, p := range parts {
		if strings.Contains(p, " and ") {
			withAnd++
		}
	}
	var groups [][]string
	if len(parts) > 1 && withAnd == 1 && strings.Contains(parts[len(parts)-1], " and ") {
		// An English list: "A, B and C" is one alternative of three.
		var all []string
		for _, p := range parts {
			all = append(all, strings.Split(p, " and ")...)
		}
		groups = [][]string{all}
	} else {
		for _, p := range parts {
			if p == "" {
				continue
			}
			groups = append(groups, strings.Split(p, " and "))
		}
	}
	for _, g := range groups {
		for i := range g {
			g[i] = strings.TrimSpace(g[i])
			if !permissionName.MatchString(g[i]) {
				return nil, fmt.Errorf("%q in the cell %q is not a permission name", g[i], cell)
			}
		}
	}
	return groups, nil
}

// permissionTypes are the rows of a permission table, by the type they are for.
const (
	delegatedWork = "Delegated (work or school account)"
	application   = "Application"
)

// readPermissionTable reads the delegated and application alternatives of a table in either
// of the first two layouts.
func readPermissionTable(t table) (delegated, app perms, err error) {
	if len(t.header) < 2 || !strings.EqualFold(strings.TrimSpace(t.header[0]), "Permission type") {
		return perms{}, perms{}, fmt.Errorf("not a permission table: header %q", t.header)
	}
	newer := len(t.header) >= 3 && strings.Contains(strings.ToLower(t.header[1]), "least privileged")
	older := strings.Contains(strings.ToLower(t.header[1]), "from least to most")
	if !newer && !older {
		return perms{}, perms{}, fmt.Errorf("a permission table of a layout this reader does not know: header %q", t.header)
	}
	found := map[string]bool{}
	for _, row := range t.rows {
		if len(row) < 2 {
			continue
		}
		kind := strings.TrimSpace(row[0])
		var p perms
		if newer {
			least, err := parseCell(row[1])
			if err != nil {
				return perms{}, perms{}, err
			}
			var higher [][]string
			if len(row) > 2 {
				if higher, err = parseCell(row[2]); err != nil {
					return perms{}, perms{}, err
				}
			}
			p = perms{alternatives: append(least, higher...), least: len(least)}
		} else {
			alts, err := parseCell(row[1])
			if err != nil {
				return perms{}, perms{}, err
			}
			p = perms{alternatives: alts, least: min(1, len(alts))}
		}
		switch {
		case strings.EqualFold(kind, delegatedWork):
			delegated, found[delegatedWork] = p, true
		case strings.EqualFold(kind, application):
			app, found[application] = p, true
		}
	}
	if !found[delegatedWork] {
		return perms{}, perms{}, fmt.Errorf("the permission table has no row for %q", delegatedWork)
	}
	return delegated, app, nil
}

// readResourceTable reads the row of a per-resource table (group-post-members) for one kind of
// member: its cells are the least privileged permissions of each permission type.
func readResourceTable(t table, resource string) (delegated, app perms, err error) {
	if len(t.header) < 4 || !strings.Contains(strings.ToLower(t.header[0]), "supported resource") {
		return perms{}, perms{}, fmt.Errorf("not a per-resource permission table: header %q", t.header)
	}
	col := func(name string) int {
		for i, h := range t.header {
			if strings.EqualFold(strings.TrimSpace(h), name) {
				return i
			}
		}
		return -1
	}
	dc, ac := col(delegatedWork), col(application)
	if dc < 0 || ac < 0 {
		return perms{}, perms{}, fmt.Errorf("the per-resource table lacks the %q or %q column", delegatedWork, application)
	}
	for _, row := range t.rows {
		if len(row) <= max(dc, ac) || linkText(row[0]) != resource {
			continue
		}
		d, err := parseCell(row[dc])
		if err != nil {
			return perms{}, perms{}, err
		}
		a, err := parseCell(row[ac])
		if err != nil {
			return perms{}, perms{}, err
		}
		return perms{alternatives: d, least: len(d)}, perms{alternatives: a, least: len(a)}, nil
	}
	return perms{}, perms{}, fmt.Errorf("the per-resource table has no row for %q", resource)
}

var link = regexp.MustCompile(`^\[([^\]]*)\]\([^)]*\)$`)

// linkText is a cell's text without its link: "[user](../resources/user.md)" gives "user".
func linkText(cell string) string {
	c := strings.TrimSpace(cell)
	if m := link.FindStringSubmatch(c); m != nil {
		return m[1]
	}
	return c
}
