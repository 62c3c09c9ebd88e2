package anodetest

import (
	"os"
	"testing"
)

// Service returns the value of the environment variable naming a real service
// for a test (ANODE_TEST_POSTGRES, ANODE_TEST_REDIS, ...). When it is unset the
// test is skipped with a message naming the variable, so `go test ./...` passes
// on a bare machine; under CI=true an unset variable fails the test instead,
// so CI can never go green by skipping. A set but unreachable service fails in
// the test's own connection attempt.
func Service(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("anodetest: %s is not set, and CI=true requires every service-backed test to run", name)
	}
	t.Skipf("anodetest: set %s to run this test against a real service", name)
	return ""
}
