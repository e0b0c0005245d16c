package jsonvalue

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestReaders(t *testing.T) {
	var doc any
	if err := json.Unmarshal([]byte(`{"state":"enabled","conditions":{"users":{"excludeUsers":["a",1,"b"]}},"n":2}`), &doc); err != nil {
		t.Fatal(err)
	}
	m := Object(doc)
	users := Object(Object(m["conditions"])["users"])
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"a string", String(m["state"]), "enabled"},
		{"a number is no string", String(m["n"]), ""},
		{"absent", String(m["nothing"]), ""},
		{"a string is no object", Object(m["state"]) == nil, true},
		{"decoded strings, other items skipped", Strings(users["excludeUsers"]), []string{"a", "b"}},
		{"strings built in Go", Strings([]string{"x"}), []string{"x"}},
		{"an object is no array", Strings(users) == nil, true},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
}
