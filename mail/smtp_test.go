package mail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	anodemail "github.com/anode-go/anode/mail"
)

// silentServer accepts connections and never answers, like a firewall that
// swallows packets after the handshake or a wedged relay.
func silentServer(t *testing.T) (host string, port int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
			select {
			case <-done:
				return
			default:
			}
		}
	}()
	t.Cleanup(func() { close(done); ln.Close() })
	a := ln.Addr().(*net.TCPAddr)
	return "127.0.0.1", a.Port
}

func TestSMTPContextBoundsSilentServer(t *testing.T) {
	host, port := silentServer(t)
	s := &anodemail.SMTP{Host: host, Port: port, TLS: anodemail.TLSNone, Timeout: time.Minute}

	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := s.Send(ctx, valid())
		if elapsed := time.Since(start); elapsed > 3*time.Second {
			t.Fatalf("Send took %v past a 200ms deadline", elapsed)
		}
		var se *anodemail.SendError
		if !errors.As(err, &se) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want *SendError wrapping DeadlineExceeded", err)
		}
		if se.Addr != net.JoinHostPort(host, strconv.Itoa(port)) {
			t.Fatalf("Addr = %q", se.Addr)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		err := s.Send(ctx, valid())
		if elapsed := time.Since(start); elapsed > 3*time.Second {
			t.Fatalf("Send took %v after cancel", elapsed)
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("timeout field", func(t *testing.T) {
		s := *s
		s.Timeout = 200 * time.Millisecond
		start := time.Now()
		err := s.Send(context.Background(), valid())
		if elapsed := time.Since(start); elapsed > 3*time.Second {
			t.Fatalf("Send took %v with a 200ms Timeout", elapsed)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestSMTPRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &anodemail.SMTP{Host: "127.0.0.1", Port: port}
	var se *anodemail.SendError
	if err := s.Send(context.Background(), valid()); !errors.As(err, &se) || se.Backend != "smtp" {
		t.Fatalf("err = %v, want *SendError", err)
	}
	// Invalid messages never reach the network.
	bad := valid()
	bad.Subject = "x\r\nBcc: v@example.com"
	var he *anodemail.HeaderError
	if err := s.Send(context.Background(), bad); !errors.As(err, &he) {
		t.Fatalf("err = %v, want *HeaderError", err)
	}
}

// smtpServer runs Debian's aiosmtpd (package python3-aiosmtpd) on a free
// port with a Maildir handler writing to a temporary directory, and stops
// it, by PID, when the test ends. Without the binary the test is skipped,
// except under CI=true, where it fails.
func smtpServer(t *testing.T, args ...string) (port int, maildir string) {
	t.Helper()
	bin := need(t, "aiosmtpd")
	maildir = filepath.Join(t.TempDir(), "Maildir")
	port = runServer(t, bin, func(port int) []string {
		cmdArgs := append([]string{"-n", "-l", "127.0.0.1:" + strconv.Itoa(port)}, args...)
		return append(cmdArgs, "-c", "aiosmtpd.handlers.Mailbox", maildir)
	})
	return port, maildir
}

// smtpAuthServer runs testdata/smtp_auth_server.py, an aiosmtpd server that
// accepts mail only after STARTTLS (with the given certificate) and AUTH as
// username/password, under Debian's python3, which has the aiosmtpd package.
func smtpAuthServer(t *testing.T, certFile, keyFile, username, password string) (port int, maildir string) {
	t.Helper()
	need(t, "aiosmtpd")
	maildir = filepath.Join(t.TempDir(), "Maildir")
	script, err := filepath.Abs(filepath.Join("testdata", "smtp_auth_server.py"))
	if err != nil {
		t.Fatal(err)
	}
	port = runServer(t, "/usr/bin/python3", func(port int) []string {
		return []string{script, strconv.Itoa(port), maildir, certFile, keyFile, username, password}
	})
	return port, maildir
}

// need returns the path of a required program, skipping the test when it is
// missing, except under CI=true, where it fails.
func need(t *testing.T, name string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found, and CI=true requires the SMTP tests to run (apt-get install python3-aiosmtpd)", name)
		}
		t.Skipf("%s not found: apt-get install python3-aiosmtpd to run the SMTP tests", name)
	}
	return bin
}

// runServer starts bin with the arguments for a free port and waits until
// it listens there; the process is killed, by PID, when the test ends.
func runServer(t *testing.T, bin string, args func(port int) []string) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, args(port)...)
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(bin), stderr.String())
		}
	})
	for deadline := time.Now().Add(15 * time.Second); ; {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %d within 15s: %v\n%s", filepath.Base(bin), port, err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// received reads the messages the Maildir holds, waiting briefly for n.
func received(t *testing.T, maildir string, n int) []*mail.Message {
	t.Helper()
	var files []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		files, _ = filepath.Glob(filepath.Join(maildir, "new", "*"))
		if len(files) >= n {
			break
		}
	}
	if len(files) != n {
		t.Fatalf("server holds %d messages, want %d", len(files), n)
	}
	var out []*mail.Message
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(strings.NewReader(string(b)))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, m)
	}
	return out
}

