// swift-tools-version: 6.1
// Surety: statistical procedures whose every result comes with a certificate.
// Layout and layering: see README.md and the module READMEs under Sources/.
import PackageDescription

let package = Package(
    name: "Surety",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Surety", targets: ["Surety"]),
        .library(name: "SuretyNumerics", targets: ["SuretyNumerics"]),
        .library(name: "SuretyData", targets: ["SuretyData"]),
        .library(name: "Certificates", targets: ["Certificates"]),
        .library(name: "CommandLineSupport", targets: ["CommandLineSupport"]),
        .library(name: "Conformal", targets: ["Conformal"]),
        .library(name: "COLEP", targets: ["COLEP"]),
        .library(name: "Charts", targets: ["Charts"]),
        .library(name: "PrivateKDE", targets: ["PrivateKDE"]),
        .library(name: "TestableLearning", targets: ["TestableLearning"]),
        .library(name: "DeterminantalSampling", targets: ["DeterminantalSampling"]),
        .library(name: "AmbientMixtures", targets: ["AmbientMixtures"]),
        // The tool's target is COLEPTool, not colep: a target differing from the COLEP module
        // only in case would collide on case-insensitive file systems.
        .executable(name: "colep", targets: ["COLEPTool"]),
        .executable(name: "dpkde", targets: ["DPKDETool"]),
        .executable(name: "halfspace", targets: ["HalfspaceTool"]),
        .executable(name: "dppls", targets: ["DPPLSTool"]),
        .executable(name: "ambient", targets: ["AmbientTool"]),
        .library(name: "ProbabilisticCircuits", targets: ["ProbabilisticCircuits"]),
        // The raw CBLAS/LAPACKE shim, for the benchmarks that compare the wrappers with it.
        .library(name: "CLinAlg", targets: ["CLinAlg"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // GSL. No pkgConfig on purpose: gsl.pc adds -lgslcblas, GSL's reference CBLAS, which
        // would compete with OpenBLAS for the cblas_* symbols. The modulemap links gsl and
        // openblas, so GSL's own BLAS calls bind to OpenBLAS.
        .systemLibrary(name: "CGSL"),
        // CBLAS from OpenBLAS, LAPACKE (netlib) running on OpenBLAS's LAPACK.
        .systemLibrary(
            name: "CLinAlg",
            pkgConfig: "openblas",
            providers: [.apt(["pkg-config", "libgsl-dev", "libopenblas-dev", "liblapacke-dev"])]
        ),
        .target(name: "SuretyNumerics", dependencies: ["CGSL", "CLinAlg"], exclude: ["README.md"]),
        .target(name: "SuretyData", dependencies: ["SuretyNumerics"], exclude: ["README.md"]),
        .target(
            name: "Certificates",
            dependencies: ["SuretyData", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["README.md"]
        ),
        .target(
            name: "CommandLineSupport",
            dependencies: [
                "SuretyData", "Certificates", "SuretyNumerics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]
        ),
        .target(name: "ProbabilisticCircuits", dependencies: ["SuretyNumerics", "SuretyData"], exclude: ["README.md"]),
        .target(name: "Conformal", dependencies: ["SuretyNumerics"], exclude: ["README.md"]),
        .target(
            name: "COLEP",
            dependencies: ["ProbabilisticCircuits", "Conformal", "Certificates", "SuretyData", "SuretyNumerics"],
            exclude: ["README.md"]
        ),
        .target(name: "Charts", exclude: ["README.md"]),
        .target(name: "PrivateKDE", dependencies: ["Certificates", "SuretyData", "SuretyNumerics"], exclude: ["README.md"]),
        .target(name: "TestableLearning", dependencies: ["Certificates", "SuretyData", "SuretyNumerics"], exclude: ["README.md"]),
        .target(name: "DeterminantalSampling", dependencies: ["CLinAlg", "Certificates", "SuretyData", "SuretyNumerics"], exclude: ["README.md"]),
        .target(name: "AmbientMixtures", dependencies: ["Certificates", "SuretyData", "SuretyNumerics"], exclude: ["README.md"]),
        .executableTarget(
            name: "COLEPTool",
            dependencies: ["COLEP", "Charts", "CommandLineSupport", "SuretyData", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "DPKDETool",
            dependencies: ["PrivateKDE", "Charts", "CommandLineSupport", "Certificates", "SuretyData", "SuretyNumerics",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "HalfspaceTool",
            dependencies: ["TestableLearning", "CommandLineSupport", "Certificates", "SuretyData", "SuretyNumerics",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "DPPLSTool",
            dependencies: ["DeterminantalSampling", "Charts", "CommandLineSupport", "Certificates", "SuretyData", "SuretyNumerics",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "AmbientTool",
            dependencies: ["AmbientMixtures", "Charts", "CommandLineSupport", "Certificates", "SuretyData", "SuretyNumerics",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(
            name: "Surety",
            dependencies: ["SuretyNumerics", "SuretyData", "Certificates", "ProbabilisticCircuits", "Conformal", "COLEP", "PrivateKDE",
                           "TestableLearning", "DeterminantalSampling", "AmbientMixtures"],
            exclude: ["README.md"]
        ),

        // Runs the package's executables for the command-line tests.
        .target(name: "ToolTestSupport", dependencies: ["SuretyNumerics"], path: "Tests/ToolTestSupport"),
        .testTarget(name: "SuretyNumericsTests", dependencies: ["SuretyNumerics"]),
        .testTarget(name: "SuretyDataTests", dependencies: ["SuretyData"]),
        .testTarget(name: "CertificatesTests", dependencies: ["Certificates"]),
        .testTarget(name: "CommandLineSupportTests", dependencies: ["CommandLineSupport", "Certificates"]),
        .testTarget(name: "SuretyTests", dependencies: ["Surety"]),
        .testTarget(name: "ConformalTests", dependencies: ["Conformal"]),
        .testTarget(name: "ProbabilisticCircuitsTests", dependencies: ["ProbabilisticCircuits"]),
        .testTarget(name: "COLEPTests", dependencies: ["COLEP", "Charts", "ToolTestSupport"]),
        .testTarget(name: "PrivateKDETests", dependencies: ["PrivateKDE", "ToolTestSupport"]),
        .testTarget(name: "TestableLearningTests", dependencies: ["TestableLearning", "ToolTestSupport"]),
        .testTarget(name: "DeterminantalSamplingTests", dependencies: ["DeterminantalSampling", "ToolTestSupport"]),
        .testTarget(name: "AmbientMixturesTests", dependencies: ["AmbientMixtures", "ToolTestSupport"]),
        .testTarget(
            name: "PropertyTests",
            dependencies: [
                "SuretyNumerics", "SuretyData", "Certificates", "ProbabilisticCircuits",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
