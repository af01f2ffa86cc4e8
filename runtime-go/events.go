package brief

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DataBusService is the name of the data bus service (discovered through
// SERVICE_DATA_BUS_URL).
const DataBusService = "data-bus"

// Data bus rpcs (protocol section 9.2).
var (
	PublishRPC     = &RPC{Service: DataBusService, Name: "publish", Idempotent: true, Timeout: 5 * time.Second}
	SubscribeRPC   = &RPC{Service: DataBusService, Name: "subscribe", Idempotent: true, Timeout: 5 * time.Second}
	UnsubscribeRPC = &RPC{Service: DataBusService, Name: "unsubscribe", Idempotent: true, Timeout: 5 * time.Second}
)

// Event is a CloudEvents 1.0 event in structured JSON mode.
type Event struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"` // the topic
	Time            time.Time       `json:"time"`
	DataContentType string          `json:"datacontenttype"`
	Data            json.RawMessage `json:"data"`
	TraceParent     string          `json:"traceparent,omitempty"` // distributed tracing extension
	TraceState      string          `json:"tracestate,omitempty"`
}

// Subscription is the input of the data bus subscribe/unsubscribe rpcs.
type Subscription struct {
	Topic      string `json:"topic"`
	Subscriber string `json:"subscriber"`
	URL        string `json:"url,omitempty"`
}

// Empty is an empty message.
type Empty struct{}

