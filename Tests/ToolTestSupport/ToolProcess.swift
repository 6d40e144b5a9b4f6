import Foundation
import SuretyNumerics

/// Runs one of the package's executables as a user would, for the command-line tests. The
/// executables are built with the tests; they sit next to the test bundle (or one level up).
public enum ToolProcess {
    /// The executable `name`, if it was built.
    public static func binary(_ name: String) -> URL? {
        let directory = Bundle.main.executableURL?.deletingLastPathComponent()
        return [directory, directory?.deletingLastPathComponent()]
            .compactMap { $0?.appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs `name` with `arguments` in `directory` (default: the current one) and returns its
    /// exit status, standard output and standard error.
    /// `environment` is added to this process's environment.
    public static func run(_ name: String, _ arguments: [String], in directory: URL? = nil,
                           environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        guard let binary = binary(name) else { throw CocoaError(.fileNoSuchFile) }
        return try start(binary, arguments, in: directory, environment: environment).finish()
    }

    /// Runs `name` once per argument list, all at once (every process is started before any
    /// is waited for), and returns each run's exit status, standard output and standard error,
    /// in the order of `argumentLists`. For tests of files that concurrent runs share.
    public static func runConcurrently(_ name: String, _ argumentLists: [[String]], in directory: URL? = nil)
        throws -> [(status: Int32, out: String, err: String)] {
        guard let binary = binary(name) else { throw CocoaError(.fileNoSuchFile) }
        let started = try argumentLists.map { try start(binary, $0, in: directory, environment: [:]) }
        return started.map { $0.finish() }
    }

    /// A started process and the pipes of its output.
    struct Started {
        let process: Process
        let out: Pipe
        let err: Pipe

        /// Reads both outputs to their end, waits for the exit and returns what it gave.
        func finish() -> (status: Int32, out: String, err: String) {
            let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
        }
    }

    static func start(_ binary: URL, _ arguments: [String], in directory: URL?, environment: [String: String]) throws -> Started {
        let process = Process()
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return Started(process: process, out: out, err: err)
    }

    /// Runs `name verify certificate` under OpenBLAS's kernel family in this process and again
    /// under another one this CPU can run (`BLASKernel.alternative`), so that a certificate
    /// verifies under a second machine's arithmetic, not only the one that wrote it.
    public static func verifyUnderTwoKernels(_ name: String, _ certificate: URL, in directory: URL) throws
        -> [(kernel: String, status: Int32, out: String, err: String)] {
        var kernels: [(String, [String: String])] = [(BLASKernel.coreName, [:])]
        if let other = BLASKernel.alternative() { kernels.append((other, ["OPENBLAS_CORETYPE": other])) }
        return try kernels.map { kernel, environment in
            let result = try run(name, ["verify", certificate.path], in: directory, environment: environment)
            return (kernel, result.status, result.out, result.err)
        }
    }
}
