#!/usr/bin/env python3
"""Validates SARIF logs against the SARIF 2.1.0 JSON schema: validate-sarif.py SCHEMA LOG..."""
import json
import sys

import jsonschema


def main() -> int:
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    failed = 0
    for path in sys.argv[2:]:
        log = json.load(open(path, encoding="utf-8"))
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
        for e in errors:
            print(f"{path}: {'/'.join(map(str, e.path))}: {e.message}", file=sys.stderr)
        failed += bool(errors)
        results = sum(len(r.get("results", [])) for r in log["runs"])
        print(f"{path}: {'INVALID' if errors else 'valid'} ({results} results)")
    print(f"{len(sys.argv) - 2 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
