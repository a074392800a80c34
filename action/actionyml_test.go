package action

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// actionYML is the repository's action.yml, read with just enough YAML for
// its known shape: top-level sections, their two-space keys, and the steps'
// env maps and block scripts.
type actionYML struct {
	inputs, outputs []string
	// env is each step's env (name → value), by step name.
	env map[string]map[string]string
	// run is each step's run script, by step name.
	run map[string]string
}

func readActionYML(t *testing.T) actionYML {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a := actionYML{env: map[string]map[string]string{}, run: map[string]string{}}
	key := regexp.MustCompile(`^  ([a-z][a-z0-9-]*):\s*$`)
	stepName := regexp.MustCompile(`^    - name: (.+)$`)
	envLine := regexp.MustCompile(`^        ([A-Za-z_][A-Za-z0-9_-]*): (.*)$`)
	var section, step, block string
	var script []string
	inEnv := false
	endScript := func() {
		if step != "" && script != nil {
			a.run[step] = strings.Join(script, "\n") + "\n"
		}
		script = nil
		block = ""
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if block != "" {
			if strings.HasPrefix(line, block) || strings.TrimSpace(line) == "" {
				script = append(script, strings.TrimPrefix(line, block))
				continue
			}
			endScript()
		}
		switch {
		case !strings.HasPrefix(line, " ") && strings.HasSuffix(line, ":"):
			section = strings.TrimSuffix(line, ":")
			continue
		case section == "inputs" && key.MatchString(line):
			a.inputs = append(a.inputs, key.FindStringSubmatch(line)[1])
		case section == "outputs" && key.MatchString(line):
			a.outputs = append(a.outputs, key.FindStringSubmatch(line)[1])
		case section == "runs" && stepName.MatchString(line):
			step, inEnv = stepName.FindStringSubmatch(line)[1], false
			a.env[step] = map[string]string{}
		case section == "runs" && step != "" && line == "      env:":
			inEnv = true
		case section == "runs" && step != "" && line == "      run: |":
			inEnv, block, script = false, "        ", []string{}
		case section == "runs" && step != "" && strings.HasPrefix(line, "      run: "):
			inEnv = false
			a.run[step] = strings.Trim(strings.TrimPrefix(line, "      run: "), "'") + "\n"
		case inEnv && envLine.MatchString(line):
			m := envLine.FindStringSubmatch(line)
			a.env[step][m[1]] = m[2]
		case inEnv && strings.HasPrefix(line, "      ") && !strings.HasPrefix(line, "        "):
			inEnv = false
		}
	}
	endScript()
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(a.inputs) == 0 || len(a.outputs) == 0 || a.run["Install git-agent"] == "" || len(a.env["Run git-agent"]) == 0 {
		t.Fatalf("action.yml does not have the expected shape: %+v", a)
	}
	return a
}

// TestActionYMLInputs: every input git agent action reads is declared in
// action.yml and passed to the run step as INPUT_<NAME> (composite actions
// do not export inputs), and every declared input is used.
func TestActionYMLInputs(t *testing.T) {
	t.Parallel()
	a := readActionYML(t)
	var read []string
	_, _ = ReadInputs(func(name string) string {
		read = append(read, name)
		return ""
	})
	env := a.env["Run git-agent"]
	for _, name := range a.inputs {
		if name == "version" {
			// The install step's own input.
			if v := a.env["Install git-agent"]["VERSION_INPUT"]; v != "${{ inputs.version }}" {
				t.Errorf("install step: VERSION_INPUT = %q", v)
			}
			continue
		}
		ev := InputEnv(name)
		if got, want := env[ev], "${{ inputs."+name+" }}"; got != want {
			t.Errorf("run step: %s = %q, want %q", ev, got, want)
		}
		if !slices.Contains(read, ev) {
			t.Errorf("input %q is declared but git agent action never reads %s", name, ev)
		}
	}
	for _, ev := range read {
		name := strings.ToLower(strings.TrimPrefix(ev, "INPUT_"))
		if !slices.Contains(a.inputs, name) {
			t.Errorf("git agent action reads %s, but action.yml declares no input %q", ev, name)
		}
	}
}

// TestActionYMLInstall runs the install step's script as the runner would,
// on the paths that need no network: a bad version and an unknown runner
// fail with an error annotation before anything is downloaded, and a
// branch ref builds git-agent from the action's source (with .exe on
// Windows, where bash finds git-agent.exe as git-agent).
func TestActionYMLInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds git-agent")
	}
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	script := readActionYML(t).run["Install git-agent"]
	src, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name             string
		version, ref, os string
		wantExit         int
		wantOut          string // in stdout
		wantBin          string // built into $RUNNER_TEMP/git-agent-bin
	}{
		{name: "a version that is not a tag", version: "main", os: "Linux", wantExit: 2,
			wantOut: "::error title=git-agent::version main is not a release tag like v1.2.3"},
		{name: "an unknown runner", version: "v1.2.3", os: "Plan9", wantExit: 2,
			wantOut: "::error title=git-agent::no git-agent release for runner OS Plan9"},
		{name: "a branch builds from source", ref: "main", os: "Linux",
			wantOut: "::notice title=git-agent::building git-agent from the action's source (main)", wantBin: "git-agent"},
		{name: "on Windows the build is git-agent.exe", ref: "0123abcd", os: "Windows",
			wantOut: "building git-agent from the action's source (0123abcd)", wantBin: "git-agent.exe"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			cmd := exec.Command(bash, "-c", script)
			cmd.Dir = tmp
			cmd.Env = append(os.Environ(),
				"RUNNER_TEMP="+tmp, "GITHUB_PATH="+filepath.Join(tmp, "path.txt"), "GITHUB_OUTPUT="+filepath.Join(tmp, "output.txt"),
				"VERSION_INPUT="+tc.version, "ACTION_REF="+tc.ref, "ACTION_PATH="+src,
				"RUNNER_OS_NAME="+tc.os, "RUNNER_ARCH_NAME=X64",
				// Nothing may be downloaded here: no proxy reaches anything.
				"https_proxy=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9")
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.wantExit {
				t.Fatalf("exit %d, want %d:\n%s", code, tc.wantExit, out)
			}
			if !strings.Contains(string(out), tc.wantOut) {
				t.Errorf("output lacks %q:\n%s", tc.wantOut, out)
			}
			if tc.wantBin == "" {
				return
			}
			bin := filepath.Join(tmp, "git-agent-bin")
			ver, err := exec.Command(filepath.Join(bin, tc.wantBin), "--version").Output()
			if err != nil || !strings.HasPrefix(string(ver), "git-agent ") {
				t.Fatalf("the built git-agent --version: %q, %v", ver, err)
			}
			for file, want := range map[string]string{"path.txt": bin + "\n", "output.txt": "path=" + bin + "\n"} {
				b, err := os.ReadFile(filepath.Join(tmp, file))
				if err != nil || string(b) != want {
					t.Errorf("%s = %q, %v; want %q", file, b, err, want)
				}
			}
		})
	}
}
