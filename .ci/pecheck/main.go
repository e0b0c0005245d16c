// Command pecheck checks that a Windows executable is what Onboard365 ships: a 64-bit GUI program
// (PE optional header subsystem IMAGE_SUBSYSTEM_WINDOWS_GUI, so no console window opens behind
// the app) that carries its icon (RT_GROUP_ICON and the RT_ICON images it names), its version
// information (RT_VERSION) and an application manifest (RT_MANIFEST) in its .rsrc section.
//
//	go run ./.ci/pecheck [-version 1.2.3.4] [-signed] FILE.exe
//
// It prints what it found, one fact a line, and exits 1 naming every check that failed.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	wantVersion := flag.String("version", "", "the file version the executable must carry, as `a.b.c.d`")
	wantSigned := flag.Bool("signed", false, "require an Authenticode signature")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: pecheck [-version a.b.c.d] [-signed] FILE.exe")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	os.Exit(check(flag.Arg(0), *wantVersion, *wantSigned, os.Stdout))
}

// check inspects the file, prints the report and the problems, and returns the exit code.
func check(path, wantVersion string, wantSigned bool, w io.Writer) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(w, "pecheck: %v\n", err)
		return 1
	}
	defer f.Close()
	r, err := inspect(f)
	if err != nil {
		fmt.Fprintf(w, "pecheck: %s: %v\n", path, err)
		return 1
	}
	r.print(w)
	problems := r.problems(wantVersion, wantSigned)
	for _, p := range problems {
		fmt.Fprintf(w, "FAIL: %s\n", p)
	}
	if len(problems) > 0 {
		return 1
	}
	fmt.Fprintf(w, "ok: %s is a 64-bit Windows GUI program with its icon, version and manifest\n", path)
	return 0
}
