// A Go server of golden/cases/go-everything for schemathesis (scripts/test.d/57-export.sh): the
// generated handler with an implementation that answers every rpc without a server error, so
// that every 5xx schemathesis sees is a bug of the runtime or of the generated code. `put`
// echoes its input (the response then carries every type the contract has), `get` with id 404
// or 409 returns the declared application errors (422). Usage: server 127.0.0.1:PORT
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"

	gen "example.com/export/gen"
	brief "github.com/brief-paas/paasctl/runtime-go"
)

type impl struct{}

var _ gen.Server = impl{}

func item(in *gen.GetIn) (*gen.Item, error) {
	switch in.ID {
	case 404:
		return nil, &gen.NotFoundError{ID: in.ID}
	case 409:
		return nil, &gen.ConflictError{}
	}
	note := in.UserID
	return &gen.Item{ID: in.ID, Name: "item", Note: &note}, nil
}

func (impl) Get(_ context.Context, in *gen.GetIn) (*gen.Item, error)       { return item(in) }
func (impl) Put(_ context.Context, in *gen.Item) (*gen.Item, error)        { return in, nil }
func (impl) Slow(_ context.Context, in *gen.Nothing) (*gen.Nothing, error) { return in, nil }
func (impl) Flaky(_ context.Context, in *gen.FlakyIn) (*gen.FlakyOut, error) {
	return &gen.FlakyOut{Calls: in.Failures}, nil
}
func (impl) Type(_ context.Context, in *gen.Func) (*gen.Range, error) {
	return &gen.Range{Ok: in.Enum == gen.TypeRange}, nil
}
func (impl) GetItem(_ context.Context, in *gen.GetIn) (*gen.Item, error)  { return item(in) }
func (impl) GetItem_(_ context.Context, in *gen.GetIn) (*gen.Item, error) { return item(in) }
func (impl) OldGet(_ context.Context, in *gen.GetIn) (*gen.Item, error)   { return item(in) }
func (impl) Older(_ context.Context, in *gen.GetIn) (*gen.Item, error)    { return item(in) }

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: server 127.0.0.1:PORT")
		os.Exit(2)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := gen.NewHandler(impl{}, brief.WithLogger(quiet))
	if err := http.ListenAndServe(os.Args[1], h); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
