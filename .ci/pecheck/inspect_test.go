package main

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// res is one resource for rsrcSection.
type res struct {
	typ, id uint32
	data    []byte
}

// rsrcSection lays out a resource directory the way linkers do (type, id, language tables, then
// data entries, then data) for a section loaded at rva. Resources must be sorted by type then id.
func rsrcSection(rva uint32, rs []res) []byte {
	var types []uint32
	byType := map[uint32][]res{}
	for _, r := range rs {
		if len(byType[r.typ]) == 0 {
			types = append(types, r.typ)
		}
		byType[r.typ] = append(byType[r.typ], r)
	}
	table := func(n int) int { return 16 + 8*n }
	// Offsets: root, then one table per type, then one language table per resource.
	off := table(len(types))
	typeOff := map[uint32]int{}
	for _, t := range types {
		typeOff[t] = off
		off += table(len(byType[t]))
	}
	langOff := make([]int, len(rs))
	for i := range rs {
		langOff[i] = off
		off += table(1)
	}
	dataEntryOff := make([]int, len(rs))
	for i := range rs {
		dataEntryOff[i] = off
		off += 16
	}
	dataOff := make([]int, len(rs))
	for i, r := range rs {
		dataOff[i] = off
		off += (len(r.data) + 7) &^ 7
	}
	b := make([]byte, off)
	header := func(at, n int) { binary.LittleEndian.PutUint16(b[at+14:], uint16(n)) }
	put := func(at int, name, to uint32) {
		binary.LittleEndian.PutUint32(b[at:], name)
		binary.LittleEndian.PutUint32(b[at+4:], to)
	}
	header(0, len(types))
	i := 0
	for ti, t := range types {
		put(16+8*ti, t, uint32(typeOff[t])|0x80000000)
		header(typeOff[t], len(byType[t]))
		for ni, r := range byType[t] {
			put(typeOff[t]+16+8*ni, r.id, uint32(langOff[i])|0x80000000)
			header(langOff[i], 1)
			put(langOff[i]+16, 1033, uint32(dataEntryOff[i]))
			binary.LittleEndian.PutUint32(b[dataEntryOff[i]:], rva+uint32(dataOff[i]))
			binary.LittleEndian.PutUint32(b[dataEntryOff[i]+4:], uint32(len(r.data)))
			copy(b[dataOff[i]:], r.data)
			i++
		}
	}
	return b
}

// groupIcon is a GRPICONDIR naming the icons with these ids, each 256x256 at 32 bits.
func groupIcon(ids ...uint16) []byte {
	b := make([]byte, 6+14*len(ids))
	binary.LittleEndian.PutUint16(b[2:], 1)
	binary.LittleEndian.PutUint16(b[4:], uint16(len(ids)))
	for i, id := range ids {
		e := b[6+14*i:]
		binary.LittleEndian.PutUint16(e[4:], 1)
		binary.LittleEndian.PutUint16(e[6:], 32)
		binary.LittleEndian.PutUint32(e[8:], 40)
		binary.LittleEndian.PutUint16(e[12:], id)
	}
	return b
}

// versionInfo is enough of a VS_VERSIONINFO for its VS_FIXEDFILEINFO: key, padding, signature.
func versionInfo(a, b, c, d uint16) []byte {
	v := []byte("\x00\x00\x00\x00V\x00S\x00_\x00V\x00E\x00R\x00S\x00I\x00O\x00N\x00_\x00I\x00N\x00F\x00O\x00\x00\x00\x00\x00")
	fixed := make([]byte, 52)
	copy(fixed, fixedFileInfoSignature)
	binary.LittleEndian.PutUint32(fixed[8:], uint32(a)<<16|uint32(b))
	binary.LittleEndian.PutUint32(fixed[12:], uint32(c)<<16|uint32(d))
	return append(v, fixed...)
}

