package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// icoEntries reads an ICO file's directory: the size and the bytes of each image.
func icoEntries(t *testing.T, b []byte) (sizes []int, images [][]byte) {
	t.Helper()
	if len(b) < 6 || binary.LittleEndian.Uint16(b[2:]) != 1 {
		t.Fatal("not an icon file")
	}
	n := int(binary.LittleEndian.Uint16(b[4:]))
	for i := range n {
		e := b[6+16*i:]
		s := int(e[0])
		if s == 0 {
			s = 256
		}
		size, off := binary.LittleEndian.Uint32(e[8:]), binary.LittleEndian.Uint32(e[12:])
		if int(off+size) > len(b) {
			t.Fatalf("image %d lies past the end", i)
		}
		sizes = append(sizes, s)
		images = append(images, b[off:off+size])
	}
	return sizes, images
}

// The icon has every size Windows shows, each image what its entry says: the 256 one a PNG of
// 256 pixels, the others bitmaps of their size with their mask.
func TestTheIconHasEverySize(t *testing.T) {
	f, err := os.Open("../../resources/icon.png")
	if err != nil {
		t.Fatal(err)
	}
	src, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := writeICO(&b, src, IconSizes); err != nil {
		t.Fatal(err)
	}
	sizes, images := icoEntries(t, b.Bytes())
	if len(sizes) != 7 || sizes[0] != 16 || sizes[6] != 256 {
		t.Fatalf("sizes %v", sizes)
	}
	for i, s := range sizes {
		img := images[i]
		if s == 256 {
			p, err := png.Decode(bytes.NewReader(img))
			if err != nil || p.Bounds().Dx() != 256 {
				t.Errorf("the 256-pixel image is not a 256-pixel PNG: %v", err)
			}
			continue
		}
		w, h := binary.LittleEndian.Uint32(img[4:]), binary.LittleEndian.Uint32(img[8:])
		mask := ((s + 31) / 32) * 4 * s
		if int(w) != s || int(h) != 2*s || len(img) != 40+4*s*s+mask {
			t.Errorf("the %d-pixel bitmap says %dx%d and has %d bytes", s, w, h, len(img))
		}
	}
}

// Scaling averages what each pixel covers: a solid colour stays that colour, a transparent
// corner stays transparent, and the colour of half-transparent edges is not darkened.
func TestScale(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 512, 512))
	for y := 0; y < 512; y++ {
		for x := 0; x < 512; x++ {
			if x >= 245 { // the edge falls inside pixel 11 of 24 (which covers 234.7 to 256)
				src.SetNRGBA(x, y, color.NRGBA{R: 10, G: 120, B: 230, A: 255})
			}
		}
	}
	got := scale(src, 24)
	if c := got.NRGBAAt(0, 0); c.A != 0 {
		t.Errorf("a transparent corner became %v", c)
	}
	if c := got.NRGBAAt(23, 23); c != (color.NRGBA{R: 10, G: 120, B: 230, A: 255}) {
		t.Errorf("a solid corner became %v", c)
	}
	if c := got.NRGBAAt(11, 5); c.R != 10 || c.G != 120 || c.B != 230 || c.A < 100 || c.A > 160 {
		t.Errorf("the edge pixel, half covered, is %v (want the colour at about half alpha)", c)
	}
}

func TestResourceScript(t *testing.T) {
	rc := resourceScript("1.2.3.4", "1.2.3")
	for _, want := range []string{"1 ICON \"icon.ico\"", "1 24 \"app.manifest\"", "FILEVERSION 1,2,3,4", `VALUE "CompanyName", "The Onboard365 project"`,
		`VALUE "LegalCopyright", "Copyright (c) 2026 The Onboard365 authors"`, `VALUE "ProductVersion", "1.2.3"`, "0x409, 1200"} {
		if !strings.Contains(rc, want) {
			t.Errorf("the script lacks %q:\n%s", want, rc)
		}
	}
	if err := run("1.2", 1, "../../resources/icon.png", "../../resources/windows/Onboard365.exe.manifest", t.TempDir()); err == nil {
		t.Error("a two-part version was taken")
	}
}

// TestAWindowsProgramWithTheseResources: what winres writes, compiled by windres into a small
// Windows program, passes pecheck: every icon size, the version strings, the manifest.
func TestAWindowsProgramWithTheseResources(t *testing.T) {
	windres, err := exec.LookPath("x86_64-w64-mingw32-windres")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("x86_64-w64-mingw32-windres is missing (Debian: binutils-mingw-w64-x86-64)")
		}
		t.Skip("x86_64-w64-mingw32-windres is not installed")
	}
	dir := t.TempDir()
	res := filepath.Join(dir, "res")
	prog := filepath.Join(dir, "prog")
	for _, d := range []string{res, prog} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := run("1.2.3", 4, "../../resources/icon.png", "../../resources/windows/Onboard365.exe.manifest", res); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(windres, "-O", "coff", "-i", "app.rc", "-o", filepath.Join(prog, "rsrc_windows_amd64.syso"))
	cmd.Dir = res
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("windres: %v\n%s", err, out)
	}
	for name, text := range map[string]string{"go.mod": "module prog\n\ngo 1.25\n", "main.go": "package main\n\nfunc main() {}\n"} {
		if err := os.WriteFile(filepath.Join(prog, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exe := filepath.Join(dir, "prog.exe")
	build := exec.Command("go", "build", "-ldflags=-H=windowsgui", "-o", exe, ".")
	build.Dir = prog
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	check := exec.Command("go", "run", "../pecheck", "-version", "1.2.3.4", exe)
	out, err := check.CombinedOutput()
	if err != nil {
		t.Fatalf("pecheck: %v\n%s", err, out)
	}
	for _, want := range []string{"16x16 32-bit, 24x24 32-bit, 32x32 32-bit, 48x48 32-bit, 64x64 32-bit, 128x128 32-bit, 256x256 32-bit",
		"CompanyName:  The Onboard365 project", "LegalCopyright: Copyright (c) 2026 The Onboard365 authors"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("pecheck does not report %q:\n%s", want, out)
		}
	}
}
