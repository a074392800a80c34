package policy

import "strings"

// safeCommands are read-only programs that untrusted mode runs without asking.
var safeCommands = map[string]bool{
	"ls": true, "cat": true, "head": true, "tail": true, "wc": true, "pwd": true,
	"echo": true, "grep": true, "rg": true, "true": true, "false": true, "which": true,
	"stat": true, "file": true, "diff": true, "sort": true, "uniq": true, "tree": true,
}

// safeGit are git subcommands that only read.
var safeGit = map[string]bool{"status": true, "log": true, "diff": true, "show": true, "blame": true, "ls-files": true, "rev-parse": true}

// knownSafe reports whether argv is a read-only command. Anything with shell
// syntax (a script) is not, since it may chain or redirect.
func knownSafe(argv []string) bool {
	if len(argv) == 0 {
		return false
	}
	for _, a := range argv {
		if strings.ContainsAny(a, ";&|<>`$()") {
			return false
		}
	}
	switch argv[0] {
	case "git":
		if len(argv) < 2 {
			return false
		}
		for _, a := range argv[2:] {
			if a == "--output" || strings.HasPrefix(a, "--output=") || a == "--ext-diff" {
				return false
			}
		}
		return safeGit[argv[1]]
	case "find":
		for _, a := range argv[1:] {
			switch a {
			case "-exec", "-execdir", "-delete", "-ok", "-okdir", "-fprint", "-fprintf", "-fls":
				return false
			}
		}
		return true
	}
	return safeCommands[argv[0]]
}
