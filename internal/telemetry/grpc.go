package telemetry

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// grpcHTTPClient returns a client speaking only HTTP/2: over TLS (ALPN h2)
// for https:// endpoints, with prior knowledge (h2c) for http:// ones, which
// is how gRPC runs without TLS.
func grpcHTTPClient(endpoint string, tlsConf *tls.Config) *http.Client {
	var p http.Protocols
	p.SetHTTP2(true)
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &p, TLSClientConfig: tlsConf}
	if strings.HasPrefix(endpoint, "https://") {
		tr.Proxy = http.ProxyFromEnvironment // CONNECT, then TLS; h2c cannot cross a proxy
	}
	return &http.Client{Transport: tr}
}

// postGRPC makes one gRPC unary call: the message in a 5-byte-prefixed frame,
// the outcome in the grpc-status trailer (or header, for a trailers-only
// reply).
func (c *client) postGRPC(ctx context.Context, msg []byte) ([]byte, bool, time.Duration, error) {
	frame := make([]byte, 5, 5+len(msg))
	if c.ep.gzip {
		frame[0] = 1 // compressed
	}
	binary.BigEndian.PutUint32(frame[1:], uint32(len(msg)))
	frame = append(frame, msg...)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(frame))
	if err != nil {
		return nil, false, -1, fmt.Errorf("build request: %w", err)
	}
	req.Header = c.ep.headers.Clone() // sent as metadata; HTTP/2 lowercases names
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("Te", "trailers")
	req.Header.Set("User-Agent", c.ua)
	if c.ep.gzip {
		req.Header.Set("Grpc-Encoding", "gzip")
	}
	if d, ok := ctx.Deadline(); ok {
		ms := min(max(time.Until(d).Milliseconds(), 1), 99999999) // at most 8 digits
		req.Header.Set("Grpc-Timeout", strconv.FormatInt(ms, 10)+"m")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, ctx.Err() == nil, -1, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply)) // to EOF, so trailers arrive
	if err != nil {
		return nil, ctx.Err() == nil, -1, fmt.Errorf("read reply: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		// A proxy or load balancer answered, not a gRPC server. gRPC maps
		// these statuses to UNAVAILABLE, which may pass.
		retry := false
		switch resp.StatusCode {
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			retry = true
		}
		return nil, retry, -1, fmt.Errorf("http %s%s", resp.Status, replyMessage(resp.Header.Get("Content-Type"), body))
	}
	status, message := resp.Trailer.Get("Grpc-Status"), resp.Trailer.Get("Grpc-Message")
	if status == "" {
		status, message = resp.Header.Get("Grpc-Status"), resp.Header.Get("Grpc-Message")
	}
	code, err := strconv.Atoi(status)
	if err != nil {
		return nil, false, -1, fmt.Errorf("reply has no valid grpc-status (%q)", status)
	}
	if code != 0 {
		if m, err := url.PathUnescape(message); err == nil {
			message = m
		}
		return nil, grpcRetryable(code), -1, &GRPCError{Code: code, Message: message}
	}
	return grpcMessage(body, resp.Header.Get("Grpc-Encoding"))
}

// grpcMessage unframes the reply message.
func grpcMessage(body []byte, encoding string) ([]byte, bool, time.Duration, error) {
	if len(body) == 0 {
		return nil, false, -1, nil
	}
	if len(body) < 5 || uint64(binary.BigEndian.Uint32(body[1:5])) > uint64(len(body)-5) {
		return nil, false, -1, fmt.Errorf("malformed grpc reply frame")
	}
	msg := body[5 : 5+binary.BigEndian.Uint32(body[1:5])]
	if body[0] == 0 {
		return msg, false, -1, nil
	}
	if encoding != "gzip" {
		return nil, false, -1, fmt.Errorf("grpc reply compressed with unsupported encoding %q", encoding)
	}
	zr, err := gzip.NewReader(bytes.NewReader(msg))
	if err != nil {
		return nil, false, -1, fmt.Errorf("grpc reply: %w", err)
	}
	msg, err = io.ReadAll(io.LimitReader(zr, maxReply))
	if err != nil {
		return nil, false, -1, fmt.Errorf("grpc reply: %w", err)
	}
	return msg, false, -1, nil
}

// grpcRetryable reports whether the OTLP spec lets an exporter retry after
// this status: CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE,
// UNAVAILABLE, DATA_LOSS. (RESOURCE_EXHAUSTED only with RetryInfo, which we
// do not parse.)
func grpcRetryable(code int) bool {
	switch code {
	case 1, 4, 10, 11, 14, 15:
		return true
	}
	return false
}

// GRPCError is a non-OK status from a gRPC collector.
type GRPCError struct {
	Code    int // google.golang.org/grpc/codes numbering
	Message string
}

func (e *GRPCError) Error() string {
	names := [...]string{"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound",
		"AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted",
		"OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"}
	name := "code " + strconv.Itoa(e.Code)
	if e.Code >= 0 && e.Code < len(names) {
		name = names[e.Code]
	}
	return fmt.Sprintf("grpc status %s: %s", name, e.Message)
}
