package brief

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// goldenDir holds the language-neutral conformance vectors.
const goldenDir = "../golden/wire"

func loadVectors(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
}

// TestEveryVectorFileIsLoaded makes sure no vector file is silently skipped.
func TestEveryVectorFileIsLoaded(t *testing.T) {
	known := map[string]bool{"codec.json": true, "errors.json": true, "server.json": true, "headers.json": true,
		"breaker.json": true, "retry.json": true, "discovery.json": true, "events.json": true}
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vector files: %v", err)
	}
	for _, f := range files {
		if !known[filepath.Base(f)] {
			t.Errorf("vector file %s is not loaded by any test", f)
		}
		delete(known, filepath.Base(f))
	}
	for f := range known {
		t.Errorf("vector file %s is missing", f)
	}
}

// input is a wire input: a JSON string holding UTF-8 text, or {"base64": ...}
// for raw bytes that are not valid UTF-8.
type input struct{ b []byte }

func (in *input) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		in.b = []byte(s)
		return nil
	}
	var o struct{ Base64 string }
	if err := json.Unmarshal(data, &o); err != nil {
		return err
	}
	b, err := base64.StdEncoding.DecodeString(o.Base64)
	in.b = b
	return err
}

// jsonEqual compares two JSON texts semantically: objects as unordered
// maps, numbers by exact decimal value.
func jsonEqual(a, b []byte) (bool, error) {
	parse := func(x []byte) (any, error) {
		d := json.NewDecoder(bytes.NewReader(x))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			return nil, err
		}
		if d.More() {
			return nil, fmt.Errorf("trailing data")
		}
		return v, nil
	}
	va, err := parse(a)
	if err != nil {
		return false, fmt.Errorf("left: %w", err)
	}
	vb, err := parse(b)
	if err != nil {
		return false, fmt.Errorf("right: %w", err)
	}
	return valueEqual(va, vb), nil
}

