package brief

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// This file implements the JSON mapping of docs/protocol.md section 3.
//
// Go representation of contract types (what generated code uses):
//
//	int            int64            float       float64
//	bool           bool             string      string
//	bytes          []byte           time        time.Time
//	[]T            []T              ?T          *T   (nil = absent)
//	map[string]T   map[string]T     map[int]T   map[int64]T
//	enum           a named integer type implementing [Enum]
//	message        a struct; field names come from `json:"name"` tags
//
// encoding/json is not used for messages because it matches field names
// case-insensitively, writes nil slices as null, trims trailing zeros of
// times and accepts malformed times; the protocol forbids all of these.

// Enum is implemented by generated enum types. The Go type must have an
// integer kind; value i encodes as EnumNames()[i]. The zero value is the
// first declared member.
type Enum interface {
	EnumNames() []string
}

// MaxDepth is the maximum nesting depth of arrays and objects accepted by
// [Unmarshal] (protocol section 3.9).
const MaxDepth = 100

// TimeLayout is the canonical wire form of a time: RFC 3339, UTC, exactly nine
// fractional digits.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// Marshal encodes v (usually a pointer to a generated message) in the
// canonical wire form.
func Marshal(v any) ([]byte, error) {
	e := encoder{buf: make([]byte, 0, 256)}
	if err := e.value(reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// Unmarshal decodes data into v, which must be a non-nil pointer. Errors are
// of type *DecodeError and name the offending location ("$.items[2].id").
func Unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &DecodeError{Msg: "Unmarshal target must be a non-nil pointer"}
	}
	d := decoder{data: data}
	d.ws()
	if err := d.value(rv.Elem()); err != nil {
		return err
	}
	d.ws()
	if d.pos != len(d.data) {
		return d.fail("unexpected data after the JSON value")
	}
	return nil
}

// DecodeError describes why an input was rejected.
type DecodeError struct {
	Path   string // JSON path of the offending value, e.g. "$.items[2].id"
	Msg    string
	Offset int // byte offset in the input
	rev    []string
}

func (e *DecodeError) Error() string {
	if e.Path == "" || e.Path == "$" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// EncodeError reports a value that has no wire representation (NaN, an
// out-of-range enum or time ...).
type EncodeError struct{ Msg string }

func (e *EncodeError) Error() string { return "brief: cannot encode: " + e.Msg }

var (
	timeType        = reflect.TypeOf(time.Time{})
	rawType         = reflect.TypeOf(json.RawMessage(nil))
	enumType        = reflect.TypeOf((*Enum)(nil)).Elem()
	marshalerType   = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
)

// ---- type metadata ---------------------------------------------------------

// Special handling of a type, decided once per type (typeInfo) instead of
// with reflect's Implements on every value.
const (
	specNone   uint8 = iota
	specTime         // time.Time
	specRaw          // json.RawMessage
	specEnum         // integer kind implementing Enum
	specCustom       // encode: json.Marshaler; decode: *T is a json.Unmarshaler
)

// typeInfo caches what the codec needs to know about a type.
type typeInfo struct {
	t      reflect.Type
	kind   reflect.Kind
	enc    uint8                      // spec* for encoding
	dec    uint8                      // spec* for decoding
	elem   atomic.Pointer[typeInfo]   // slice, map and pointer element (lazy)
	strukt atomic.Pointer[structInfo] // struct fields (lazy)
}

var typeCache sync.Map // reflect.Type -> *typeInfo

// infoOf returns the cached typeInfo of t. It does not look at t's element
// or field types, so it terminates on recursive types.
func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeCache.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := &typeInfo{t: t, kind: t.Kind()}
	isInt := ti.kind >= reflect.Int && ti.kind <= reflect.Int64
	switch {
	case t == timeType:
		ti.enc = specTime
	case t == rawType:
		ti.enc = specRaw
	case isInt && t.Implements(enumType):
		ti.enc = specEnum
	case ti.kind != reflect.Pointer && t.Implements(marshalerType):
		ti.enc = specCustom
	}
	switch {
	case t == timeType:
		ti.dec = specTime
	case t == rawType:
		ti.dec = specRaw
	case isInt && t.Implements(enumType):
		ti.dec = specEnum
	case ti.kind != reflect.Pointer && reflect.PointerTo(t).Implements(unmarshalerType):
		ti.dec = specCustom
	}
	actual, _ := typeCache.LoadOrStore(t, ti)
	return actual.(*typeInfo)
}

