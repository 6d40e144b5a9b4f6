"""A private kernel-density release over a dataset held in Spark, with Surety's `dpkde`.

Each Spark partition runs `dpkde build --partial` on its rows (un-noised, sensitive statistics),
the partials are added in a tree of `dpkde merge --partial` nodes on the executors (no noise:
exact 64-bit sums, so any tree gives the same result), and the driver releases once with
`dpkde merge --epsilon … --ledger …`. The release equals, byte for byte under a fixed test noise
seed, one `dpkde build` of the whole dataset (Examples/dpkde-spark/run.sh checks it).

  spark-submit --files /path/to/dpkde dpkde_spark.py --input data.parquet --epsilon 1 \\
      --ledger /secure/budget.json --ledger-budget 3 --bandwidth 2 --features 512 \\
      --feature-seed 7 --output release.dpkde

Trust boundary: partial files and the bytes that travel between executors and the driver are
as sensitive as the rows (they are exact sums). They stay in Spark's memory and shuffle and in
private temporary directories (mode 0700, files 0600) that are removed after use; keep the
cluster's shuffle storage and spill directories inside the boundary, as for the data itself.
Only the release written at the end is private.

Workers need the `dpkde` binary (shipped with --files or --dpkde, found through SparkFiles):
build it with `swift build -c release --static-swift-stdlib --product dpkde`, and it needs only
GSL, OpenBLAS and LAPACKE and the C/C++ runtime (Debian 12: libgsl27 libopenblas0 liblapacke;
see README.md beside this file).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile


def dpkde_binary(name):
    """The binary shipped to this executor (spark-submit --files, or SparkContext.addFile)."""
    from pyspark import SparkFiles
    path = SparkFiles.get(name)
    if not os.access(path, os.X_OK):
        os.chmod(path, 0o755)
    return path


def private_dir():
    path = tempfile.mkdtemp(prefix="dpkde-")
    os.chmod(path, 0o700)
    return path


def run(arguments):
    done = subprocess.run(arguments, capture_output=True, text=True)
    if done.returncode != 0:
        # The tool's messages name positions, never private values.
        raise RuntimeError(f"{os.path.basename(arguments[0])} {arguments[1]} failed ({done.returncode}): {done.stderr.strip()}")
    return done


def cell(value):
    """A cell as dpkde reads it: numbers exactly (repr round-trips a double); anything else as a
    token dpkde refuses by its position. A value that is not a number is never written, parsed
    here or printed: Python's float() would accept what dpkde refuses ("1_000") and name the value
    in its error."""
    if isinstance(value, bool):
        return "not-a-number"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if type(value).__name__ == "Decimal":
        return str(value)
    return "" if value is None else "not-a-number"


def build_partial(rows, columns, binary, build_options):
    """One partition's rows → the bytes of its partial file. The rows go to `dpkde build` through
    a pipe (never to disk: a worker killed mid-task would leave them behind); only the partial
    file (exact sums, mode 0600) touches a private temporary directory."""
    work = private_dir()
    try:
        text = ",".join(columns) + "\n" + "".join(",".join(cell(row[c]) for c in columns) + "\n" for row in rows)
        partial = os.path.join(work, "shard.partial")
        done = subprocess.run([binary, "build", "/dev/stdin", "--partial", "-o", partial] + build_options,
                              input=text, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"dpkde build failed on a partition ({done.returncode}): {done.stderr.strip()}")
        with open(partial, "rb") as f:
            return f.read()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def merge_partials(left, right, binary):
    """Two partial files' bytes → the bytes of the node that sums them (no noise)."""
    work = private_dir()
    try:
        paths = []
        for name, blob in (("a.partial", left), ("b.partial", right)):
            path = os.path.join(work, name)
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
                f.write(blob)
            paths.append(path)
        node = os.path.join(work, "node.partial")
        run([binary, "merge", "--partial"] + paths + ["-o", node])
        with open(node, "rb") as f:
            return f.read()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True, help="CSV (with a header row) or Parquet")
    parser.add_argument("--columns", help="comma-separated feature columns (default: every column)")
    parser.add_argument("--output", required=True, help="the release (written by dpkde merge, atomically)")
    parser.add_argument("--epsilon", type=float, required=True)
    parser.add_argument("--ledger", help="budget ledger (JSON) of this dataset, charged before the release is written")
    parser.add_argument("--ledger-budget", type=float)
    parser.add_argument("--bandwidth", type=float, required=True)
    parser.add_argument("--features", type=int, required=True)
    parser.add_argument("--feature-seed", type=int, required=True, help="public: every partition uses the same features")
    parser.add_argument("--kernel", default="gaussian")
    parser.add_argument("--partitions", type=int, help="repartition the input into this many shards")
    parser.add_argument("--depth", type=int, default=2, help="depth of the merge tree on the executors")
    parser.add_argument("--dpkde", help="the dpkde binary on the driver, shipped to the executors with SparkContext.addFile "
                        "(default: the one given to spark-submit --files, named dpkde)")
    parser.add_argument("--master", help="Spark master when run with python directly (e.g. local[2])")
    parser.add_argument("--insecure-noise-seed", type=int, help="seeded noise, for tests only: the release is NOT PRIVATE")
    args = parser.parse_args(argv)

    from pyspark.sql import SparkSession
    builder = SparkSession.builder.appName("dpkde-release")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        if args.input.endswith(".parquet") or os.path.isdir(args.input):
            frame = spark.read.parquet(args.input)
        else:
            frame = spark.read.option("header", True).option("inferSchema", True).csv(args.input)
        columns = args.columns.split(",") if args.columns else frame.columns
        frame = frame.select(*columns)
        if args.partitions:
            frame = frame.repartition(args.partitions)
        build_options = ["--kernel", args.kernel, "--bandwidth", repr(args.bandwidth), "--features", str(args.features),
                         "--feature-seed", str(args.feature_seed)]
        binary = os.path.basename(args.dpkde) if args.dpkde else "dpkde"
        if args.dpkde:
            spark.sparkContext.addFile(os.path.abspath(args.dpkde))
        shards = frame.rdd.mapPartitions(lambda rows: [build_partial(rows, columns, dpkde_binary(binary), build_options)])
        root = shards.treeReduce(lambda a, b: merge_partials(a, b, dpkde_binary(binary)), depth=args.depth)
    finally:
        spark.stop()

    driver_binary = args.dpkde or shutil.which("dpkde") or sys.exit("give --dpkde: the driver runs the release")
    work = private_dir()
    try:
        partial = os.path.join(work, "root.partial")
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
            f.write(root)
        release = [driver_binary, "merge", partial, "--epsilon", repr(args.epsilon), "-o", args.output]
        if args.ledger:
            release += ["--ledger", args.ledger]
        if args.ledger_budget is not None:
            release += ["--ledger-budget", repr(args.ledger_budget)]
        if args.insecure_noise_seed is not None:
            release += ["--insecure-noise-seed", str(args.insecure_noise_seed)]
        done = run(release)
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
