//go:build !darwin && !ios && !windows

package bench

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// stripped reports whether the ELF binary at path has neither a symbol
// table nor DWARF, as -ldflags='-s -w' leaves it. It reads the section
// names itself: debug/elf would add 180 KB to the binary it measures.
func stripped(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	hdr := make([]byte, 64)
	if _, err := f.ReadAt(hdr, 0); err != nil {
		return false, fmt.Errorf("read the ELF header: %w", err)
	}
	if string(hdr[:4]) != "\x7fELF" {
		return false, errors.New("not an ELF file")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if hdr[5] == 2 {
		bo = binary.BigEndian
	}
	// Offsets of e_shoff, e_shentsize, e_shnum, e_shstrndx, and of sh_offset
	// and sh_size in a section header, for ELF32 and ELF64.
	var shoff int64
	var entsize, num, strndx int
	var word func([]byte) int64
	var offAt, sizeAt int
	switch hdr[4] {
	case 1:
		shoff = int64(bo.Uint32(hdr[0x20:]))
		entsize, num, strndx = int(bo.Uint16(hdr[0x2E:])), int(bo.Uint16(hdr[0x30:])), int(bo.Uint16(hdr[0x32:]))
		word, offAt, sizeAt = func(b []byte) int64 { return int64(bo.Uint32(b)) }, 0x10, 0x14
	case 2:
		shoff = int64(bo.Uint64(hdr[0x28:]))
		entsize, num, strndx = int(bo.Uint16(hdr[0x3A:])), int(bo.Uint16(hdr[0x3C:])), int(bo.Uint16(hdr[0x3E:]))
		word, offAt, sizeAt = func(b []byte) int64 { return int64(bo.Uint64(b)) }, 0x18, 0x20
	default:
		return false, errors.New("unknown ELF class")
	}
	if entsize < sizeAt+8 || entsize > 256 || strndx >= num {
		return false, errors.New("malformed ELF section headers")
	}
	shdrs := make([]byte, entsize*num)
	if _, err := f.ReadAt(shdrs, shoff); err != nil {
		return false, fmt.Errorf("read the ELF section headers: %w", err)
	}
	sh := func(i int) []byte { return shdrs[i*entsize : (i+1)*entsize] }
	strOff, strSize := word(sh(strndx)[offAt:]), word(sh(strndx)[sizeAt:])
	if strSize < 0 || strSize > 1<<20 {
		return false, errors.New("malformed ELF section name table")
	}
	names := make([]byte, strSize)
	if _, err := f.ReadAt(names, strOff); err != nil {
		return false, fmt.Errorf("read the ELF section names: %w", err)
	}
	for i := range num {
		at := int(bo.Uint32(sh(i)))
		if at >= len(names) {
			continue
		}
		name, _, _ := bytes.Cut(names[at:], []byte{0})
		if string(name) == ".symtab" || bytes.HasPrefix(name, []byte(".debug_")) || bytes.HasPrefix(name, []byte(".zdebug_")) {
			return false, nil
		}
	}
	return true, nil
}
