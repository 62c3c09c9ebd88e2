package auth

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// errRetry asks an interactive command to prompt for the password again.
var errRetry = errors.New("auth: ask again")

// prompter asks a command's questions on its output and reads the answers,
// one line each, from its input. When the input is a terminal, passwords
// are read with echo off; otherwise (a pipe, a file, a test's buffer) they
// are plain lines.
type prompter struct {
	in  *bufio.Reader
	out io.Writer
	fd  int // the input's descriptor when it is a terminal, else -1
}

func newPrompter(cmd *cobra.Command) *prompter {
	p := &prompter{in: bufio.NewReader(cmd.InOrStdin()), out: cmd.OutOrStdout(), fd: -1}
	if f, ok := cmd.InOrStdin().(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.fd = int(f.Fd())
	}
	return p
}

// line prints prompt and returns the next line without its line ending.
// The end of the input is an error, so a script that stops answering ends
// the command instead of looping. A cancelled ctx (SIGINT) also ends it.
func (p *prompter) line(ctx context.Context, prompt string) (string, error) {
	fmt.Fprint(p.out, prompt)
	return p.await(ctx, func() (string, error) {
		s, err := p.in.ReadString('\n')
		if err == io.EOF && s != "" {
			err = nil
		}
		if err == io.EOF {
			fmt.Fprintln(p.out)
			return "", errors.New("auth: the input ended before every question was answered")
		}
		return strings.TrimRight(s, "\r\n"), err
	})
}

// secret is line with echo off on a terminal. The terminal's state is
// restored even when ctx is cancelled mid-read.
func (p *prompter) secret(ctx context.Context, prompt string) (string, error) {
	if p.fd < 0 {
		return p.line(ctx, prompt)
	}
	state, err := term.GetState(p.fd)
	if err != nil {
		return "", fmt.Errorf("auth: reading the terminal: %w", err)
	}
	defer term.Restore(p.fd, state)
	fmt.Fprint(p.out, prompt)
	s, err := p.await(ctx, func() (string, error) {
		b, err := term.ReadPassword(p.fd)
		return string(b), err
	})
	fmt.Fprintln(p.out)
	return s, err
}

// await runs read, giving up when ctx is done.
func (p *prompter) await(ctx context.Context, read func() (string, error)) (string, error) {
	type answer struct {
		s   string
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		s, err := read()
		ch <- answer{s, err}
	}()
	select {
	case a := <-ch:
		return a.s, a.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// confirm asks a yes/no question whose default is no.
func (p *prompter) confirm(ctx context.Context, prompt string) (bool, error) {
	s, err := p.line(ctx, prompt)
	if err != nil {
		return false, err
	}
	s = strings.ToLower(strings.TrimSpace(s))
	return s == "y" || s == "yes", nil
}

// newPassword asks for a password twice. A blank password or two that
// differ are reported, and errRetry asks the caller to prompt again.
func (p *prompter) newPassword(ctx context.Context) (string, error) {
	pw, err := p.secret(ctx, "Password: ")
	if err != nil {
		return "", err
	}
	again, err := p.secret(ctx, "Password (again): ")
	if err != nil {
		return "", err
	}
	switch {
	case pw != again:
		fmt.Fprintln(p.out, "Error: your passwords didn't match.")
		return "", errRetry
	case strings.TrimSpace(pw) == "":
		fmt.Fprintln(p.out, "Error: blank passwords aren't allowed.")
		return "", errRetry
	}
	return pw, nil
}
