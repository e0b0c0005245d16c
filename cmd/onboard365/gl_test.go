package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-gl/glfw/v3.4/glfw"
)

// TestMain lets a test start this test binary as the app itself: with ONBOARD365_RUN_MAIN=1 it
// runs main() with the arguments after "--".
func TestMain(m *testing.M) {
	if os.Getenv("ONBOARD365_PROBE_GL") == "1" {
		// probeGL on the main goroutine, which Fyne's driver locked to the main OS thread.
		if err := probeGL(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(exitNoGraphics)
		}
		os.Exit(0)
	}
	if os.Getenv("ONBOARD365_RUN_MAIN") == "1" {
		for i, a := range os.Args {
			if a == "--" {
				os.Args = append([]string{os.Args[0]}, os.Args[i+1:]...)
				break
			}
		}
		main()
		return
	}
	// The tests keep what the app writes in the user's settings folder (profiles, the invitation
	// ledger, the audit trail) in a folder of their own, never the person's running them.
	config, err := os.MkdirTemp("", "onboard365-test-config-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CONFIG_HOME", config)
	code := m.Run()
	os.RemoveAll(config)
	os.Exit(code)
}

func TestCheckGLVersion(t *testing.T) {
	tests := []struct {
		version string
		ok      bool
	}{
		{"2.1 Mesa 22.3.6", true},
		{"4.6.0 NVIDIA 535.54.03", true},
		{"3.3 (Core Profile) Mesa 23.2.1", true},
		{"2.0 Chromium", false},
		{"1.1.0", false}, // Windows' own GDI renderer, as over Remote Desktop
		{"", false},
		{"OpenGL ES 3.0", false},
		{"x.y", false},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			err := checkGLVersion(tt.version)
			if (err == nil) != tt.ok {
				t.Errorf("checkGLVersion(%q) = %v, want ok %v", tt.version, err, tt.ok)
			}
		})
	}
}

func TestGLHelp(t *testing.T) {
	cause := errors.New("VersionUnavailable: WGL: OpenGL version 2.1 not supported")
	common := []string{"could not open its window", "OpenGL 2.1", "Remote Desktop", "onboard365 check gdap", "onboard365 check --help", "VersionUnavailable"}
	tests := []struct {
		goos string
		want []string
	}{
		{"windows", []string{"Update the graphics driver", "console", "opengl32.dll", "Mesa"}},
		{"darwin", []string{"macOS updates"}},
		{"linux", []string{"libgl1-mesa-dri", "LIBGL_ALWAYS_SOFTWARE=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.goos, func(t *testing.T) {
			text := glHelp(tt.goos, cause)
			for _, want := range append(common, tt.want...) {
				if !strings.Contains(text, want) {
					t.Errorf("the help for %s does not say %q:\n%s", tt.goos, want, text)
				}
			}
		})
	}
	if strings.Contains(glHelp("linux", cause), "opengl32.dll") {
		t.Error("the Linux help speaks of a Windows DLL")
	}
}

// TestNoOpenGLExplainsAndExits starts the app on an X server without GLX, as a computer without
// an OpenGL driver is, and checks that it prints the help and exits with exitNoGraphics instead of
// hanging without a window (what Fyne does there on its own). It needs Xvfb (Debian: xvfb); with
// CI=true a missing Xvfb fails the test.
func TestNoOpenGLExplainsAndExits(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an X server")
	}
	xvfb, err := exec.LookPath("Xvfb")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("Xvfb is missing (Debian: apt-get install xvfb)")
		}
		t.Skip("Xvfb is not installed")
	}
	display := startXvfb(t, xvfb, "-extension", "GLX")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$", "--")
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "ONBOARD365_RUN_MAIN=1", "DISPLAY="+display, "WAYLAND_DISPLAY=", "HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("the app did not exit within 60 s without OpenGL (it hangs, as Fyne alone does)\nstderr:\n%s", stderr.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitNoGraphics {
		t.Fatalf("exit: %v, want code %d\nstderr:\n%s", err, exitNoGraphics, stderr.String())
	}
	for _, want := range []string{"Onboard365 could not open its window", "onboard365 check gdap", "GLX"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr.String())
		}
	}
}