func TestResourceWalk(t *testing.T) {
	const rva = 0x5000
	icon := bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 10)
	tests := []struct {
		name      string
		resources []res
		icons     []string
		version   string
		broken    string
		types     map[uint32]int
	}{
		{
			name: "what fyne package writes",
			resources: []res{
				{rtIcon, 1, icon}, {rtIcon, 2, icon},
				{rtGroupIcon, 1, groupIcon(1, 2)},
				{rtVersion, 1, versionInfo(0, 1, 0, 7)},
				{rtManifest, 1, []byte("<assembly/>")},
			},
			icons:   []string{"256x256 32-bit", "256x256 32-bit"},
			version: "0.1.0.7",
			types:   map[uint32]int{rtIcon: 2, rtGroupIcon: 1, rtVersion: 1, rtManifest: 1},
		},
		{
			name:      "a group naming an icon that is missing",
			resources: []res{{rtIcon, 1, icon}, {rtGroupIcon, 1, groupIcon(1, 9)}},
			broken:    "the icon group names icon 9, which is missing",
			types:     map[uint32]int{rtIcon: 1, rtGroupIcon: 1},
		},
		{
			name:      "an empty group",
			resources: []res{{rtGroupIcon, 1, groupIcon()}},
			broken:    "the icon group names no icon",
			types:     map[uint32]int{rtGroupIcon: 1},
		},
		{
			name:      "no icon at all",
			resources: []res{{rtManifest, 1, []byte("<assembly/>")}},
			types:     map[uint32]int{rtManifest: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			section := rsrcSection(rva, tt.resources)
			r := resources{data: section, rva: rva, section: section, sectionRVA: rva}
			leaves, err := r.walk()
			if err != nil {
				t.Fatal(err)
			}
			types := map[uint32]int{}
			icons := map[uint32][]byte{}
			var group, version []byte
			for _, l := range leaves {
				types[l.typ]++
				switch l.typ {
				case rtIcon:
					icons[l.id] = l.data
				case rtGroupIcon:
					group = l.data
				case rtVersion:
					version = l.data
				}
			}
			if !mapsEqual(types, tt.types) {
				t.Errorf("types = %v, want %v", types, tt.types)
			}
			if group != nil {
				sizes, err := iconGroup(group, icons)
				got := ""
				if err != nil {
					got = err.Error()
				}
				if got != tt.broken {
					t.Errorf("icon group problem = %q, want %q", got, tt.broken)
				}
				if !slices.Equal(sizes, tt.icons) {
					t.Errorf("icons = %v, want %v", sizes, tt.icons)
				}
			}
			if got := fileVersion(version); got != tt.version {
				t.Errorf("file version = %q, want %q", got, tt.version)
			}
		})
	}
}