// elemInfo returns the typeInfo of t.Elem() (slice, map, pointer).
func (ti *typeInfo) elemInfo() *typeInfo {
	if e := ti.elem.Load(); e != nil {
		return e
	}
	e := infoOf(ti.t.Elem())
	ti.elem.Store(e)
	return e
}

// structInfo returns the fields of a struct type.
func (ti *typeInfo) structInfo() *structInfo {
	if si := ti.strukt.Load(); si != nil {
		return si
	}
	si := structOf(ti.t)
	ti.strukt.Store(si)
	return si
}

// ---- struct metadata -------------------------------------------------------

type fieldInfo struct {
	name      string
	key       []byte // `"name":`
	index     int
	omitEmpty bool
	info      *typeInfo // of the field's type
}

type structInfo struct {
	fields []fieldInfo
	byName map[string]int
}

var structCache sync.Map // reflect.Type -> *structInfo

func structOf(t reflect.Type) *structInfo {
	if si, ok := structCache.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{byName: map[string]int{}}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		omit := false
		if tag, ok := f.Tag.Lookup("json"); ok {
			if tag == "-" {
				continue
			}
			parts := strings.Split(tag, ",")
			if parts[0] != "" {
				name = parts[0]
			}
			for _, p := range parts[1:] {
				if p == "omitempty" {
					omit = true
				}
			}
		}
		key := appendString(nil, name)
		key = append(key, ':')
		si.byName[name] = len(si.fields)
		si.fields = append(si.fields, fieldInfo{name: name, key: key, index: i, omitEmpty: omit, info: infoOf(f.Type)})
	}
	actual, _ := structCache.LoadOrStore(t, si)
	return actual.(*structInfo)
}

// ---- encoder ---------------------------------------------------------------

type encoder struct{ buf []byte }

func (e *encoder) value(v reflect.Value) error {
	if !v.IsValid() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	return e.valueT(v, infoOf(v.Type()))
}

// iface returns v as an interface value. For an addressable v it returns
// a pointer to it, which has v's methods without copying v to the heap.
func iface(v reflect.Value) any {
	if v.CanAddr() {
		return v.Addr().Interface()
	}
	return v.Interface()
}

