package main

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// Resource types (winuser.h).
const (
	rtIcon      = 3
	rtGroupIcon = 14
	rtVersion   = 16
	rtManifest  = 24
)

// The optional header's data directory entries (winnt.h).
const (
	dirResource = 2
	dirSecurity = 4
)

// report is what pecheck found in one executable.
type report struct {
	Machine     uint16
	Subsystem   uint16
	Types       map[uint32]int    // resource type id -> number of resources of that type
	Icons       []string          // sizes in the first icon group, "256x256 32-bit"
	IconsBroken string            // why the icon group is unusable, if it is
	FileVersion string            // from VS_FIXEDFILEINFO, "a.b.c.d"; "" if there is none
	Strings     map[string]string // the version information's strings: CompanyName, LegalCopyright, ...
	Manifest    string            // the application manifest's text
	Signed      bool              // the security directory (Authenticode) is not empty
}

// inspect reads a PE file's headers and resource directory. It never trusts an offset or a count
// in the file: everything read is bounds-checked, and the directory walk is at most three deep.
func inspect(r io.ReaderAt) (report, error) {
	f, err := pe.NewFile(r)
	if err != nil {
		return report{}, fmt.Errorf("reading the PE headers: %w", err)
	}
	defer f.Close()
	rep := report{Machine: f.FileHeader.Machine, Types: map[uint32]int{}}
	var dirs []pe.DataDirectory
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader64:
		rep.Subsystem = oh.Subsystem
		dirs = oh.DataDirectory[:min(int(oh.NumberOfRvaAndSizes), len(oh.DataDirectory))]
	case *pe.OptionalHeader32:
		rep.Subsystem = oh.Subsystem
		dirs = oh.DataDirectory[:min(int(oh.NumberOfRvaAndSizes), len(oh.DataDirectory))]
	default:
		return report{}, errors.New("the file has no optional header, so it is not a program")
	}
	if len(dirs) > dirSecurity && dirs[dirSecurity].VirtualAddress != 0 && dirs[dirSecurity].Size != 0 {
		rep.Signed = true
	}
	if len(dirs) <= dirResource || dirs[dirResource].VirtualAddress == 0 {
		return rep, nil
	}
	rsrc := sectionAt(f, dirs[dirResource].VirtualAddress)
	if rsrc == nil {
		return report{}, errors.New("the resource directory points outside every section")
	}
	data, err := rsrc.Data()
	if err != nil {
		return report{}, fmt.Errorf("reading section %s: %w", rsrc.Name, err)
	}
	base := dirs[dirResource].VirtualAddress - rsrc.VirtualAddress
	if base >= uint32(len(data)) {
		return report{}, errors.New("the resource directory starts past the end of its section")
	}
	res := resources{data: data[base:], rva: dirs[dirResource].VirtualAddress, section: data, sectionRVA: rsrc.VirtualAddress}
	leaves, err := res.walk()
	if err != nil {
		return report{}, fmt.Errorf("reading the resource directory: %w", err)
	}
	icons := map[uint32][]byte{}
	var group, version []byte
	for _, l := range leaves {
		rep.Types[l.typ]++
		switch {
		case l.typ == rtIcon:
			icons[l.id] = l.data
		case l.typ == rtGroupIcon && group == nil:
			group = l.data
		case l.typ == rtVersion && version == nil:
			version = l.data
		case l.typ == rtManifest && rep.Manifest == "":
			rep.Manifest = string(l.data[:min(len(l.data), maxManifest)])
		}
	}
	if group != nil {
		rep.Icons, err = iconGroup(group, icons)
		if err != nil {
			rep.IconsBroken = err.Error()
		}
	}
	if version != nil {
		rep.FileVersion = fileVersion(version)
		rep.Strings = versionStrings(version)
	}
	return rep, nil
}

// maxManifest bounds the manifest text kept; a real one is a few kilobytes.
const maxManifest = 64 << 10

