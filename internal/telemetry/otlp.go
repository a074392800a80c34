package telemetry

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"
)

// gRPC methods of the OTLP collector services; over gRPC they are the path.
const (
	traceService  = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
	metricService = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"
)

// Retry backoff: doubling from first to most, with jitter, until the export
// timeout; at most maxAttempts tries even when there is no timeout.
const (
	firstBackoff = 250 * time.Millisecond
	mostBackoff  = 4 * time.Second
	maxAttempts  = 10
)

// maxReply bounds how much of a collector's reply is read.
const maxReply = 1 << 20

// client sends encoded export requests to one OTLP endpoint.
type client struct {
	ep   *endpoint
	hc   *http.Client
	url  string
	name string // url without any password, for messages
	ua   string
	grpc bool
}

func newClient(ep *endpoint, o Options, grpcMethod string) (*client, error) {
	c := &client{ep: ep, url: ep.url, ua: "git-agent/" + o.ServiceVersion, grpc: ep.protocol == protoGRPC}
	if o.ServiceVersion == "" {
		c.ua = "git-agent"
	}
	if c.grpc {
		c.url += grpcMethod
	}
	c.name = c.url
	if u, err := url.Parse(c.url); err == nil {
		c.name = u.Redacted()
	}
	if !c.grpc && o.HTTPClient != nil {
		c.hc = o.HTTPClient
		return c, nil
	}
	tlsConf, err := tlsConfig(ep)
	if err != nil {
		return nil, err
	}
	if c.grpc {
		c.hc = grpcHTTPClient(ep.url, tlsConf)
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if tlsConf != nil {
			tr.TLSClientConfig = tlsConf
		}
		c.hc = &http.Client{Transport: tr}
	}
	return c, nil
}

// attemptFunc makes one request; retry says whether another may succeed, and
// after, if not negative, is how long the server asked us to wait.
type attemptFunc func(ctx context.Context, body []byte) (reply []byte, retry bool, after time.Duration, err error)

// export sends msg, retrying transient failures within the endpoint's
// timeout, and returns the reply message.
func (c *client) export(ctx context.Context, msg []byte) ([]byte, error) {
	if c.ep.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.ep.timeout)
		defer cancel()
	}
	if c.ep.gzip {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(msg) // writes to a bytes.Buffer do not fail
		zw.Close()
		msg = b.Bytes()
	}
	attempt := attemptFunc(c.postHTTP)
	if c.grpc {
		attempt = c.postGRPC
	}
	backoff := firstBackoff
	for n := 1; ; n++ {
		reply, retry, after, err := attempt(ctx, msg)
		if err == nil || !retry || n == maxAttempts {
			return reply, err
		}
		wait := backoff/2 + rand.N(backoff) // jitter in [backoff/2, 3*backoff/2)
		if after >= 0 {
			wait = after
		}
		if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
			return nil, fmt.Errorf("%w (not retrying: the wait of %v would pass the export deadline)", err, wait.Round(time.Millisecond))
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, fmt.Errorf("%w (retry abandoned: %w)", err, ctx.Err())
		case <-timer.C:
		}
		backoff = min(2*backoff, mostBackoff)
	}
}

// otlpTraces is the SpanExporter for an OTLP endpoint.
type otlpTraces struct {
	c        *client
	resource []Attr
	version  string
}

func (e *otlpTraces) ExportSpans(ctx context.Context, spans []SpanData) error {
	reply, err := e.c.export(ctx, encodeTraces(e.resource, e.version, spans))
	if err != nil {
		return fmt.Errorf("otlp traces to %s: %w", e.c.name, err)
	}
	return partialSuccess(reply, "spans")
}

// otlpMetrics is the MetricExporter for an OTLP endpoint.
type otlpMetrics struct {
	c       *client
	version string
}

func (e *otlpMetrics) ExportMetrics(ctx context.Context, snap Snapshot) error {
	reply, err := e.c.export(ctx, encodeMetrics(e.version, snap))
	if err != nil {
		return fmt.Errorf("otlp metrics to %s: %w", e.c.name, err)
	}
	return partialSuccess(reply, "data points")
}

// partialSuccess reports the partial_success of an Export*ServiceResponse:
// the collector accepted the request but rejected some items, or warns.
func partialSuccess(reply []byte, what string) error {
	var rejected int64
	var msg string
	var inner error
	err := readFields(reply, func(num, wire int, _ uint64, data []byte) {
		if num != 1 || wire != wireBytes { // partial_success
			return
		}
		inner = readFields(data, func(num, wire int, v uint64, data []byte) {
			switch {
			case num == 1 && wire == wireVarint: // rejected_spans, rejected_data_points
				rejected = int64(v)
			case num == 2 && wire == wireBytes: // error_message
				msg = string(data)
			}
		})
	})
	switch err = cmp.Or(err, inner); {
	case err != nil:
		return fmt.Errorf("otlp: reading the collector's reply: %w", err)
	case rejected != 0:
		return fmt.Errorf("otlp: collector rejected %d %s: %s", rejected, what, msg)
	case msg != "":
		return fmt.Errorf("otlp: collector warns: %s", msg)
	}
	return nil
}