func bySubject(t *testing.T, msgs []*mail.Message, subject string) *mail.Message {
	t.Helper()
	for _, m := range msgs {
		if s, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); s == subject {
			return m
		}
	}
	t.Fatalf("no message with subject %q", subject)
	return nil
}

func TestSMTPDelivers(t *testing.T) {
	port, maildir := smtpServer(t)
	s := &anodemail.SMTP{Host: "127.0.0.1", Port: port, Timeout: 10 * time.Second}
	plain := &anodemail.Message{
		From: "Site <site@example.com>", To: []string{"ada@example.com"}, Cc: []string{"cc@example.com"},
		Bcc: []string{"hidden@example.com"}, ReplyTo: []string{"help@example.com"},
		Subject: "Plain – café", Body: "Hello Ada,\nline two.\n", Headers: map[string]string{"X-Campaign": "spring"},
	}
	alt := &anodemail.Message{From: "site@example.com", To: []string{"ada@example.com"}, Subject: "Alternative",
		Body: "text version", HTML: "<p>html <b>version</b></p>"}
	pdf := []byte("%PDF-1.4 not really\x00\x01\x02")
	att := &anodemail.Message{From: "site@example.com", To: []string{"ada@example.com"}, Subject: "Attachment",
		Body: "see attached", Attachments: []anodemail.Attachment{{Filename: "report.pdf", Data: pdf}, {Filename: "notes.txt", ContentType: "text/plain; charset=utf-8", Data: []byte("notes")}}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Send(ctx, plain, alt, att); err != nil {
		t.Fatal(err)
	}
	msgs := received(t, maildir, 3)

	m := bySubject(t, msgs, "Plain – café")
	for h, want := range map[string]string{"From": `"Site" <site@example.com>`, "To": "<ada@example.com>", "Cc": "<cc@example.com>", "Reply-To": "<help@example.com>", "X-Campaign": "spring"} {
		if got := m.Header.Get(h); got != want {
			t.Errorf("plain %s = %q, want %q", h, got, want)
		}
	}
	if m.Header.Get("Bcc") != "" {
		t.Error("Bcc header was sent")
	}
	if rcpt := m.Header.Get("X-RcptTo"); !strings.Contains(rcpt, "hidden@example.com") || !strings.Contains(rcpt, "cc@example.com") {
		t.Errorf("envelope recipients = %q", rcpt)
	}
	if body := decodedBody(t, m.Header.Get("Content-Transfer-Encoding"), m.Body); body != "Hello Ada,\r\nline two.\r\n" && body != "Hello Ada,\nline two.\n" {
		t.Errorf("plain body = %q", body)
	}

	m = bySubject(t, msgs, "Alternative")
	parts := multipartParts(t, m.Header.Get("Content-Type"), m.Body, "multipart/alternative")
	if len(parts) != 2 || !strings.HasPrefix(parts[0].typ, "text/plain") || parts[0].body != "text version" ||
		!strings.HasPrefix(parts[1].typ, "text/html") || parts[1].body != "<p>html <b>version</b></p>" {
		t.Errorf("alternative parts = %+v", parts)
	}

	m = bySubject(t, msgs, "Attachment")
	parts = multipartParts(t, m.Header.Get("Content-Type"), m.Body, "multipart/mixed")
	if len(parts) != 3 || parts[0].body != "see attached" {
		t.Fatalf("mixed parts = %+v", parts)
	}
	if mt, _, _ := mime.ParseMediaType(parts[1].typ); mt != "application/pdf" || parts[1].filename != "report.pdf" || parts[1].body != string(pdf) {
		t.Errorf("pdf part = %+v", parts[1])
	}
	if !strings.HasPrefix(parts[2].typ, "text/plain") || parts[2].filename != "notes.txt" || parts[2].body != "notes" {
		t.Errorf("txt part = %+v", parts[2])
	}
}

type part struct{ typ, filename, body string }

func multipartParts(t *testing.T, contentType string, body io.Reader, want string) []part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != want {
		t.Fatalf("Content-Type = %q (%v), want %s", contentType, err, want)
	}
	r := multipart.NewReader(body, params["boundary"])
	var out []part
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		_, dp, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		out = append(out, part{typ: p.Header.Get("Content-Type"), filename: dp["filename"],
			body: decodedBody(t, p.Header.Get("Content-Transfer-Encoding"), p)})
	}
}

