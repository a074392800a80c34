package telemetry

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Metric names: the contract with dashboards and with the metrics file.
const (
	MetricTaskExecutions = "git_agent.task.executions"
	MetricAgentsActive   = "git_agent.agents.active"
	MetricTaskDuration   = "git_agent.task.duration"
	MetricErrors         = "git_agent.errors"
	MetricTokens         = "git_agent.model.tokens"
	MetricToolCalls      = "git_agent.tool.calls"
	MetricSandboxDenials = "git_agent.sandbox.denials"
)

// durationBounds are the task duration histogram's bucket upper bounds, in
// seconds: from a quick tool-less answer to a ten-minute task.
func durationBounds() []float64 {
	return []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600}
}

// Indexes into Metrics.series, in the order metrics are exported.
const (
	sTaskExecutions = iota
	sAgentsActive
	sTaskDuration
	sErrors
	sTokens
	sToolCalls
	sSandboxDenials
	numSeries
)

// Metrics aggregates git-agent's measurements since start, cumulatively. A
// nil *Metrics, which a Telemetry without metric output hands out, ignores
// every call. Safe for concurrent use.
type Metrics struct {
	now      func() time.Time
	sanitize func(string) string
	start    time.Time

	mu     sync.Mutex
	series [numSeries]series
}

type series struct {
	MetricData                       // Points unused: see points
	points     map[string]*DataPoint // by attrSetKey
}

func newMetrics(now func() time.Time, sanitize func(string) string) *Metrics {
	m := &Metrics{now: now, sanitize: sanitize, start: now()}
	def := func(i int, name, unit string, typ MetricType, desc string) {
		m.series[i] = series{MetricData{Name: name, Unit: unit, Type: typ, Description: desc}, map[string]*DataPoint{}}
	}
	def(sTaskExecutions, MetricTaskExecutions, "1", Counter, "Tasks started.")
	// Not "1": Prometheus would name a gauge with unit 1 …_ratio.
	def(sAgentsActive, MetricAgentsActive, "{agent}", Gauge, "Tasks running now.")
	def(sTaskDuration, MetricTaskDuration, "s", Histogram, "Task wall-clock time, by final status.")
	def(sErrors, MetricErrors, "1", Counter, "Errors, by kind.")
	def(sTokens, MetricTokens, "{token}", Counter, "Model tokens, by type (input or output) and model.")
	def(sToolCalls, MetricToolCalls, "1", Counter, "Tool calls, by tool and policy decision.")
	def(sSandboxDenials, MetricSandboxDenials, "1", Counter, "Operations the sandbox refused, by kind.")
	return m
}

// TaskStarted counts a task, with attrs, and one more active agent.
func (m *Metrics) TaskStarted(attrs ...Attr) {
	if m == nil {
		return
	}
	m.add(sTaskExecutions, 1, attrs)
	m.add(sAgentsActive, 1, nil)
}

// TaskFinished records how long a task took, by final status ("completed",
// "failed"...), and one fewer active agent.
func (m *Metrics) TaskFinished(d time.Duration, status string) {
	if m == nil {
		return
	}
	m.observe(sTaskDuration, max(d, 0).Seconds(), []Attr{String("status", status)})
	m.add(sAgentsActive, -1, nil)
}

// Error counts an error of the given kind.
func (m *Metrics) Error(kind string) {
	if m == nil {
		return
	}
	m.add(sErrors, 1, []Attr{String("error.kind", kind)})
}

// Tokens counts model tokens; non-positive counts are ignored.
func (m *Metrics) Tokens(input, output int64, model string) {
	if m == nil {
		return
	}
	if input > 0 {
		m.add(sTokens, input, []Attr{String("token.type", "input"), String("model", model)})
	}
	if output > 0 {
		m.add(sTokens, output, []Attr{String("token.type", "output"), String("model", model)})
	}
}

// ToolCall counts a tool call and the policy's decision on it.
func (m *Metrics) ToolCall(tool, decision string) {
	if m == nil {
		return
	}
	m.add(sToolCalls, 1, []Attr{String("tool", tool), String("decision", decision)})
}

// SandboxDenial counts an operation the sandbox refused.
func (m *Metrics) SandboxDenial(kind string) {
	if m == nil {
		return
	}
	m.add(sSandboxDenials, 1, []Attr{String("kind", kind)})
}

// point returns the data point of series i for attrs, creating it; m.mu must
// be held.
func (m *Metrics) point(i int, attrs []Attr, key string) *DataPoint {
	s := &m.series[i]
	p := s.points[key]
	if p == nil {
		p = &DataPoint{Attrs: attrs}
		if s.Type == Histogram {
			p.Bounds = durationBounds()
			p.BucketCounts = make([]uint64, len(p.Bounds)+1)
		}
		s.points[key] = p
	}
	return p
}

func (m *Metrics) attrs(attrs []Attr) ([]Attr, string) {
	a := normAttrs(make([]Attr, 0, len(attrs)), attrs, m.sanitize)
	sortAttrs(a)
	return a, attrSetKey(a)
}

func (m *Metrics) add(i int, v int64, attrs []Attr) {
	a, key := m.attrs(attrs)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.point(i, a, key).Value += v
}

func (m *Metrics) observe(i int, v float64, attrs []Attr) {
	a, key := m.attrs(attrs)
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.point(i, a, key)
	if p.Count == 0 || v < p.Min {
		p.Min = v
	}
	if p.Count == 0 || v > p.Max {
		p.Max = v
	}
	p.Count++
	p.Sum += v
	p.BucketCounts[sort.SearchFloat64s(p.Bounds, v)]++ // buckets are (lower, upper]
}

// snapshot copies the current values: every metric in a fixed order, its
// points sorted by attributes.
func (m *Metrics) snapshot(resource []Attr) Snapshot {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	snap := Snapshot{Resource: slices.Clone(resource), Start: m.start, Time: now}
	for _, s := range m.series {
		md := s.MetricData
		keys := make([]string, 0, len(s.points))
		for k := range s.points {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, strings.Compare)
		md.Points = make([]DataPoint, 0, len(keys))
		for _, k := range keys {
			p := *s.points[k]
			p.Attrs = slices.Clone(p.Attrs)
			p.Bounds, p.BucketCounts = slices.Clone(p.Bounds), slices.Clone(p.BucketCounts)
			md.Points = append(md.Points, p)
		}
		snap.Metrics = append(snap.Metrics, md)
	}
	return snap
}