// valueT encodes v, whose type is ti.t.
func (e *encoder) valueT(v reflect.Value, ti *typeInfo) error {
	t := ti.t
	switch ti.enc {
	case specTime:
		if v.CanAddr() {
			return e.time(*v.Addr().Interface().(*time.Time))
		}
		return e.time(v.Interface().(time.Time))
	case specRaw:
		if v.Len() == 0 {
			e.buf = append(e.buf, "null"...)
		} else {
			e.buf = append(e.buf, v.Bytes()...)
		}
		return nil
	case specEnum:
		names := iface(v).(Enum).EnumNames()
		i := v.Int()
		if i < 0 || i >= int64(len(names)) {
			return &EncodeError{Msg: fmt.Sprintf("%d is not a member of enum %s", i, t.Name())}
		}
		e.buf = appendString(e.buf, names[i])
		return nil
	case specCustom:
		b, err := iface(v).(json.Marshaler).MarshalJSON()
		if err != nil {
			return err
		}
		e.buf = append(e.buf, b...)
		return nil
	}
	switch ti.kind {
	case reflect.Bool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return e.float(v.Float())
	case reflect.String:
		e.buf = appendString(e.buf, v.String())
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			b := v.Bytes()
			e.buf = append(e.buf, '"')
			n := len(e.buf)
			e.buf = append(e.buf, make([]byte, base64.StdEncoding.EncodedLen(len(b)))...)
			base64.StdEncoding.Encode(e.buf[n:], b)
			e.buf = append(e.buf, '"')
			return nil
		}
		e.buf = append(e.buf, '[')
		et := ti.elemInfo()
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if err := e.valueT(v.Index(i), et); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, ']')
	case reflect.Map:
		return e.mapValue(v)
	case reflect.Pointer:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.valueT(v.Elem(), ti.elemInfo())
	case reflect.Interface:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.value(v.Elem())
	case reflect.Struct:
		si := ti.structInfo()
		e.buf = append(e.buf, '{')
		first := true
		for i := range si.fields {
			f := &si.fields[i]
			fv := v.Field(f.index)
			if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Interface) && fv.IsNil() {
				continue // optional and absent: not written
			}
			if f.omitEmpty && fv.IsZero() {
				continue
			}
			if !first {
				e.buf = append(e.buf, ',')
			}
			first = false
			e.buf = append(e.buf, f.key...)
			if err := e.valueT(fv, f.info); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, '}')
	default:
		return &EncodeError{Msg: "unsupported Go type " + t.String()}
	}
	return nil
}

func (e *encoder) mapValue(v reflect.Value) error {
	kt := v.Type().Key()
	type kv struct {
		s string
		i int64
		v reflect.Value
	}
	items := make([]kv, 0, v.Len())
	it := v.MapRange()
	for it.Next() {
		k := it.Key()
		switch kt.Kind() {
		case reflect.String:
			items = append(items, kv{s: k.String(), v: it.Value()})
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			items = append(items, kv{s: strconv.FormatInt(k.Int(), 10), i: k.Int(), v: it.Value()})
		default:
			return &EncodeError{Msg: "unsupported map key type " + kt.String()}
		}
	}
	if kt.Kind() == reflect.String {
		sort.Slice(items, func(a, b int) bool { return items[a].s < items[b].s })
	} else {
		sort.Slice(items, func(a, b int) bool { return items[a].i < items[b].i })
	}
	e.buf = append(e.buf, '{')
	for n, item := range items {
		if n > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendString(e.buf, item.s)
		e.buf = append(e.buf, ':')
		if err := e.value(item.v); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

func (e *encoder) float(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return &EncodeError{Msg: "NaN and Infinity are not representable"}
	}
	// Shortest round-trip form, ECMAScript style (as encoding/json).
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.buf = strconv.AppendFloat(e.buf, f, format, -1, 64)
	if format == 'e' {
		n := len(e.buf)
		if n >= 4 && e.buf[n-4] == 'e' && e.buf[n-3] == '-' && e.buf[n-2] == '0' {
			e.buf[n-2] = e.buf[n-1]
			e.buf = e.buf[:n-1]
		}
	}
	return nil
}

func (e *encoder) time(t time.Time) error {
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return &EncodeError{Msg: fmt.Sprintf("year %d is outside 0000..9999", y)}
	}
	e.buf = append(e.buf, '"')
	e.buf = t.AppendFormat(e.buf, TimeLayout)
	e.buf = append(e.buf, '"')
	return nil
}

// FormatTime returns the canonical wire form of t.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

