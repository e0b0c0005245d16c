//go:build unix

package cloud

import "syscall"

// specialFiles are a named pipe (made at fifo) and a device, for TestLoadRefusesWhatIsNotAFile.
func specialFiles(fifo string) (map[string]string, error) {
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return nil, err
	}
	return map[string]string{"a named pipe": fifo, "a device": "/dev/zero"}, nil
}
