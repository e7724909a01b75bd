#!/usr/bin/env python3
"""Automatic test of `tls-in-transit`: every endpoint in the TLS inventory requires TLS 1.2 or later.

Reads config/tls.conf (an export of the minimum TLS version of each public endpoint, one
`endpoint = version` per line) and exits 0 when every endpoint meets --min, 1 when one does
not, 2 when the inventory cannot be read. Runs offline, from the repository root, as
`evident test` runs it.
"""

import argparse
import sys


def version(text):
    parts = text.strip().split(".")
    return tuple(int(p) for p in parts)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="config/tls.conf")
    parser.add_argument("--min", default="1.2")
    args = parser.parse_args()
    minimum = version(args.min)
    try:
        with open(args.config, encoding="utf-8") as f:
            lines = f.readlines()
    except OSError as e:
        print(f"cannot read {args.config}: {e}", file=sys.stderr)
        return 2
    weak = []
    checked = 0
    for number, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" not in line:
            print(f"{args.config}:{number}: expected `endpoint = version`", file=sys.stderr)
            return 2
        endpoint, value = (p.strip() for p in line.split("=", 1))
        checked += 1
        ok = version(value) >= minimum
        print(f"{'ok  ' if ok else 'WEAK'} {endpoint}: minimum TLS {value}")
        if not ok:
            weak.append(endpoint)
    print(f"{checked} endpoints checked, {len(weak)} below TLS {args.min}")
    return 1 if weak else 0


if __name__ == "__main__":
    sys.exit(main())
