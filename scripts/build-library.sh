#!/bin/sh
# Regenerates the templates built into evident (src/library/data/*.zip) with
# evident's own importers: NIST SP 800-53 rev5 from NIST's OSCAL (catalog and
# LOW, MODERATE, HIGH baselines as resolved profile catalogs, from
# usnistgov/oscal-content nist.gov/SP800-53/rev5/json) and the CISO Assistant
# libraries of tests/data/ciso. Run at release time, naming the folders that
# hold NIST's JSON files (e.g. a checkout's nist.gov/SP800-53/rev5/json):
#   scripts/build-library.sh DIR...
# Each zip holds templates/<id>.toml and actions/*.toml exactly as the import
# wrote them. tests/cli/library.rs checks the CISO ones against a fresh import.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || { echo "usage: scripts/build-library.sh DIR..." >&2; exit 2; }
# The first file named like $1 (with or without -min) in the folders given.
nist() {
  for d in $dirs; do
    for f in "$d/$1.json" "$d/$1-min.json"; do [ -s "$f" ] && { echo "$f"; return; }; done
  done
  echo "missing $1.json in $dirs" >&2; return 1
}
dirs="$*"
out=$here/src/library/data
cargo build --quiet --manifest-path "$here/Cargo.toml"
evident=$here/target/debug/evident
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pack() { # id, command...
  id=$1; shift
  repo=$work/$id
  "$evident" init --no-git "$repo" >/dev/null 2>&1
  (cd "$repo" && "$evident" "$@" >/dev/null)
  python3 - "$repo" "$out/$id.zip" <<'PY'
import sys, os, zipfile
repo, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for folder in ("templates", "actions"):
        for name in sorted(os.listdir(os.path.join(repo, folder))):
            if name.endswith(".toml"):
                info = zipfile.ZipInfo(f"{folder}/{name}", date_time=(2026, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, open(os.path.join(repo, folder, name), "rb").read())
PY
  echo "$id: $(wc -c < "$out/$id.zip") bytes"
}

# The full catalog: NIST_SP-800-53_rev5_catalog.json (release 5.2.0 is bundled; tests/data/oscal
# has it, minified), else the 5.0.1 JSON.
cat=$(nist NIST_SP-800-53_rev5_catalog 2>/dev/null || nist NIST_SP-800-53_rev5_catalog_v5.0.1)
pack nist-800-53-rev5 import oscal --catalog "$cat" --template nist-800-53-rev5
for level in low moderate high; do
  LEVEL=$(echo $level | tr a-z A-Z)
  pack nist-800-53-rev5-$level import oscal --template nist-800-53-rev5-$level \
    --catalog "$(nist NIST_SP-800-53_rev5_${LEVEL}-baseline-resolved-profile_catalog)"
done
for lib in dora finma-2023-01 cisa-cpg-2.0; do
  pack "$lib" import ciso-assistant "$here/tests/data/ciso/$lib.yaml"
done