// versionStrings reads the string table of a VS_VERSIONINFO: each String is a header (wLength,
// wValueLength, wType), its key in UTF-16 ending in a zero, padding to 4 bytes, and its value in
// UTF-16. It looks for the keys Windows shows, rather than walking the whole tree: a key that
// is not there is simply missing.
func versionStrings(b []byte) map[string]string {
	out := map[string]string{}
	for _, key := range versionKeys {
		k := utf16le(key + "\x00")
		i := bytes.Index(b, k)
		if i < 6 {
			continue
		}
		valueLen := int(binary.LittleEndian.Uint16(b[i-4:])) // in UTF-16 units, with its zero
		start := (i + len(k) + 3) &^ 3
		end := start + 2*valueLen
		if valueLen == 0 || end > len(b) {
			out[key] = ""
			continue
		}
		out[key] = strings.TrimRight(fromUTF16le(b[start:end]), "\x00")
	}
	return out
}

// versionKeys are the version strings Explorer's Details tab shows.
var versionKeys = []string{"CompanyName", "FileDescription", "FileVersion", "LegalCopyright", "ProductName", "ProductVersion", "OriginalFilename"}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = binary.LittleEndian.AppendUint16(b, uint16(r)) // the keys are ASCII
	}
	return b
}

func fromUTF16le(b []byte) string {
	var sb strings.Builder
	for i := 0; i+1 < len(b); i += 2 {
		sb.WriteRune(rune(binary.LittleEndian.Uint16(b[i:])))
	}
	return sb.String()
}

// What the manifest must say (see resources/windows/Onboard365.exe.manifest), each as a pattern.
var manifestNeeds = []struct {
	what string
	re   *regexp.Regexp
}{
	{"supportedOS for Windows 10 and 11 (without it Windows runs the app in a compatibility mode)",
		regexp.MustCompile(`(?i)<supportedOS\s+Id="\{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a\}"`)},
	{"per-monitor DPI awareness (PerMonitorV2: without it Windows stretches the window and it looks blurry)",
		regexp.MustCompile(`(?i)<dpiAwareness[^>]*>\s*PerMonitorV2`)},
	{"Common Controls 6 (without it message boxes look like Windows 95)",
		regexp.MustCompile(`(?is)<assemblyIdentity[^>]*(name="Microsoft\.Windows\.Common-Controls"[^>]*version="6\.0\.0\.0"|version="6\.0\.0\.0"[^>]*name="Microsoft\.Windows\.Common-Controls")`)},
}

// WantIcons are the icon sizes the exe must carry: Explorer's views, the task bar and the title
// bar at every scale.
var wantIcons = []int{16, 24, 32, 48, 64, 128, 256}

// sectionAt is the section that holds the relative virtual address rva.
func sectionAt(f *pe.File, rva uint32) *pe.Section {
	for _, s := range f.Sections {
		size := max(s.VirtualSize, s.Size)
		if rva >= s.VirtualAddress && rva-s.VirtualAddress < size {
			return s
		}
	}
	return nil
}

// resources is the resource directory: a tree three levels deep (type, name or id, language).
type resources struct {
	data       []byte // from the start of the resource directory
	rva        uint32 // the directory's relative virtual address
	section    []byte // the whole section, for data entries
	sectionRVA uint32
}

// leaf is one resource: its type, its id (0 for a named one) and its bytes.
type leaf struct {
	typ, id uint32
	data    []byte
}

// maxEntries bounds the entries read from one directory table; real programs have a handful.
const maxEntries = 4096

func (r resources) walk() ([]leaf, error) {
	var out []leaf
	types, err := r.table(0)
	if err != nil {
		return nil, err
	}
	for _, t := range types {
		if !t.dir {
			continue // a data entry at the type level is malformed; skip it
		}
		names, err := r.table(t.offset)
		if err != nil {
			return nil, fmt.Errorf("type %d: %w", t.id, err)
		}
		for _, n := range names {
			langs := []entry{n}
			if n.dir {
				if langs, err = r.table(n.offset); err != nil {
					return nil, fmt.Errorf("type %d, resource %d: %w", t.id, n.id, err)
				}
			}
			for _, l := range langs {
				if l.dir {
					continue // deeper than three levels: not a resource
				}
				data, err := r.dataEntry(l.offset)
				if err != nil {
					return nil, fmt.Errorf("type %d, resource %d: %w", t.id, n.id, err)
				}
				out = append(out, leaf{typ: t.id, id: n.id, data: data})
			}
		}
	}
	return out, nil
}

// entry is one row of a directory table: an id (0 when named), and where it points.
type entry struct {
	id     uint32
	dir    bool   // points to another table rather than to a data entry
	offset uint32 // from the start of the resource directory
}

