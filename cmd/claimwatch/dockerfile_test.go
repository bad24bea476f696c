package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// goBuildLine finds the one line of text that runs the static go build.
func goBuildLine(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", file))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.Index(line, "CGO_ENABLED=0 go build"); i >= 0 {
			found = append(found, strings.TrimSpace(line[i:]))
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: want exactly one 'CGO_ENABLED=0 go build' line, found %d: %q", file, len(found), found)
	}
	return found[0]
}

// The README tells people without Docker to build the binary exactly as the
// Dockerfile does; only the output path may differ.
func TestDockerfileBuildMatchesREADME(t *testing.T) {
	output := regexp.MustCompile(`-o \S+`)
	docker := output.ReplaceAllString(goBuildLine(t, "Dockerfile"), "-o OUT")
	readme := output.ReplaceAllString(goBuildLine(t, "README.md"), "-o OUT")
	if docker != readme {
		t.Errorf("build commands differ:\nDockerfile: %s\nREADME:     %s", docker, readme)
	}
	for _, want := range []string{"-trimpath", "./cmd/claimwatch"} {
		if !strings.Contains(docker, want) {
			t.Errorf("Dockerfile build lacks %s: %s", want, docker)
		}
	}
}

// The README's first lines are the two commands a newcomer needs; the test
// command must be the one CI runs.
func TestREADMEOpensWithRunAndTestCommands(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile(filepath.Join("..", "..", ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(strings.SplitN(string(readme), "\n", 8)[:7], "\n")
	// Build, then run the binary: `go run` compiles silently for a minute
	// on a cold cache and turns Ctrl-C into its own exit 1.
	if !strings.Contains(head, "go build -o claimwatch ./cmd/claimwatch && ./claimwatch run") || strings.Contains(head, "go run") {
		t.Errorf("README does not open with the build-then-run command:\n%s", head)
	}
	const testCmd = "go test -race -count=1 ./..."
	if !strings.Contains(head, testCmd) || !strings.Contains(string(ci), testCmd) {
		t.Errorf("README head and .ci/run must both run %q", testCmd)
	}
}
