// Interop fixture (hand-written; see docs/rust.md): a Go server of golden/cases/go-everything on
// 127.0.0.1, called by the generated Rust client in the Rust end-to-end tests. It prints its base
// URL on the first line of stdout, then serves until killed.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"

	brief "github.com/brief-paas/paasctl/runtime-go"

	gen "example.com/interop/gen"
)

type impl struct{ gen.UnimplementedServer }

func (impl) Get(ctx context.Context, in *gen.GetIn) (*gen.Item, error) {
	if in.ID == 404 {
		return nil, &gen.NotFoundError{ID: in.ID}
	}
	note := brief.RequestID(ctx)
	return &gen.Item{
		ID:        in.ID,
		Name:      fmt.Sprintf("go caller=%s user=%s", brief.Caller(ctx), in.UserID),
		Note:      &note,
		Blob:      []byte{0, 1, 2, 255},
		ByID:      map[int64]string{-3: "minus three"},
		CreatedAt: time.Unix(1767322800, 5).UTC(),
		Sparse:    []*int64{nil},
	}, nil
}

func (impl) Put(_ context.Context, in *gen.Item) (*gen.Item, error) { return in, nil }

func (impl) Slow(ctx context.Context, _ *gen.Nothing) (*gen.Nothing, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	if err := brief.ServeListener(context.Background(), ln, gen.NewHandler(impl{})); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
