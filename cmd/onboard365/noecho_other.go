//go:build !linux && !darwin && !windows

package main

// noEcho cannot turn the echo off on this system: the secret shows as it is typed.
func noEcho(int) (func(), bool) { return nil, false }
