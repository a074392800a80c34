package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/git-agent/git-agent/sbom"
	"github.com/spf13/cobra"
)

// SBOMOptions are the inputs of `git agent sbom`.
type SBOMOptions struct {
	IO      *IOStreams
	Context context.Context
	Dir     string
	Output  string
	Format  string
	Spec    string
	Self    bool
	Binary  string // describe this Go binary (any OS/architecture) from its build information
	Policy  string

	// Getenv reads GOMODCACHE, GOPATH, HOME and SOURCE_DATE_EPOCH.
	Getenv func(string) string
	// Now stamps the BOM unless SOURCE_DATE_EPOCH is set.
	Now func() time.Time
	// Rand draws random serial numbers.
	Rand io.Reader
	// BuildInfo describes this binary for --self.
	BuildInfo func() (*debug.BuildInfo, bool)
}

// NewCmdSBOM builds `git agent sbom`. runF replaces the behaviour in tests.
func NewCmdSBOM(f *Factory, runF func(*SBOMOptions) error) *cobra.Command {
	opts := &SBOMOptions{IO: f.IO, Getenv: f.Getenv, Now: f.Now, Rand: rand.Reader, BuildInfo: debug.ReadBuildInfo}
	cmd := &cobra.Command{
		Use:   "sbom [DIR] [-o FILE] [--format json|xml] [--spec 1.6] [--self] [--policy FILE|default]",
		Short: "Write a CycloneDX SBOM of a repository (or of git-agent itself) and check licenses",
		Long: `Write a CycloneDX software bill of materials of the repository in DIR (default:
the current directory) from the files that pin its dependencies: go.mod and
go.sum, package-lock.json, requirements.txt, poetry.lock and uv.lock. Nothing
is run and nothing is downloaded: Go's dependency graph and licenses come from
the module cache (GOMODCACHE, GOPATH/pkg/mod or ~/go/pkg/mod) or vendor/ when
they are there. --self describes the running git-agent binary instead, and
--binary FILE any Go binary (of any OS and architecture: the release makes one
SBOM per archive this way).

With --policy, the components' licenses are checked against a policy file
(JSON or TOML: allow, deny, unknown) or git-agent's built-in one ("default");
a violation prints a report on stderr and exits 1 after the SBOM is written.

Set SOURCE_DATE_EPOCH (seconds since 1970) for reproducible output: it becomes
the timestamp and the serial number is derived from the content, so two runs
are byte-identical. See docs/sbom.md.

Exit status: 0 written (and the policy passed), 1 a malformed lockfile or a
policy violation, 2 a bad flag, directory or policy file.`,
		Example: `  git agent sbom -o sbom.cdx.json
  git agent sbom ../service --format xml -o service.cdx.xml
  git agent sbom --policy default
  git agent sbom --self --spec 1.5
  git agent sbom --binary dist/git-agent_darwin_arm64/git-agent -o git-agent.cdx.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context = cmd.Context()
			if len(args) == 1 {
				if opts.Self || opts.Binary != "" {
					return usageErrorf("--self and --binary describe a binary and take no DIR")
				}
				opts.Dir = args[0]
			} else {
				wd, err := f.Getwd()
				if err != nil {
					return fmt.Errorf("find the current directory: %w (name the repository: git agent sbom DIR)", err)
				}
				opts.Dir = wd
			}
			if opts.Self && opts.Binary != "" {
				return usageErrorf("--self and --binary exclude each other")
			}
			if runF != nil {
				return runF(opts)
			}
			return sbomRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Output, "output", "o", "", "write the SBOM to FILE (atomically) instead of stdout")
	fl.StringVar(&opts.Format, "format", "json", "output format: json or xml")
	fl.StringVar(&opts.Spec, "spec", "1.6", "CycloneDX spec version: 1.5 or 1.6")
	fl.BoolVar(&opts.Self, "self", false, "describe the running git-agent binary from its build information")
	fl.StringVar(&opts.Binary, "binary", "", "describe this Go binary (any OS and architecture) from its build information")
	fl.StringVar(&opts.Policy, "policy", "", "check licenses against a policy FILE (JSON or TOML), or \"default\"")
	return cmd
}

func sbomRun(opts *SBOMOptions) error {
	_, err := sbomWrite(opts)
	return err
}

// sbomWrite is sbomRun, returning the SBOM it wrote (nil when it wrote
// none) for callers that report on it.
func sbomWrite(opts *SBOMOptions) (*sbom.Result, error) {
	format, err := sbom.ParseFormat(opts.Format)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	spec, err := sbom.ParseSpec(opts.Spec)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	policy, err := loadSBOMPolicy(opts.Policy)
	if err != nil {
		return nil, err
	}
	gen, err := sbomGenOptions(opts)
	if err != nil {
		return nil, err
	}
	var res *sbom.Result
	switch {
	case opts.Self:
		info, _ := opts.BuildInfo()
		res, err = sbom.Self(info, gen)
	case opts.Binary != "":
		info, rerr := buildinfo.ReadFile(opts.Binary)
		if rerr != nil {
			return nil, usageErrorf("--binary %s: %v (name a Go binary built in module mode)", opts.Binary, rerr)
		}
		res, err = sbom.Self(info, gen)
	default:
		ctx := opts.Context
		if ctx == nil {
			ctx = context.Background()
		}
		res, err = sbom.Generate(ctx, opts.Dir, gen)
	}
	var ie *sbom.InputError
	if errors.As(err, &ie) {
		return nil, &UsageError{Err: fmt.Errorf("sbom: %w", err)}
	}
	if err != nil {
		return nil, fmt.Errorf("sbom: %w", err)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s\n", w)
	}
	var buf bytes.Buffer
	if err := sbom.Encode(&buf, res.BOM, format, spec); err != nil {
		return nil, err
	}
	if opts.Output == "" {
		if _, err := opts.IO.Out.Write(buf.Bytes()); err != nil {
			return nil, fmt.Errorf("write the SBOM: %w", err)
		}
	} else if err := writeFileAtomic(opts.Output, buf.Bytes(), 0o644); err != nil {
		// writeFileAtomic renames a complete temporary file into place.
		return nil, fmt.Errorf("write the SBOM to %s: %w (check that its directory exists and is writable)", opts.Output, err)
	}
	if policy == nil {
		return res, nil
	}
	rep := policy.Evaluate(res.BOM)
	if err := rep.Write(opts.IO.ErrOut); err != nil {
		return res, err
	}
	if rep.Failed() {
		return res, &ExitError{Code: ExitFailed}
	}
	return res, nil
}

// loadSBOMPolicy reads --policy: "" for none, "default" for the built-in one.
func loadSBOMPolicy(name string) (*sbom.Policy, error) {
	switch name {
	case "":
		return nil, nil
	case "default":
		return sbom.DefaultPolicy(), nil
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, usageErrorf("read the policy: %v (give a JSON or TOML file, or --policy default)", err)
	}
	p, err := sbom.ParsePolicy(name, data)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return p, nil
}

// sbomGenOptions wires the clock, serial numbers and module cache;
// SOURCE_DATE_EPOCH makes the output reproducible.
func sbomGenOptions(opts *SBOMOptions) (sbom.Options, error) {
	v, _ := versionCommit()
	gen := sbom.Options{
		ModCache:    sbom.ModCacheDir(opts.Getenv),
		Now:         opts.Now,
		Serial:      sbom.RandomSerial(opts.Rand),
		ToolVersion: v,
	}
	if s := opts.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil || sec < 0 {
			return gen, usageErrorf("SOURCE_DATE_EPOCH=%q is not a number of seconds since 1970 (unset it or fix it)", s)
		}
		t := time.Unix(sec, 0).UTC()
		gen.Now = func() time.Time { return t }
		gen.Serial = sbom.ContentSerial
	}
	return gen, nil
}
