import ArgumentParser
import Certificates
import Foundation
import SuretyData
import SuretyNumerics

/// Exit codes shared by the Surety tools (see DESIGN.md).
public enum SuretyExitCode {
    /// The computation failed or a guarantee could not be issued (e.g. a tester rejected).
    public static let failure = ExitCode(1)
    /// Bad usage or bad input (`EX_USAGE`).
    public static let usage = ExitCode(64)
}

/// Runs `body`, turning input errors into a one-line message on standard error and exit
/// code 64, and numerical failures into a message and exit code 1.
///
/// Use it around the body of a command's `run()`, so that no input a user can give makes
/// a tool crash or print a stack of Swift types:
///
/// ```swift
/// func run() throws {
///     try reportingErrors {
///         let table = try NumericTable.readCSV(url: URL(fileURLWithPath: path))
///         …
///     }
/// }
/// ```
public func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as DataError {
        StandardError.print("error: \(error)")
        throw SuretyExitCode.usage
    } catch let error as NumericsError {
        switch error {
        case .noConvergence, .lapackFailure:
            StandardError.print("error: the computation failed: \(error)")
            throw SuretyExitCode.failure
        default:
            StandardError.print("error: \(error)")
            throw SuretyExitCode.usage
        }
    } catch let error as CocoaError {
        let path = error.userInfo[NSFilePathErrorKey] as? String ?? ""
        StandardError.print("error: \(path.isEmpty ? "" : path + ": ")\(error.localizedDescription)")
        throw SuretyExitCode.usage
    }
}

/// Writing to standard error.
public enum StandardError {
    /// Prints a line to standard error.
    public static func print(_ line: String) {
        write(line + "\n")
    }

    /// Writes text to standard error as is.
    public static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Whether standard error is a terminal (progress bars are drawn only then).
    public static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}

/// The body of every tool's `verify` subcommand: reads the certificate at `path`, checks its
/// kind, recomputes it with `recompute` (which reads the recorded parameters, inputs and seed)
/// and prints `verified: …` (exit 0) or `NOT verified: …` with one line per mismatch (exit 1),
/// naming the OpenBLAS kernel family the recomputation ran on. Input paths are resolved from the current directory.
public func verifyCertificate(at path: String, kind: String, recompute: (Certificate) throws -> Certificate) throws {
    try verifyCertificate(at: path, kinds: [kind], recompute: recompute)
}

/// ``verifyCertificate(at:kind:recompute:)`` for a tool that writes several kinds:
/// `recompute` dispatches on the recorded certificate's kind.
public func verifyCertificate(at path: String, kinds: [String], recompute: (Certificate) throws -> Certificate) throws {
    let report = try reportingErrors { () -> VerificationReport in
        let recorded = try Certificate.read(from: URL(fileURLWithPath: path))
        guard kinds.contains(recorded.kind) else {
            throw ValidationError("\(path) is a '\(recorded.kind)' certificate, not \(kinds.map { "'\($0)'" }.joined(separator: " or "))")
        }
        return try recorded.verify { try recompute($0) }
    }
    let kernel = "OpenBLAS kernel \(BLASKernel.coreName)"
    if report.verified {
        print("verified: \(path) is reproduced within its tolerances (\(kernel))")
    } else {
        print("NOT verified: \(path) (\(kernel))")
        for mismatch in report.mismatches { print("  \(mismatch)") }
        throw SuretyExitCode.failure
    }
}

/// The recorded command-line arguments and seed of a certificate, or a usage error.
///
/// Arguments that make a parser stop before running (help, a version, a completion script or a
/// help dump) are refused: reparsed inside `verify` they would print that text and exit 0, and a
/// forged certificate would pass any check of the exit status.
public func recordedArguments(of certificate: Certificate, path: String) throws -> (arguments: [String], seed: UInt64?) {
    guard let arguments = certificate.parameters["arguments"]?.arrayValue?.compactMap(\.stringValue) else {
        throw ValidationError("\(path) records no arguments to recompute from")
    }
    return (try refusingEarlyExits(arguments, path: path), certificate.seed)
}

/// `arguments`, or a usage error when one of them would make the parser stop before running
/// (help, a version, a completion script or a help dump): for every `verify` that reparses
/// arguments read from a certificate, whatever field they were recorded in.
public func refusingEarlyExits(_ arguments: [String], path: String) throws -> [String] {
    let exitingEarly: Set = ["--help", "-h", "-help", "help", "--version", "--generate-completion-script", "--experimental-dump-help"]
    if let bad = arguments.first(where: { exitingEarly.contains($0) || exitingEarly.contains(String($0.prefix { $0 != "=" })) }) {
        throw ValidationError("\(path) records the argument '\(bad)', which no run writes into a certificate: it cannot be recomputed")
    }
    return arguments
}
