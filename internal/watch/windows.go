package watch

import (
	"encoding/xml"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
)

// The task XML follows Microsoft's Task Scheduler schema (learn.microsoft.com, "Task Scheduler
// Schema": taskType, triggerBaseType, principalType, settingsType, execType). triggerBaseType
// and execType are sequences, so their children are written in the schema's order; the others
// are xs:all.
type taskXML struct {
	XMLName      xml.Name       `xml:"http://schemas.microsoft.com/windows/2004/02/mit/task Task"`
	Version      string         `xml:"version,attr"`
	Registration taskInfo       `xml:"RegistrationInfo"`
	Triggers     taskTriggers   `xml:"Triggers"`
	Principals   taskPrincipals `xml:"Principals"`
	Settings     taskSettings   `xml:"Settings"`
	Actions      taskActions    `xml:"Actions"`
}

type taskInfo struct {
	Description string `xml:"Description"`
	URI         string `xml:"URI"`
}

type taskTriggers struct {
	Time timeTrigger `xml:"TimeTrigger"`
}

type timeTrigger struct {
	Enabled       bool           `xml:"Enabled"`
	StartBoundary string         `xml:"StartBoundary"`
	Repetition    taskRepetition `xml:"Repetition"`
}

type taskRepetition struct {
	Interval          string `xml:"Interval"`
	StopAtDurationEnd bool   `xml:"StopAtDurationEnd"`
}

type taskPrincipals struct {
	Principal taskPrincipal `xml:"Principal"`
}

type taskPrincipal struct {
	ID        string `xml:"id,attr"`
	UserID    string `xml:"UserId"`
	LogonType string `xml:"LogonType"`
	RunLevel  string `xml:"RunLevel"`
}

type taskSettings struct {
	MultipleInstancesPolicy    string `xml:"MultipleInstancesPolicy"`
	DisallowStartIfOnBatteries bool   `xml:"DisallowStartIfOnBatteries"`
	StopIfGoingOnBatteries     bool   `xml:"StopIfGoingOnBatteries"`
	StartWhenAvailable         bool   `xml:"StartWhenAvailable"`
	RunOnlyIfNetworkAvailable  bool   `xml:"RunOnlyIfNetworkAvailable"`
	AllowStartOnDemand         bool   `xml:"AllowStartOnDemand"`
	Enabled                    bool   `xml:"Enabled"`
	Hidden                     bool   `xml:"Hidden"`
	ExecutionTimeLimit         string `xml:"ExecutionTimeLimit"`
}

type taskActions struct {
	Context string   `xml:"Context,attr"`
	Exec    taskExec `xml:"Exec"`
}

type taskExec struct {
	Command   string `xml:"Command"`
	Arguments string `xml:"Arguments"`
}

// buildWindows makes the task XML and the schtasks commands. The task:
//   - runs as the user, with an interactive token (LogonType InteractiveToken: only while the
//     user is logged on, when the user's credential vault is open), at least privilege;
//   - repeats every spec.Every from spec.Start, also on battery, and catches up a run missed while
//     the computer was off (StartWhenAvailable); never two at once; stops after an hour.
func buildWindows(spec Spec) (Plan, error) {
	args := append([]string{"watch", "run"}, spec.Args...)
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = windowsArg(a)
	}
	command := spec.Executable
	if strings.ContainsAny(command, " \t") {
		command = `"` + command + `"`
	}
	t := taskXML{
		Version: "1.2",
		Registration: taskInfo{
			Description: "Onboard365 watch: checks the connection to your customers every " + interval(spec.Every) + " and tells you what changed.",
			URI:         `\` + windowsTask,
		},
		Triggers: taskTriggers{Time: timeTrigger{
			Enabled:       true,
			StartBoundary: spec.Start.Format("2006-01-02T15:04:05"),
			Repetition:    taskRepetition{Interval: isoDuration(spec.Every)},
		}},
		Principals: taskPrincipals{Principal: taskPrincipal{ID: "Author", UserID: spec.User, LogonType: "InteractiveToken", RunLevel: "LeastPrivilege"}},
		Settings: taskSettings{
			MultipleInstancesPolicy:    "IgnoreNew",
			DisallowStartIfOnBatteries: false,
			StopIfGoingOnBatteries:     false,
			StartWhenAvailable:         true,
			RunOnlyIfNetworkAvailable:  false,
			AllowStartOnDemand:         true,
			Enabled:                    true,
			ExecutionTimeLimit:         "PT1H",
		},
		Actions: taskActions{Context: "Author", Exec: taskExec{Command: command, Arguments: strings.Join(quoted, " ")}},
	}
	body, err := xml.MarshalIndent(t, "", "  ")
	if err != nil {
		return Plan{}, fmt.Errorf("writing the task for Task Scheduler: %w", err)
	}
	// encoding/xml writes quotation marks in text as &#34; and &#39;; in element text they need
	// no escaping, and the task reads better without it (no attribute holds outside text).
	shown := strings.NewReplacer("&#34;", `"`, "&#39;", "'").Replace(string(body))
	text := `<?xml version="1.0" encoding="UTF-16"?>` + "\n" + shown + "\n"
	path := join(Windows, spec.ConfigDir, windowsXMLDir, "watch-task.xml")
	create := Command{Name: "schtasks", Args: []string{"/Create", "/TN", windowsTask, "/XML", path, "/F"}}
	remove := Command{Name: "schtasks", Args: []string{"/Delete", "/TN", windowsTask, "/F"}, MayFail: true}
	return Plan{
		OS: Windows, Every: spec.Every,
		Files:     []File{{Path: path, Content: utf16File(text), Shown: text, Note: "saved as UTF-16, as Task Scheduler reads it"}},
		Install:   []Step{{Write: true}, {Run: &create}},
		Uninstall: []Step{{Run: &remove}, {Remove: true}},
		Query:     Command{Name: "schtasks", Args: []string{"/Query", "/TN", windowsTask, "/V", "/FO", "LIST"}},
	}, nil
}

// utf16File is text in UTF-16, little-endian, with its byte-order mark and CRLF line ends.
func utf16File(text string) []byte {
	text = strings.ReplaceAll(text, "\n", "\r\n")
	units := utf16.Encode([]rune(text))
	out := make([]byte, 2, 2+2*len(units))
	out[0], out[1] = 0xff, 0xfe
	for _, u := range units {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// isoDuration writes d as the schema's duration: PT6H, PT30M, P1DT12H.
func isoDuration(d time.Duration) string {
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	s := "P"
	if days > 0 {
		s += fmt.Sprintf("%dD", days)
	}
	if hours > 0 || mins > 0 {
		s += "T"
		if hours > 0 {
			s += fmt.Sprintf("%dH", hours)
		}
		if mins > 0 {
			s += fmt.Sprintf("%dM", mins)
		}
	}
	return s
}
