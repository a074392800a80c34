//go:build darwin || ios

package bench

import (
	"debug/macho"
	"strings"
)

// stripped reports whether the Mach-O binary at path has neither symbols
// nor DWARF, as -ldflags='-s -w' leaves it.
func stripped(path string) (bool, error) {
	f, err := macho.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	if f.Symtab != nil && len(f.Symtab.Syms) > 0 {
		return false, nil
	}
	for _, s := range f.Sections {
		if strings.HasPrefix(s.Name, "__debug_") || strings.HasPrefix(s.Name, "__zdebug_") {
			return false, nil
		}
	}
	return true, nil
}