// NewEventID returns a random (version 4) UUID.
func NewEventID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("brief: crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Bus publishes events to the data bus and manages subscriptions.
type Bus struct {
	c      *Client
	source string
}

// NewBus returns a data bus client for the service named source. The bus
// URL comes from WithBaseURL or SERVICE_DATA_BUS_URL.
func NewBus(source string, opts ...BusOption) (*Bus, error) {
	c, err := NewClient(DataBusService, busClientOptions(source, opts)...)
	if err != nil {
		return nil, err
	}
	return &Bus{c: c, source: source}, nil
}

// Publish sends data (a pointer to a generated message) on topic and
// returns the event id. It is retried like any idempotent rpc; the event id
// stays the same across retries so consumers can drop duplicates.
// A nil *Bus fails with failed_precondition instead of panicking.
func (b *Bus) Publish(ctx context.Context, topic string, data any) (string, error) {
	if b == nil {
		return "", errNilClient()
	}
	raw, err := Marshal(data)
	if err != nil {
		return "", WrapError(CodeInvalidArgument, err, "cannot encode event data: "+err.Error())
	}
	md := MetadataFrom(ctx)
	ev := &Event{SpecVersion: "1.0", ID: NewEventID(), Source: b.source, Type: topic, Time: b.c.cfg.clock.Now(),
		DataContentType: "application/json", Data: raw}
	if md.TraceParent != "" {
		ev.TraceParent = childTraceParent(md.TraceParent)
		ev.TraceState = md.TraceState
	}
	err = b.c.Invoke(ctx, PublishRPC, ev, &Empty{})
	res := metricCode(err)
	b.c.cfg.metrics.inc(MetricEventsPublished, "topic", topic, "result", res)
	if err != nil {
		return "", err
	}
	return ev.ID, nil
}

// Subscribe asks the bus to deliver topic to url (normally
// "<public base URL>/events/<topic>") on behalf of this service.
func (b *Bus) Subscribe(ctx context.Context, topic, url string) error {
	if b == nil {
		return errNilClient()
	}
	return b.c.Invoke(ctx, SubscribeRPC, &Subscription{Topic: topic, Subscriber: b.source, URL: url}, &Empty{})
}

// Unsubscribe removes this service's subscription to topic.
func (b *Bus) Unsubscribe(ctx context.Context, topic string) error {
	if b == nil {
		return errNilClient()
	}
	return b.c.Invoke(ctx, UnsubscribeRPC, &Subscription{Topic: topic, Subscriber: b.source}, &Empty{})
}

// Client returns the underlying rpc client.
func (b *Bus) Client() *Client {
	if b == nil {
		return nil
	}
	return b.c
}

// ---- consuming ---------------------------------------------------------------

type eventKey struct{}

// EventFrom returns the event being handled by an event handler.
func EventFrom(ctx context.Context) (*Event, bool) {
	ev, ok := ctx.Value(eventKey{}).(*Event)
	return ev, ok
}

// HandleEvent registers the consumer of topic at POST /events/<topic>.
// Deliveries are deduplicated by (source, id): h runs at most once per
// event unless it fails, in which case the bus redelivers.
func HandleEvent[T any](s *Server, topic string, h func(ctx context.Context, data *T) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.events[topic]; dup {
		panic("brief: event topic " + topic + " registered twice")
	}
	s.events[topic] = &route{rpc: &RPC{Service: s.service, Name: topic}, handle: func(ctx context.Context, body []byte) (any, error) {
		ev, _ := EventFrom(ctx)
		data := new(T)
		if err := Unmarshal(ev.Data, data); err != nil {
			return nil, WrapError(CodeInvalidArgument, err, "invalid event data: "+err.Error())
		}
		return nil, h(ctx, data)
	}}
}

func (s *Server) serveEvent(w http.ResponseWriter, r *http.Request) {
	topic := strings.TrimPrefix(r.URL.Path, "/events/")
	s.mu.RLock()
	rt := s.events[topic]
	s.mu.RUnlock()
	m := s.cfg.metrics
	result := func(res string) { m.inc(MetricEventsReceived, "topic", topic, "result", res) }
	if rt == nil {
		md, _, _ := incomingMetadata(r.Header, s.service)
		w.Header()[HeaderRequestID] = []string{md.RequestID}
		writeError(w, Errorf(CodeUnimplemented, "no consumer for topic %q", topic))
		result(string(CodeUnimplemented))
		return
	}
	ctx, cancel, body, err := s.prepare(w, r, 0, "application/cloudevents+json", "application/json")
	defer cancel()
	if err != nil {
		result(CodeOf(writeErr(w, err)))
		return
	}
	ev := new(Event)
	if err := Unmarshal(body, ev); err != nil {
		result(CodeOf(writeErr(w, WrapError(CodeInvalidArgument, err, "invalid CloudEvent: "+err.Error()))))
		return
	}
	switch {
	case ev.SpecVersion != "1.0":
		err = Errorf(CodeInvalidArgument, "unsupported specversion %q", ev.SpecVersion)
	case ev.ID == "" || ev.Source == "":
		err = Errorf(CodeInvalidArgument, "event id and source are required")
	case ev.Type != topic:
		err = Errorf(CodeInvalidArgument, "event type %q delivered to /events/%s", ev.Type, topic)
	case len(ev.Data) == 0:
		ev.Data = json.RawMessage("null")
	}
	if err != nil {
		result(CodeOf(writeErr(w, err)))
		return
	}
	md := MetadataFrom(ctx)
	if md.TraceParent == "" && ev.TraceParent != "" {
		if _, _, ok := ParseTraceParent(ev.TraceParent); ok {
			md.TraceParent, md.TraceState = ev.TraceParent, ev.TraceState
			ctx = WithMetadata(ctx, md)
		}
	}
	ctx = context.WithValue(ctx, eventKey{}, ev)
	key := ev.Source + " " + ev.ID
	state, err := s.dedupe.Acquire(ctx, key)
	if err != nil {
		result(CodeOf(writeErr(w, WrapError(CodeUnavailable, err, "dedupe store failed"))))
		return
	}
	switch state {
	case DedupeDone:
		w.WriteHeader(http.StatusNoContent)
		result("duplicate")
		return
	case DedupeBusy:
		result(CodeOf(writeErr(w, Errorf(CodeAborted, "event %s is being processed", ev.ID))))
		return
	}
	_, err = s.invoke(ctx, rt, body)
	if rerr := s.dedupe.Release(context.WithoutCancel(ctx), key, err == nil); rerr != nil && err == nil {
		s.cfg.logger.Error("brief: dedupe store failed", "topic", topic, "event_id", ev.ID, "error", rerr)
	}
	if err != nil {
		err = s.checkDeclared(ctx, rt.rpc, err)
		result(CodeOf(writeErr(w, err)))
		return
	}
	w.WriteHeader(http.StatusNoContent)
	result(CodeOK)
}

func writeErr(w http.ResponseWriter, err error) error {
	writeError(w, err)
	return err
}

// ---- deduplication -------------------------------------------------------------

// DedupeState is the answer of Deduper.Acquire.
type DedupeState int

const (
	DedupeNew  DedupeState = iota // process the event
	DedupeDone                    // already processed: acknowledge without processing
	DedupeBusy                    // another delivery is processing it: ask for redelivery
)

// Deduper remembers processed events. Services that need dedupe across
// restarts or replicas plug in a persistent implementation.
type Deduper interface {
	Acquire(ctx context.Context, key string) (DedupeState, error)
	// Release ends processing: processed=true remembers the key as done,
	// false forgets it so a redelivery is processed again.
	Release(ctx context.Context, key string, processed bool) error
}

// Defaults of the in-memory deduper (protocol section 9.4).
const (
	DefaultDedupeTTL      = 24 * time.Hour
	DefaultDedupeCapacity = 100000
)

// MemoryDeduper is an in-process Deduper that remembers up to capacity
// processed keys for ttl. Every operation is O(1) (amortized): processed
// keys are kept in a FIFO queue, oldest first, and evicted from its head.
type MemoryDeduper struct {
	ttl      time.Duration
	capacity int
	now      func() time.Time
	mu       sync.Mutex
	done     map[string]time.Time
	order    []dedupeEntry // processed keys, oldest first, from head on
	head     int
	busy     map[string]bool
}

type dedupeEntry struct {
	key string
	at  time.Time
}

// NewMemoryDeduper returns an in-memory deduper.
func NewMemoryDeduper(ttl time.Duration, capacity int) *MemoryDeduper {
	return &MemoryDeduper{ttl: ttl, capacity: capacity, now: time.Now, done: map[string]time.Time{}, busy: map[string]bool{}}
}

// Acquire implements Deduper.
func (d *MemoryDeduper) Acquire(_ context.Context, key string) (DedupeState, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.evict()
	if _, ok := d.done[key]; ok {
		return DedupeDone, nil
	}
	if d.busy[key] {
		return DedupeBusy, nil
	}
	d.busy[key] = true
	return DedupeNew, nil
}

// Release implements Deduper.
func (d *MemoryDeduper) Release(_ context.Context, key string, processed bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.busy, key)
	if processed {
		if _, dup := d.done[key]; dup {
			return nil
		}
		now := d.now()
		d.done[key] = now
		d.order = append(d.order, dedupeEntry{key, now})
		d.evict()
	}
	return nil
}

// evict drops expired keys and the oldest keys beyond capacity from the
// head of the queue, and compacts the queue once half of it is dropped.
func (d *MemoryDeduper) evict() {
	now := d.now()
	for d.head < len(d.order) {
		e := d.order[d.head]
		if len(d.order)-d.head <= d.capacity && now.Sub(e.at) < d.ttl {
			break
		}
		delete(d.done, e.key)
		d.order[d.head] = dedupeEntry{}
		d.head++
	}
	if d.head > 0 && d.head >= len(d.order)/2 {
		n := copy(d.order, d.order[d.head:])
		clear(d.order[n:])
		d.order = d.order[:n]
		d.head = 0
	}
}
