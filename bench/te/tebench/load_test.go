package main

import (
	"testing"
	"time"
)

// A report in the shape wrk 4.2 prints with --latency.
const wrkReport = `Running 10s test @ http://127.0.0.1:20001/db
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.21ms    1.02ms  40.11ms   91.02%
    Req/Sec    20.01k     1.20k   22.00k    80.00%
  Latency Distribution
     50%    3.02ms
     75%    3.50ms
     90%    4.10ms
     99%    7.25ms
  199912 requests in 10.00s, 30.12MB read
  Socket errors: connect 0, read 12, write 0, timeout 3
  Non-2xx or 3xx responses: 190
Requests/sec:  19990.52
Transfer/sec:      3.01MB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk([]byte(wrkReport))
	if err != nil {
		t.Fatal(err)
	}
	if r.requests != 199912 || r.rps != 19990.52 || r.p99 != 7250*time.Microsecond || r.errors != 205 {
		t.Fatalf("parseWrk = %+v", r)
	}
	if !r.rejected() {
		t.Fatal("205 errors in 199,912 requests (0.10%) must reject the run")
	}
	r.errors = 199
	if r.rejected() {
		t.Fatal("199 errors in 199,912 requests (below 0.1%) must not reject the run")
	}
	if _, err := parseWrk([]byte("unable to connect to 127.0.0.1:1 Connection refused\n")); err == nil {
		t.Fatal("a report without figures must be an error")
	}
}

func TestParseWrkDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"456.00us": 456 * time.Microsecond, "1.50ms": 1500 * time.Microsecond, "1.20s": 1200 * time.Millisecond, "2.00m": 2 * time.Minute,
	} {
		if got, err := parseWrkDuration(in); err != nil || got != want {
			t.Errorf("parseWrkDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseWrkDuration("3h"); err == nil {
		t.Error("3h: want an error")
	}
}

func TestMedian(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Fatalf("median = %v", got)
	}
	if got := median([]time.Duration{5, 9, 1}); got != 5 {
		t.Fatalf("median = %v", got)
	}
}
