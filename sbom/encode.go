package sbom

import (
	"crypto/sha256"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Format is an output format of the BOM.
type Format string

// The formats Encode writes.
const (
	FormatJSON Format = "json"
	FormatXML  Format = "xml"
)

// ParseFormat accepts "json" and "xml".
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case FormatJSON, FormatXML:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: use json or xml", s)
}

// ParseSpec accepts the CycloneDX versions git-agent writes: 1.5 and 1.6.
func ParseSpec(s string) (cdx.SpecVersion, error) {
	switch s {
	case "1.6":
		return cdx.SpecVersion1_6, nil
	case "1.5":
		return cdx.SpecVersion1_5, nil
	}
	return 0, fmt.Errorf("unsupported CycloneDX spec version %q: use 1.5 or 1.6", s)
}

// Encode writes bom, indented, in format and spec version spec.
//
// It does what cyclonedx-go's BOMEncoder.Encode does (encoding/json or
// encoding/xml over the library's types, whose Marshal methods carry the
// CycloneDX rules) without going through that encoder: its interface also
// carries EncodeVersion, whose deep copy links encoding/gob (about 200 KB)
// into a binary that keeps every exported method. The BOMs Generate and
// Self build use no field newer than 1.5, so a 1.5 BOM differs from a 1.6
// one only in its version markers, and no down-conversion is needed.
func Encode(w io.Writer, bom *cdx.BOM, format Format, spec cdx.SpecVersion) error {
	out := *bom
	switch spec {
	case cdx.SpecVersion1_6:
	case cdx.SpecVersion1_5:
		out.SpecVersion = spec
		out.JSONSchema = "http://cyclonedx.org/schema/bom-1.5.schema.json"
		out.XMLNS = "http://cyclonedx.org/schema/bom/1.5"
	default:
		return fmt.Errorf("encode the bom: unsupported spec version %s (use 1.5 or 1.6)", spec)
	}
	if format == FormatXML {
		if _, err := io.WriteString(w, xml.Header); err != nil {
			return fmt.Errorf("encode the bom: %w", err)
		}
		enc := xml.NewEncoder(w)
		enc.Indent("", "  ")
		if err := enc.Encode(&out); err != nil {
			return fmt.Errorf("encode the bom: %w", err)
		}
		_, err := io.WriteString(w, "\n")
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&out); err != nil {
		return fmt.Errorf("encode the bom: %w", err)
	}
	return nil
}

// ContentSerial derives a serial number from the BOM's content, so two runs
// over the same inputs (with SOURCE_DATE_EPOCH fixing the timestamp) are
// byte-identical: the first 16 bytes of its SHA-256 as an RFC 9562 version 8
// (custom) UUID.
func ContentSerial(content []byte) string {
	sum := sha256.Sum256(content)
	return uuidURN(sum[:16], 8)
}

// RandomSerial returns a Serial function drawing version 4 UUIDs from r
// (crypto/rand.Reader outside tests).
func RandomSerial(r io.Reader) func([]byte) string {
	return func(content []byte) string {
		b := make([]byte, 16)
		if _, err := io.ReadFull(r, b); err != nil {
			// crypto/rand does not fail on supported systems; fall back to
			// the content-derived serial rather than emit none.
			return ContentSerial(content)
		}
		return uuidURN(b, 4)
	}
}

func uuidURN(b []byte, version byte) string {
	b[6] = b[6]&0x0f | version<<4
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