// TestProbeFindsOpenGL: on an X server with GLX (Mesa draws in software), the probe finds
// OpenGL 2.1 or newer, so a computer that can show the window is never turned away.
func TestProbeFindsOpenGL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an X server")
	}
	xvfb, err := exec.LookPath("Xvfb")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("Xvfb is missing (Debian: apt-get install xvfb)")
		}
		t.Skip("Xvfb is not installed")
	}
	display := startXvfb(t, xvfb)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ONBOARD365_PROBE_GL=1", "DISPLAY="+display, "WAYLAND_DISPLAY=", "LIBGL_ALWAYS_SOFTWARE=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the probe refused an X server with GLX and Mesa (Debian: libgl1-mesa-dri): %v\n%s", err, out)
	}
}

// TestNoWindowIsNoOpenGL: GLFW giving no window and no error (Wine without a usable pixel
// format) is OpenGL missing, with a reason, not a window to draw on.
func TestNoWindowIsNoOpenGL(t *testing.T) {
	win, err := openProbeWindow(func(int, int, string, *glfw.Monitor, *glfw.Window) (*glfw.Window, error) { return nil, nil })
	if win != nil || err == nil || !strings.Contains(err.Error(), "no window") {
		t.Fatalf("openProbeWindow with no window = %v, %v; want an error saying there is no window", win, err)
	}
}

// TestProbeFailureOrPanicShowsTheHelp: a probe that fails, or panics (as the probe did on GLFW's
// nil window), is "OpenGL is not available": the help on stderr and in the message box, and
// false, so that runWindow exits with exitNoGraphics.
func TestProbeFailureOrPanicShowsTheHelp(t *testing.T) {
	for name, probe := range map[string]func() error{
		"panics": func() error {
			var w *glfw.Window
			w.MakeContextCurrent() // what probeGL did with GLFW's nil window
			return nil
		},
		"fails": func() error { return errors.New("VersionUnavailable: WGL: OpenGL version 2.1 not supported") },
	} {
		t.Run(name, func(t *testing.T) {
			var stderr bytes.Buffer
			var title, text string
			ok := glAvailable(&stderr, probe, func(t, m string) { title, text = t, m })
			if ok {
				t.Fatal("the window was said to be able to open")
			}
			if !strings.Contains(title, "cannot open its window") || !strings.Contains(text, "OpenGL 2.1") || text != stderr.String() {
				t.Errorf("message box %q / %q, stderr %q", title, text, stderr.String())
			}
		})
	}
	if !glAvailable(io.Discard, func() error { return nil }, func(string, string) { t.Error("a message box for a working OpenGL") }) {
		t.Error("a probe that succeeds was refused")
	}
}

func TestKeepGLFW(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"Windows, macOS, or X11", map[string]string{"DISPLAY": ":0"}, true},
		{"a Wayland session", map[string]string{"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, false},
		{"FYNE_PLATFORM set", map[string]string{"FYNE_PLATFORM": "x11"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := keepGLFW(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("keepGLFW = %v, want %v", got, tt.want)
			}
		})
	}
}

// startXvfb starts an X server on a free display number with the extra arguments and returns the
// DISPLAY value; the server stops when the test ends.
func startXvfb(t *testing.T, xvfb string, args ...string) string {
	t.Helper()
	for n := 90; n < 120; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue // in use
		}
		display := fmt.Sprintf(":%d", n)
		cmd := exec.Command(xvfb, append([]string{display, "-screen", "0", "1024x768x24", "-nolisten", "tcp"}, args...)...)
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting Xvfb: %v", err)
		}
		t.Cleanup(func() {
			// SIGTERM, so that Xvfb removes its lock file and socket for the next run.
			_ = cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
		})
		socket := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
		for range 100 {
			if _, err := os.Stat(socket); err == nil {
				return display
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("Xvfb did not open %s within 5 s", socket)
	}
	t.Fatal("no free X display number between :90 and :119")
	return ""
}

// FuzzCheckGLVersion: whatever a graphics driver answers to GL_VERSION, the check decides
// without panicking, and it accepts only a version that starts with a number of at least 2.1.
func FuzzCheckGLVersion(f *testing.F) {
	for _, s := range []string{"2.1 Mesa 22.3.6", "4.6.0 NVIDIA 535.54.03", "1.1.0", "", "OpenGL ES 3.0", "2.", ".1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if checkGLVersion(v) != nil {
			return
		}
		var major, minor int
		if _, err := fmt.Sscanf(strings.Fields(v)[0], "%d.%d", &major, &minor); err != nil {
			t.Fatalf("accepted %q, which does not start with major.minor", v)
		}
		if major < 2 || (major == 2 && minor < 1) {
			t.Fatalf("accepted %q, below 2.1", v)
		}
	})
}
