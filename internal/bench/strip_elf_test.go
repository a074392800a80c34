//go:build !darwin && !ios && !windows

package bench

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// fakeELF is a minimal ELF file holding a null section, the named sections
// and the section name table.
func fakeELF(t *testing.T, class elf.Class, bo binary.ByteOrder, names ...string) string {
	t.Helper()
	names = append(names, ".shstrtab")
	strtab := []byte{0}
	var at []int
	for _, n := range names {
		at = append(at, len(strtab))
		strtab = append(append(strtab, n...), 0)
	}
	hsize, shsize := 64, 64
	if class == elf.ELFCLASS32 {
		hsize, shsize = 52, 40
	}
	shoff := hsize + len(strtab)
	file := make([]byte, shoff+shsize*(len(names)+1))
	copy(file, "\x7fELF")
	file[4], file[5], file[6] = byte(class), byte(elf.ELFDATA2LSB), 1
	if bo == binary.BigEndian {
		file[5] = byte(elf.ELFDATA2MSB)
	}
	copy(file[hsize:], strtab)
	put := func(off, size int, v int) {
		switch size {
		case 2:
			bo.PutUint16(file[off:], uint16(v))
		case 4:
			bo.PutUint32(file[off:], uint32(v))
		case 8:
			bo.PutUint64(file[off:], uint64(v))
		}
	}
	put(16, 2, int(elf.ET_EXEC))
	put(20, 4, 1)
	if class == elf.ELFCLASS64 {
		put(0x28, 8, shoff)
		put(0x34, 2, hsize)
		put(0x3A, 2, shsize)
		put(0x3C, 2, len(names)+1)
		put(0x3E, 2, len(names))
	} else {
		put(0x20, 4, shoff)
		put(0x28, 2, hsize)
		put(0x2E, 2, shsize)
		put(0x30, 2, len(names)+1)
		put(0x32, 2, len(names))
	}
	for i := range names {
		sh := shoff + shsize*(i+1)
		put(sh, 4, at[i])
		put(sh+4, 4, int(elf.SHT_PROGBITS))
		if names[i] == ".shstrtab" {
			put(sh+4, 4, int(elf.SHT_STRTAB))
			if class == elf.ELFCLASS64 {
				put(sh+0x18, 8, hsize)
				put(sh+0x20, 8, len(strtab))
			} else {
				put(sh+0x10, 4, hsize)
				put(sh+0x14, 4, len(strtab))
			}
		}
	}
	path := filepath.Join(t.TempDir(), "bin")
	if err := os.WriteFile(path, file, 0o755); err != nil {
		t.Fatal(err)
	}
	// The fake must be an ELF file debug/elf reads as intended.
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("fake ELF: %v", err)
	}
	defer f.Close()
	for _, n := range names {
		if f.Section(n) == nil {
			t.Fatalf("fake ELF: debug/elf finds no section %s", n)
		}
	}
	return path
}

func TestStripped(t *testing.T) {
	t.Parallel()
	stripped64 := []string{".text", ".noptrdata", ".data", ".go.buildinfo"}
	tests := []struct {
		name  string
		class elf.Class
		bo    binary.ByteOrder
		names []string
		want  bool
	}{
		{"stripped, 64-bit", elf.ELFCLASS64, binary.LittleEndian, stripped64, true},
		{"symbol table, 64-bit", elf.ELFCLASS64, binary.LittleEndian, append(stripped64, ".symtab", ".strtab"), false},
		{"DWARF only (-s without -w)", elf.ELFCLASS64, binary.LittleEndian, append(stripped64, ".debug_info", ".debug_line"), false},
		{"compressed DWARF", elf.ELFCLASS64, binary.LittleEndian, append(stripped64, ".zdebug_info"), false},
		{"stripped, 32-bit", elf.ELFCLASS32, binary.LittleEndian, stripped64, true},
		{"symbol table, 32-bit big-endian", elf.ELFCLASS32, binary.BigEndian, append(stripped64, ".symtab"), false},
		{"stripped, 64-bit big-endian", elf.ELFCLASS64, binary.BigEndian, stripped64, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := stripped(fakeELF(t, tc.class, tc.bo, tc.names...))
			if err != nil || got != tc.want {
				t.Errorf("stripped = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// A test binary has its symbol table, as debug/elf agrees.
func TestStrippedTestBinary(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Skipf("not an ELF binary: %v", err)
	}
	want := f.Section(".symtab") == nil
	f.Close()
	if got, err := stripped(exe); err != nil || got != want {
		t.Errorf("stripped(%s) = %v, %v; debug/elf says %v", exe, got, err, want)
	}
}

func TestStrippedNotELF(t *testing.T) {
	t.Parallel()
	for name, content := range map[string][]byte{
		"a script":  []byte("#!/bin/sh\necho this is not an ELF binary, but it is long enough\n"),
		"too short": []byte("\x7fELF"),
		"truncated": append([]byte("\x7fELF\x02\x01\x01"), bytes.Repeat([]byte{0xff}, 60)...),
	} {
		path := filepath.Join(t.TempDir(), "bin")
		if err := os.WriteFile(path, content, 0o755); err != nil {
			t.Fatal(err)
		}
		if got, err := stripped(path); err == nil {
			t.Errorf("%s: stripped = %v, want an error", name, got)
		}
	}
}