// table reads the directory table at off: a 16-byte header, then named and id entries of 8 bytes.
func (r resources) table(off uint32) ([]entry, error) {
	if uint64(off)+16 > uint64(len(r.data)) {
		return nil, fmt.Errorf("a directory table at %d lies past the end", off)
	}
	named := binary.LittleEndian.Uint16(r.data[off+12:])
	ids := binary.LittleEndian.Uint16(r.data[off+14:])
	n := int(named) + int(ids)
	if n > maxEntries {
		return nil, fmt.Errorf("a directory table claims %d entries", n)
	}
	start := uint64(off) + 16
	if start+uint64(n)*8 > uint64(len(r.data)) {
		return nil, fmt.Errorf("a directory table at %d has entries past the end", off)
	}
	out := make([]entry, 0, n)
	for i := range n {
		p := start + uint64(i)*8
		name := binary.LittleEndian.Uint32(r.data[p:])
		to := binary.LittleEndian.Uint32(r.data[p+4:])
		e := entry{dir: to&0x80000000 != 0, offset: to &^ 0x80000000}
		if name&0x80000000 == 0 {
			e.id = name
		}
		if e.dir && e.offset <= off {
			return nil, fmt.Errorf("a directory table at %d points back to %d", off, e.offset)
		}
		out = append(out, e)
	}
	return out, nil
}

// dataEntry reads the 16-byte data entry at off and returns the bytes it points to.
func (r resources) dataEntry(off uint32) ([]byte, error) {
	if uint64(off)+16 > uint64(len(r.data)) {
		return nil, fmt.Errorf("a data entry at %d lies past the end", off)
	}
	rva := binary.LittleEndian.Uint32(r.data[off:])
	size := binary.LittleEndian.Uint32(r.data[off+4:])
	if rva < r.sectionRVA || uint64(rva-r.sectionRVA)+uint64(size) > uint64(len(r.section)) {
		return nil, fmt.Errorf("a resource's data (%d bytes at %#x) lies outside the section", size, rva)
	}
	start := rva - r.sectionRVA
	return r.section[start : start+size], nil
}

// iconGroup reads a GRPICONDIR and checks that every icon it names is there.
func iconGroup(b []byte, icons map[uint32][]byte) ([]string, error) {
	if len(b) < 6 {
		return nil, errors.New("the icon group is shorter than its header")
	}
	if binary.LittleEndian.Uint16(b[0:]) != 0 || binary.LittleEndian.Uint16(b[2:]) != 1 {
		return nil, errors.New("the icon group's header does not say icon")
	}
	n := int(binary.LittleEndian.Uint16(b[4:]))
	if n == 0 {
		return nil, errors.New("the icon group names no icon")
	}
	if len(b) < 6+14*n {
		return nil, fmt.Errorf("the icon group names %d icons but holds fewer", n)
	}
	var sizes []string
	for i := range n {
		e := b[6+14*i:]
		w, h := int(e[0]), int(e[1])
		if w == 0 {
			w = 256
		}
		if h == 0 {
			h = 256
		}
		bits := binary.LittleEndian.Uint16(e[6:])
		id := uint32(binary.LittleEndian.Uint16(e[12:]))
		img, ok := icons[id]
		if !ok {
			return nil, fmt.Errorf("the icon group names icon %d, which is missing", id)
		}
		if len(img) == 0 {
			return nil, fmt.Errorf("icon %d is empty", id)
		}
		sizes = append(sizes, fmt.Sprintf("%dx%d %d-bit", w, h, bits))
	}
	sort.Slice(sizes, func(i, j int) bool { return sizeOf(sizes[i]) < sizeOf(sizes[j]) })
	return sizes, nil
}

// sizeOf is the width of an icon size as iconGroup writes it ("48x48 32-bit" gives 48).
func sizeOf(s string) int {
	var w int
	fmt.Sscanf(s, "%dx", &w)
	return w
}

// fixedFileInfoSignature starts VS_FIXEDFILEINFO inside a VS_VERSIONINFO resource.
var fixedFileInfoSignature = []byte{0xbd, 0x04, 0xef, 0xfe}

