package licenses

import (
	"strings"
	"testing"
)

const (
	mitText = `The MIT License (MIT)

Copyright (c) 2016 Someone

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction.`

	bsdHead = `Copyright (c) 2009 The Go Authors. All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are
met:

   * Redistributions of source code must retain the above copyright
notice, this list of conditions and the following disclaimer.
   * Redistributions in binary form must reproduce the above
copyright notice, this list of conditions and the following disclaimer
in the documentation and/or other materials provided with the
distribution.
`
	bsd3Clause = `   * Neither the name of Google Inc. nor the names of its
contributors may be used to endorse or promote products derived from
this software without specific prior written permission.
`
	bsdTail = `
THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS".`

	iscText = `ISC License

Copyright (c) 2012-2016 Dave Collins <dave@davec.name>

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.`

	apacheText = `
                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/`

	unlicenseText = `This is free and unencumbered software released into the public domain.`
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name, text, want string
		ok               bool
	}{
		{"MIT", mitText, "MIT", true},
		{"MIT indented, as Microsoft's", "    MIT License\n\n    " + strings.ReplaceAll(mitText, "\n", "\n    "), "MIT", true},
		{"BSD-3-Clause", bsdHead + bsd3Clause + bsdTail, "BSD-3-Clause", true},
		{"BSD-3-Clause that says may not", bsdHead + strings.Replace(bsd3Clause, "may be used", "may not be used", 1) + bsdTail, "BSD-3-Clause", true},
		{"BSD-2-Clause", bsdHead + bsdTail, "BSD-2-Clause", true},
		{"ISC", iscText, "ISC", true},
		{"Apache-2.0", apacheText, "Apache-2.0", true},
		{"Unlicense", unlicenseText, "Unlicense", true},
		{"two licences in one file", "This project is covered by two different licenses: MIT and Apache.\n\n#### MIT License ####\n" + mitText + "\n### Apache License ###\n" + apacheText,
			"Apache-2.0 AND MIT", true},
		{"an SPDX identifier is taken at its word", "This project is provided under the terms of the UNLICENSE or\nthe BSD license denoted by the following SPDX identifier:\n\nSPDX-License-Identifier: Unlicense OR BSD-3-Clause\n\n" + unlicenseText,
			"Unlicense OR BSD-3-Clause", true},
		{"something else", "All rights reserved. Do not copy.", "", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Detect([]byte(tt.text))
			if got != tt.want || ok != tt.ok {
				t.Errorf("Detect = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, json string
		app        int
		wantErr    string
	}{
		{"two modules, one in the app", `{"go":"BSD-3-Clause","modules":[
			{"path":"a.example/x","version":"v1.0.0","license":"MIT","file":"LICENSE","inApp":true},
			{"path":"b.example/y","version":"v0.2.0","license":"ISC","file":"LICENSE","inApp":false}]}`, 1, ""},
		{"no Go licence", `{"modules":[]}`, 0, "standard library"},
		{"a module without a licence", `{"go":"BSD-3-Clause","modules":[{"path":"a.example/x","version":"v1.0.0"}]}`, 0, "entry 1"},
		{"not JSON", `LICENSE`, 0, "reading the licence list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Parse([]byte(tt.json))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := len(l.App()); got != tt.app {
				t.Errorf("App() has %d modules, want %d", got, tt.app)
			}
		})
	}
}

// FuzzDetect: any text gives a licence or none, never a panic, and a named one is never blank.
func FuzzDetect(f *testing.F) {
	for _, s := range []string{mitText, bsdHead + bsd3Clause, iscText, apacheText, "SPDX-License-Identifier: MIT\n", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		spdx, ok := Detect(text)
		if ok != (strings.TrimSpace(spdx) != "") {
			t.Fatalf("Detect = %q, %v: ok must mean a licence was named", spdx, ok)
		}
	})
}

// FuzzParse: the list parser refuses or accepts, never panics, and what it accepts is complete.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"go":"BSD-3-Clause","modules":[{"path":"a","version":"v1","license":"MIT","inApp":true}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(data)
		if err != nil {
			return
		}
		for _, m := range l.Modules {
			if m.Path == "" || m.Version == "" || m.License == "" {
				t.Fatalf("Parse accepted an incomplete entry %+v", m)
			}
		}
	})
}
