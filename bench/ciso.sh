#!/usr/bin/env bash
# `evident import ciso-assistant` against parsing the same library with the YAML crate alone
# (examples/ciso_parse.rs: serde_norway into its generic value). The goal: the import (parse,
# check, build the template and actions, plan, check every generated file against its schema)
# within 2x of the parse.
#   bench/ciso.sh [FILE.yaml]     default tests/data/ciso/dora.yaml (682 nodes); for thousands
#                                 of nodes take e.g. nzism-3.yaml (5,880 nodes) from CISO
#                                 Assistant's backend/library/libraries/. See bench/README.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FILE=${1:-$ROOT/tests/data/ciso/dora.yaml}
[[ -f $FILE ]] || { echo "$SCRIPT: no file $FILE" >&2; exit 2; }
if [[ -z ${NO_BUILD:-} ]]; then
    echo "== building (cargo build --release, example ciso_parse)" >&2
    (cd "$ROOT" && cargo build --release --quiet && cargo build --release --quiet --example ciso_parse)
fi
PARSE=$TARGET/release/examples/ciso_parse
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$EVIDENT" init --no-git "$OUT/empty" > /dev/null 2>&1
"$EVIDENT" init --no-git "$OUT/full" > /dev/null 2>&1
"$EVIDENT" --repo "$OUT/full" import ciso-assistant "$FILE" --template t > /dev/null 2>&1
nodes=$("$PARSE" "$FILE")

parse() { "$PARSE" "$FILE"; }
dry_run() { "$EVIDENT" --repo "$OUT/empty" import ciso-assistant "$FILE" --template t --dry-run; }
fresh() {
    rm -rf "$OUT/fresh" && mkdir "$OUT/fresh" && : > "$OUT/fresh/evident.toml"
    "$EVIDENT" --repo "$OUT/fresh" import ciso-assistant "$FILE" --template t
}
again() { "$EVIDENT" --repo "$OUT/full" import ciso-assistant "$FILE" --template t; }

echo "== timing ($RUNS runs each, after a warm-up run)" >&2
time_runs "serde_norway parse alone (floor)" "$(peak_rss_kib "$PARSE" "$FILE")" parse
time_runs "import --dry-run (empty repository)" "$(peak_rss_kib "$EVIDENT" --repo "$OUT/empty" import ciso-assistant "$FILE" --template t --dry-run)" dry_run
time_runs "import, writing every file (new repository)" - fresh
time_runs "re-import, unchanged (loads the imported repository)" - again
print_table "== $(basename "$FILE"): $nodes requirement nodes, $(wc -c < "$FILE") bytes"
