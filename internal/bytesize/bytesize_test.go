package bytesize

import "testing"

func TestParse(t *testing.T) {
	for in, want := range map[string]int64{
		"1048576": 1 << 20, "10MB": 10_000_000, "512KiB": 512 << 10, "64 mb": 64_000_000,
		"1.5g": 3 << 29, "2K": 2048, "7b": 7, " 3GiB ": 3 << 30,
	} {
		if got, err := Parse(in, 1<<62); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "0", "-1", "10XB", "1e3", "ten", "1..5MB"} {
		if got, err := Parse(in, 1<<62); err == nil {
			t.Errorf("Parse(%q) = %d, want an error", in, got)
		}
	}
	if _, err := Parse("2GiB", 1<<30); err == nil {
		t.Error("Parse above max: no error")
	}
}
