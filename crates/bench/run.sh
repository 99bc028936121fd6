#!/usr/bin/env bash
# Whole-process measurements of tplc, as reported in docs/performance.md.
#
#   crates/bench/run.sh            # everything below, about 5 minutes on 2 cores
#   RUNS=10 crates/bench/run.sh    # more runs per figure (default 5)
#   TEMPLATES=2000 crates/bench/run.sh
#
# Needs: hyperfine (`apt-get install hyperfine`), GNU time (`apt-get install time`, for
# peak RSS), grep, python3 (to turn the lexicons into a grep pattern). Corpora are
# generated under target/bench-corpus (never committed); the same seed gives the same
# bytes on every machine.
#
# Prints, for each figure, hyperfine's mean ± σ and median, then a summary with
# throughput (MB/s of template source), MB/s per core (bytes / CPU time) and the ratio to
# the `grep -c -i -E` floor over the same bytes with the rules' lexicons.
# Last, the peak RSS of `tplc lsp` with 1,000 open documents (crates/bench/lsp_rss.py).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$ROOT/target/bench-corpus}
RUNS=${RUNS:-5}
TEMPLATES=${TEMPLATES:-10000}
TPLC=$ROOT/target/release/tplc
CORPUS=$ROOT/target/release/tplc-corpus

cd "$ROOT"
cargo build --release -p tplc -p tplc-bench
rm -rf "$OUT"
mkdir -p "$OUT"

# Two catalogues of the same shape: one with 10% of templates breaking the policy (for
# check), one clean (a build only writes artifacts when there are no errors).
"$CORPUS" "$OUT/check" --templates "$TEMPLATES" --violations 0.1 --seed 1
"$CORPUS" "$OUT/build" --templates "$TEMPLATES" --violations 0 --seed 1
BYTES=$(find "$OUT/check" -name '*.tplc' -print0 | xargs -0 cat | wc -c)
find "$OUT/check" -name '*.tplc' -print0 | xargs -0 cat > "$OUT/all.tplc.txt"

# The grep floor: every lexicon entry (wildcards dropped) as one extended regex.
python3 - "$ROOT/crates/rules/lexicons" > "$OUT/lexicon.pat" <<'PY'
import glob, re, sys, tomllib
words = set()
for f in glob.glob(sys.argv[1] + "/*.toml"):
    with open(f, "rb") as fh:
        for cat, entries in tomllib.load(fh)["words"].items():
            if not cat.startswith("not_"):
                words.update(w.strip("*") for w in entries if w.strip("*"))
for w in sorted(words):
    print(re.sub(r"([.\[\]{}()\\*+?^$|])", r"\\\1", w))
PY

json() { echo "$OUT/$1.json"; }
hf() { # name, command
    hyperfine --warmup 1 --runs "$RUNS" --ignore-failure --export-json "$(json "$1")" \
        --command-name "$1" "$2"
}

hf grep-floor "grep -c -i -E -f $OUT/lexicon.pat $OUT/all.tplc.txt"
hf check-10k "$TPLC check $OUT/check --format json --color never > /dev/null"
hf check-10k-1core "taskset -c 0 $TPLC check $OUT/check --format json --color never > /dev/null"
hf build-10k "$TPLC build $OUT/build --out $OUT/dist --format json > /dev/null"

# Peak RSS (GNU time).
rss() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }
RSS_CHECK=$(rss "$TPLC" check "$OUT/check" --format json --color never || true)
RSS_BUILD=$(rss "$TPLC" build "$OUT/build" --out "$OUT/dist" --format json || true)

# Scaling: one template of 1 KB to 128 KB (the file limit), two shapes (see docs/performance.md).
for shape in flat catalogue; do
    for n in 1000 10000 100000 128000; do
        flag=""
        [ "$shape" = flat ] && flag="--flat"
        "$CORPUS" "$OUT/$shape-$n" --single "$n" $flag > /dev/null
        hf "scale-$shape-$n" "$TPLC check $OUT/$shape-$n --format json --color never > /dev/null"
    done
done

python3 - "$OUT" "$BYTES" "$RSS_CHECK" "$RSS_BUILD" <<'PY'
import json, os, sys
out, total, rss_check, rss_build = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def r(name):
    with open(f"{out}/{name}.json") as fh:
        res = json.load(fh)["results"][0]
    times = sorted(res["times"])
    med = times[len(times) // 2]
    cpu = res["user"] + res["system"]
    return med, res["stddev"] or 0.0, cpu
mb = total / 1e6
g, gs, gcpu = r("grep-floor")
c, cs, ccpu = r("check-10k")
c1, c1s, c1cpu = r("check-10k-1core")
b, bs, bcpu = r("build-10k")
print()
print(f"corpus: {mb:.1f} MB of .tplc")
print(f"grep floor        : median {g*1e3:8.1f} ms ±{gs*1e3:.1f}  {mb/g:8.1f} MB/s")
print(f"check, 2 cores    : median {c*1e3:8.1f} ms ±{cs*1e3:.1f}  {mb/c:8.1f} MB/s wall, {mb/ccpu:.1f} MB/s per core (CPU {ccpu:.2f} s), {c/g:.1f}x grep, peak RSS {int(rss_check)/1024:.0f} MB")
print(f"check, 1 core     : median {c1*1e3:8.1f} ms ±{c1s*1e3:.1f}  {mb/c1:8.1f} MB/s")
print(f"build, 2 cores    : median {b*1e3:8.1f} ms ±{bs*1e3:.1f}  peak RSS {int(rss_build)/1024:.0f} MB")
print("scaling (check of one template, whole process):")
for shape in ("flat", "catalogue"):
    for n in (1000, 10000, 100000, 128000):
        p = f"{out}/scale-{shape}-{n}.json"
        if not os.path.exists(p):
            print(f"  {shape:9} {n:>8} B: skipped")
            continue
        t, s, cpu = r(f"scale-{shape}-{n}")
        size = os.path.getsize(f"{out}/{shape}-{n}/single.tplc")
        print(f"  {shape:9} {n:>8} B: median {t*1e3:8.1f} ms ±{s*1e3:.1f}  {size/1e6/t:6.2f} MB/s")
PY

cat <<'EOF'

In-process figures (not part of this script, each under 3 minutes):
  cargo bench -p tplc-bench --bench check    # corpus throughput and the 1 KB - 128 KB curve
  cargo bench -p tplc-bench --bench peers    # tplc check+compile vs minijinja add_template
  cargo bench -p tplc-lsp --bench did_change # didChange -> publishDiagnostics: 1,000 lines, documents at the file limit
EOF

# Language server memory with 1,000 open documents.
"$CORPUS" "$OUT/lsp-1000" --templates 1000 --violations 0.1 --seed 1 > /dev/null
python3 "$ROOT/crates/bench/lsp_rss.py" "$OUT/lsp-1000" 1000
