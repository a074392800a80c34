package telemetry

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// postHTTP makes one OTLP/HTTP request: a protobuf POST to the signal's URL.
func (c *client) postHTTP(ctx context.Context, body []byte) ([]byte, bool, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, false, -1, fmt.Errorf("build request: %w", err)
	}
	req.Header = c.ep.headers.Clone()
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("User-Agent", c.ua)
	if c.ep.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		// A connection refused or reset may pass; the context ending won't.
		return nil, ctx.Err() == nil, -1, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return nil, ctx.Err() == nil, -1, fmt.Errorf("read reply: %w", err)
	}
	if resp.StatusCode/100 == 2 {
		if !isProtobuf(resp.Header.Get("Content-Type")) {
			reply = nil // some collectors answer JSON whatever was sent; there is no partial success to read
		}
		return reply, false, -1, nil
	}
	err = fmt.Errorf("http %s%s", resp.Status, replyMessage(resp.Header.Get("Content-Type"), reply))
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return nil, true, retryAfter(resp.Header.Get("Retry-After"), time.Now()), err
	}
	return nil, false, -1, err
}

// retryAfter parses a Retry-After header, in seconds or as an HTTP date; -1
// if absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return -1
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return -1
}

// replyMessage extracts what a collector said in a failed reply: the message
// of a google.rpc.Status, as OTLP/HTTP specifies, or a short piece of plain
// text; "" if there is nothing readable.
func replyMessage(contentType string, reply []byte) string {
	var msg string
	if isProtobuf(contentType) {
		readFields(reply, func(num, wire int, _ uint64, data []byte) {
			if num == 2 && wire == wireBytes { // google.rpc.Status.message
				msg = string(data)
			}
		})
	} else {
		msg = string(reply)
	}
	msg = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, strings.TrimSpace(msg))
	if len(msg) > 200 {
		msg = strings.ToValidUTF8(msg[:200], "") + "…"
	}
	if msg == "" {
		return ""
	}
	return ": " + msg
}

func isProtobuf(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "application/x-protobuf" || mt == "application/protobuf"
}
