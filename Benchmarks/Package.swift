// swift-tools-version: 6.1
// Surety's benchmarks, kept in their own package so that the benchmark framework and its
// malloc interposer never enter the library's build. Run from this folder:
//   OPENBLAS_NUM_THREADS=1 swift package benchmark
import PackageDescription

let package = Package(
    name: "SuretyBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Surety", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The shared workload: inputs and raw/wrapped pairs.
        .target(
            name: "BenchmarkInputs",
            dependencies: [
                .product(name: "SuretyNumerics", package: "Surety"),
                .product(name: "CLinAlg", package: "Surety"),
            ]
        ),
        // Paired, interleaved timing of wrapper against raw call: the overhead verdict.
        .executableTarget(name: "wrapper-overhead", dependencies: ["BenchmarkInputs"]),
        // Streaming a large CSV: throughput and bounded memory.
        .executableTarget(name: "csv-stream", dependencies: [.product(name: "SuretyData", package: "Surety")]),
        // Split conformal against MAPIE and crepes (driven by conformal_peers.py).
        .executableTarget(
            name: "conformal-bench",
            dependencies: [
                .product(name: "Conformal", package: "Surety"),
                .product(name: "SuretyData", package: "Surety"),
            ]
        ),
        // Circuit compilation and batched marginals on COLEP's GTSRB knowledge (spec §1.5).
        .executableTarget(
            name: "circuit-bench",
            dependencies: [
                "BenchmarkInputs",
                .product(name: "ProbabilisticCircuits", package: "Surety"),
                .product(name: "COLEP", package: "Surety"),
                .product(name: "SuretyNumerics", package: "Surety"),
            ]
        ),
        // COLEP's certification step on 10⁵ test points.
        .executableTarget(name: "colep-bench", dependencies: ["BenchmarkInputs", .product(name: "COLEP", package: "Surety")]),
        // The private Gaussian-kernel KDE at n = 10⁶, d = 32, m = 2048 (driven by dpkde_peers.py).
        .executableTarget(
            name: "dpkde-bench",
            dependencies: ["BenchmarkInputs", .product(name: "PrivateKDE", package: "Surety"), .product(name: "SuretyData", package: "Surety")]
        ),
        // The full halfspace tester-learner at n = 10⁵, d = 20 (driven by halfspace_peer.py).
        .executableTarget(
            name: "halfspace-bench",
            dependencies: ["BenchmarkInputs", .product(name: "TestableLearning", package: "Surety"), .product(name: "SuretyData", package: "Surety")]
        ),
        // Projection DPP samples against DPPy (driven by dppy_peer.py).
        .executableTarget(
            name: "dppls-bench",
            dependencies: ["BenchmarkInputs", .product(name: "CLinAlg", package: "Surety"), .product(name: "DeterminantalSampling", package: "Surety"), .product(name: "SuretyData", package: "Surety")]
        ),
        // One heteroscedastic EM run against scikit-learn's GaussianMixture (driven by ambient_peer.py).
        .executableTarget(
            name: "ambient-bench",
            dependencies: ["BenchmarkInputs", .product(name: "AmbientMixtures", package: "Surety"), .product(name: "SuretyData", package: "Surety")]
        ),
        // ordo-one/benchmark suite, for tracking and comparing baselines.
        .executableTarget(
            name: "LinearAlgebra",
            dependencies: [
                "BenchmarkInputs",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/LinearAlgebra",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
