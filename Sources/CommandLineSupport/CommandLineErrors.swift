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

/// Prints the outcome of a `verify` subcommand: `verified: …` (exit 0), or `NOT verified: …`
/// with one line per mismatch and exit code 1.
public func reportVerification(_ report: VerificationReport, certificate: String) throws {
    if report.verified {
        print("verified: \(certificate) is reproduced")
    } else {
        print("NOT verified: \(certificate)")
        for mismatch in report.mismatches { print("  \(mismatch)") }
        throw SuretyExitCode.failure
    }
}
