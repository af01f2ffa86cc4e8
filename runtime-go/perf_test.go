package brief

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readBody must behave like io.ReadAll(io.LimitReader(r, limit)) whatever
// the announced size.
func TestReadBodyMatchesReadAll(t *testing.T) {
	for _, n := range []int{0, 1, 511, 1024, 1025, 5000} {
		body := strings.Repeat("x", n)
		for _, limit := range []int64{1, 100, 1024, 1 << 20} {
			want, _ := io.ReadAll(io.LimitReader(strings.NewReader(body), limit))
			for _, size := range []int64{-1, 0, int64(n), int64(n) + 7} {
				for _, r := range []io.Reader{strings.NewReader(body), iotest.OneByteReader(strings.NewReader(body))} {
					got, err := readBody(r, make([]byte, 0, 16), size, limit)
					if err != nil || !bytes.Equal(got, want) {
						t.Fatalf("n=%d limit=%d size=%d: got %d bytes, %v; want %d", n, limit, size, len(got), err, len(want))
					}
				}
			}
		}
	}
	boom := errors.New("boom")
	if _, err := readBody(iotest.ErrReader(boom), nil, -1, 10); err != boom {
		t.Fatalf("error: got %v", err)
	}
}

func TestNewRequestIDShape(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := NewRequestID()
		if len(id) != 32 || !isLowerHex(id) || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
	if s := randomHex(8); len(s) != 16 || !isLowerHex(s) {
		t.Fatalf("randomHex(8) = %q", s)
	}
}
