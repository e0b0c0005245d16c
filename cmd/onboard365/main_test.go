package main

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/cloud"
)

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	badCloud := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badCloud, []byte(`{"name":"x","authorityHost":"https://a","graphURL":"http://g","partnerCenterURL":"https://p"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"version", []string{"--version"}, 0, "onboard365 0.1.0-dev", ""},
		{"help", []string{"--help"}, 0, "", "-sandbox"},
		{"unknown flag", []string{"--nope"}, 2, "", "flag provided but not defined"},
		{"unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"sandbox and cloud", []string{"--sandbox", "--cloud", badCloud}, 1, "", "choose either --sandbox or --cloud"},
		{"scenario without sandbox", []string{"--scenario", "fresh"}, 2, "", "add --sandbox"},
		{"unknown scenario", []string{"--sandbox", "--scenario", "nope"}, 1, "", `no scenario called "nope"`},
		{"bad cloud file", []string{"--cloud", badCloud}, 1, "", `field "graphURL" must start with https://`},
		{"missing cloud file", []string{"--cloud", filepath.Join(dir, "missing.json")}, 1, "", "read cloud file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d (stderr: %s)", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout %q does not hold %q", stdout.String(), tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr %q does not hold %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}

// TestScreenshotCommand renders every page on a real sandbox and checks that each picture has the
// right size and is not blank.
func TestScreenshotCommand(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--sandbox", "--screenshot", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	const pages, sizes, themes = 8, 2, 2
	if len(files) != pages*sizes*themes {
		t.Fatalf("%d screenshots, want %d: %v", len(files), pages*sizes*themes, files)
	}
	if !strings.Contains(stdout.String(), "Wrote 32 screenshots") {
		t.Errorf("stdout = %q", stdout.String())
	}
	for _, f := range files {
		img := decode(t, f)
		want := image.Pt(1024, 700)
		if strings.Contains(f, "1600x1000") {
			want = image.Pt(1600, 1000)
		}
		if img.Bounds().Size() != want {
			t.Errorf("%s is %v, want %v", filepath.Base(f), img.Bounds().Size(), want)
		}
		if n := colours(img); n < 8 {
			t.Errorf("%s has only %d colours: it looks blank", filepath.Base(f), n)
		}
	}
}

func decode(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// colours counts distinct colours on a sparse grid of the image.
func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

// TestSandboxServe runs the standalone sandbox, reads the cloud file it writes, reaches it with
// the app's own connection check, and stops it.
func TestSandboxServe(t *testing.T) {
	dir := t.TempDir()
	cloudFile := filepath.Join(dir, "cloud.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- runContext(ctx, []string{"sandbox", "serve", "--customers", "3", "--cloud-out", cloudFile}, &stdout, &stderr)
	}()
	var c cloud.Cloud
	deadline := time.Now().Add(20 * time.Second)
	for {
		var err error
		if c, err = cloud.Load(cloudFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no usable cloud file after 20 s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !c.Sandbox || c.CACertificate == "" {
		t.Errorf("cloud file = %+v", c)
	}
	checkCtx, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if err := c.Check(checkCtx); err != nil {
		t.Fatalf("the app cannot reach the sandbox it started: %v", err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit code %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the sandbox did not stop when asked")
	}
	if !strings.Contains(stdout.String(), `"sandbox": true`) {
		t.Errorf("stdout does not hold the cloud description: %s", stdout.String())
	}
}

func TestSandboxServeRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"sandbox"},
		{"sandbox", "serve", "--fault-rate", "2"},
		{"sandbox", "serve", "--fault-rate", "NaN"},
		{"sandbox", "serve", "--drop-rate", "+Inf"},
		{"sandbox", "serve", "--drop-rate", "0.7", "--malformed-rate", "0.7"},
		{"sandbox", "serve", "--customers", "9999"},
		{"sandbox", "serve", "--scenario", "nope"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 || stderr.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr.String())
		}
	}
}
