package bench

import (
	"debug/pe"
	"strings"
)

// stripped reports whether the PE binary at path has neither COFF symbols
// nor DWARF, as -ldflags='-s -w' leaves it.
func stripped(path string) (bool, error) {
	f, err := pe.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	if len(f.Symbols) > 0 {
		return false, nil
	}
	for _, s := range f.Sections {
		if strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
			return false, nil
		}
	}
	return true, nil
}
