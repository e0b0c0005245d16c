package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/licenses"
)

// About is what Settings says about this copy of Onboard365: which build it is, and what it is
// made of. The version itself is Options.Version.
type About struct {
	Commit    string        // the source commit it was built from, or a sentence saying it is not known
	GoVersion string        // the Go release it was built with ("go1.26.8")
	Platform  string        // "windows/amd64"
	Licenses  licenses.List // every module it is built from, with its licence
}

// aboutSection is Settings' "About Onboard365": version, commit, Go version, and the licence of
// every module linked into the app.
func (s *Shell) aboutSection() fyne.CanvasObject {
	version := s.opts.Version
	if version == "" {
		version = "development build"
	}
	a := s.opts.About
	unknown := func(v string) string {
		if v == "" {
			return "not known (this copy was built without that information)"
		}
		return v
	}
	facts := widget.NewForm(
		widget.NewFormItem("Version", paragraph(version)),
		widget.NewFormItem("Commit", paragraph(unknown(a.Commit))),
		widget.NewFormItem("Built with", paragraph(unknown(a.GoVersion))),
		widget.NewFormItem("Platform", paragraph(unknown(a.Platform))),
	)
	box := container.NewVBox(subheading("About Onboard365"), facts)

	app := a.Licenses.App()
	if len(app) == 0 {
		return box
	}
	rows := container.NewVBox()
	if a.Licenses.Go != "" {
		rows.Add(licenceRow("Go standard library and runtime", a.GoVersion, a.Licenses.Go))
	}
	for _, m := range app {
		rows.Add(licenceRow(m.Path, m.Version, m.License))
	}
	testOnly := len(a.Licenses.Modules) - len(app)
	intro := fmt.Sprintf("Onboard365 is built with Go and %d open-source modules. Each keeps its own licence, "+
		"named here by its SPDX identifier; the full texts come with each module's source code.", len(app))
	switch {
	case testOnly == 1:
		intro += " One more module is used only by Onboard365's tests and is not part of the app."
	case testOnly > 1:
		intro += fmt.Sprintf(" %d more modules are used only by Onboard365's tests and are not part of the app.", testOnly)
	}
	list := widget.NewAccordion(widget.NewAccordionItem(
		fmt.Sprintf("Licences of the %d parts Onboard365 is built from", len(app)+1),
		container.NewVBox(paragraph(intro), rows)))
	box.Add(list)
	return box
}

// licenceRow is one module: its path and version, and its licence.
func licenceRow(path, version, license string) fyne.CanvasObject {
	name := paragraph(path + " " + version)
	name.Wrapping = fyne.TextWrapBreak
	lic := widget.NewLabelWithStyle(license, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	return container.NewBorder(nil, nil, nil, lic, name)
}
