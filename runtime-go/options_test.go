package brief

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goTool returns the go command that runs these tests: the one on PATH, or
// that of $GOROOT or /usr/local/go. It never skips: the Go stage installs Go.
func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	for _, root := range []string{os.Getenv("GOROOT"), "/usr/local/go"} {
		if p := filepath.Join(root, "bin", "go"); root != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	t.Fatal("go command not found")
	return ""
}

// optionSnippets are packages of a throwaway module that imports this one:
// "ok" must build, every other must fail to build with the text given.
var optionSnippets = map[string]struct{ code, want string }{
	"ok": {`
		_, _ = brief.NewClient("x", brief.WithBaseURL("http://x"), brief.WithCaller("me"), brief.WithLogger(nil), brief.WithMetrics(nil), brief.WithMaxBodyBytes(1))
		_ = brief.NewServer("x", brief.WithReadiness(nil), brief.WithDeduper(nil), brief.WithLogger(nil), brief.WithMaxBodyBytes(1))
		_, _ = brief.NewBus("x", brief.WithBaseURL("http://x"), brief.WithRetry(brief.RetryPolicy{}), brief.WithLogger(nil))
		opts := []brief.ClientOption{brief.WithHTTPClient(nil), brief.WithClock(nil)}
		_, _ = brief.NewClient("x", opts...)`, ""},
	"server_option_on_client": {`_, _ = brief.NewClient("x", brief.WithReadiness(nil))`, "does not implement brief.ClientOption"},
	"deduper_on_bus":          {`_, _ = brief.NewBus("x", brief.WithDeduper(nil))`, "does not implement brief.BusOption"},
	"client_option_on_server": {`_ = brief.NewServer("x", brief.WithBaseURL("http://x"))`, "does not implement brief.ServerOption"},
	"caller_on_bus":           {`_, _ = brief.NewBus("x", brief.WithCaller("me"))`, "does not implement brief.BusOption"},
}

// TestOptionKindsDoNotMix proves that an option of one kind passed to
// another kind's constructor is a compile error.
func TestOptionKindsDoNotMix(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module with the go command")
	}
	goCmd := goTool(t)
	self, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/optcheck\n\ngo 1.22\n\nrequire github.com/brief-paas/paasctl/runtime-go v0.0.0\n\nreplace github.com/brief-paas/paasctl/runtime-go => "+self+"\n")
	for name, s := range optionSnippets {
		write(name+"/main.go", "package main\n\nimport brief \"github.com/brief-paas/paasctl/runtime-go\"\n\nfunc main() {\n"+s.code+"\n}\n")
	}
	for name, s := range optionSnippets {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(goCmd, "build", "-o", os.DevNull, "./"+name)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local", "GOWORK=off")
			out, err := cmd.CombinedOutput()
			switch {
			case s.want == "" && err != nil:
				t.Fatalf("valid options do not build: %v\n%s", err, out)
			case s.want != "" && err == nil:
				t.Fatalf("%s builds, but it must not:\n%s", name, s.code)
			case s.want != "" && !strings.Contains(string(out), s.want):
				t.Fatalf("%s fails to build, but not with %q:\n%s", name, s.want, out)
			}
		})
	}
}