const hexDigits = "0123456789abcdef"

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 { // invalid UTF-8 -> U+FFFD
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// ---- decoder ---------------------------------------------------------------

type decoder struct {
	data  []byte
	pos   int
	depth int
}

func (d *decoder) fail(format string, args ...any) *DecodeError {
	return &DecodeError{Msg: fmt.Sprintf(format, args...), Offset: d.pos}
}

// wrap prefixes a path segment to a nested error while unwinding.
func wrap(err error, seg string) error {
	var de *DecodeError
	if errors.As(err, &de) {
		de.rev = append(de.rev, seg)
		return de
	}
	return err
}

func finishPath(err error) error {
	var de *DecodeError
	if errors.As(err, &de) && de.Path == "" {
		var sb strings.Builder
		sb.WriteString("$")
		for i := len(de.rev) - 1; i >= 0; i-- {
			sb.WriteString(de.rev[i])
		}
		de.Path = sb.String()
	}
	return err
}

func (d *decoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *decoder) literal(lit string) bool {
	if len(d.data)-d.pos >= len(lit) && string(d.data[d.pos:d.pos+len(lit)]) == lit {
		d.pos += len(lit)
		return true
	}
	return false
}

func kindName(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	case 0:
		return "end of input"
	}
	if c == '-' || (c >= '0' && c <= '9') {
		return "number"
	}
	return fmt.Sprintf("character %q", c)
}

func (d *decoder) value(v reflect.Value) error {
	err := d.value1(v)
	if err != nil {
		return finishPath(err)
	}
	return nil
}

func (d *decoder) value1(v reflect.Value) error {
	return d.value1T(v, infoOf(v.Type()))
}

