//go:build !race

package anode_test

const raceEnabled = false
