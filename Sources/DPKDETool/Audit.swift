import ArgumentParser
import CommandLineSupport
import Foundation
import Certificates
import PrivateKDE

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Black-box privacy audit: run a mechanism on neighbouring datasets and bound its ε from below.",
        discussion: """
            A sound mechanism gives a lower bound at most its ε (with the stated confidence); a broken
            one (try --noise-multiplier 0.5) is caught when the bound exceeds ε. The scenarios are
            the worst-case neighbours of the count tree (`tree`) and of the kernel sums (`kernel`).
            """
    )

    @Option(help: "tree or kernel (default: both).")
    var mechanism: String?
    @Option(help: "ε the mechanism is built for.")
    var epsilon = 1.0
    @Option(help: "Runs per dataset.")
    var trials = 100_000
    @Option(name: .customLong("noise-multiplier"), help: "Scale the noise (below 1 breaks the mechanism on purpose).")
    var noiseMultiplier = 1.0
    @Option(help: "Failure probability of the bound.")
    var failure = 1e-6
    @Option(help: "Seed of the audit's noise (the audit tests the mechanism, not the generator).")
    var seed: UInt64 = 1

    func run() throws {
        try reportingErrors {
            let scenarios: [PrivacyAudit.Scenario]
            if let mechanism {
                guard let s = PrivacyAudit.Scenario(rawValue: mechanism) else { throw ValidationError("--mechanism must be tree or kernel") }
                scenarios = [s]
            } else {
                scenarios = PrivacyAudit.Scenario.allCases
            }
            var table = TextTable(header: ["mechanism", "ε", "noise ×", "trials", "ε lower bound", "confidence", "verdict"])
            var violated = false
            for scenario in scenarios {
                let result = try PrivacyAudit.run(scenario, epsilon: epsilon, trials: trials, noiseMultiplier: noiseMultiplier,
                                                  seed: seed, failureProbability: failure)
                let caught = result.epsilonLowerBound > epsilon
                violated = violated || caught
                table.append([.text(scenario.rawValue), .number(epsilon, digits: 3), .number(noiseMultiplier, digits: 3), .integer(trials),
                              .number(result.epsilonLowerBound, digits: 3), .number(result.confidence, digits: 7),
                              .text(caught ? "VIOLATES ε" : "consistent with ε")])
            }
            print(table.render())
            if violated { throw CommandLineSupport.SuretyExitCode.failure }
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute a dpkde classification certificate from its recorded arguments and inputs, and compare.",
        discussion: """
            Only certificates made with seeded noise (--insecure-noise-seed) can be recomputed: a private
            run's noise is not reproducible by design. Run from the directory the certificate's input
            paths are relative to (the repository root for the examples).
            """
    )

    @Argument(help: "The certificate (JSON).") var certificate: String

    func run() throws {
        try verifyCertificate(at: certificate, kind: "dpkde.classification") { recorded in
            let (arguments, _) = try recordedArguments(of: recorded, path: certificate)
            guard arguments.contains(where: { $0.hasPrefix("--insecure-noise-seed") }) else {
                throw ValidationError("\(certificate) was made with secure noise: it cannot be recomputed")
            }
            // Recorded as the tool records them, or the recomputation would echo a forged list.
            return try Classify.parse(arguments).evaluate(arguments: reproducibleArguments(arguments, subcommand: "classify", dropping: Classify.droppedOptions)).0
        }
    }
}
