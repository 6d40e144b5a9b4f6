// Matrix products, Cholesky and symmetric eigendecomposition at n = 1000, each as the raw
// OpenBLAS/LAPACKE call and through SuretyNumerics (see BenchmarkInputs). For the wrapper's
// overhead use `wrapper-overhead`, which interleaves the two; numpy_linalg.py times the same
// operations in NumPy.
import Benchmark
import BenchmarkInputs

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .milliseconds,
        warmupIterations: 2,
        maxDuration: .seconds(10),
        maxIterations: 30)

    let workload = LinearAlgebraWorkload()
    for pair in workload.pairs {
        Benchmark("\(pair.name) \(workload.n) raw") { benchmark in
            blackHole(pair.raw())
        }
        Benchmark("\(pair.name) \(workload.n) Matrix") { benchmark in
            blackHole(try pair.wrapped())
        }
    }
}
