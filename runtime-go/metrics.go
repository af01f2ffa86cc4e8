package brief

import (
	"bufio"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Metric names (protocol section 7.3).
const (
	MetricServerRequests     = "brief_server_requests_total"
	MetricServerErrors       = "brief_server_errors_total"
	MetricServerDuration     = "brief_server_request_duration_seconds"
	MetricServerInFlight     = "brief_server_in_flight_requests"
	MetricClientRequests     = "brief_client_requests_total"
	MetricClientDuration     = "brief_client_request_duration_seconds"
	MetricClientRetries      = "brief_client_retries_total"
	MetricClientBreakerState = "brief_client_breaker_state"
	MetricClientRejected     = "brief_client_breaker_rejections_total"
	MetricEventsPublished    = "brief_events_published_total"
	MetricEventsReceived     = "brief_events_received_total"
)

// DurationBuckets are the histogram bucket bounds, in seconds.
var DurationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

var metricHelp = map[string][2]string{
	MetricServerRequests:     {"counter", "RPC requests handled, by service, rpc and result code (ok, a transport code or an application error name)."},
	MetricServerErrors:       {"counter", "RPC requests that failed, by service, rpc and code."},
	MetricServerDuration:     {"histogram", "Time from request received to response written, by service and rpc."},
	MetricServerInFlight:     {"gauge", "RPC requests being handled."},
	MetricClientRequests:     {"counter", "Outgoing RPC calls (after retries), by dependency, rpc and result code."},
	MetricClientDuration:     {"histogram", "Duration of outgoing RPC calls including retries, by dependency and rpc."},
	MetricClientRetries:      {"counter", "Retry attempts sent, by dependency and rpc."},
	MetricClientBreakerState: {"gauge", "Circuit breaker state per dependency: 0 closed, 1 open, 2 half_open."},
	MetricClientRejected:     {"counter", "Calls rejected locally by an open circuit breaker, by dependency."},
	MetricEventsPublished:    {"counter", "Events published, by topic and result (ok or an error code)."},
	MetricEventsReceived:     {"counter", "Events delivered to this service, by topic and result (ok, duplicate or an error code)."},
}

// Metrics is a small Prometheus registry (text exposition format 0.0.4).
// A Server exposes it at GET /metrics; clients created with the same
// Metrics (WithMetrics) report into it. The zero value is not usable; use
// NewMetrics. It is safe for concurrent use.
type Metrics struct {
	mu     sync.RWMutex
	series map[string]*series // name + "\xff" + label pairs
	gauges map[string]func() float64
}

type series struct {
	name   string
	labels string // rendered `a="b",c="d"`
	value  atomic.Uint64
	counts []atomic.Uint64 // histogram buckets (non-cumulative) + +Inf
	sum    atomic.Uint64   // float64 bits
}

// NewMetrics returns an empty registry.
func NewMetrics() *Metrics {
	return &Metrics{series: map[string]*series{}, gauges: map[string]func() float64{}}
}

// DefaultMetrics is used by servers and clients not given WithMetrics.
var DefaultMetrics = NewMetrics()

func renderLabels(kv []string) string {
	var sb strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(kv[i])
		sb.WriteString(`="`)
		v := kv[i+1]
		v = strings.ReplaceAll(v, `\`, `\\`)
		v = strings.ReplaceAll(v, "\n", `\n`)
		v = strings.ReplaceAll(v, `"`, `\"`)
		sb.WriteString(v)
		sb.WriteByte('"')
	}
	return sb.String()
}

func (m *Metrics) get(name string, kv ...string) *series {
	n := len(name)
	for _, x := range kv {
		n += len(x) + 1
	}
	kb := make([]byte, 0, n)
	kb = append(kb, name...)
	for _, x := range kv {
		kb = append(kb, 0xff)
		kb = append(kb, x...)
	}
	m.mu.RLock()
	s := m.series[string(kb)] // no allocation for the lookup
	m.mu.RUnlock()
	if s != nil {
		return s
	}
	key := string(kb)
	labels := renderLabels(kv)
	m.mu.Lock()
	defer m.mu.Unlock()
	if s = m.series[key]; s == nil {
		s = &series{name: name, labels: labels}
		if metricHelp[name][0] == "histogram" {
			s.counts = make([]atomic.Uint64, len(DurationBuckets)+1)
		}
		m.series[key] = s
	}
	return s
}

// inc adds 1 to a counter.
func (m *Metrics) inc(name string, kv ...string) { m.get(name, kv...).value.Add(1) }

// add adds delta (may be negative) to an integer gauge.
func (m *Metrics) add(name string, delta int64, kv ...string) {
	m.get(name, kv...).value.Add(uint64(delta))
}

// observe records a duration in a histogram.
func (m *Metrics) observe(name string, d time.Duration, kv ...string) {
	m.get(name, kv...).observe(d)
}

// observe records a duration in a histogram series. Hot paths resolve the
// series once with Metrics.get and call this directly.
func (s *series) observe(d time.Duration) {
	v := d.Seconds()
	i := sort.SearchFloat64s(DurationBuckets, v) // first bound >= v
	s.counts[i].Add(1)
	for {
		old := s.sum.Load()
		if s.sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// setGaugeFunc registers a gauge computed at scrape time.
func (m *Metrics) setGaugeFunc(name string, f func() float64, kv ...string) {
	m.mu.Lock()
	m.gauges[name+"\xff"+renderLabels(kv)] = f
	m.mu.Unlock()
}

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// WriteTo writes all metrics in the Prometheus text format.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	type line struct{ name, labels, text string }
	byName := map[string][]line{}
	m.mu.RLock()
	for _, s := range m.series {
		if s.counts == nil {
			v := strconv.FormatInt(int64(s.value.Load()), 10)
			byName[s.name] = append(byName[s.name], line{s.name, s.labels, s.name + braces(s.labels) + " " + v})
			continue
		}
		var sb strings.Builder
		var cum uint64
		for i := range s.counts {
			cum += s.counts[i].Load()
			le := "+Inf"
			if i < len(DurationBuckets) {
				le = formatFloat(DurationBuckets[i])
			}
			lbl := s.labels
			if lbl != "" {
				lbl += ","
			}
			sb.WriteString(s.name + "_bucket{" + lbl + `le="` + le + `"} ` + strconv.FormatUint(cum, 10) + "\n")
		}
		sb.WriteString(s.name + "_sum" + braces(s.labels) + " " + formatFloat(math.Float64frombits(s.sum.Load())) + "\n")
		sb.WriteString(s.name + "_count" + braces(s.labels) + " " + strconv.FormatUint(cum, 10))
		byName[s.name] = append(byName[s.name], line{s.name, s.labels, sb.String()})
	}
	gauges := make(map[string]func() float64, len(m.gauges))
	for k, f := range m.gauges {
		gauges[k] = f
	}
	m.mu.RUnlock()
	for k, f := range gauges {
		name, labels, _ := strings.Cut(k, "\xff")
		byName[name] = append(byName[name], line{name, labels, name + braces(labels) + " " + formatFloat(f())})
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	cw := &countWriter{w: bufio.NewWriter(w)} // keeps the first write error
	for _, n := range names {
		ls := byName[n]
		sort.Slice(ls, func(a, b int) bool { return ls[a].labels < ls[b].labels })
		h := metricHelp[n]
		_, _ = io.WriteString(cw, "# HELP "+n+" "+h[1]+"\n# TYPE "+n+" "+h[0]+"\n")
		for _, l := range ls {
			_, _ = io.WriteString(cw, l.text+"\n")
		}
	}
	err := cw.w.Flush()
	if cw.err != nil {
		err = cw.err
	}
	return cw.n, err
}

func braces(labels string) string {
	if labels == "" {
		return ""
	}
	return "{" + labels + "}"
}

type countWriter struct {
	w   *bufio.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

// ServeHTTP serves the metrics (GET /metrics).
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = m.WriteTo(w)
}