func decodedBody(t *testing.T, cte string, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(decoder(cte, r))
	if err != nil {
		t.Fatalf("decoding %s body: %v", cte, err)
	}
	return string(b)
}

// selfSigned writes a certificate for 127.0.0.1 and its key to dir and
// returns their paths and a pool trusting the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestSMTPTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	tlsConfig := &tls.Config{RootCAs: pool}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	t.Run("starttls required by the server", func(t *testing.T) {
		port, maildir := smtpServer(t, "--tlscert", certFile, "--tlskey", keyFile)
		s := &anodemail.SMTP{Host: "127.0.0.1", Port: port, TLS: anodemail.TLSStartTLS, TLSConfig: tlsConfig}
		m := valid()
		m.Subject = "over starttls"
		if err := s.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
		bySubject(t, received(t, maildir, 1), "over starttls")

		// In clear, the server refuses: a *SendError, nothing delivered.
		clear := &anodemail.SMTP{Host: "127.0.0.1", Port: port, TLS: anodemail.TLSNone}
		var se *anodemail.SendError
		if err := clear.Send(ctx, valid()); !errors.As(err, &se) {
			t.Fatalf("plain-text send to a STARTTLS-only server: %v", err)
		}
		// An untrusted certificate fails the handshake.
		untrusted := &anodemail.SMTP{Host: "127.0.0.1", Port: port, TLS: anodemail.TLSStartTLS}
		if err := untrusted.Send(ctx, valid()); !errors.As(err, &se) {
			t.Fatalf("untrusted certificate: %v", err)
		}
	})
	t.Run("implicit", func(t *testing.T) {
		port, maildir := smtpServer(t, "--smtpscert", certFile, "--smtpskey", keyFile)
		s := &anodemail.SMTP{Host: "127.0.0.1", Port: port, TLS: anodemail.TLSImplicit, TLSConfig: tlsConfig}
		m := valid()
		m.Subject = "over smtps"
		if err := s.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
		bySubject(t, received(t, maildir, 1), "over smtps")
	})
	t.Run("starttls demanded but not offered", func(t *testing.T) {
		port, _ := smtpServer(t)
		s := &anodemail.SMTP{Host: "127.0.0.1", Port: port, TLS: anodemail.TLSStartTLS, TLSConfig: tlsConfig}
		var se *anodemail.SendError
		if err := s.Send(ctx, valid()); !errors.As(err, &se) || !strings.Contains(err.Error(), "STARTTLS") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestSMTPAuth(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	port, maildir := smtpAuthServer(t, certFile, keyFile, "site", "s3cret pass")
	tlsConfig := &tls.Config{RootCAs: pool}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for _, mode := range []anodemail.TLSMode{anodemail.TLSStartTLS, anodemail.TLSOpportunistic} {
		s := &anodemail.SMTP{Host: "127.0.0.1", Port: port, TLS: mode, TLSConfig: tlsConfig, Username: "site", Password: "s3cret pass"}
		m := valid()
		m.Subject = "authenticated over " + mode.String()
		if err := s.Send(ctx, m); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
	}
	msgs := received(t, maildir, 2)
	bySubject(t, msgs, "authenticated over starttls")
	bySubject(t, msgs, "authenticated over opportunistic")

	// A wrong password, or none, is a *SendError and delivers nothing.
	for name, s := range map[string]*anodemail.SMTP{
		"wrong password": {Host: "127.0.0.1", Port: port, TLS: anodemail.TLSStartTLS, TLSConfig: tlsConfig, Username: "site", Password: "guess"},
		"unknown user":   {Host: "127.0.0.1", Port: port, TLS: anodemail.TLSStartTLS, TLSConfig: tlsConfig, Username: "root", Password: "s3cret pass"},
		"no credentials": {Host: "127.0.0.1", Port: port, TLS: anodemail.TLSStartTLS, TLSConfig: tlsConfig},
	} {
		var se *anodemail.SendError
		err := s.Send(ctx, valid())
		if !errors.As(err, &se) {
			t.Errorf("%s: err = %v, want *SendError", name, err)
		} else if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "guess") {
			t.Errorf("%s: the error shows the password: %v", name, err)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(maildir, "new", "*")); len(files) != 2 {
		t.Errorf("the server holds %d messages after refused sends, want 2", len(files))
	}
}
