package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// newLogger builds the diagnostic logger: text on stderr with --debug or
// GIT_AGENT_DEBUG=1, JSON into --log-file, both, or neither (a discarding
// logger). Logs never go to stdout, which carries results and --json
// events. Every message and string attribute passes through sanitize first.
// The returned close flushes and closes the log file.
func newLogger(stderr io.Writer, debug bool, file string, sanitize func(string) string) (*slog.Logger, func() error, error) {
	var hs []slog.Handler
	closeFn := func() error { return nil }
	if debug {
		hs = append(hs, slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if file != "" {
		if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
			return nil, nil, usageErrorf("--log-file %s: %v", file, err)
		}
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return nil, nil, usageErrorf("--log-file %s: %v (choose a writable path)", file, err)
		}
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			_ = f.Chmod(0o600) // never a device: --log-file /dev/stderr
		}
		hs = append(hs, slog.NewJSONHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
		closeFn = f.Close
	}
	if len(hs) == 0 {
		return slog.New(slog.DiscardHandler), closeFn, nil
	}
	var h slog.Handler = slog.NewMultiHandler(hs...)
	if sanitize != nil {
		h = &sanitizingHandler{next: h, clean: sanitize}
	}
	return slog.New(h), closeFn, nil
}

// sanitizingHandler rewrites every record before any handler sees it, so no
// home path, user name or secret reaches a log.
type sanitizingHandler struct {
	next  slog.Handler
	clean func(string) string
}

func (h *sanitizingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *sanitizingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.clean(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *sanitizingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.attr(a)
	}
	return &sanitizingHandler{next: h.next.WithAttrs(clean), clean: h.clean}
}

func (h *sanitizingHandler) WithGroup(name string) slog.Handler {
	return &sanitizingHandler{next: h.next.WithGroup(name), clean: h.clean}
}

func (h *sanitizingHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.clean(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = h.attr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		// errors, stringers, structs: logged as their sanitized text.
		return slog.String(a.Key, h.clean(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
