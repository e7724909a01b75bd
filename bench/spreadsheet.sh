#!/usr/bin/env bash
# `evident export actions` and `evident import actions` on a synthetic repository, one row per
# state file (20 assessments x 500 actions = 10,000 rows by default; ASSESSMENTS=100 for 50,000),
# against `evident validate` on the same repository (the cost of loading it). Run it at two sizes
# to see that the time grows linearly with the rows. See bench/README.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build
prepare_repo 0
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$EVIDENT" --repo "$REPO" export actions --format csv --out "$OUT/actions.csv" 2> /dev/null
"$EVIDENT" --repo "$REPO" export actions --format xlsx --out "$OUT/actions.xlsx" 2> /dev/null
# Every row gets another owner (the next person of [people]): an import that changes every file.
python3 - "$REPO/evident.toml" "$OUT/actions.csv" "$OUT/changed.csv" << 'PY'
import csv, re, sys
people = re.findall(r'"([^"]+@[^"]+)"\s*=', open(sys.argv[1]).read())
rows = list(csv.reader(open(sys.argv[2], newline="")))
owner = rows[0].index("Owner")
for r in rows[1:]:
    r[owner] = people[(people.index(r[owner]) + 1) % len(people)] if r[owner] in people else people[0]
csv.writer(open(sys.argv[3], "w", newline="")).writerows(rows)
PY
rows=$(($(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))))' "$OUT/actions.csv") - 1))

ev_validate() { "$EVIDENT" --repo "$REPO" validate --format json; }
ev_export_csv() { "$EVIDENT" --repo "$REPO" export actions --format csv --out "$OUT/e.csv"; }
ev_export_xlsx() { "$EVIDENT" --repo "$REPO" export actions --format xlsx --out "$OUT/e.xlsx"; }
ev_import_csv() { "$EVIDENT" --repo "$REPO" import actions "$OUT/actions.csv"; }
ev_import_xlsx() { "$EVIDENT" --repo "$REPO" import actions "$OUT/actions.xlsx"; }
ev_import_changed() { "$EVIDENT" --repo "$REPO" import actions "$OUT/changed.csv" --dry-run; }

echo "== timing ($RUNS runs each, after a warm-up run)" >&2
time_runs "evident validate (loading: the reference)" - ev_validate
time_runs "export actions --format csv" "$(peak_rss_kib "$EVIDENT" --repo "$REPO" export actions --format csv --out "$OUT/e.csv")" ev_export_csv
time_runs "export actions --format xlsx" "$(peak_rss_kib "$EVIDENT" --repo "$REPO" export actions --format xlsx --out "$OUT/e.xlsx")" ev_export_xlsx
time_runs "import actions (csv, unchanged)" "$(peak_rss_kib "$EVIDENT" --repo "$REPO" import actions "$OUT/actions.csv")" ev_import_csv
time_runs "import actions (xlsx, unchanged)" "$(peak_rss_kib "$EVIDENT" --repo "$REPO" import actions "$OUT/actions.xlsx")" ev_import_xlsx
time_runs "import actions (csv, every owner changed, --dry-run)" "$(peak_rss_kib "$EVIDENT" --repo "$REPO" import actions "$OUT/changed.csv" --dry-run)" ev_import_changed
print_table "== $rows rows ($REPO)"