// value1T decodes into v, whose type is ti.t.
func (d *decoder) value1T(v reflect.Value, ti *typeInfo) error {
	c := d.peek()
	t := ti.t
	if c == 'n' {
		if !d.literal("null") {
			return d.fail("invalid literal")
		}
		v.Set(reflect.Zero(t)) // null: absent (optional) or zero value
		return nil
	}
	switch ti.dec {
	case specTime:
		s, err := d.stringValue("a time (RFC 3339 string)")
		if err != nil {
			return err
		}
		tm, perr := ParseTime(s)
		if perr != nil {
			return d.fail("%v", perr)
		}
		v.Set(reflect.ValueOf(tm))
		return nil
	case specRaw:
		start := d.pos
		if err := d.skip(); err != nil {
			return err
		}
		v.SetBytes(append([]byte(nil), d.data[start:d.pos]...))
		return nil
	case specEnum:
		s, err := d.stringValue("an enum name (string)")
		if err != nil {
			return err
		}
		names := reflect.Zero(t).Interface().(Enum).EnumNames()
		for i, n := range names {
			if n == s {
				v.SetInt(int64(i))
				return nil
			}
		}
		return d.fail("unknown %s value %q", t.Name(), s)
	case specCustom:
		start := d.pos
		if err := d.skip(); err != nil {
			return err
		}
		if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(d.data[start:d.pos]); err != nil {
			return &DecodeError{Msg: err.Error(), Offset: start}
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Bool:
		switch {
		case d.literal("true"):
			v.SetBool(true)
		case d.literal("false"):
			v.SetBool(false)
		default:
			return d.fail("expected a boolean, got %s", kindName(c))
		}
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		start := d.pos
		isInt, err := d.number()
		if err != nil {
			return err
		}
		if !isInt {
			lit := string(d.data[start:d.pos])
			d.pos = start
			return d.fail("expected an integer, got %s", lit)
		}
		// The conversion does not escape: no allocation for short literals.
		n, perr := strconv.ParseInt(string(d.data[start:d.pos]), 10, t.Bits())
		if perr != nil {
			lit := string(d.data[start:d.pos])
			d.pos = start
			return d.fail("integer %s is out of range", lit)
		}
		v.SetInt(n)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		start := d.pos
		isInt, err := d.number()
		if err != nil {
			return err
		}
		n, perr := strconv.ParseUint(string(d.data[start:d.pos]), 10, t.Bits())
		if !isInt || perr != nil {
			d.pos = start
			return d.fail("expected an unsigned integer")
		}
		v.SetUint(n)
		return nil
	case reflect.Float32, reflect.Float64:
		start := d.pos
		if _, err := d.number(); err != nil {
			return err
		}
		f, perr := strconv.ParseFloat(string(d.data[start:d.pos]), t.Bits())
		if perr != nil {
			lit := string(d.data[start:d.pos])
			d.pos = start
			return d.fail("number %s is out of the float range", lit)
		}
		v.SetFloat(f)
		return nil
	case reflect.String:
		s, err := d.stringValue("a string")
		if err != nil {
			return err
		}
		v.SetString(s)
		return nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			s, err := d.stringValue("bytes (base64 string)")
			if err != nil {
				return err
			}
			b, berr := decodeBase64(s)
			if berr != nil {
				return d.fail("%v", berr)
			}
			v.SetBytes(b)
			return nil
		}
		if c != '[' {
			return d.fail("expected an array, got %s", kindName(c))
		}
		if err := d.enter(); err != nil {
			return err
		}
		d.pos++
		d.ws()
		// Decode into a new slice (v is set only on success), growing it
		// in place instead of with reflect.Append, which allocates a slice
		// header per element.
		out := reflect.New(t).Elem()
		out.Grow(4)
		if d.peek() == ']' {
			d.pos++
			d.depth--
			v.Set(out)
			return nil
		}
		et := ti.elemInfo()
		for i := 0; ; i++ {
			d.ws()
			if out.Len() == out.Cap() {
				out.Grow(1)
			}
			out.SetLen(i + 1) // the new element is zero
			if err := d.value1T(out.Index(i), et); err != nil {
				return wrap(err, "["+strconv.Itoa(i)+"]")
			}
			d.ws()
			switch d.peek() {
			case ',':
				d.pos++
				continue
			case ']':
				d.pos++
				d.depth--
				v.Set(out)
				return nil
			}
			return d.fail("expected ',' or ']' in array")
		}
	case reflect.Map:
		if c != '{' {
			return d.fail("expected an object, got %s", kindName(c))
		}
		kt := t.Key()
		m := reflect.MakeMap(t)
		err := d.object(func(key string) error {
			var kv reflect.Value
			switch kt.Kind() {
			case reflect.String:
				kv = reflect.ValueOf(key).Convert(kt)
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				n, ok := parseIntKey(key, kt.Bits())
				if !ok {
					return d.fail("map key %q is not a canonical decimal integer", key)
				}
				kv = reflect.New(kt).Elem()
				kv.SetInt(n)
			default:
				return d.fail("unsupported map key type %s", kt)
			}
			ev := reflect.New(t.Elem()).Elem()
			if err := d.value1T(ev, ti.elemInfo()); err != nil {
				return wrap(err, "["+strconv.Quote(key)+"]")
			}
			m.SetMapIndex(kv, ev)
			return nil
		})
		if err != nil {
			return err
		}
		v.Set(m)
		return nil
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := d.value1T(p.Elem(), ti.elemInfo()); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Struct:
		if c != '{' {
			return d.fail("expected an object, got %s", kindName(c))
		}
		si := ti.structInfo()
		return d.objectRaw(func(key []byte) error {
			idx, ok := si.byName[string(key)] // exact, case-sensitive match; no allocation
			if !ok {
				return d.skip() // unknown fields are ignored
			}
			f := &si.fields[idx]
			if err := d.value1T(v.Field(f.index), f.info); err != nil {
				return wrap(err, "."+f.name)
			}
			return nil
		})
	case reflect.Interface:
		start := d.pos
		if err := d.skip(); err != nil {
			return err
		}
		var x any
		if err := json.Unmarshal(d.data[start:d.pos], &x); err != nil {
			return &DecodeError{Msg: err.Error(), Offset: start}
		}
		if x == nil {
			v.Set(reflect.Zero(t))
		} else {
			v.Set(reflect.ValueOf(x))
		}
		return nil
	}
	return d.fail("unsupported Go type %s", t)
}

