#!/usr/bin/env python3
"""Writes an N-service corpus twice, as a .brief project and as equivalent .proto files.

Used by scripts/bench-vs-protoc.sh. Deterministic: same N, same bytes.
"""
import os
import sys

# The benchmark contract, shared with the criterion bench (compiler/benches/check.rs).
BRIEF = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-contract.brief")).read()

PROTO = '''syntax = "proto3";
package {pkg};
import "google/protobuf/timestamp.proto";

// Generated service {i}
service Svc {{
  // Fetch one item
  rpc getItem (GetItemIn) returns (Item);
  // Store an item
  rpc putItem (PutItemIn) returns (Item);
  // List items
  rpc listItems (ListIn) returns (ListOut);
}}

message GetItemIn {{
  int64 id = 1; // Item id
}}

message PutItemIn {{
  string name = 1;
  bytes content = 2;
  map<string, string> tags = 3;
  optional Kind kind = 4;
}}

message Item {{
  int64 id = 1;
  string name = 2;
  Kind kind = 3;
  google.protobuf.Timestamp createdAt = 4;
  repeated int64 sizes = 5;
  double ratio = 6;
  bool active = 7;
}}

message ListIn {{
  map<string, string> filter = 1;
  int64 limit = 2;
  optional string cursor = 3;
}}

message ListOut {{
  repeated Item items = 1;
  optional string next = 2;
}}

message ItemStored {{
  int64 id = 1;
  google.protobuf.Timestamp at = 2;
  string owner = 3;
}}

enum Kind {{
  KIND_SMALL = 0;
  KIND_MEDIUM = 1;
  KIND_LARGE = 2;
}}

message NotFound {{
  int64 id = 1;
}}
'''


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    brief = os.path.join(out, "brief")
    proto = os.path.join(out, "proto")
    os.makedirs(os.path.join(brief, "rpc"), exist_ok=True)
    os.makedirs(proto, exist_ok=True)
    app = ['name = "bench"\n']
    for i in range(n):
        name = f"dep{i}"
        app.append(f'[[dependencies]]\nname = "{name}"\n')
        with open(os.path.join(brief, "rpc", f"{name}.brief"), "w") as f:
            f.write(BRIEF.replace("@NAME@", name).replace("@SEED@", str(i)))
        with open(os.path.join(proto, f"{name}.proto"), "w") as f:
            f.write(PROTO.format(pkg=name, i=i))
    with open(os.path.join(brief, "app.toml"), "w") as f:
        f.write("".join(app))
    with open(os.path.join(brief, "service.brief"), "w") as f:
        f.write(BRIEF.replace("@NAME@", "bench").replace("@SEED@", str(n)))
    with open(os.path.join(proto, "bench.proto"), "w") as f:
        f.write(PROTO.format(pkg="bench", i=n))


if __name__ == "__main__":
    main()
