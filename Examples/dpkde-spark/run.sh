#!/usr/bin/env bash
# Runs the Spark job (dpkde_spark.py) in local[2] mode on 10^5 rows, from CSV and from Parquet,
# and checks that each release equals, byte for byte under a fixed test noise seed, one
# `dpkde build` of the same rows. Installs what it needs on first use: pyspark into the
# project's python/.venv (python/setup-venv.sh makes it), and a Java runtime (Debian's
# openjdk-17-jre-headless) when there is none. DPKDE=path uses that binary; by default the debug
# build that the test suite leaves.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
"$root/python/setup-venv.sh"
venv="$root/python/.venv"
if ! "$venv/bin/python" -c "import pyspark" 2>/dev/null; then
    "$venv/bin/python" -m pip install -q "pyspark==4.3.0"
fi
if ! command -v java >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
    export DEBIAN_FRONTEND=noninteractive
    { "${sudo[@]}" apt-get install -y -qq openjdk-17-jre-headless || { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq openjdk-17-jre-headless; }; } >/dev/null
fi
binary="${DPKDE:-$root/.build/debug/dpkde}"
[ -x "$binary" ] || (cd "$root" && swift build --product dpkde)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
"$venv/bin/python" - <<'PY'
import random
random.seed(2026)
with open("data.csv", "w") as out:
    out.write("a,b,c,d\n")
    for _ in range(100_000):
        out.write(",".join(repr(random.gauss(0, 1)) for _ in range(4)) + "\n")
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[2]").appName("to-parquet").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
spark.read.option("header", True).option("inferSchema", True).csv("data.csv").write.parquet("data.parquet")
spark.stop()
PY
options=(--bandwidth 1.5 --features 64 --feature-seed 7 --epsilon 1 --insecure-noise-seed 5)
"$binary" build data.csv "${options[@]}" -o single.dpkde 2>/dev/null >/dev/null
for input in data.csv data.parquet; do
    start=$(date +%s)
    "$venv/bin/python" "$here/dpkde_spark.py" --master "local[2]" --input "$input" --partitions 8 --depth 2 \
        --dpkde "$binary" "${options[@]}" --output "spark-${input%%.*}-${input##*.}.dpkde" > /dev/null 2>&1
    cmp "spark-${input%%.*}-${input##*.}.dpkde" single.dpkde
    echo "$input: the Spark release (8 partitions, a depth-2 merge tree) equals one dpkde build, byte for byte ($(( $(date +%s) - start )) s)"
done
