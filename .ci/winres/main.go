// Command winres writes what the Windows resource compiler (windres) needs to give Onboard365.exe
// its resources, from the project's own files:
//
//   - icon.ico: the app's icon (resources/icon.png) at the sizes Windows shows, 16, 24, 32, 48, 64,
//     128 and 256 pixels: the 256 one stored as PNG, the smaller ones as 32-bit bitmaps with their
//     mask, as Explorer, the task bar and the title bar expect. Each size is drawn from the
//     original by averaging the pixels it covers, so the small ones stay sharp.
//
//   - app.manifest: resources/windows/Onboard365.exe.manifest with the version filled in.
//
//   - app.rc: the icon, the manifest, and the version information: the file and product version
//     and CompanyName, LegalCopyright, FileDescription, ProductName, InternalName and
//     OriginalFilename.
//
//     go run ./.ci/winres -version 1.2.3 -build 4 -out DIR
//     x86_64-w64-mingw32-windres -O coff -i DIR/app.rc -o cmd/onboard365/rsrc_windows_amd64.syso
//
// .ci/build-windows runs both; .ci/pecheck checks the result in the exe.
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// What the version information says besides the version.
const (
	productName = "Onboard365"
	companyName = "The Onboard365 project"
	copyright   = "Copyright (c) 2026 The Onboard365 authors"
	description = "Onboard365: connects a Microsoft CSP partner tenant to its customers"
	exeName     = "Onboard365.exe"
)

// IconSizes are the sizes of the icon in the exe, in pixels.
var IconSizes = []int{16, 24, 32, 48, 64, 128, 256}

func main() {
	version := flag.String("version", "", "the version, `x.y.z`")
	build := flag.Int("build", 1, "the build `number`, the fourth part of the file version")
	icon := flag.String("icon", "resources/icon.png", "the app's icon, a square PNG of at least 256 pixels")
	manifest := flag.String("manifest", "resources/windows/Onboard365.exe.manifest", "the application manifest, with VERSION for the version")
	out := flag.String("out", "", "the `folder` to write icon.ico, app.manifest and app.rc to")
	flag.Parse()
	if err := run(*version, *build, *icon, *manifest, *out); err != nil {
		fmt.Fprintln(os.Stderr, "winres:", err)
		os.Exit(1)
	}
}

