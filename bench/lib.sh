# Shared by the bench/ scripts: build, generate a repository, time commands.
# Settings (environment variables):
#   RUNS=5           timed runs of each command (after one warm-up run)
#   ASSESSMENTS=20   ACTIONS=500   TEMPLATES=5   SEED=42    shape of the generated repository
#   COMMITS=...      commits of history in the generated repository (0: not a git repository)
#   REPO=DIR         benchmark an existing repository instead of generating one
#   NO_BUILD=1       skip `cargo build --release` (use the binaries already built)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}
ASSESSMENTS=${ASSESSMENTS:-20}
ACTIONS=${ACTIONS:-500}
TEMPLATES=${TEMPLATES:-5}
SEED=${SEED:-42}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
EVIDENT=$TARGET/release/evident
GEN=$TARGET/release/examples/gen
NPROC=$(nproc 2> /dev/null || echo 2)
SCRIPT=$(basename "$0")

for tool in cargo git python3; do
    command -v "$tool" > /dev/null || { echo "$SCRIPT: $tool is required" >&2; exit 2; }
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "$SCRIPT: RUNS must be a positive integer" >&2; exit 2; }

build() {
    # NO_BUILD=1: use the binaries already in $TARGET/release.
    [[ -n ${NO_BUILD:-} ]] && return
    echo "== building (cargo build --release, example gen)" >&2
    (cd "$ROOT" && cargo build --release --quiet && cargo build --release --quiet --example gen)
}

# The repository: generated once, reused while the generator and its arguments are unchanged.
# prepare_repo COMMITS [MAX_CHANGES]: MAX_CHANGES (default 5) bounds the state files a commit
# changes.
prepare_repo() {
    local commits=$1 max_changes=${2:-5}
    if [[ -n ${REPO:-} ]]; then
        [[ -f $REPO/evident.toml ]] || { echo "$SCRIPT: no evident.toml in $REPO" >&2; exit 2; }
        return
    fi
    REPO=$ROOT/bench/out/repo-${ASSESSMENTS}x${ACTIONS}
    [[ $commits != 1000 ]] && REPO+="-c$commits"
    [[ $max_changes != 5 ]] && REPO+="-m$max_changes"
    local gen_args=(--assessments "$ASSESSMENTS" --actions "$ACTIONS" --templates "$TEMPLATES" --seed "$SEED")
    [[ $commits != 0 ]] && gen_args+=(--commits "$commits")
    [[ $max_changes != 5 ]] && gen_args+=(--max-changes "$max_changes")
    # The generator's sources (its folder and the files it shares with the other examples).
    local stamp="${gen_args[*]} gen=$(cat "$ROOT"/examples/gen/*.rs "$ROOT"/examples/common/*.rs | sha256sum | cut -c1-16)"
    if [[ -f $REPO/evident.toml && -f $REPO.stamp && $(cat "$REPO.stamp") == "$stamp" ]]; then
        echo "== reusing $REPO" >&2
    else
        echo "== generating $REPO (${gen_args[*]})" >&2
        mkdir -p "$(dirname "$REPO")"
        rm -f "$REPO.stamp"
        "$GEN" --out "$REPO" --force "${gen_args[@]}"
        echo "$stamp" > "$REPO.stamp"
    fi
}

if [[ $(date +%N) =~ ^[0-9]+$ ]]; then
    now_ns() { date +%s%N; }
else
    now_ns() { python3 -c 'import time; print(time.time_ns())'; }
fi

# Peak RSS (KiB) of one run of a command: GNU time if it works here, else python3's wait4.
if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M -o /dev/null true 2> /dev/null; then
    RSS_TOOL="/usr/bin/time -f %M"
    peak_rss_kib() {
        local out
        out=$(mktemp)
        /usr/bin/time -f %M -o "$out" "$@" > /dev/null 2>&1 || true
        tail -n 1 "$out"
        rm -f "$out"
    }
else
    RSS_TOOL="python3 os.wait4"
    peak_rss_kib() {
        python3 - "$@" << 'EOF' 2> /dev/null || echo "n/a"
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, _, usage = os.wait4(p.pid, 0)
# ru_maxrss is in KiB on Linux and in bytes on macOS.
print(usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss)
EOF
    }
fi

