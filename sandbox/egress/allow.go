package egress

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// wantForm ends every ParseAllow error so the user sees what to type instead.
const wantForm = "want HOST or HOST:PORT without scheme or path, e.g. example.com, *.example.com, example.com:8443, 10.0.0.1 or [::1]:443"

// rule is one parsed allow-list entry.
type rule struct {
	entry    string     // canonical text, quoted in Decision reasons
	name     string     // lower-case host name without "*." and trailing dot; empty for IPs
	ip       netip.Addr // valid only for IP-literal entries
	wildcard bool       // "*.name": strict subdomains of name
	port     int        // 0: 80 for plain HTTP, 443 for CONNECT
}

// ParseAllow validates --allow-domain values and returns them in canonical
// form (lower case, no trailing dot, IPv6 in brackets, duplicates dropped),
// ready for Proxy.Allow.
func ParseAllow(entries []string) ([]string, error) {
	out := make([]string, 0, len(entries))
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		r, err := parseRule(e)
		if err != nil {
			return nil, err
		}
		if !seen[r.entry] {
			seen[r.entry] = true
			out = append(out, r.entry)
		}
	}
	return out, nil
}

func parseRule(s string) (rule, error) {
	bad := func(why string) (rule, error) {
		return rule{}, fmt.Errorf("allow-domain %q: %s; %s", s, why, wantForm)
	}
	switch {
	case s == "":
		return bad("empty entry")
	case strings.Contains(s, "://"):
		return bad("scheme not allowed")
	case strings.ContainsAny(s, "/?#"):
		return bad("path not allowed")
	}
	host, port := s, ""
	bracketed := false
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return bad("missing \"]\" after IPv6 address")
		}
		host, bracketed = s[1:end], true
		if rest := s[end+1:]; rest != "" {
			p, ok := strings.CutPrefix(rest, ":")
			if !ok {
				return bad("unexpected text after \"]\"")
			}
			if p == "" {
				return bad("empty port")
			}
			port = p
		}
	case strings.Count(s, ":") > 1: // bare IPv6 literal, no port possible
	case strings.Contains(s, ":"):
		host, port, _ = strings.Cut(s, ":")
		if port == "" {
			return bad("empty port")
		}
	}
	var r rule
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strings.TrimLeft(port, "0123456789") != "" {
			return bad(fmt.Sprintf("port %q is not a number from 1 to 65535", port))
		}
		r.port = n
	}
	host = normHost(host)
	if addr, err := netip.ParseAddr(host); err == nil {
		if bracketed && !addr.Is6() {
			return bad("brackets are only for IPv6 addresses")
		}
		if addr.Zone() != "" {
			return bad("IPv6 zones are not allowed")
		}
		r.ip = addr
		r.entry = addr.String()
		if addr.Is6() {
			r.entry = "[" + r.entry + "]"
		}
	} else {
		if bracketed || strings.Contains(host, ":") {
			return bad(fmt.Sprintf("%q is not an IPv6 address", host))
		}
		name, wild := strings.CutPrefix(host, "*.")
		if strings.Contains(name, "*") {
			return bad("wildcard only allowed as a leading \"*.\"")
		}
		if why := checkName(name); why != "" {
			return bad(why)
		}
		r.name, r.wildcard, r.entry = name, wild, host
	}
	if r.port != 0 {
		r.entry += ":" + strconv.Itoa(r.port)
	}
	return r, nil
}

// checkName reports why name is not a DNS host name, or "" if it is one.
// Underscores are accepted because real service names use them.
func checkName(name string) string {
	if name == "" || len(name) > 253 {
		return "host name must be 1 to 253 characters"
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Sprintf("host name %q has an empty or over-long label", name)
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Sprintf("host name %q has a label starting or ending with \"-\"", name)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Sprintf("host name %q contains %q", name, c)
			}
		}
	}
	return ""
}

// normHost is the form hosts are compared in: case-insensitive, and
// "example.com." is the same host as "example.com".
func normHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// match returns the entry allowing host:port, where defPort stands in for
// entries without a port. It compares names as the client wrote them and
// never resolves them: a name never matches an IP entry, nor an IP a name.
func match(rules []rule, host string, port, defPort int) (string, bool) {
	host = normHost(host)
	addr, err := netip.ParseAddr(host)
	isIP := err == nil
	for _, r := range rules {
		want := r.port
		if want == 0 {
			want = defPort
		}
		if port != want {
			continue
		}
		switch {
		case r.ip.IsValid():
			if isIP && addr.Unmap() == r.ip.Unmap() {
				return r.entry, true
			}
		case isIP:
		case r.wildcard:
			if strings.HasSuffix(host, "."+r.name) {
				return r.entry, true
			}
		case host == r.name:
			return r.entry, true
		}
	}
	return "", false
}
