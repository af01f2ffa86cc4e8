// Package brief is the Go runtime of the brief wire protocol (docs/protocol.md).
//
// Generated Go code links against this package: message types are plain Go
// structs encoded with [Marshal] / [Unmarshal], clients call [Call] with an
// [RPC] descriptor, servers register handlers with [Handle] on a [Server],
// and events go through [Bus] and [HandleEvent].
//
// The package uses the standard library only.
package brief