# children_cpu_us: sets CPU_US to the user + sys CPU time (µs) of every child this shell has
# waited for so far, from bash's `times` (a builtin, run without a subshell: a subshell would
# count only its own children). It covers every process a command runs (git's children too).
children_cpu_us() {
    local _ user sys total=0 t
    times > "$CPU_FILE"
    { read -r _ && read -r user sys; } < "$CPU_FILE"
    for t in "$user" "$sys"; do
        [[ $t =~ ^([0-9]+)m([0-9]+)[.,]([0-9]{3})s$ ]] || { CPU_US=0; return; }
        total=$((total + (10#${BASH_REMATCH[1]} * 60 + 10#${BASH_REMATCH[2]}) * 1000000 + 10#${BASH_REMATCH[3]} * 1000))
    done
    CPU_US=$total
}

# time_runs NAME RSS FUNCTION: one warm-up run, then RUNS timed runs; appends
# "NAME|RSS|t1 t2 ...|c1 c2 ..." (wall and CPU µs). RSS is "-" or the KiB of a separate run.
RESULTS=()
time_runs() {
    local name=$1 rss=$2 fn=$3 times=() cpus=() t0 t1 c0 rc
    CPU_FILE=$(mktemp)
    "$fn" > /dev/null 2>&1 || true
    for ((i = 0; i < RUNS; i++)); do
        rc=0
        children_cpu_us
        c0=$CPU_US
        t0=$(now_ns)
        "$fn" > /dev/null 2>&1 || rc=$?
        t1=$(now_ns)
        children_cpu_us
        if ((rc > 1)); then
            echo "$SCRIPT: $name failed with exit code $rc" >&2
            rm -f "$CPU_FILE"
            exit 1
        fi
        times+=($(((t1 - t0) / 1000)))
        cpus+=($((CPU_US - c0)))
    done
    rm -f "$CPU_FILE"
    RESULTS+=("$name|$rss|${times[*]}|${cpus[*]}")
}

tool_rev() {
    local rev
    rev=$(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo "?")
    [[ -n $(git -C "$ROOT" status --porcelain -- src Cargo.toml Cargo.lock 2> /dev/null) ]] && rev+="+dirty"
    echo "$rev"
}

# print_table HEADER...: the RESULTS as a table; a row's ratio is its median over
# the median of the row named by its "ratio to" (the first row by default), for wall
# time and for CPU time (user + sys of every process the command ran; on a loaded
# machine the steadier of the two).
# A name "X vs Y" is shown as X with its ratio to the row named Y.
print_table() {
    python3 - "$RUNS" "$RSS_TOOL" "$EVIDENT ($(tool_rev)); $NPROC CPUs" "$@" -- "${RESULTS[@]}" << 'EOF'
import statistics, sys
args = sys.argv[1:]
runs, rss_tool, tool = args[0], args[1], args[2]
split = args.index("--")
headers, results = args[3:split], args[split + 1:]
rows = {}
order = []
for arg in results:
    name, rss, times, cpus = arg.split("|")
    ms = [int(t) / 1000 for t in times.split()]
    cpu = [int(t) / 1000 for t in cpus.split()]
    rows[name] = (min(ms), statistics.median(ms), rss, statistics.median(cpu))
    order.append(name)
# A reference may name a row by its shown name (the part before " vs ").
for name in list(order):
    rows.setdefault(name.split(" vs ")[0], rows[name])
for h in headers:
    print(h)
print(f"evident: {tool}; {runs} runs each; peak RSS via {rss_tool}")
print()
print(f"{'command':<58}{'min ms':>9}{'median ms':>11}{'ratio':>8}{'CPU ms':>9}{'CPU ratio':>11}{'peak RSS':>11}")
first = order[0]
for name in order:
    shown, ref = (name.split(" vs ") + [None])[:2]
    # Rows are compared with the first row, or with the row their name names after "vs".
    ref = ref or first
    lo, med, rss, cpu = rows[name]
    ratio = f"{med / rows[ref][1]:.2f}" if ref in rows and rows[ref][1] > 0 else "-"
    cpu_ratio = f"{cpu / rows[ref][3]:.2f}" if ref in rows and rows[ref][3] > 0 else "-"
    mem = f"{int(rss) / 1024:.1f} MiB" if rss.isdigit() else "-"
    print(f"{shown:<58}{lo:>9.1f}{med:>11.1f}{ratio:>8}{cpu:>9.1f}{cpu_ratio:>11}{mem:>11}")
print()
print("ratio = median / median of the reference row (the first row unless the name says `vs`);")
print("CPU = user + sys time of every process the command ran (median); CPU ratio likewise")
EOF
}
