package telemetry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// tlsConfig builds the TLS settings from OTEL_EXPORTER_OTLP_CERTIFICATE (the
// CA bundle to trust instead of the system's) and CLIENT_CERTIFICATE /
// CLIENT_KEY (for mutual TLS); nil when none is set.
func tlsConfig(e *endpoint) (*tls.Config, error) {
	if e.caFile == "" && e.certFile == "" && e.keyFile == "" {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if e.caFile != "" {
		pem, err := os.ReadFile(e.caFile)
		if err != nil {
			return nil, fmt.Errorf("read OTLP CA certificate: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("read OTLP CA certificate: no PEM certificate in %s", e.caFile)
		}
	}
	if (e.certFile == "") != (e.keyFile == "") {
		return nil, errors.New("OTLP client certificate and key must be set together")
	}
	if e.certFile != "" {
		cert, err := tls.LoadX509KeyPair(e.certFile, e.keyFile)
		if err != nil {
			return nil, fmt.Errorf("load OTLP client certificate: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}
