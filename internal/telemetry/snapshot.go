package telemetry

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"
)

// MetricType says how a metric's points are to be read.
type MetricType string

// Metric types. Over OTLP a Counter is a monotonic cumulative Sum, a Gauge a
// non-monotonic cumulative Sum (an UpDownCounter in OpenTelemetry's terms:
// its value is the sum of +1s and -1s) and a Histogram a cumulative
// Histogram with explicit bounds.
const (
	Counter   MetricType = "counter"
	Gauge     MetricType = "gauge"
	Histogram MetricType = "histogram"
)

// Snapshot is the cumulative state of every metric at Time, as handed to a
// MetricExporter and written to the metrics file.
type Snapshot struct {
	Resource []Attr
	Start    time.Time // when counting began
	Time     time.Time // when the snapshot was taken
	Metrics  []MetricData
}

// MetricData is one metric and its points, one per distinct attribute set.
type MetricData struct {
	Name, Unit, Description string
	Type                    MetricType
	Points                  []DataPoint
}

// DataPoint is a metric's value for one attribute set: Value for counters and
// gauges, the other fields for histograms. BucketCounts has one more entry
// than Bounds: bucket i counts values in (Bounds[i-1], Bounds[i]].
type DataPoint struct {
	Attrs        []Attr // sorted by key
	Value        int64
	Count        uint64
	Sum          float64
	Min, Max     float64
	Bounds       []float64
	BucketCounts []uint64
}

// MarshalJSON writes the metrics file format. It is stable: fields may be
// added, none renamed or removed.
//
//	{
//	  "resource": {"service.name": "git-agent", "service.version": "1.2.0"},
//	  "scope": "github.com/git-agent/git-agent",
//	  "start_time": "2025-06-01T10:00:00Z",
//	  "time": "2025-06-01T10:00:30Z",
//	  "metrics": [
//	    {"name": "git_agent.task.executions", "unit": "1", "type": "counter",
//	     "description": "Tasks started.",
//	     "points": [{"attributes": {"mode": "review"}, "value": 1}]},
//	    {"name": "git_agent.task.duration", "unit": "s", "type": "histogram",
//	     "description": "…",
//	     "points": [{"attributes": {"status": "completed"}, "count": 1,
//	                 "sum": 0.03, "min": 0.03, "max": 0.03,
//	                 "bounds": [0.005, 0.01, …, 600], "bucket_counts": [0, 0, 1, …, 0]}]},
//	    …
//	  ]
//	}
//
// Every metric is listed, in a fixed order, even with no points; points are
// sorted by attributes; attribute values are JSON strings, booleans or numbers
// (a non-finite float becomes a string).
func (s Snapshot) MarshalJSON() ([]byte, error) {
	type point struct {
		Attributes   map[string]any `json:"attributes"`
		Value        *int64         `json:"value,omitempty"`
		Count        *uint64        `json:"count,omitempty"`
		Sum          *float64       `json:"sum,omitempty"`
		Min          *float64       `json:"min,omitempty"`
		Max          *float64       `json:"max,omitempty"`
		Bounds       []float64      `json:"bounds,omitempty"`
		BucketCounts []uint64       `json:"bucket_counts,omitempty"`
	}
	type metric struct {
		Name        string     `json:"name"`
		Unit        string     `json:"unit"`
		Type        MetricType `json:"type"`
		Description string     `json:"description,omitempty"`
		Points      []point    `json:"points"`
	}
	out := struct {
		Resource  map[string]any `json:"resource"`
		Scope     string         `json:"scope"`
		StartTime time.Time      `json:"start_time"`
		Time      time.Time      `json:"time"`
		Metrics   []metric       `json:"metrics"`
	}{jsonAttrs(s.Resource), scopeName, s.Start.UTC(), s.Time.UTC(), []metric{}}
	for _, m := range s.Metrics {
		jm := metric{Name: m.Name, Unit: m.Unit, Type: m.Type, Description: m.Description, Points: []point{}}
		for _, p := range m.Points {
			jp := point{Attributes: jsonAttrs(p.Attrs)}
			if m.Type == Histogram {
				jp.Count, jp.Sum, jp.Min, jp.Max = &p.Count, &p.Sum, &p.Min, &p.Max
				jp.Bounds, jp.BucketCounts = p.Bounds, p.BucketCounts
			} else {
				jp.Value = &p.Value
			}
			jm.Points = append(jm.Points, jp)
		}
		out.Metrics = append(out.Metrics, jm)
	}
	return json.Marshal(out)
}

func jsonAttrs(attrs []Attr) map[string]any {
	m := make(map[string]any, len(attrs))
	for _, a := range attrs {
		v := a.Value
		if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			v = fmt.Sprint(f)
		}
		m[a.Key] = v
	}
	return m
}

// writeMetricsFile writes snap to path, readable only by the user, through a
// temporary file renamed into place so a reader never sees half a file.
func writeMetricsFile(path string, snap Snapshot) error {
	b, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		return fmt.Errorf("encode metrics: %w", err)
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		// A device or pipe (/dev/stdout): write into it; renaming over it
		// would replace it.
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("write metrics file: %w", err)
		}
		_, err = f.Write(append(b, '\n'))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write metrics file: %w", err)
		}
		return nil
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real // replace a symlink's target, not the link
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write metrics file: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Chmod(0o600) // CreateTemp's mode already, except on Windows where this is a no-op
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write metrics file: %w", err)
	}
	return nil
}
