//go:build !linux

package sandbox

// prefetch does nothing where the platform's check is not a costly trial.
func prefetch() func() { return func() {} }