// fileVersion reads FileVersionMS and FileVersionLS from VS_FIXEDFILEINFO.
func fileVersion(b []byte) string {
	i := bytes.Index(b, fixedFileInfoSignature)
	if i < 0 || i+16 > len(b) {
		return ""
	}
	ms := binary.LittleEndian.Uint32(b[i+8:])
	ls := binary.LittleEndian.Uint32(b[i+12:])
	return fmt.Sprintf("%d.%d.%d.%d", ms>>16, ms&0xffff, ls>>16, ls&0xffff)
}

var subsystems = map[uint16]string{
	pe.IMAGE_SUBSYSTEM_WINDOWS_GUI: "IMAGE_SUBSYSTEM_WINDOWS_GUI",
	pe.IMAGE_SUBSYSTEM_WINDOWS_CUI: "IMAGE_SUBSYSTEM_WINDOWS_CUI (console)",
}

func (r report) print(w io.Writer) {
	machine := fmt.Sprintf("%#x", r.Machine)
	if r.Machine == pe.IMAGE_FILE_MACHINE_AMD64 {
		machine = "IMAGE_FILE_MACHINE_AMD64"
	}
	sub, ok := subsystems[r.Subsystem]
	if !ok {
		sub = fmt.Sprint(r.Subsystem)
	}
	fmt.Fprintf(w, "machine:      %s\n", machine)
	fmt.Fprintf(w, "subsystem:    %s\n", sub)
	fmt.Fprintf(w, "resources:    %d RT_GROUP_ICON, %d RT_ICON, %d RT_VERSION, %d RT_MANIFEST\n",
		r.Types[rtGroupIcon], r.Types[rtIcon], r.Types[rtVersion], r.Types[rtManifest])
	fmt.Fprintf(w, "icon sizes:   %s\n", strings.Join(r.Icons, ", "))
	fmt.Fprintf(w, "file version: %s\n", r.FileVersion)
	for _, k := range versionKeys {
		if v, ok := r.Strings[k]; ok {
			fmt.Fprintf(w, "%-13s %s\n", k+":", v)
		}
	}
	for _, n := range manifestNeeds {
		fmt.Fprintf(w, "manifest:     %v: %s\n", n.re.MatchString(r.Manifest), n.what)
	}
	fmt.Fprintf(w, "signed:       %v\n", r.Signed)
}

// problems lists every check the executable fails, in words.
func (r report) problems(wantVersion string, wantSigned bool) []string {
	var p []string
	if r.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		p = append(p, fmt.Sprintf("machine is %#x, not AMD64", r.Machine))
	}
	if r.Subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		p = append(p, fmt.Sprintf("subsystem is %d, not IMAGE_SUBSYSTEM_WINDOWS_GUI (2): a console window would open", r.Subsystem))
	}
	switch {
	case r.Types[rtGroupIcon] == 0:
		p = append(p, "no RT_GROUP_ICON resource: Explorer would show a blank icon")
	case r.IconsBroken != "":
		p = append(p, r.IconsBroken)
	}
	if r.Types[rtVersion] == 0 {
		p = append(p, "no RT_VERSION resource")
	} else if wantVersion != "" && r.FileVersion != wantVersion {
		p = append(p, fmt.Sprintf("file version is %q, want %q", r.FileVersion, wantVersion))
	}
	if r.Types[rtManifest] == 0 {
		p = append(p, "no RT_MANIFEST resource")
	} else {
		for _, n := range manifestNeeds {
			if !n.re.MatchString(r.Manifest) {
				p = append(p, "the manifest lacks "+n.what)
			}
		}
	}
	if r.Types[rtVersion] != 0 {
		for _, k := range []string{"CompanyName", "LegalCopyright", "ProductName", "FileDescription"} {
			if strings.TrimSpace(r.Strings[k]) == "" {
				p = append(p, "the version information has no "+k)
			}
		}
	}
	if r.Types[rtGroupIcon] != 0 && r.IconsBroken == "" {
		have := map[int]bool{}
		for _, s := range r.Icons {
			have[sizeOf(s)] = true
		}
		var missing []string
		for _, s := range wantIcons {
			if !have[s] {
				missing = append(missing, fmt.Sprint(s))
			}
		}
		if len(missing) > 0 {
			p = append(p, "the icon lacks the sizes "+strings.Join(missing, ", ")+" (it must have 16, 24, 32, 48, 64, 128 and 256 pixels)")
		}
	}
	if wantSigned && !r.Signed {
		p = append(p, "not signed (no Authenticode signature in the security directory)")
	}
	return p
}
