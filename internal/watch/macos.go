package watch

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// buildMacOS makes the LaunchAgent and the launchctl commands: the agent runs the watch every
// spec.Every (StartInterval, in seconds; launchd runs a missed interval when the Mac wakes), not
// when it is loaded (RunAtLoad false), in the user's GUI session (launchctl bootstrap gui/UID),
// where the login keychain is open. Its output goes to ~/Library/Logs.
func buildMacOS(spec Spec) Plan {
	path := join(MacOS, spec.Home, "Library", "LaunchAgents", launchLabel+".plist")
	logs := join(MacOS, spec.Home, "Library", "Logs")
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">` + "\n")
	b.WriteString(`<plist version="1.0">` + "\n<dict>\n")
	key := func(k string) { b.WriteString("\t<key>" + plistText(k) + "</key>\n") }
	str := func(indent, v string) { b.WriteString(indent + "<string>" + plistText(v) + "</string>\n") }
	key("Label")
	str("\t", launchLabel)
	key("ProgramArguments")
	b.WriteString("\t<array>\n")
	for _, a := range append([]string{spec.Executable, "watch", "run"}, spec.Args...) {
		str("\t\t", a)
	}
	b.WriteString("\t</array>\n")
	key("StartInterval")
	b.WriteString("\t<integer>" + strconv.FormatInt(int64(spec.Every.Seconds()), 10) + "</integer>\n")
	key("RunAtLoad")
	b.WriteString("\t<false/>\n")
	key("ProcessType")
	str("\t", "Background")
	key("StandardOutPath")
	str("\t", join(MacOS, logs, "onboard365-watch.log"))
	key("StandardErrorPath")
	str("\t", join(MacOS, logs, "onboard365-watch-error.log"))
	b.WriteString("</dict>\n</plist>\n")
	domain := "gui/" + spec.User
	unload := Command{Name: "launchctl", Args: []string{"bootout", domain + "/" + launchLabel}, MayFail: true}
	load := Command{Name: "launchctl", Args: []string{"bootstrap", domain, path}}
	return Plan{
		OS: MacOS, Every: spec.Every,
		Files: []File{{Path: path, Content: []byte(b.String()), Shown: b.String()}},
		// Unloading first makes installing again replace a loaded agent.
		Install:   []Step{{Write: true}, {Run: &unload}, {Run: &load}},
		Uninstall: []Step{{Run: &unload}, {Remove: true}},
		Query:     Command{Name: "launchctl", Args: []string{"print", domain + "/" + launchLabel}},
	}
}

// plistText escapes text for a plist's XML.
func plistText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
