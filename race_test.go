//go:build race

package anode_test

// raceEnabled: this test binary was built with -race, so binaries the
// tests build reuse the same compiled packages.
const raceEnabled = true
