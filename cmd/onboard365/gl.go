package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/go-gl/gl/v2.1/gl"
	"github.com/go-gl/glfw/v3.4/glfw"
)

// Fyne draws the window with OpenGL 2.1. Where the graphics offer less (Remote Desktop's basic
// renderer, a virtual machine without a graphics driver, Xvfb without GLX), Fyne v2.8.1 logs
// "window creation error ... APIUnavailable: GLX: GLX extension not found" (or WGL's
// "VersionUnavailable"), shows no window, and waits for ever: a double-clicked Onboard365.exe
// would seem to do nothing. So before Fyne starts, probeGL asks for the same kind of window and
// context, and the app explains what to do instead.

// exitNoGraphics is the exit code when the window cannot open for want of OpenGL 2.1.
const exitNoGraphics = 3

// glNeed is the OpenGL version Fyne's painter needs.
var glNeed = [2]int{2, 1}

// probeGL opens a hidden 1x1 window with an OpenGL 2.1 context, as Fyne's driver would, reads
// the version the driver really gives, and closes the window again. It must run on the main
// goroutine (Fyne's driver locks it to the main OS thread) before Fyne starts.
//
// When it succeeds, GLFW stays initialised where Fyne would let GLFW choose the platform itself
// (keepGLFW): Fyne's own glfw.Init is then a no-op, and its window opens on the very connection
// this probe tested, instead of a second one made a moment later.
func probeGL() (err error) {
	if err := glfw.Init(); err != nil {
		return fmt.Errorf("starting the windowing system: %w", err)
	}
	defer func() {
		glfw.DefaultWindowHints()
		if err != nil || !keepGLFW(os.Getenv) {
			glfw.Terminate()
		}
	}()
	glfw.WindowHint(glfw.Visible, glfw.False)
	glfw.WindowHint(glfw.ContextVersionMajor, glNeed[0])
	glfw.WindowHint(glfw.ContextVersionMinor, glNeed[1])
	win, err := openProbeWindow(glfw.CreateWindow)
	if err != nil {
		return err
	}
	defer win.Destroy()
	win.MakeContextCurrent()
	defer glfw.DetachCurrentContext()
	if err := gl.Init(); err != nil {
		return fmt.Errorf("loading OpenGL: %w", err)
	}
	p := gl.GetString(gl.VERSION)
	if p == nil {
		return errors.New("the OpenGL driver does not say which version it offers")
	}
	return checkGLVersion(gl.GoStr(p))
}

// openProbeWindow opens the probe's hidden 1x1 window with create (glfw.CreateWindow). GLFW can
// return no window and no error: under Wine without a usable pixel format, and for other WGL
// failures. That is OpenGL missing too, not a window to use.
func openProbeWindow(create func(width, height int, title string, monitor *glfw.Monitor, share *glfw.Window) (*glfw.Window, error)) (*glfw.Window, error) {
	win, err := create(1, 1, "Onboard365", nil, nil)
	if err != nil {
		return nil, fmt.Errorf("opening an OpenGL %d.%d window: %w", glNeed[0], glNeed[1], err)
	}
	if win == nil {
		return nil, fmt.Errorf("opening an OpenGL %d.%d window: the graphics system gave no window and no reason (often: no usable pixel format)", glNeed[0], glNeed[1])
	}
	return win, nil
}

// keepGLFW says whether GLFW may stay initialised for Fyne after the probe. Fyne v2.8.1 asks
// GLFW for a particular platform only on Linux, in a Wayland session or when FYNE_PLATFORM says
// so (internal/driver/glfw/wayland_csd_linux.go); there, GLFW must start again with Fyne's hint.
func keepGLFW(getenv func(string) string) bool {
	return getenv("FYNE_PLATFORM") == "" && getenv("WAYLAND_DISPLAY") == ""
}