func (d *decoder) enter() error {
	d.depth++
	if d.depth > MaxDepth {
		return d.fail("nesting deeper than %d", MaxDepth)
	}
	return nil
}

// object parses {"k": v, ...}, calling f with the decoder positioned on each value.
func (d *decoder) object(f func(key string) error) error {
	return d.objectRaw(func(key []byte) error { return f(string(key)) })
}

// objectRaw is object with the key as bytes, valid only during the call
// of f (it may alias the input).
func (d *decoder) objectRaw(f func(key []byte) error) error {
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++ // '{'
	d.ws()
	if d.peek() == '}' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		d.ws()
		if d.peek() != '"' {
			return d.fail("expected a string object key")
		}
		key, err := d.strBytes()
		if err != nil {
			return err
		}
		d.ws()
		if d.peek() != ':' {
			return d.fail("expected ':' after object key")
		}
		d.pos++
		d.ws()
		if err := f(key); err != nil {
			return err
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
			continue
		case '}':
			d.pos++
			d.depth--
			return nil
		}
		return d.fail("expected ',' or '}' in object")
	}
}

func (d *decoder) stringValue(what string) (string, error) {
	if d.peek() != '"' {
		return "", d.fail("expected %s, got %s", what, kindName(d.peek()))
	}
	return d.str()
}

// str parses a JSON string at d.pos (which is '"'), validating UTF-8 and escapes.
func (d *decoder) str() (string, error) {
	b, err := d.strBytes()
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// strBytes is str returning bytes that may alias d.data.
func (d *decoder) strBytes() ([]byte, error) {
	d.pos++
	start := d.pos
	// fast path: no escapes, ASCII only
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			b := d.data[start:d.pos]
			d.pos++
			return b, nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		d.pos++
	}
	buf := append([]byte(nil), d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return buf, nil
		case c < 0x20:
			return nil, d.fail("control character in string")
		case c == '\\':
			if d.pos+1 >= len(d.data) {
				return nil, d.fail("unterminated string")
			}
			e := d.data[d.pos+1]
			d.pos += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return nil, d.fail("invalid \\u escape")
				}
				if utf16.IsSurrogate(r) {
					if r >= 0xDC00 || !d.literal("\\u") {
						return nil, d.fail("lone UTF-16 surrogate in string")
					}
					r2, ok := d.hex4()
					if !ok || r2 < 0xDC00 || r2 > 0xDFFF {
						return nil, d.fail("lone UTF-16 surrogate in string")
					}
					r = utf16.DecodeRune(r, r2)
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return nil, d.fail("invalid escape \\%c", e)
			}
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			d.pos++
		default:
			r, size := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && size <= 1 {
				return nil, d.fail("invalid UTF-8 in string")
			}
			buf = append(buf, d.data[d.pos:d.pos+size]...)
			d.pos += size
		}
	}
	return nil, d.fail("unterminated string")
}

