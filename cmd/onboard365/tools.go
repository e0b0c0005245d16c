package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/watch"
)

// A tool is a command besides the window and `check`: `token`, `audit` and `watch`
// (tokencmd.go, auditcmd.go, watchcmd.go). Like a check it takes the shared flags it names, its
// own flags, and what it does once they are right.
type tool struct {
	usage string
	flags flags
	own   func(fs *flag.FlagSet) func() error // registers the tool's own flags; the function it returns checks them
	run   func(ctx context.Context, f *factory, env toolEnv) int
}

// toolEnv is what a tool reads and writes besides the factory: tests give their own.
type toolEnv struct {
	stdout, stderr io.Writer
	runner         watch.Runner                        // runs the scheduler's commands (watch install, uninstall, status)
	executable     func() (string, error)              // the path of this program, for the schedule
	ask            func(prompt string) (string, error) // reads a secret, without showing it when typed
}

// tools are the tools by the words that name them: "token", "audit", "audit verify", "watch
// install", ...
func tools() map[string]tool {
	return map[string]tool{
		"token":           tokenTool(),
		"audit":           auditTool(),
		"audit verify":    auditVerifyTool(),
		"watch install":   watchInstallTool(),
		"watch uninstall": watchUninstallTool(),
		"watch status":    watchStatusTool(),
		"watch run":       watchRunTool(),
	}
}

// runTool runs the tool the command line names; ok false when it names none.
func runTool(ctx context.Context, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	if len(args) == 0 || (args[0] != "token" && args[0] != "audit" && args[0] != "watch") {
		return 0, false
	}
	f := &factory{stderr: stderr}
	defer f.close()
	stdin := inputFile()
	in := bufio.NewReader(stdin)
	env := toolEnv{stdout: stdout, stderr: stderr, runner: watch.ExecRunner{}, executable: executable, ask: askSecret(stdin, in, stderr)}
	return runToolWith(ctx, f, args, env), true
}

// runToolWith runs a tool with a factory and what it reads and writes (tests call it directly).
func runToolWith(ctx context.Context, f *factory, args []string, env toolEnv) int {
	name := args[0]
	rest := args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		if _, ok := tools()[name+" "+rest[0]]; ok {
			name, rest = name+" "+rest[0], rest[1:]
		}
	}
	t, ok := tools()[name]
	if !ok {
		if len(rest) > 0 && (rest[0] == "-h" || rest[0] == "--help" || rest[0] == "-help") {
			fmt.Fprint(env.stdout, watchUsage)
			return exitAllPass
		}
		switch {
		case name == "watch" && len(rest) == 0:
			fmt.Fprint(env.stderr, watchUsage)
		case name == "watch":
			fmt.Fprintf(env.stderr, "onboard365 watch: %q is not a watch command. %s", rest[0], watchUsage)
		default:
			fmt.Fprintf(env.stderr, "onboard365: unknown command %q. Run onboard365 --help to see what it can do.\n", name)
		}
		return exitUsage
	}
	label := "onboard365 " + name + ":"
	fs := flag.NewFlagSet("onboard365 "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprint(env.stderr, t.usage)
		fs.PrintDefaults()
	}
	f.register(fs, t.flags)
	validate := func() error { return nil }
	if t.own != nil {
		validate = t.own(fs)
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitAllPass
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "%s %q is not an option. Run onboard365 %s --help to see the options.\n", label, fs.Arg(0), name)
		return exitUsage
	}
	if p := f.problem(); p != "" {
		fmt.Fprintln(env.stderr, label, p)
		return exitUsage
	}
	if err := validate(); err != nil {
		fmt.Fprintln(env.stderr, label, explain.Sentence(err))
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	return t.run(ctx, f, env)
}

// failed prints why a tool could not do its work and returns its exit code.
func failed(env toolEnv, name string, err error) int {
	fmt.Fprintln(env.stderr, "onboard365 "+name+":", explain.Sentence(err))
	return exitProblem
}

// executable is the absolute path of this program, links resolved.
func executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding where onboard365 is on this computer: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	return exe, nil
}

// askSecret reads one line from the terminal after a prompt, without showing what is typed
// (where the terminal allows it), or from whatever stdin is when it is not a terminal.
func askSecret(stdin *os.File, in *bufio.Reader, prompt io.Writer) func(string) (string, error) {
	return func(p string) (string, error) {
		fmt.Fprint(prompt, p)
		if restore, ok := noEcho(int(stdin.Fd())); ok {
			defer func() {
				restore()
				fmt.Fprintln(prompt)
			}()
		}
		line, err := in.ReadString('\n')
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			return "", errors.New("nothing was typed")
		}
		return strings.TrimSpace(line), nil
	}
}
