// Package resources holds the files bundled into the Onboard365 binary: the app icon.
package resources

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the app icon (a 512x512 PNG drawn from icon.svg).
func Icon() fyne.Resource {
	return fyne.NewStaticResource("onboard365-icon.png", iconPNG)
}