// checkGLVersion reads the version string of glGetString(GL_VERSION) ("2.1 Mesa 22.3.6",
// "4.6.0 NVIDIA 535.54", "1.1.0") and says whether it is at least glNeed.
func checkGLVersion(v string) error {
	fields := strings.Fields(v)
	if len(fields) == 0 {
		return fmt.Errorf("the OpenGL driver gave no version (%q)", v)
	}
	parts := strings.SplitN(fields[0], ".", 3)
	if len(parts) < 2 {
		return fmt.Errorf("the OpenGL driver gave a version Onboard365 cannot read (%q)", v)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return fmt.Errorf("the OpenGL driver gave a version Onboard365 cannot read (%q)", v)
	}
	if major < glNeed[0] || (major == glNeed[0] && minor < glNeed[1]) {
		return fmt.Errorf("the OpenGL driver offers version %d.%d only", major, minor)
	}
	return nil
}

// glHelp is what a person reads when the window cannot open: what happened, why, and what to do,
// for the system the app runs on (runtime.GOOS).
func glHelp(goos string, cause error) string {
	var b strings.Builder
	b.WriteString("Onboard365 could not open its window. The window is drawn with OpenGL 2.1, and this " +
		"computer's graphics do not offer it right now. This happens most often over Remote Desktop, and in " +
		"virtual machines without a graphics driver.\n\n")
	b.WriteString("What you can do:\n")
	switch goos {
	case "windows":
		b.WriteString("  1. Update the graphics driver, from the maker of the computer or of its graphics card (Intel, AMD,\n" +
			"     NVIDIA), then start Onboard365 again.\n" +
			"  2. If you are connected over Remote Desktop: start Onboard365 at the computer itself (its console\n" +
			"     session), or in the virtual machine's console window, instead of through Remote Desktop.\n" +
			"  3. Where no graphics driver can be installed (some virtual machines and servers): use Mesa's software\n" +
			"     renderer. Put the 64-bit opengl32.dll of Mesa for Windows in the folder of Onboard365.exe; the\n" +
			"     window then draws without a graphics card, a little more slowly.\n")
	case "darwin":
		b.WriteString("  1. Install the latest macOS updates (they include the graphics drivers), then start Onboard365 again.\n" +
			"  2. If you are connected through screen sharing or a virtual machine, start Onboard365 on the Mac itself.\n")
	default:
		b.WriteString("  1. Install the OpenGL driver for your graphics (on Debian or Ubuntu: sudo apt-get install\n" +
			"     libgl1-mesa-dri), then start Onboard365 again.\n" +
			"  2. Without a graphics card, Mesa draws in software: start it with LIBGL_ALWAYS_SOFTWARE=1 onboard365.\n" +
			"  3. Over a remote session, check that it forwards OpenGL (GLX), or start Onboard365 on the computer itself.\n")
	}
	b.WriteString("\nOr work without the window: the checks also run from the command line, for example\n" +
		"  onboard365 check gdap       every customer's GDAP relationships against a role profile\n" +
		"  onboard365 check --help     every check the command line offers\n" +
		"  onboard365 --help           everything else\n")
	if cause != nil {
		fmt.Fprintf(&b, "\nFor your IT support, what the graphics system said: %v\n", cause)
	}
	return b.String()
}

// windowCanOpen probes OpenGL; when it is missing it tells the user (on the terminal and, where
// the app has none, in a message box) and returns false.
func windowCanOpen(stderr io.Writer) bool {
	return glAvailable(stderr, probeGL, showMessageBox)
}

// glAvailable runs probe; when it fails, or panics (a graphics driver's failure can reach the Go
// side of GLFW or of the OpenGL loader as a panic), it prints glHelp, shows it with box, and
// returns false: the app then exits with exitNoGraphics, never with a Go crash and no word.
func glAvailable(stderr io.Writer, probe func() error, box func(title, text string)) bool {
	err := recovered(probe)
	if err == nil {
		return true
	}
	text := glHelp(runtime.GOOS, err)
	fmt.Fprint(stderr, text)
	box("Onboard365 cannot open its window", text)
	return false
}

// recovered runs probe and turns a panic in it into an error.
func recovered(probe func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("checking OpenGL failed unexpectedly: %v", r)
		}
	}()
	return probe()
}
