package roles

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ProfileStore keeps the profiles a user built by ticking roles, as JSON in one file. They are
// settings, not secrets: names and role ids only.
//
// The file is
//
//	{"version": 1, "profiles": [{"name": "...", "description": "...", "roles": ["<template id>", ...],
//	                             "groups": {"<template id>": "<group name>"}}]}
type ProfileStore struct {
	Path string
}

// storeVersion is the version of the file's shape this code writes and reads.
const storeVersion = 1

type storeFile struct {
	Version  int       `json:"version"`
	Profiles []Profile `json:"profiles"`
}

// DefaultProfileStore is the store in the user's configuration folder:
// onboard365/profiles.json under os.UserConfigDir (for example %AppData% on Windows,
// ~/Library/Application Support on macOS, ~/.config on Linux).
func DefaultProfileStore() (ProfileStore, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ProfileStore{}, fmt.Errorf("find this computer's folder for app settings: %w", err)
	}
	return ProfileStore{Path: filepath.Join(dir, "onboard365", "profiles.json")}, nil
}

// Load reads the custom profiles. A file that does not exist yet holds none (no error). A file
// that cannot be read, is not the JSON this app writes, or holds a profile that is not valid is
// an error that names the file and says what to do.
func (s ProfileStore) Load() ([]Profile, error) {
	if s.Path == "" {
		return nil, errors.New("the profile store has no file name")
	}
	b, err := os.ReadFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read your custom role profiles from %s: %w", s.Path, err)
	}
	var f storeFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, s.badFile(fmt.Sprintf("it is not the JSON this app writes (%v)", err))
	}
	if dec.More() {
		return nil, s.badFile("it has more after the profiles")
	}
	if f.Version != storeVersion {
		return nil, s.badFile(fmt.Sprintf("it is version %d, and this app reads version %d", f.Version, storeVersion))
	}
	if err := checkAll(f.Profiles); err != nil {
		return nil, s.badFile(err.Error())
	}
	return f.Profiles, nil
}

func (s ProfileStore) badFile(why string) error {
	return fmt.Errorf("the custom role profiles file %s cannot be used: %s. Fix the file, or move it away to start with no custom profiles", s.Path, why)
}

// Save writes the custom profiles, replacing the file at once (a temporary file renamed over
// it), so a crash leaves either the old file or the new one, never half of one. It refuses
// profiles that are not valid, two profiles with one name, and a name a built-in profile has.
func (s ProfileStore) Save(profiles []Profile) error {
	if s.Path == "" {
		return errors.New("the profile store has no file name")
	}
	if err := checkAll(profiles); err != nil {
		return fmt.Errorf("save your custom role profiles: %w", err)
	}
	if profiles == nil {
		profiles = []Profile{}
	}
	b, err := json.MarshalIndent(storeFile{Version: storeVersion, Profiles: profiles}, "", "  ")
	if err != nil {
		return fmt.Errorf("save your custom role profiles: %w", err)
	}
	b = append(b, '\n')
	dir := filepath.Dir(s.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save your custom role profiles: create the folder %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".profiles-*.json.tmp")
	if err != nil {
		return fmt.Errorf("save your custom role profiles in %s: %w", dir, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(b); err != nil {
		return fmt.Errorf("save your custom role profiles to %s: %w", s.Path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("save your custom role profiles to %s: %w", s.Path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save your custom role profiles to %s: %w", s.Path, err)
	}
	if err := os.Rename(tmp.Name(), s.Path); err != nil {
		os.Remove(tmp.Name())
		done = true
		return fmt.Errorf("save your custom role profiles to %s: %w", s.Path, err)
	}
	done = true
	return nil
}

// checkAll validates each profile and the names across them.
func checkAll(profiles []Profile) error {
	names := map[string]bool{}
	for _, b := range BuiltIn() {
		names[strings.ToLower(b.Name)] = true
	}
	seen := map[string]bool{}
	for _, p := range profiles {
		if err := p.Validate(); err != nil {
			return err
		}
		key := strings.ToLower(strings.TrimSpace(p.Name))
		if names[key] {
			return fmt.Errorf("the name %q belongs to a built-in profile: choose another", p.Name)
		}
		if seen[key] {
			return fmt.Errorf("two profiles are called %q: rename one", p.Name)
		}
		seen[key] = true
	}
	return nil
}
