// Helpers called by generated code: the text form of enums, the Error text of
// application errors and the server's message they carry.

package brief

import (
	"fmt"
	"reflect"
	"strings"
)

// EnumMarshalText is the MarshalText of a generated enum: its wire name, so
// that encoding/json, log/slog and text encodings agree with the wire. A value
// that is not a member is an error, as in [Marshal].
func EnumMarshalText(names []string, i int64) ([]byte, error) {
	if i < 0 || i >= int64(len(names)) {
		return nil, &EncodeError{Msg: fmt.Sprintf("%d is not a member of the enum", i)}
	}
	return []byte(names[i]), nil
}

// EnumUnmarshalText is the UnmarshalText of a generated enum: it sets *v to
// the member named text (a wire name, matched exactly) or fails, leaving *v
// unchanged.
func EnumUnmarshalText[T ~int32](names []string, text []byte, v *T) error {
	for i, n := range names {
		if n == string(text) {
			*v = T(i)
			return nil
		}
	}
	return fmt.Errorf("brief: unknown enum name %q", text)
}

// AppErrorMessage is embedded by generated application errors. On a client it
// holds the message the server sent with the error (protocol section 4.4); it
// is never encoded.
type AppErrorMessage struct{ message string }

// ServerMessage returns the message the server sent with this error ("" for
// an error built locally).
func (m *AppErrorMessage) ServerMessage() string {
	if m == nil {
		return ""
	}
	return m.message
}

func (m *AppErrorMessage) setServerMessage(s string) { m.message = s }

// serverMessageSetter is implemented by generated application errors through
// their embedded AppErrorMessage.
type serverMessageSetter interface{ setServerMessage(string) }

// AppErrorText is the Error text of a generated application error e:
// description, then its fields as name=value in their wire form, then the
// server's message when it says something else:
//
//	NotFound: No such item (id=404)
//	Invalid: Bad input (field="name"): name must not be empty
//
// A nil e gives description.
func AppErrorText(e AppError, description string) string {
	v := reflect.ValueOf(e)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return description
		}
		v = v.Elem()
	}
	var b strings.Builder
	b.WriteString(description)
	if v.Kind() == reflect.Struct {
		si := structOf(v.Type())
		for i, f := range si.fields {
			if i == 0 {
				b.WriteString(" (")
			} else {
				b.WriteByte(' ')
			}
			b.WriteString(f.name)
			b.WriteByte('=')
			enc := encoder{}
			if err := enc.valueT(v.Field(f.index), f.info); err != nil {
				b.WriteString("?")
			} else {
				b.Write(enc.buf)
			}
			if i == len(si.fields)-1 {
				b.WriteByte(')')
			}
		}
	}
	text := b.String()
	if m, ok := e.(interface{ ServerMessage() string }); ok {
		if s := m.ServerMessage(); s != "" && s != text && s != description {
			text += ": " + s
		}
	}
	return text
}
