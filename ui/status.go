package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/plan"
)

// How every page shows a status (internal/plan's): its icon and colour, and a count of them.

func statusIcon(s plan.Status) fyne.Resource {
	switch s {
	case plan.Fail:
		return theme.ErrorIcon()
	case plan.CouldNotCheck:
		return theme.QuestionIcon()
	case plan.Warning:
		return theme.WarningIcon()
	}
	return theme.ConfirmIcon()
}

func statusImportance(s plan.Status) widget.Importance {
	switch s {
	case plan.Fail:
		return widget.DangerImportance
	case plan.CouldNotCheck, plan.Warning:
		return widget.WarningImportance
	}
	return widget.SuccessImportance
}

// counts says how many customers have each status.
func counts(s plan.Summary) string {
	return fmt.Sprintf("%d pass, %d fail, %d with a warning, %d could not be checked", s.Pass, s.Fail, s.Warning, s.CouldNotCheck)
}

// beforeAndNow is the summary page of a wizard that checks customers, fixes and checks again:
// the counts before and now, what happens next, and the export buttons.
func beforeAndNow(before, now plan.Summary, next string, export fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(
		paragraph("Before: "+counts(before)+"."),
		paragraph("Now: "+counts(now)+"."),
		paragraph(next),
		container.NewHBox(export),
	)
}
