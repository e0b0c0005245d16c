// Package screenshot renders every page of Onboard365 to PNG files with Fyne's headless test
// driver, so anyone can look at the whole interface without a display (and the user guide's
// pictures can be made again with one command).
package screenshot

import (
	"fmt"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/onboard365/onboard365/ui"
)

// Sizes are the window sizes every page must look finished at.
var Sizes = []fyne.Size{{Width: 1024, Height: 700}, {Width: 1600, Height: 1000}}

// Write renders every top-level page at every size, in the light and the dark theme, into dir
// and returns the files it wrote. It must run on the goroutine that owns the Fyne test app it
// creates, and no other Fyne app may be running in the process.
func Write(dir string, opts ui.Options, sizes []fyne.Size) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("make the screenshot folder: %w", err)
	}
	app := test.NewApp()
	defer app.Quit()

	var written []string
	for _, variant := range []struct {
		name  string
		value fyne.ThemeVariant
	}{{"light", theme.VariantLight}, {"dark", theme.VariantDark}} {
		app.Settings().SetTheme(fixedVariant{theme.DefaultTheme(), variant.value})
		for _, size := range sizes {
			shell := ui.NewShell(opts)
			shell.Headless()
			win := test.NewWindow(shell.Object())
			win.Resize(size)
			for i, id := range shell.PageIDs() {
				shell.Show(id)
				shell.Settle(20 * time.Second) // what the page reads in the background (Settings: the keychain)
				relayout(win, size)
				name := fmt.Sprintf("%02d-%s-%dx%d-%s.png", i+1, id, int(size.Width), int(size.Height), variant.name)
				path := filepath.Join(dir, name)
				if err := writePNG(path, win.Canvas()); err != nil {
					win.Close()
					return written, err
				}
				written = append(written, path)
			}
			win.Close()
		}
	}
	return written, nil
}

// relayout lays the window out a second time. Word-wrapped text knows its height only once it has
// its width; a real window catches up on the next frame, the headless one needs telling.
func relayout(win fyne.Window, size fyne.Size) {
	win.Resize(size.SubtractWidthHeight(1, 1))
	win.Resize(size)
}

func writePNG(path string, c fyne.Canvas) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write screenshot: %w", err)
	}
	if err := png.Encode(f, c.Capture()); err != nil {
		f.Close()
		return fmt.Errorf("write screenshot %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write screenshot %s: %w", path, err)
	}
	return nil
}

// fixedVariant shows a theme in one variant whatever the test app's settings say.
type fixedVariant struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t fixedVariant) Color(name fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(name, t.variant)
}