var versionRE = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)$`)

func run(version string, build int, iconPath, manifestPath, out string) error {
	m := versionRE.FindStringSubmatch(version)
	if m == nil || build < 0 || build > 65535 || out == "" {
		return fmt.Errorf("give -version x.y.z, -build 0 to 65535 and -out FOLDER (got %q, %d, %q)", version, build, out)
	}
	four := fmt.Sprintf("%s.%s.%s.%d", m[1], m[2], m[3], build)

	f, err := os.Open(iconPath)
	if err != nil {
		return err
	}
	src, err := png.Decode(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", iconPath, err)
	}
	var ico bytes.Buffer
	if err := writeICO(&ico, src, IconSizes); err != nil {
		return err
	}
	text, err := os.ReadFile(manifestPath)
	if err != nil {
		return err
	}
	if !bytes.Contains(text, []byte(`version="VERSION"`)) {
		return fmt.Errorf("%s has no version=\"VERSION\" to fill in", manifestPath)
	}
	text = bytes.Replace(text, []byte(`version="VERSION"`), []byte(`version="`+four+`"`), 1)
	for name, data := range map[string][]byte{
		"icon.ico":     ico.Bytes(),
		"app.manifest": text,
		"app.rc":       []byte(resourceScript(four, version)),
	} {
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// resourceScript is the .rc file: icon 1 (the one Explorer shows), manifest 1 (RT_MANIFEST is
// 24, CREATEPROCESS_MANIFEST_RESOURCE_ID 1), and VERSIONINFO 1 in US English, Unicode.
func resourceScript(four, version string) string {
	commas := strings.ReplaceAll(four, ".", ",")
	var b strings.Builder
	fmt.Fprintf(&b, "1 ICON \"icon.ico\"\n1 24 \"app.manifest\"\n\n")
	fmt.Fprintf(&b, "1 VERSIONINFO\nFILEVERSION %s\nPRODUCTVERSION %s\n", commas, commas)
	b.WriteString("FILEFLAGSMASK 0x3f\nFILEFLAGS 0x0\nFILEOS 0x40004\nFILETYPE 0x1\nFILESUBTYPE 0x0\nBEGIN\n")
	b.WriteString("  BLOCK \"StringFileInfo\"\n  BEGIN\n    BLOCK \"040904b0\"\n    BEGIN\n")
	for _, kv := range [][2]string{
		{"CompanyName", companyName},
		{"FileDescription", description},
		{"FileVersion", four},
		{"InternalName", productName},
		{"LegalCopyright", copyright},
		{"OriginalFilename", exeName},
		{"ProductName", productName},
		{"ProductVersion", version},
	} {
		fmt.Fprintf(&b, "      VALUE %q, %q\n", kv[0], kv[1])
	}
	b.WriteString("    END\n  END\n  BLOCK \"VarFileInfo\"\n  BEGIN\n    VALUE \"Translation\", 0x409, 1200\n  END\nEND\n")
	return b.String()
}

// writeICO writes an ICO file with src drawn at each size: PNG for 256 pixels, 32-bit bitmaps
// with an AND mask below.
func writeICO(w io.Writer, src image.Image, sizes []int) error {
	b := src.Bounds()
	if b.Dx() != b.Dy() || b.Dx() < 256 {
		return fmt.Errorf("the icon is %dx%d: it must be square and at least 256 pixels", b.Dx(), b.Dy())
	}
	images := make([][]byte, len(sizes))
	for i, s := range sizes {
		img := scale(src, s)
		if s >= 256 {
			var p bytes.Buffer
			if err := png.Encode(&p, img); err != nil {
				return err
			}
			images[i] = p.Bytes()
		} else {
			images[i] = dib(img)
		}
	}
	// ICONDIR, then one ICONDIRENTRY per image, then the images.
	head := make([]byte, 6+16*len(sizes))
	binary.LittleEndian.PutUint16(head[2:], 1) // icon
	binary.LittleEndian.PutUint16(head[4:], uint16(len(sizes)))
	offset := len(head)
	for i, s := range sizes {
		e := head[6+16*i:]
		e[0], e[1] = byte(s%256), byte(s%256)    // 0 means 256
		binary.LittleEndian.PutUint16(e[4:], 1)  // planes
		binary.LittleEndian.PutUint16(e[6:], 32) // bits per pixel
		binary.LittleEndian.PutUint32(e[8:], uint32(len(images[i])))
		binary.LittleEndian.PutUint32(e[12:], uint32(offset))
		offset += len(images[i])
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	for _, img := range images {
		if _, err := w.Write(img); err != nil {
			return err
		}
	}
	return nil
}

// scale draws src at size x size pixels: each pixel is the average of the source pixels it
// covers (weighted by how much of each it covers), with colour weighted by alpha so that
// transparent pixels do not darken the edges.
func scale(src image.Image, size int) *image.NRGBA {
	b := src.Bounds()
	n := float64(b.Dx())
	step := n / float64(size)
	dst := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := 0; y < size; y++ {
		y0, y1 := float64(y)*step, float64(y+1)*step
		for x := 0; x < size; x++ {
			x0, x1 := float64(x)*step, float64(x+1)*step
			var r, g, bl, a, area float64
			for sy := int(y0); float64(sy) < y1 && sy < b.Dy(); sy++ {
				wy := min(y1, float64(sy+1)) - max(y0, float64(sy))
				for sx := int(x0); float64(sx) < x1 && sx < b.Dx(); sx++ {
					wx := min(x1, float64(sx+1)) - max(x0, float64(sx))
					c := color.NRGBAModel.Convert(src.At(b.Min.X+sx, b.Min.Y+sy)).(color.NRGBA)
					weight := wx * wy
					al := float64(c.A) * weight
					r += float64(c.R) * al
					g += float64(c.G) * al
					bl += float64(c.B) * al
					a += al
					area += weight
				}
			}
			if a > 0 {
				dst.SetNRGBA(x, y, color.NRGBA{R: round(r / a), G: round(g / a), B: round(bl / a), A: round(a / area)})
			}
		}
	}
	return dst
}

func round(v float64) uint8 { return uint8(min(255, max(0, v+0.5))) }

// dib is an icon image as a BITMAPINFOHEADER, 32-bit BGRA rows from the bottom up, and the 1-bit
// AND mask (set where the pixel is fully transparent), its rows padded to 32 bits.
func dib(img *image.NRGBA) []byte {
	s := img.Bounds().Dx()
	maskRow := ((s + 31) / 32) * 4
	var b bytes.Buffer
	h := make([]byte, 40)
	binary.LittleEndian.PutUint32(h[0:], 40)
	binary.LittleEndian.PutUint32(h[4:], uint32(s))
	binary.LittleEndian.PutUint32(h[8:], uint32(2*s)) // the colour rows and the mask rows
	binary.LittleEndian.PutUint16(h[12:], 1)
	binary.LittleEndian.PutUint16(h[14:], 32)
	binary.LittleEndian.PutUint32(h[20:], uint32(s*s*4+maskRow*s))
	b.Write(h)
	for y := s - 1; y >= 0; y-- {
		for x := 0; x < s; x++ {
			c := img.NRGBAAt(x, y)
			b.Write([]byte{c.B, c.G, c.R, c.A})
		}
	}
	for y := s - 1; y >= 0; y-- {
		row := make([]byte, maskRow)
		for x := 0; x < s; x++ {
			if img.NRGBAAt(x, y).A == 0 {
				row[x/8] |= 0x80 >> (x % 8)
			}
		}
		b.Write(row)
	}
	return b.Bytes()
}
