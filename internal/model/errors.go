package model

import (
	"errors"
	"fmt"
	"time"
)

// ErrorKind classifies provider failures so that callers can branch and the
// CLI can choose an exit code and a hint.
type ErrorKind string

const (
	ErrAuth          ErrorKind = "auth"           // 401/403: bad or missing key
	ErrRateLimit     ErrorKind = "rate_limit"     // 429 after retries
	ErrQuota         ErrorKind = "quota"          // insufficient quota / billing
	ErrContextLength ErrorKind = "context_length" // prompt too long for the model
	ErrBadRequest    ErrorKind = "bad_request"    // 400/404/422: wrong model, wrong URL
	ErrServer        ErrorKind = "server"         // 5xx after retries
	ErrTransport     ErrorKind = "transport"      // connection refused, DNS, TLS
	ErrStream        ErrorKind = "stream"         // malformed, truncated or idle stream
	ErrConfig        ErrorKind = "config"         // missing key or base URL
)

// Error is a provider failure with enough context to tell the user what to do.
type Error struct {
	Kind       ErrorKind
	Provider   string
	Status     int    // HTTP status, 0 if none
	Code       string // provider error code, e.g. "context_length_exceeded"
	Message    string // provider's message, sanitised by the provider
	Hint       string // what to do next
	RetryAfter time.Duration
	Err        error // underlying error, if any
}

func (e *Error) Error() string {
	s := e.Provider
	if s == "" {
		s = "model"
	}
	s += ": " + string(e.Kind)
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		s += ": " + e.Message
	} else if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether the failure is worth retrying with backoff.
func (e *Error) Retryable() bool {
	switch e.Kind {
	case ErrRateLimit, ErrServer, ErrTransport:
		return true
	}
	return false
}

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var me *Error
	ok := errors.As(err, &me)
	return me, ok
}
