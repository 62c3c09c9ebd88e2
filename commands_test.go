package anode_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
)

func run(app *anode.App, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := app.Execute(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRoutesCommand(t *testing.T) {
	app := anodetest.NewApp(t, pollsModule())
	code, out, _ := run(app, "routes")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"METHOD", "PATTERN", "NAME", "HANDLER",
		"GET     /polls/{id}/",
		"poll-detail",
		"POST    /polls/{id}/vote/",
		"*       /legacy/",
		"GET     /healthz",
		"pollsModule",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("routes output lacks %q:\n%s", want, out)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	code, out, _ := run(anodetest.NewApp(t), "version")
	if code != 0 || !strings.Contains(out, "go1.") || !strings.Contains(out, "anode") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestCheckCommand(t *testing.T) {
	code, out, _ := run(anodetest.NewApp(t), "check")
	if code != 0 || !strings.Contains(out, "System check identified 0 issue(s).") {
		t.Fatalf("clean app: exit %d:\n%s", code, out)
	}

	debug := anode.New(anode.Config{Debug: true})
	debug.SetLogOutput(&bytes.Buffer{})
	code, out, _ = run(debug, "check", "--deploy")
	if code != 0 || !strings.Contains(out, "WARNING anode.W001") {
		t.Fatalf("debug app with --deploy: exit %d:\n%s", code, out)
	}

	broken := anode.New(anode.LoadConfig(map[string]string{"ANODE_ADDR": ":1", "ANODE_DEBUG": "maybe"}, ""))
	broken.SetLogOutput(&bytes.Buffer{})
	code, out, _ = run(broken, "check")
	if code != 1 || !strings.Contains(out, "ERROR anode.E001") || !strings.Contains(out, "ANODE_DEBUG") {
		t.Fatalf("broken config: exit %d:\n%s", code, out)
	}

	app := anodetest.NewApp(t, anode.Module{Name: "custom", Init: func(ctx context.Context, app *anode.App) error {
		app.AddCheck(func(ctx context.Context, app *anode.App, deploy bool) []anode.Finding {
			return []anode.Finding{{ID: "custom.E001", Level: anode.CheckError, Message: "something is off", Hint: "fix it"}}
		})
		return nil
	}})
	code, out, _ = run(app, "check")
	if code != 1 || !strings.Contains(out, "ERROR custom.E001: something is off") || !strings.Contains(out, "hint: fix it") {
		t.Fatalf("module check: exit %d:\n%s", code, out)
	}
}

func TestServeRefusesBadConfig(t *testing.T) {
	app := anode.New(anode.LoadConfig(map[string]string{"ANODE_ADDR": "127.0.0.1:0"}, ""))
	app.SetLogOutput(&bytes.Buffer{})
	code, _, errOut := run(app, "serve")
	if code != 2 || !strings.Contains(errOut, "ANODE_SECRET_KEY") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
}

func TestReloadNeedsDebug(t *testing.T) {
	app := anodetest.NewApp(t)
	code, _, errOut := run(app, "serve", "--reload")
	if code != 2 || !strings.Contains(errOut, "needs ANODE_DEBUG=true") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
}

func TestModuleCommands(t *testing.T) {
	var got []string
	app := anodetest.NewApp(t, anode.Module{Name: "polls", Commands: func(app *anode.App) []*cobra.Command {
		return []*cobra.Command{{
			Use:  "closepolls [id...]",
			Args: cobra.MinimumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				got = args
				cmd.Println("closed", len(args))
				return nil
			},
		}}
	}})
	code, out, _ := run(app, "closepolls", "1", "2")
	if code != 0 || strings.Join(got, ",") != "1,2" || !strings.Contains(out, "closed 2") {
		t.Fatalf("exit %d, args %v, out %q", code, got, out)
	}
	code, _, errOut := run(app, "closepolls")
	if code != 1 || !strings.Contains(errOut, "requires at least 1 arg") {
		t.Fatalf("missing args: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = run(app, "nosuchcommand")
	if code != 1 || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("unknown command: exit %d, stderr %q", code, errOut)
	}
}
