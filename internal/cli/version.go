package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version and commit are stamped at release with
// -ldflags "-X github.com/git-agent/git-agent/internal/cli.version=v1.2.3 -X ...commit=abc".
var (
	version = ""
	commit  = ""
)

// Version returns the version string of this build.
func Version() string {
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
	if c != "" {
		return fmt.Sprintf("%s (%s, %s %s/%s)", v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
	return fmt.Sprintf("%s (%s %s/%s)", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func newCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(f.IO.Out, "git-agent "+Version())
			return err
		},
	}
}
