//go:build !unix

package cloud

// specialFiles: only Unix has named pipes and /dev/zero at a path.
func specialFiles(string) (map[string]string, error) { return nil, nil }
