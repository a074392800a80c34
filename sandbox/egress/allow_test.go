package egress

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseAllow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      []string
		want    []string
		wantErr string // the part before "; " + wantForm
	}{
		{name: "canonical forms", in: []string{"Example.COM", "example.com.", "*.Example.com", "example.com:8443", "svc_a.internal", "10.0.0.1", "10.0.0.1:443", "::1", "[0:0::1]:443"},
			want: []string{"example.com", "*.example.com", "example.com:8443", "svc_a.internal", "10.0.0.1", "10.0.0.1:443", "[::1]", "[::1]:443"}},
		{name: "none", in: nil, want: []string{}},
		{name: "empty", in: []string{""}, wantErr: `allow-domain "": empty entry`},
		{name: "scheme", in: []string{"ok.example", "https://example.com"}, wantErr: `allow-domain "https://example.com": scheme not allowed`},
		{name: "path", in: []string{"example.com/x"}, wantErr: `allow-domain "example.com/x": path not allowed`},
		{name: "query", in: []string{"example.com?x"}, wantErr: `allow-domain "example.com?x": path not allowed`},
		{name: "bare star", in: []string{"*"}, wantErr: `allow-domain "*": wildcard only allowed as a leading "*."`},
		{name: "star without dot", in: []string{"*example.com"}, wantErr: `allow-domain "*example.com": wildcard only allowed as a leading "*."`},
		{name: "inner star", in: []string{"a.*.com"}, wantErr: `allow-domain "a.*.com": wildcard only allowed as a leading "*."`},
		{name: "star only", in: []string{"*."}, wantErr: `allow-domain "*.": wildcard only allowed as a leading "*."`},
		{name: "too long", in: []string{strings.Repeat("a.", 127) + "ab"}, wantErr: `allow-domain "` + strings.Repeat("a.", 127) + "ab" + `": host name must be 1 to 253 characters`},
		{name: "port zero", in: []string{"example.com:0"}, wantErr: `allow-domain "example.com:0": port "0" is not a number from 1 to 65535`},
		{name: "port too big", in: []string{"example.com:65536"}, wantErr: `allow-domain "example.com:65536": port "65536" is not a number from 1 to 65535`},
		{name: "port signed", in: []string{"example.com:+80"}, wantErr: `allow-domain "example.com:+80": port "+80" is not a number from 1 to 65535`},
		{name: "port name", in: []string{"example.com:https"}, wantErr: `allow-domain "example.com:https": port "https" is not a number from 1 to 65535`},
		{name: "empty port", in: []string{"example.com:"}, wantErr: `allow-domain "example.com:": empty port`},
		{name: "empty port after bracket", in: []string{"[::1]:"}, wantErr: `allow-domain "[::1]:": empty port`},
		{name: "unclosed bracket", in: []string{"[::1"}, wantErr: `allow-domain "[::1": missing "]" after IPv6 address`},
		{name: "text after bracket", in: []string{"[::1]x"}, wantErr: `allow-domain "[::1]x": unexpected text after "]"`},
		{name: "bracketed IPv4", in: []string{"[10.0.0.1]"}, wantErr: `allow-domain "[10.0.0.1]": brackets are only for IPv6 addresses`},
		{name: "bracketed name", in: []string{"[example.com]"}, wantErr: `allow-domain "[example.com]": "example.com" is not an IPv6 address`},
		{name: "IPv6 zone", in: []string{"[fe80::1%eth0]"}, wantErr: `allow-domain "[fe80::1%eth0]": IPv6 zones are not allowed`},
		{name: "bad IPv6", in: []string{"1::2::3"}, wantErr: `allow-domain "1::2::3": "1::2::3" is not an IPv6 address`},
		{name: "leading hyphen", in: []string{"-a.example"}, wantErr: `allow-domain "-a.example": host name "-a.example" has a label starting or ending with "-"`},
		{name: "empty label", in: []string{"a..example"}, wantErr: `allow-domain "a..example": host name "a..example" has an empty or over-long label`},
		{name: "space", in: []string{"a example"}, wantErr: `allow-domain "a example": host name "a example" contains ' '`},
		{name: "unicode", in: []string{"bücher.example"}, wantErr: `allow-domain "bücher.example": host name "bücher.example" contains 'ü'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseAllow(tt.in)
			if tt.wantErr != "" {
				if want := tt.wantErr + "; " + wantForm; err == nil || err.Error() != want {
					t.Fatalf("ParseAllow(%q) error = %v\nwant %s", tt.in, err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseAllow(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		allow   string
		host    string
		port    int
		defPort int // 443 for CONNECT, 80 for plain HTTP
		want    bool
	}{
		{"wildcard matches subdomain", "*.example.com", "a.example.com", 443, 443, true},
		{"wildcard matches deeper subdomain", "*.example.com", "a.b.example.com", 443, 443, true},
		{"wildcard ignores case and trailing dot", "*.example.com", "A.Example.COM.", 443, 443, true},
		{"wildcard skips apex", "*.example.com", "example.com", 443, 443, false},
		{"wildcard needs a dot boundary", "*.example.com", "badexample.com", 443, 443, false},
		{"wildcard bare allows 80 for HTTP", "*.example.com", "a.example.com", 80, 80, true},
		{"wildcard bare refuses 80 for CONNECT", "*.example.com", "a.example.com", 80, 443, false},
		{"wildcard with port", "*.example.com:8443", "a.example.com", 8443, 443, true},
		{"wildcard with port refuses 443", "*.example.com:8443", "a.example.com", 443, 443, false},
		{"wildcard never matches an IP", "*.0.0.1", "127.0.0.1", 443, 443, false},
		{"exact name", "example.com", "EXAMPLE.com.", 443, 443, true},
		{"exact name skips subdomain", "example.com", "www.example.com", 443, 443, false},
		{"exact name skips suffix trick", "example.com", "example.com.evil.test", 443, 443, false},
		{"IP entry", "127.0.0.1", "127.0.0.1", 80, 80, true},
		{"IP entry matches mapped IPv6", "127.0.0.1", "::ffff:127.0.0.1", 80, 80, true},
		{"IP entry skips name", "127.0.0.1", "localhost", 80, 80, false},
		{"name entry skips IP", "localhost", "127.0.0.1", 80, 80, false},
		{"IPv6 entry any spelling", "[::1]:8080", "0:0::1", 8080, 80, true},
		{"IPv6 entry other port", "[::1]:8080", "::1", 80, 80, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := parseRule(tt.allow)
			if err != nil {
				t.Fatal(err)
			}
			entry, ok := match([]rule{r}, tt.host, tt.port, tt.defPort)
			if ok != tt.want || ok && entry != r.entry {
				t.Errorf("match(%q, %q:%d) = %q, %v; want %v", tt.allow, tt.host, tt.port, entry, ok, tt.want)
			}
		})
	}
}

func FuzzParseAllow(f *testing.F) {
	for _, s := range []string{"example.com", "*.example.com:443", "[::1]:80", "::1", "10.0.0.1", "http://x/", "[", "*.", "a:b:c", "[fe80::1%25en0]:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseAllow([]string{s})
		if err != nil {
			return
		}
		// Canonical output parses to itself, and matching it never panics.
		again, err := ParseAllow(got)
		if err != nil {
			t.Fatalf("ParseAllow(%q) = %q, which does not parse: %v", s, got, err)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("ParseAllow not idempotent on %q (-first +second):\n%s", s, diff)
		}
		r, _ := parseRule(got[0])
		match([]rule{r}, s, 443, 443)
	})
}
