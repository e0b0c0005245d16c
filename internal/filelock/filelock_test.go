package filelock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test binary plays the other process: with FILELOCK_HELPER set it runs the part named
// there instead of the tests (TestMain), so every test below has two real processes.
const helperEnv = "FILELOCK_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "hold":
		os.Exit(holdHelper(os.Getenv("FILELOCK_PATH")))
	case "count":
		n, _ := strconv.Atoi(os.Getenv("FILELOCK_TIMES"))
		os.Exit(countHelper(os.Getenv("FILELOCK_PATH"), n))
	default:
		fmt.Fprintln(os.Stderr, "unknown helper", os.Getenv(helperEnv))
		os.Exit(2)
	}
}

// holdHelper takes the lock, says "locked" on standard output, and holds the lock until its
// standard input closes.
func holdHelper(path string) int {
	l, err := Acquire(context.Background(), path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("locked")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	if err := l.Release(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// countHelper adds one to the number in path+".n", n times, each time under the lock, reading
// and writing in two steps with a pause between them so that an unlocked writer would lose
// counts.
func countHelper(path string, n int) int {
	for range n {
		l, err := Acquire(context.Background(), path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		b, err := os.ReadFile(path + ".n")
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		v, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		time.Sleep(200 * time.Microsecond)
		if err := os.WriteFile(path+".n", []byte(strconv.Itoa(v+1)), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := l.Release(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

func helper(t *testing.T, part, path string, env ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=" + part, "FILELOCK_PATH=" + path}, env...)...)
	cmd.Stderr = os.Stderr
	return cmd
}

// startHolder starts a process that holds the lock, and returns once it does; closing the
// returned writer makes it let go.
func startHolder(t *testing.T, path string) (*exec.Cmd, func()) {
	t.Helper()
	cmd := helper(t, "hold", path)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("the other process did not take the lock: %q, %v", line, err)
	}
	var once sync.Once
	release := func() { once.Do(func() { in.Close() }) }
	t.Cleanup(func() {
		release()
		_ = cmd.Wait()
	})
	return cmd, release
}

func TestAnotherProcessHoldsTheLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "audit.log.lock")
	cmd, release := startHolder(t, path)

	if l, ok, err := TryAcquire(path); err != nil || ok {
		l.Release()
		t.Fatalf("TryAcquire while another process holds the lock = %v, %v; want false, nil", ok, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Acquire(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire while another process holds the lock = %v; want the deadline", err)
	}

	release()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the holder failed: %v", err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	l, err := Acquire(ctx2, path)
	if err != nil {
		t.Fatalf("Acquire after the other process let go: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
}

func TestAKilledHolderLetsGo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json.lock")
	cmd, _ := startHolder(t, path)
	if _, ok, _ := TryAcquire(path); ok {
		t.Fatal("took the lock while another process held it")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := Acquire(ctx, path)
	if err != nil {
		t.Fatalf("a killed holder left the lock held: %v", err)
	}
	l.Release()
}

func TestProcessesTakeTurns(t *testing.T) {
	const procs, times = 4, 40
	path := filepath.Join(t.TempDir(), "count.lock")
	var cmds []*exec.Cmd
	for range procs {
		cmd := helper(t, "count", path, "FILELOCK_TIMES="+strconv.Itoa(times))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("a counting process failed: %v", err)
		}
	}
	b, err := os.ReadFile(path + ".n")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(b)); got != strconv.Itoa(procs*times) {
		t.Fatalf("count = %s; want %d (a count was lost: two processes held the lock at once)", got, procs*times)
	}
}

func TestTwoLocksInOneProcessExcludeEachOther(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	a, ok, err := TryAcquire(path)
	if err != nil || !ok {
		t.Fatalf("first TryAcquire = %v, %v", ok, err)
	}
	if b, ok, err := TryAcquire(path); err != nil || ok {
		b.Release()
		t.Fatalf("second TryAcquire in the same process = %v, %v; want false, nil", ok, err)
	}
	if err := a.Release(); err != nil {
		t.Fatal(err)
	}
	if err := a.Release(); err != nil {
		t.Fatalf("a second Release: %v", err)
	}
	b, ok, err := TryAcquire(path)
	if err != nil || !ok {
		t.Fatalf("TryAcquire after Release = %v, %v", ok, err)
	}
	b.Release()
	if err := (*Lock)(nil).Release(); err != nil {
		t.Fatal(err)
	}
}

func TestAcquireSaysWhatFailed(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// The folder for the lock is a file: the lock cannot be made.
	_, err := Acquire(context.Background(), filepath.Join(blocker, "x.lock"))
	if err == nil || !strings.Contains(err.Error(), "x.lock") {
		t.Fatalf("Acquire under a file = %v; want an error naming the lock", err)
	}
}
