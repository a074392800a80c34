package telemetry

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// OTLP protocols, as OTEL_EXPORTER_OTLP_PROTOCOL spells them.
const (
	protoHTTP = "http/protobuf"
	protoGRPC = "grpc"
)

// config is what the OTEL_* environment asks for.
type config struct {
	serviceName    string
	resource       []Attr    // OTEL_RESOURCE_ATTRIBUTES, in the order given
	traces         *endpoint // nil: traces are not sent over OTLP
	metrics        *endpoint // nil: metrics are not sent over OTLP
	bspDelay       time.Duration
	bspMaxQueue    int
	bspBatch       int
	metricInterval time.Duration
	warnings       []string // settings ignored, for New to log
}

// endpoint is where and how one signal is sent.
type endpoint struct {
	protocol string      // protoHTTP or protoGRPC
	url      string      // http: the URL to POST to; grpc: scheme://host[:port]
	headers  http.Header // OTEL_EXPORTER_OTLP_HEADERS, then the per-signal ones
	timeout  time.Duration
	gzip     bool
	caFile   string // OTEL_EXPORTER_OTLP_CERTIFICATE
	certFile string // OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE
	keyFile  string // OTEL_EXPORTER_OTLP_CLIENT_KEY
}

// parseEnv reads the standard OpenTelemetry SDK variables through getenv.
// Unlike the SDKs it never defaults to a local collector: a signal is
// exported only when an endpoint is set, so git-agent sends nothing anywhere
// unless told to. Malformed numbers fall back to their defaults with a
// warning; anything that decides where data goes or how it is authenticated
// is an error.
func parseEnv(getenv func(string) string) (config, error) {
	c := config{serviceName: "git-agent"}
	num := func(name string, def, lowest int) int { return c.number(name, getenv(name), def, lowest) }
	c.bspDelay = time.Duration(num("OTEL_BSP_SCHEDULE_DELAY", 5000, 1)) * time.Millisecond
	c.metricInterval = time.Duration(num("OTEL_METRIC_EXPORT_INTERVAL", 60000, 1)) * time.Millisecond
	c.bspMaxQueue = num("OTEL_BSP_MAX_QUEUE_SIZE", 2048, 1)
	c.bspBatch = min(num("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512, 1), c.bspMaxQueue)

	res, err := parseList(getenv("OTEL_RESOURCE_ATTRIBUTES"))
	if err != nil {
		return c, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	for _, kv := range res {
		if kv[0] == "service.name" { // OTEL_SERVICE_NAME, if set, wins
			c.serviceName = cmp.Or(kv[1], c.serviceName)
			continue
		}
		c.resource = append(c.resource, String(kv[0], kv[1]))
	}
	if v := strings.TrimSpace(getenv("OTEL_SERVICE_NAME")); v != "" {
		c.serviceName = v
	}
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return c, nil
	}
	if c.traces, err = c.signal(getenv, "TRACES", "/v1/traces"); err != nil {
		return c, err
	}
	if c.metrics, err = c.signal(getenv, "METRICS", "/v1/metrics"); err != nil {
		return c, err
	}
	return c, nil
}

// signal reads the exporter settings of one signal ("TRACES" or "METRICS"),
// each per-signal variable overriding the generic one.
func (c *config) signal(getenv func(string) string, sig, path string) (*endpoint, error) {
	exporterVar := "OTEL_" + sig + "_EXPORTER"
	explicit := false
	for _, e := range strings.Split(getenv(exporterVar), ",") {
		switch e = strings.ToLower(strings.TrimSpace(e)); e {
		case "":
		case "otlp":
			explicit = true
		case "none":
			return nil, nil
		default:
			return nil, fmt.Errorf("%s=%q is not supported: use otlp or none", exporterVar, e)
		}
	}
	get := func(suffix string) (name, value string) {
		name = "OTEL_EXPORTER_OTLP_" + sig + "_" + suffix
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return name, v
		}
		name = "OTEL_EXPORTER_OTLP_" + suffix
		return name, strings.TrimSpace(getenv(name))
	}
	endpointVar, raw := get("ENDPOINT")
	if raw == "" {
		if explicit {
			c.warnings = append(c.warnings, exporterVar+"=otlp but no OTEL_EXPORTER_OTLP_ENDPOINT is set: not exporting "+strings.ToLower(sig))
		}
		return nil, nil
	}
	e := &endpoint{protocol: protoHTTP, headers: http.Header{}}
	if name, p := get("PROTOCOL"); p != "" {
		if p != protoHTTP && p != protoGRPC {
			return nil, fmt.Errorf("%s=%q is not supported: use %s or %s", name, p, protoHTTP, protoGRPC)
		}
		e.protocol = p
	}
	var err error
	perSignal := endpointVar != "OTEL_EXPORTER_OTLP_ENDPOINT"
	_, insecure := get("INSECURE")
	if e.url, err = endpointURL(e.protocol, raw, perSignal, path, strings.EqualFold(insecure, "true")); err != nil {
		return nil, fmt.Errorf("%s: %w", endpointVar, err)
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_" + sig + "_HEADERS"} {
		kvs, err := parseList(getenv(name))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, kv := range kvs {
			e.headers.Set(kv[0], kv[1])
		}
	}
	name, v := get("TIMEOUT") // 0: no limit but the caller's
	e.timeout = time.Duration(c.number(name, v, 10000, 0)) * time.Millisecond
	switch name, v := get("COMPRESSION"); strings.ToLower(v) {
	case "", "none":
	case "gzip":
		e.gzip = true
	default:
		return nil, fmt.Errorf("%s=%q is not supported: use gzip or none", name, v)
	}
	_, e.caFile = get("CERTIFICATE")
	_, e.certFile = get("CLIENT_CERTIFICATE")
	_, e.keyFile = get("CLIENT_KEY")
	return e, nil
}

// endpointURL applies the spec's rules: over HTTP a generic endpoint is a
// base URL to which the signal's path is appended, a per-signal one is used
// as is; over gRPC the endpoint names a host, a missing scheme meaning TLS
// unless OTEL_EXPORTER_OTLP_INSECURE is true.
func endpointURL(protocol, raw string, perSignal bool, path string, insecure bool) (string, error) {
	if protocol == protoGRPC && !strings.Contains(raw, "://") {
		scheme := "https://"
		if insecure {
			scheme = "http://"
		}
		raw = scheme + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("invalid URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an http:// or https:// URL with a host", raw)
	}
	switch {
	case protocol == protoGRPC:
		return u.Scheme + "://" + u.Host, nil
	case perSignal:
		return u.String(), nil
	default:
		u.Path = strings.TrimSuffix(u.Path, "/") + path
		u.RawPath = ""
		return u.String(), nil
	}
}

// parseList parses "k=v,k2=v2" with percent-encoded keys and values, the
// format of OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS. Errors
// name the entry by position, never by value: header values are credentials.
func parseList(s string) ([][2]string, error) {
	var out [][2]string
	for i, entry := range strings.Split(s, ",") {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		k, v, ok := strings.Cut(entry, "=")
		k, kerr := url.PathUnescape(strings.TrimSpace(k))
		v, verr := url.PathUnescape(strings.TrimSpace(v))
		switch {
		case !ok || k == "":
			return nil, fmt.Errorf("entry %d is not key=value", i+1)
		case kerr != nil || verr != nil:
			return nil, fmt.Errorf("entry %d has invalid percent-encoding", i+1)
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

// number parses a setting that must be an integer >= lowest; anything else
// is replaced by the default, with a warning.
func (c *config) number(name, v string, def, lowest int) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lowest {
		c.warnings = append(c.warnings, fmt.Sprintf("%s=%q is not a number >= %d: using %d", name, v, lowest, def))
		return def
	}
	return n
}