func (d *decoder) hex4() (rune, bool) {
	if d.pos+4 > len(d.data) {
		return 0, false
	}
	var r rune
	for _, c := range d.data[d.pos : d.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	d.pos += 4
	return r, true
}

// number validates an RFC 8259 number at d.pos and reports whether it has
// neither fraction nor exponent.
func (d *decoder) number() (isInt bool, err error) {
	start := d.pos
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if d.peek() == '-' {
		d.pos++
	}
	switch c := d.peek(); {
	case c == '0':
		d.pos++
	case c >= '1' && c <= '9':
		digits()
	default:
		d.pos = start
		return false, d.fail("expected a number, got %s", kindName(d.peek()))
	}
	isInt = true
	if d.peek() == '.' {
		d.pos++
		isInt = false
		if digits() == 0 {
			return false, d.fail("invalid number")
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.pos++
		isInt = false
		if c := d.peek(); c == '+' || c == '-' {
			d.pos++
		}
		if digits() == 0 {
			return false, d.fail("invalid number")
		}
	}
	return isInt, nil
}

// skip validates and skips any JSON value.
func (d *decoder) skip() error {
	switch c := d.peek(); {
	case c == '{':
		return d.objectRaw(func([]byte) error { return d.skip() })
	case c == '[':
		if err := d.enter(); err != nil {
			return err
		}
		d.pos++
		d.ws()
		if d.peek() == ']' {
			d.pos++
			d.depth--
			return nil
		}
		for {
			d.ws()
			if err := d.skip(); err != nil {
				return err
			}
			d.ws()
			switch d.peek() {
			case ',':
				d.pos++
				continue
			case ']':
				d.pos++
				d.depth--
				return nil
			}
			return d.fail("expected ',' or ']' in array")
		}
	case c == '"':
		_, err := d.str()
		return err
	case c == 't':
		if d.literal("true") {
			return nil
		}
	case c == 'f':
		if d.literal("false") {
			return nil
		}
	case c == 'n':
		if d.literal("null") {
			return nil
		}
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := d.number()
		return err
	}
	return d.fail("invalid JSON value (%s)", kindName(d.peek()))
}

func parseIntKey(s string, bits int) (int64, bool) {
	if s == "" || s == "-" || s == "-0" {
		return 0, false
	}
	digits := strings.TrimPrefix(s, "-")
	if digits[0] == '0' && len(digits) > 1 {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, bits)
	return n, err == nil
}

func decodeBase64(s string) ([]byte, error) {
	if len(s)%4 != 0 {
		return nil, errors.New("bytes must be standard base64 with padding (length not a multiple of 4)")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '+' && c != '/' && c != '=' {
			return nil, fmt.Errorf("bytes must be standard base64 with padding (invalid character %q)", c)
		}
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("bytes must be standard base64 with padding (%v)", err)
	}
	return b, nil
}

// ParseTime parses a strict RFC 3339 timestamp (protocol section 3.4):
// YYYY-MM-DDTHH:MM:SS[.F{1,9}](Z|±HH:MM), uppercase T and Z, no leap
// seconds. The result is in UTC.
func ParseTime(s string) (time.Time, error) {
	bad := func(why string) (time.Time, error) {
		return time.Time{}, fmt.Errorf("invalid time %q: %s", s, why)
	}
	num := func(a, b int) (int, bool) {
		n := 0
		for i := a; i < b; i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			n = n*10 + int(s[i]-'0')
		}
		return n, true
	}
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return bad("want YYYY-MM-DDTHH:MM:SS followed by Z or an offset")
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 7)
	day, ok3 := num(8, 10)
	hour, ok4 := num(11, 13)
	minute, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
		return bad("non-digit in date or time")
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return bad("date out of range")
	}
	if hour > 23 || minute > 59 || sec > 59 {
		return bad("time of day out of range")
	}
	i := 19
	nsec := 0
	if s[i] == '.' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		nd := j - i - 1
		if nd < 1 || nd > 9 {
			return bad("fraction must have 1 to 9 digits")
		}
		f, _ := num(i+1, j)
		for k := nd; k < 9; k++ {
			f *= 10
		}
		nsec = f
		i = j
	}
	rest := s[i:]
	offset := 0
	switch {
	case rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := num(i+1, i+3)
		om, ok2 := num(i+4, i+6)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return bad("offset out of range")
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return bad("want Z or ±HH:MM after the time")
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC).Add(-time.Duration(offset) * time.Second)
	if y := t.Year(); y < 0 || y > 9999 {
		return bad("instant outside years 0000..9999 UTC")
	}
	return t, nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// EnumString returns the wire name of enum value i (for generated String methods).
func EnumString(names []string, i int64) string {
	if i >= 0 && i < int64(len(names)) {
		return names[i]
	}
	return "enum(" + strconv.FormatInt(i, 10) + ")"
}