func valueEqual(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		ra, ok1 := new(big.Rat).SetString(string(x))
		rb, ok2 := new(big.Rat).SetString(string(y))
		return ok1 && ok2 && ra.Cmp(rb) == 0
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !valueEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !valueEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// ---- Go types for the named types of codec.json ----------------------------

type vColor int32

var vColorNames = []string{"red", "green", "blue"}

func (vColor) EnumNames() []string { return vColorNames }

type vItem struct {
	ID    int64    `json:"id"`
	Name  *string  `json:"name"`
	Tags  []string `json:"tags"`
	Color vColor   `json:"color"`
}

type vEmpty struct{}

type vTree struct {
	Value    int64   `json:"value"`
	Children []vTree `json:"children"`
}

type vEverything struct {
	I      int64                 `json:"i"`
	F      float64               `json:"f"`
	B      bool                  `json:"b"`
	S      string                `json:"s"`
	By     []byte                `json:"by"`
	T      time.Time             `json:"t"`
	Oi     *int64                `json:"oi"`
	L      []int64               `json:"l"`
	Lo     []*int64              `json:"lo"`
	Ms     map[string]int64      `json:"ms"`
	Mi     map[int64]string      `json:"mi"`
	Nested vItem                 `json:"nested"`
	On     *vItem                `json:"on"`
	Items  []vItem               `json:"items"`
	Tm     map[int64][]time.Time `json:"tm"`
}

var namedTypes = map[string]reflect.Type{
	"Color":      reflect.TypeOf(vColor(0)),
	"Item":       reflect.TypeOf(vItem{}),
	"Empty":      reflect.TypeOf(vEmpty{}),
	"Tree":       reflect.TypeOf(vTree{}),
	"Everything": reflect.TypeOf(vEverything{}),
}

// typeOf maps a contract type expression to the Go type generated code uses.
func typeOf(expr string) (reflect.Type, error) {
	switch expr {
	case "int":
		return reflect.TypeOf(int64(0)), nil
	case "float":
		return reflect.TypeOf(float64(0)), nil
	case "bool":
		return reflect.TypeOf(false), nil
	case "string":
		return reflect.TypeOf(""), nil
	case "bytes":
		return reflect.TypeOf([]byte(nil)), nil
	case "time":
		return timeType, nil
	}
	switch {
	case strings.HasPrefix(expr, "?"):
		e, err := typeOf(expr[1:])
		if err != nil {
			return nil, err
		}
		return reflect.PointerTo(e), nil
	case strings.HasPrefix(expr, "[]"):
		e, err := typeOf(expr[2:])
		if err != nil {
			return nil, err
		}
		return reflect.SliceOf(e), nil
	case strings.HasPrefix(expr, "map[string]"):
		e, err := typeOf(expr[len("map[string]"):])
		if err != nil {
			return nil, err
		}
		return reflect.MapOf(reflect.TypeOf(""), e), nil
	case strings.HasPrefix(expr, "map[int]"):
		e, err := typeOf(expr[len("map[int]"):])
		if err != nil {
			return nil, err
		}
		return reflect.MapOf(reflect.TypeOf(int64(0)), e), nil
	}
	if t, ok := namedTypes[expr]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("no Go type for %q", expr)
}

// exprOf is the inverse of typeOf.
func exprOf(t reflect.Type) string {
	for name, nt := range namedTypes {
		if nt == t {
			return name
		}
	}
	switch {
	case t == timeType:
		return "time"
	case t.Kind() == reflect.Int64:
		return "int"
	case t.Kind() == reflect.Float64:
		return "float"
	case t.Kind() == reflect.Bool:
		return "bool"
	case t.Kind() == reflect.String:
		return "string"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "bytes"
	case t.Kind() == reflect.Pointer:
		return "?" + exprOf(t.Elem())
	case t.Kind() == reflect.Slice:
		return "[]" + exprOf(t.Elem())
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		return "map[string]" + exprOf(t.Elem())
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.Int64:
		return "map[int]" + exprOf(t.Elem())
	}
	return "unsupported:" + t.String()
}

type codecVectors struct {
	Types map[string]struct {
		Enum    []string    `json:"enum"`
		Message [][2]string `json:"message"`
	} `json:"types"`
	Cases []struct {
		Type      string  `json:"type"`
		Note      string  `json:"note"`
		Canonical *input  `json:"canonical"`
		Accept    []input `json:"accept"`
		Reject    []input `json:"reject"`
	} `json:"cases"`
	Unencodable []struct {
		Type        string       `json:"type"`
		Float       string       `json:"float"`
		UnixSeconds *json.Number `json:"unix_seconds"`
		EnumOrdinal *json.Number `json:"enum_ordinal"`
	} `json:"unencodable"`
}

func TestCodecVectors(t *testing.T) {
	var v codecVectors
	loadVectors(t, "codec.json", &v)
	// The Go types used here must match the vector file's definitions.
	names := make([]string, 0, len(v.Types))
	for n := range v.Types {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		def := v.Types[n]
		gt, ok := namedTypes[n]
		if !ok {
			t.Errorf("type %s: no Go type", n)
			continue
		}
		if def.Enum != nil {
			got := reflect.Zero(gt).Interface().(Enum).EnumNames()
			if !reflect.DeepEqual(got, def.Enum) {
				t.Errorf("enum %s: Go names %v, vectors %v", n, got, def.Enum)
			}
			continue
		}
		si := structOf(gt)
		if len(si.fields) != len(def.Message) {
			t.Errorf("message %s: %d Go fields, %d in vectors", n, len(si.fields), len(def.Message))
			continue
		}
		for i, f := range def.Message {
			gf := si.fields[i]
			if gf.name != f[0] || exprOf(gt.Field(gf.index).Type) != f[1] {
				t.Errorf("message %s field %d: Go %s %s, vectors %s %s", n, i, gf.name, exprOf(gt.Field(gf.index).Type), f[0], f[1])
			}
		}
	}
	if len(v.Cases) < 50 {
		t.Fatalf("only %d codec cases loaded", len(v.Cases))
	}
	for i, c := range v.Cases {
		typ, err := typeOf(c.Type)
		if err != nil {
			t.Errorf("case %d: %v", i, err)
			continue
		}
		if c.Canonical != nil {
			canon := c.Canonical.b
			for _, in := range append([]input{{canon}}, c.Accept...) {
				p := reflect.New(typ)
				if err := Unmarshal(in.b, p.Interface()); err != nil {
					t.Errorf("case %d (%s): decoding %q: %v", i, c.Type, in.b, err)
					continue
				}
				out, err := Marshal(p.Interface())
				if err != nil {
					t.Errorf("case %d (%s): encoding value of %q: %v", i, c.Type, in.b, err)
					continue
				}
				eq, err := jsonEqual(out, canon)
				if err != nil || !eq {
					t.Errorf("case %d (%s): %q encodes as %s, want %s (%v)", i, c.Type, in.b, out, canon, err)
				}
			}
		}
		for _, in := range c.Reject {
			p := reflect.New(typ)
			err := Unmarshal(in.b, p.Interface())
			if err == nil {
				t.Errorf("case %d (%s): %q was accepted, want rejected (%s)", i, c.Type, in.b, c.Note)
			} else if _, ok := err.(*DecodeError); !ok {
				t.Errorf("case %d (%s): %q: error %T, want *DecodeError", i, c.Type, in.b, err)
			}
		}
	}
	for i, u := range v.Unencodable {
		typ, err := typeOf(u.Type)
		if err != nil {
			t.Fatal(err)
		}
		p := reflect.New(typ)
		var val reflect.Value
		switch {
		case u.Float != "":
			f := map[string]float64{"NaN": nan(), "Infinity": inf(1), "-Infinity": inf(-1)}[u.Float]
			val = reflect.ValueOf(f)
		case u.UnixSeconds != nil:
			n, _ := u.UnixSeconds.Int64()
			val = reflect.ValueOf(time.Unix(n, 0).UTC())
		case u.EnumOrdinal != nil:
			n, _ := u.EnumOrdinal.Int64()
			val = reflect.New(typ).Elem()
			val.SetInt(n)
		}
		if typ.Kind() == reflect.Slice {
			s := reflect.MakeSlice(typ, 1, 1)
			s.Index(0).Set(val)
			val = s
		}
		p.Elem().Set(val)
		if out, err := Marshal(p.Interface()); err == nil {
			t.Errorf("unencodable %d (%s): encoded as %s, want an error", i, u.Type, out)
		}
	}
}
