import ArgumentParser
import Certificates
import Foundation

/// The options every Surety tool shares: reproducibility and where the certificate goes.
///
/// Use with `@OptionGroup var common: CommonOptions` in a command.
public struct CommonOptions: ParsableArguments, Sendable {
    @Option(help: "Seed for the run's random choices (recorded in the certificate). Default: a fresh random seed, also recorded.")
    public var seed: UInt64?

    @Flag(help: "Print the certificate as JSON on standard output instead of the table.")
    public var json = false

    @Option(name: .shortAndLong, help: ArgumentHelp("Also write the certificate to this file (atomically).", valueName: "file"))
    public var output: String?

    public init() {}

    /// The seed to use: the one given, or a fresh one from the system's generator (so that
    /// every run, seeded by the user or not, can be reproduced from its certificate).
    public func resolvedSeed() -> UInt64 {
        if let seed { return seed }
        var system = SystemRandomNumberGenerator()
        return system.next()
    }

    /// Writes the certificate to `--output` if given, then prints either its JSON (`--json`)
    /// or the human-readable `table`.
    public func emit(_ certificate: Certificate, table: @autoclosure () -> String) throws {
        if let output {
            try certificate.write(to: URL(fileURLWithPath: output))
        }
        if json {
            print(certificate.canonicalJSON(), terminator: "")
        } else {
            print(table())
        }
    }
}

/// The options ``reproducibleArguments(_:subcommand:dropping:)`` drops by default: output
/// paths and the seed (which a certificate records apart).
public let outputAndSeedOptions = ["--output", "-o", "--seed"]

/// The command-line arguments that reproduce a run, for its certificate (a `verify`
/// subcommand reparses them): `raw` without a leading `subcommand` name, without `--json`, and
/// without the options in `dropping` (with their values, in either `--name value` or
/// `--name=value` form) — output paths, and the seed when the certificate records it apart.
public func reproducibleArguments(_ raw: [String], subcommand: String, dropping: [String] = outputAndSeedOptions) -> [String] {
    var out: [String] = [], skip = false
    for argument in raw {
        if skip { skip = false; continue }
        if argument == "--json" { continue }
        if dropping.contains(argument) { skip = true; continue }
        if dropping.contains(where: { argument.hasPrefix($0 + "=") }) { continue }
        out.append(argument)
    }
    if out.first == subcommand { out.removeFirst() }
    return out
}
