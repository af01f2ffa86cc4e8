package brief

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

type gColor int32

var gColorNames = []string{"red", "EUR"}

func (gColor) EnumNames() []string                { return gColorNames }
func (m gColor) MarshalText() ([]byte, error)     { return EnumMarshalText(gColorNames, int64(m)) }
func (m *gColor) UnmarshalText(text []byte) error { return EnumUnmarshalText(gColorNames, text, m) }

type gMsg struct {
	C gColor         `json:"c"`
	M map[string]int `json:"m"`
}

type gNotFound struct {
	ID   int64   `json:"id"`
	Name *string `json:"name"`

	AppErrorMessage `json:"-"`
}

func (*gNotFound) ErrorCode() string { return "NotFound" }
func (e *gNotFound) Error() string   { return AppErrorText(e, "NotFound: No such item") }

func TestEnumTextAgreesWithTheWire(t *testing.T) {
	m := gMsg{C: 1, M: map[string]int{}}
	std, err := json.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	wire, err := Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	if string(std) != string(wire) || string(wire) != `{"c":"EUR","m":{}}` {
		t.Fatalf("encoding/json %s, wire %s", std, wire)
	}
	var back gMsg
	if err := json.Unmarshal(wire, &back); err != nil || back.C != 1 {
		t.Fatalf("json.Unmarshal: %v %v", back, err)
	}
	back = gMsg{}
	if err := Unmarshal([]byte(`{"c":"red","m":{}}`), &back); err != nil || back.C != 0 {
		t.Fatalf("Unmarshal: %v %v", back, err)
	}
	var c gColor = 1
	if err := c.UnmarshalText([]byte("eur")); err == nil || c != 1 {
		t.Fatalf("case-insensitive match or changed value: %v %v", c, err)
	}
	if _, err := gColor(7).MarshalText(); err == nil {
		t.Fatal("non-member encoded")
	}
	if _, err := Marshal(&gMsg{C: 7}); err == nil {
		t.Fatal("codec: non-member encoded")
	}
}

func TestAppErrorTextHasFieldsAndServerMessage(t *testing.T) {
	name := "x"
	e := &gNotFound{ID: 404, Name: &name}
	if got := e.Error(); got != `NotFound: No such item (id=404 name="x")` {
		t.Fatalf("%q", got)
	}
	if got := (*gNotFound)(nil).Error(); got != "NotFound: No such item" {
		t.Fatalf("nil: %q", got)
	}
	status, body := encodeErrorBody(e)
	if string(body) != `{"error":{"code":"NotFound","message":"NotFound: No such item (id=404 name=\"x\")","details":{"id":404,"name":"x"}}}` {
		t.Fatalf("%d %s", status, body)
	}
	table := ErrorTable{"NotFound": func() AppError { return new(gNotFound) }}
	err := DecodeErrorResponse(status, body, table)
	var nf *gNotFound
	if !errors.As(err, &nf) || nf.ID != 404 || err.Error() != `NotFound: No such item (id=404 name="x")` {
		t.Fatalf("same message is not repeated: %T %q", err, err)
	}
	err = DecodeErrorResponse(status, []byte(`{"error":{"code":"NotFound","message":"item 404 was deleted","details":{"id":404,"name":null}}}`), table)
	if !errors.As(err, &nf) || nf.ServerMessage() != "item 404 was deleted" ||
		err.Error() != "NotFound: No such item (id=404 name=null): item 404 was deleted" {
		t.Fatalf("%q", err)
	}
}

func TestNilClientAndBusDoNotPanic(t *testing.T) {
	var c *Client
	err := c.Invoke(context.Background(), &RPC{Service: "x", Name: "y"}, &Empty{}, &Empty{})
	if CodeOf(err) != string(CodeFailedPrecondition) {
		t.Fatalf("%v", err)
	}
	var b *Bus
	if _, err := b.Publish(context.Background(), "t", &Empty{}); CodeOf(err) != string(CodeFailedPrecondition) {
		t.Fatalf("%v", err)
	}
	if err := b.Subscribe(context.Background(), "t", "http://x"); CodeOf(err) != string(CodeFailedPrecondition) {
		t.Fatalf("%v", err)
	}
	if b.Client() != nil {
		t.Fatal("nil bus has a client")
	}
}
