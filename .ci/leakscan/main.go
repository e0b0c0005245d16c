// Command leakscan looks through files for secrets that must never leave memory and the keychain:
// JWT-shaped access tokens and the sandbox's refresh tokens and client secrets (which carry
// sandbox.SecretMarker). CI runs it over the test log and whatever the tests left in TMPDIR.
// It prints where it found something, never the value, and exits 1 if it found anything.
package main

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

var (
	jwt    = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}`)
	marker = regexp.MustCompile(`SBXSECRET[A-Za-z0-9_~-]{8,}`)
)

func main() {
	found := 0
	for _, root := range os.Args[1:] {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !d.Type().IsRegular() {
				return nil
			}
			found += scan(path)
			return nil
		})
	}
	if found > 0 {
		fmt.Printf("leakscan: %d secrets found in what the tests wrote\n", found)
		os.Exit(1)
	}
	fmt.Println("leakscan: no token or secret in", len(os.Args[1:]), "places scanned")
}

func scan(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		for _, re := range []*regexp.Regexp{jwt, marker} {
			if re.Match(sc.Bytes()) {
				fmt.Printf("%s:%d: holds a token or secret\n", path, line)
				n++
			}
		}
	}
	return n
}
