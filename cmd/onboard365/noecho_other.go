//go:build !linux && !darwin && !windows

package main

import "os"

// noEcho cannot turn the echo off on this system: the secret shows as it is typed.
func noEcho(int) (func(), bool) { return nil, false }

// inputFile is where a command reads what the person types.
func inputFile() *os.File { return os.Stdin }
