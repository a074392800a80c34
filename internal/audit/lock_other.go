//go:build (!unix && !windows) || aix

package audit

import "os"

// Without flock (x/sys has none for these systems) only the Log's mutex
// serializes appends: two processes, or two Logs in one process, appending
// to the same file may fork the chain, which Verify then reports.
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) error { return nil }