// stringEntry is one String of a StringTable: its header, key, padding and value, as windres
// writes them.
func stringEntry(key, value string) []byte {
	k := utf16le(key + "\x00")
	v := utf16le(value + "\x00")
	b := make([]byte, 6)
	b = append(b, k...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	b = append(b, v...)
	binary.LittleEndian.PutUint16(b[0:], uint16(len(b)))
	binary.LittleEndian.PutUint16(b[2:], uint16(len(v)/2))
	binary.LittleEndian.PutUint16(b[4:], 1)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func TestVersionStrings(t *testing.T) {
	b := versionInfo(1, 2, 3, 4)
	for len(b)%4 != 0 { // every String starts on a 32-bit boundary of the resource
		b = append(b, 0)
	}
	b = append(b, stringEntry("CompanyName", "The Onboard365 project")...)
	b = append(b, stringEntry("LegalCopyright", "Copyright (c) 2026 The Onboard365 authors")...)
	b = append(b, stringEntry("ProductName", "Onboard365")...)
	got := versionStrings(b)
	want := map[string]string{"CompanyName": "The Onboard365 project", "LegalCopyright": "Copyright (c) 2026 The Onboard365 authors", "ProductName": "Onboard365"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["FileDescription"]; ok {
		t.Error("a missing key was found")
	}
	// A value that claims to run past the end is empty, not read out of bounds.
	cut := stringEntry("CompanyName", "x")
	binary.LittleEndian.PutUint16(cut[2:], 5000)
	if got := versionStrings(cut); got["CompanyName"] != "" {
		t.Errorf("a value past the end gave %q", got["CompanyName"])
	}
}

func mapsEqual(a, b map[uint32]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestResourceWalkRefusesBadOffsets(t *testing.T) {
	const rva = 0x5000
	good := rsrcSection(rva, []res{{rtManifest, 1, []byte("<assembly/>")}})
	tests := []struct {
		name  string
		spoil func(b []byte)
		want  string
	}{
		{"a table that points back to the root", func(b []byte) {
			binary.LittleEndian.PutUint32(b[16+4:], 0x80000000)
		}, "points back"},
		{"a table that claims too many entries", func(b []byte) {
			binary.LittleEndian.PutUint16(b[14:], 0xffff)
		}, "entries"},
		{"data outside the section", func(b []byte) {
			// the data entry is the last 16 bytes before the (8-aligned) data
			off := len(b) - 16 - 16
			binary.LittleEndian.PutUint32(b[off:], rva+1<<20)
		}, "outside the section"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := slices.Clone(good)
			tt.spoil(b)
			r := resources{data: b, rva: rva, section: b, sectionRVA: rva}
			_, err := r.walk()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("walk() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// goodManifest has what the shipped manifest has, in another attribute order.
const goodManifest = `<assembly><compatibility><application><supportedOS Id="{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"/></application></compatibility>
<windowsSettings><dpiAwareness xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">PerMonitorV2, PerMonitor</dpiAwareness></windowsSettings>
<dependency><dependentAssembly><assemblyIdentity type="win32" version="6.0.0.0" name="Microsoft.Windows.Common-Controls"/></dependentAssembly></dependency></assembly>`

func TestProblems(t *testing.T) {
	good := report{
		Machine:     pe.IMAGE_FILE_MACHINE_AMD64,
		Subsystem:   pe.IMAGE_SUBSYSTEM_WINDOWS_GUI,
		Types:       map[uint32]int{rtIcon: 7, rtGroupIcon: 1, rtVersion: 1, rtManifest: 1},
		Icons:       []string{"16x16 32-bit", "24x24 32-bit", "32x32 32-bit", "48x48 32-bit", "64x64 32-bit", "128x128 32-bit", "256x256 32-bit"},
		FileVersion: "0.1.0.1",
		Strings:     map[string]string{"CompanyName": "The Onboard365 project", "LegalCopyright": "Copyright (c) 2026", "ProductName": "Onboard365", "FileDescription": "Onboard365"},
		Manifest:    goodManifest,
	}
	tests := []struct {
		name    string
		change  func(r *report)
		version string
		signed  bool
		want    []string
	}{
		{"the shipped exe", func(*report) {}, "0.1.0.1", false, nil},
		{"a console program", func(r *report) { r.Subsystem = pe.IMAGE_SUBSYSTEM_WINDOWS_CUI }, "", false,
			[]string{"not IMAGE_SUBSYSTEM_WINDOWS_GUI"}},
		{"no icon", func(r *report) { r.Types = map[uint32]int{rtVersion: 1, rtManifest: 1} }, "", false,
			[]string{"no RT_GROUP_ICON"}},
		{"a broken icon group", func(r *report) { r.IconsBroken = "the icon group names no icon" }, "", false,
			[]string{"names no icon"}},
		{"another version", func(*report) {}, "0.2.0.1", false, []string{`want "0.2.0.1"`}},
		{"unsigned when a signature is required", func(*report) {}, "", true, []string{"not signed"}},
		{"a 32-bit program", func(r *report) { r.Machine = pe.IMAGE_FILE_MACHINE_I386 }, "", false, []string{"not AMD64"}},
		// What fyne package wrote: one image labelled 256, no company or copyright, a bare manifest.
		{"one icon size", func(r *report) { r.Icons = []string{"256x256 32-bit"} }, "", false,
			[]string{"the icon lacks the sizes 16, 24, 32, 48, 64, 128"}},
		{"no company or copyright", func(r *report) {
			r.Strings = map[string]string{"ProductName": "Onboard365", "FileDescription": "Onboard365"}
		}, "", false, []string{"no CompanyName", "no LegalCopyright"}},
		{"a bare manifest", func(r *report) {
			r.Manifest = `<assembly><assemblyIdentity version="0.1.0.1" name="Onboard365"/></assembly>`
		}, "", false,
			[]string{"supportedOS", "PerMonitorV2", "Common Controls 6"}},
		{"DPI aware only per system", func(r *report) { r.Manifest = strings.Replace(goodManifest, "PerMonitorV2, PerMonitor", "System", 1) }, "", false,
			[]string{"PerMonitorV2"}},
		{"Common Controls 5", func(r *report) {
			r.Manifest = strings.Replace(goodManifest, `version="6.0.0.0"`, `version="5.82.0.0"`, 1)
		}, "", false,
			[]string{"Common Controls 6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			r.Types = map[uint32]int{}
			for k, v := range good.Types {
				r.Types[k] = v
			}
			tt.change(&r)
			got := r.problems(tt.version, tt.signed)
			if len(got) != len(tt.want) {
				t.Fatalf("problems = %q, want %d like %q", got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.Contains(got[i], tt.want[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestSubsystemOfRealPrograms builds a small Go program for Windows twice, as a console and as a
// GUI program, and reads the subsystem Go's linker wrote.
func TestSubsystemOfRealPrograms(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two Windows programs")
	}
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module hello\n\ngo 1.25\n")
	write("main.go", "package main\n\nfunc main() { println(\"hello\") }\n")
	for _, tt := range []struct {
		ldflags string
		want    uint16
	}{
		{"", pe.IMAGE_SUBSYSTEM_WINDOWS_CUI},
		{"-H=windowsgui", pe.IMAGE_SUBSYSTEM_WINDOWS_GUI},
	} {
		exe := filepath.Join(dir, "hello"+tt.ldflags+".exe")
		cmd := exec.Command("go", "build", "-ldflags="+tt.ldflags, "-o", exe, ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", tt.ldflags, err, out)
		}
		f, err := os.Open(exe)
		if err != nil {
			t.Fatal(err)
		}
		r, err := inspect(f)
		f.Close()
		if err != nil {
			t.Fatalf("inspect(%s): %v", exe, err)
		}
		if r.Subsystem != tt.want || r.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
			t.Errorf("ldflags %q: subsystem %d machine %#x, want subsystem %d on AMD64", tt.ldflags, r.Subsystem, r.Machine, tt.want)
		}
		// A plain Go program has no resources: pecheck must say so, not pass it.
		if p := r.problems("", false); len(p) == 0 {
			t.Errorf("ldflags %q: a program without icon or version passed the check", tt.ldflags)
		}
	}
}

// FuzzInspect feeds arbitrary bytes, and a valid PE header with an arbitrary resource section, to
// the reader: it must return (a report or an error), never panic or loop.
func FuzzInspect(f *testing.F) {
	f.Add([]byte("MZ"), []byte{})
	f.Add([]byte{}, rsrcSection(0x5000, []res{{rtGroupIcon, 1, groupIcon(1)}, {rtIcon, 1, []byte{1}}}))
	f.Add([]byte{}, append(versionInfo(0, 1, 0, 1), stringEntry("CompanyName", "x")...))
	f.Fuzz(func(t *testing.T, file, section []byte) {
		_, _ = inspect(bytes.NewReader(file))
		r := resources{data: section, rva: 0x5000, section: section, sectionRVA: 0x5000}
		leaves, err := r.walk()
		if err != nil {
			return
		}
		icons := map[uint32][]byte{}
		for _, l := range leaves {
			if l.typ == rtIcon {
				icons[l.id] = l.data
			}
		}
		for _, l := range leaves {
			switch l.typ {
			case rtGroupIcon:
				_, _ = iconGroup(l.data, icons)
			case rtVersion:
				_ = fileVersion(l.data)
				_ = versionStrings(l.data)
			}
		}
	})
}
