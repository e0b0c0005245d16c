// Command memprobe measures the window's resident memory: it opens the real window (Fyne's GL
// driver) on a cloud file, as onboard365 --cloud FILE does (cmd/onboard365/window.go, whose GC
// setting it repeats), and reads VmRSS from /proc/self/status three times: after 15 s idle, when
// a GDAP check of every customer is shown, and 15 s later. In between it signs the sandbox's
// technician in through the sandbox's pages and taps "Check every customer". Run it with
// .ci/memprobe/run, which starts a sandbox of 1,000 customers in a process of its own and the
// probe under Xvfb.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/ui"
	"github.com/onboard365/onboard365/ui/screenshot"
)

func main() {
	cloudFile := flag.String("cloud", "", "the sandbox's cloud `file` (onboard365 sandbox serve --cloud-out)")
	flag.Parse()
	c, err := cloud.Load(*cloudFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "memprobe:", err)
		os.Exit(1)
	}
	a, err := app.NewAccount(c, app.MemoryKeychain(), "", "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "memprobe:", err)
		os.Exit(1)
	}
	debug.SetGCPercent(50) // as the window does
	fa := fyneapp.NewWithID("io.github.onboard365.memprobe")
	shell := ui.NewShell(ui.Options{Cloud: c, Services: ui.Services{SignIn: a, Keychain: a, GDAP: app.NewGDAP(a)}})
	w := fa.NewWindow("Onboard365")
	w.SetContent(shell.Object())
	w.Resize(fyne.NewSize(1024, 700))
	go walk(w, shell, a)
	w.ShowAndRun()
}

func walk(w fyne.Window, shell *ui.Shell, a *app.Account) {
	time.Sleep(15 * time.Second)
	report("idle, 15 s after the start")
	ctx := context.Background()
	if _, err := a.Interactive(ctx, "", func(l app.Launch) {
		go func() { _ = l.InApp(ctx, app.SandboxTechnician, "sandbox", true) }()
	}); err != nil {
		fmt.Fprintln(os.Stderr, "memprobe: sign in:", err)
	}
	fyne.DoAndWait(func() { shell.Show(ui.PageGDAP) })
	fyne.DoAndWait(func() {
		if b := button(w.Content(), "Check every customer"); b != nil {
			b.Tapped(&fyne.PointEvent{})
		}
	})
	begin := time.Now()
	for shown := false; !shown && time.Since(begin) < 5*time.Minute; {
		time.Sleep(500 * time.Millisecond)
		fyne.DoAndWait(func() { shown = strings.Contains(labels(w.Content()), "customers checked:") })
	}
	report(fmt.Sprintf("the check shown, after %v", time.Since(begin).Round(100*time.Millisecond)))
	time.Sleep(15 * time.Second)
	report("15 s after the check")
	fyne.DoAndWait(func() { fyne.CurrentApp().Quit() })
}

// report prints the process's resident memory as /proc/self/status says it.
func report(when string) {
	status, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			fmt.Printf("%s: %s (Go: heap in use %d MB, held but unused %d MB, all from the system %d MB)\n", when,
				strings.Join(strings.Fields(l)[1:], " "), ms.HeapInuse>>20, (ms.HeapIdle-ms.HeapReleased)>>20, ms.Sys>>20)
		}
	}
}

func labels(o fyne.CanvasObject) string {
	var b strings.Builder
	for _, v := range screenshot.Visible(o) {
		if l, ok := v.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	}
	return b.String()
}

// button finds a button by its text: a widget.Button, or a wizard button that embeds one.
func button(o fyne.CanvasObject, text string) fyne.Tappable {
	for _, v := range screenshot.Visible(o) {
		rv := reflect.ValueOf(v)
		if b, ok := v.(*widget.Button); ok && b.Text == text {
			return b
		}
		if rv.Kind() == reflect.Pointer && rv.Elem().Kind() == reflect.Struct {
			if f := rv.Elem().FieldByName("Button"); f.IsValid() && f.Type() == reflect.TypeOf(widget.Button{}) &&
				f.Addr().Interface().(*widget.Button).Text == text {
				if t, ok := v.(fyne.Tappable); ok {
					return t
				}
			}
		}
	}
	return nil
}
