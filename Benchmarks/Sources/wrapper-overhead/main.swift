// Measures the cost of SuretyNumerics' wrappers over the raw BLAS/LAPACK calls at n = 1000
// by *paired, interleaved* timing: each round runs raw then wrapped (alternating which goes
// first), so slow drifts of a shared machine hit both alike. Reports per operation the
// median of the per-round ratios wrapped/raw, and the minimum time of each.
//
//   swift run -c release wrapper-overhead [rounds]
//
// Timing on a shared machine is noisy at the level of a few percent, so the tool also has a
// deterministic mode for instruction counting under valgrind: `--once setup`, `--once raw
// NAME` and `--once wrapped NAME` build the inputs and run one operation once (or nothing);
// Benchmarks/instruction-overhead.sh subtracts the counts.
import BenchmarkInputs
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let workload = LinearAlgebraWorkload()

if arguments.first == "--once" {
    let mode = arguments.count > 1 ? arguments[1] : "setup"
    if mode != "setup" {
        guard arguments.count > 2, let pair = workload.pairs.first(where: { $0.name == arguments[2] }) else {
            FileHandle.standardError.write(Data("usage: wrapper-overhead --once setup | raw NAME | wrapped NAME (NAME: \(workload.pairs.map(\.name)))\n".utf8))
            exit(64)
        }
        let value = mode == "raw" ? pair.raw() : try pair.wrapped()
        if value.isNaN { print(value) }
    }
    exit(0)
}

let rounds = arguments.first.flatMap(Int.init) ?? 21
nonisolated(unsafe) var sink = 0.0

/// Runs `body` once; returns the elapsed seconds and adds its result to `sink`.
func seconds(_ body: () throws -> Double) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    let value = try body()
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    sink += value
    return elapsed
}

print("operation   rounds   raw min (ms)   wrapped min (ms)   median wrapped/raw   overhead")
for pair in workload.pairs {
    _ = pair.raw(); _ = try pair.wrapped()  // warm-up
    var raw = [Double](), wrapped = [Double](), ratios = [Double]()
    for round in 0..<rounds {
        let r: Double, w: Double
        if round % 2 == 0 {
            r = seconds(pair.raw); w = try seconds(pair.wrapped)
        } else {
            w = try seconds(pair.wrapped); r = seconds(pair.raw)
        }
        raw.append(r); wrapped.append(w); ratios.append(w / r)
    }
    let median = ratios.sorted()[ratios.count / 2]
    print(pair.name.padding(toLength: 10, withPad: " ", startingAt: 0),
          String(format: "%7d   %12.2f   %16.2f   %18.4f   %+7.2f%%", rounds, raw.min()! * 1e3, wrapped.min()! * 1e3, median, (median - 1) * 100))
}
if sink.isNaN { print(sink) }
