package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"sort"

	"github.com/spf13/cobra"
)

// version and commit are stamped at release with
// -ldflags "-X github.com/git-agent/git-agent/internal/cli.version=v1.2.3 -X ...commit=abc".
var (
	version = ""
	commit  = ""
)

// versionCommit returns the version ("dev" when unknown) and the short
// commit ("" when unknown) of this build.
func versionCommit() (string, string) {
	v, c := version, commit
	if v == "" || c == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && c == "" && len(s.Value) >= 12 {
					c = s.Value[:12]
				}
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	return v, c
}

// Version returns the version string of this build.
func Version() string {
	v, c := versionCommit()
	if c != "" {
		return fmt.Sprintf("%s (%s, %s %s/%s)", v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
	return fmt.Sprintf("%s (%s %s/%s)", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// agentName names this build in audit entries: git-agent/VERSION.
func agentName() string {
	v, _ := versionCommit()
	return "git-agent/" + v
}

// BuildInfo is `git agent version --json`: enough to reproduce and inspect
// the build.
type BuildInfo struct {
	Version   string            `json:"version"`
	Commit    string            `json:"commit,omitempty"`
	GoVersion string            `json:"go_version"`
	Platform  string            `json:"platform"`
	Path      string            `json:"path,omitempty"`    // the main package
	Settings  map[string]string `json:"build_settings"`    // -trimpath, -ldflags, CGO_ENABLED, GOOS, vcs.*
	Modules   []ModuleInfo      `json:"modules,omitempty"` // every module linked in
}

// ModuleInfo is one module of the build.
type ModuleInfo struct {
	Path    string `json:"path"`
	Version string `json:"version"`
	Sum     string `json:"sum,omitempty"`
	Replace string `json:"replace,omitempty"`
}

func buildInfo() BuildInfo {
	v, c := versionCommit()
	info := BuildInfo{Version: v, Commit: c, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
		Settings: map[string]string{}}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return info
	}
	info.Path = bi.Path
	for _, s := range bi.Settings {
		info.Settings[s.Key] = s.Value
	}
	for _, m := range bi.Deps {
		mi := ModuleInfo{Path: m.Path, Version: m.Version, Sum: m.Sum}
		if m.Replace != nil {
			mi.Replace = m.Replace.Path + "@" + m.Replace.Version
		}
		info.Modules = append(info.Modules, mi)
	}
	sort.Slice(info.Modules, func(i, j int) bool { return info.Modules[i].Path < info.Modules[j].Path })
	return info
}

func newCmdVersion(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version (--json: commit, Go version, build flags and modules)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON {
				enc := json.NewEncoder(f.IO.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(buildInfo())
			}
			_, err := fmt.Fprintln(f.IO.Out, "git-agent "+Version())
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the build as JSON: version, commit, Go version, build settings, modules")
	return cmd
}
