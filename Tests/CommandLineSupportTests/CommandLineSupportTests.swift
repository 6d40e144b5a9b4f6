import ArgumentParser
import Foundation
import Synchronization
import Testing
@testable import CommandLineSupport
import Certificates
import SuretyData
import SuretyNumerics

@Suite struct CommandLineSupportTests {
    /// Recorded arguments that make a parser print text and exit 0 (help, version, a
    /// completion script) are refused, so that `verify` cannot exit 0 on a forged certificate
    /// (a red-team review found `--help` did, in four tools); ordinary ones pass through.
    @Test func verifyRefusesArgumentsThatExitEarly() throws {
        var certificate = Certificate(kind: "test.kind", claim: "c", parameters: ["arguments": ["--reps", "5"]], seed: 3)
        #expect(try recordedArguments(of: certificate, path: "c.json") == (["--reps", "5"], 3))
        for bad in [["--help"], ["--reps", "5", "-h"], ["--generate-completion-script=bash"], ["--version"], ["help"]] {
            certificate.parameters["arguments"] = .array(bad.map(JSONValue.string))
            #expect(throws: ValidationError.self, "\(bad)") { try recordedArguments(of: certificate, path: "c.json") }
            #expect(throws: ValidationError.self, "\(bad)") { try refusingEarlyExits(["data.csv"] + bad, path: "c.json") }
        }
    }

    @Test func tablesAlignNumbersRightAndTextLeft() {
        var table = TextTable(header: ["method", "coverage", "n"])
        table.append(["COLEP", 0.91234, 12])
        table.append(["vanilla split conformal", .number(1.5e-7, digits: 3), 7])
        #expect(table.render() == """
        method                   coverage   n
        -----------------------  --------  --
        COLEP                      0.9123  12
        vanilla split conformal  1.50e-07   7
        """)
    }

    @Test func numberFormatting() {
        #expect(TextTable.format(123.456) == "123.5")
        #expect(TextTable.format(-0.001234, significantDigits: 2) == "-0.0012")
        #expect(TextTable.format(2e6) == "2.000e+06")
        #expect(TextTable.format(.infinity) == "inf")
        #expect(TextTable.format(.nan) == "nan")
        #expect(TextTable.format(0) == "0")
    }

    @Test func progressBarIsSilentUnlessEnabled() {
        let output = Mutex([String]())
        let quiet = ProgressBar(total: 3, label: "work", enabled: false) { text in output.withLock { $0.append(text) } }
        quiet.advance(); quiet.advance(by: 2); quiet.finish()
        #expect(output.withLock { $0 }.isEmpty)
        #expect(quiet.completed == 3)

        let loud = ProgressBar(total: 4, label: "work", enabled: true, width: 8) { text in output.withLock { $0.append(text) } }
        loud.advance()
        loud.advance(by: 10)  // clamped to the total
        loud.finish()
        let lines = output.withLock { $0 }
        #expect(lines.first?.hasPrefix("\rwork [##......]  25% 1/4 ETA") == true)
        #expect(lines.last?.hasPrefix("\rwork [########] 100% 4/4 in ") == true)
        #expect(lines.last?.hasSuffix("\n") == true)
        #expect(loud.render(done: 2, elapsed: .seconds(90)) == "work [####....]  50% 2/4 ETA 1m30s")
    }

    @Test func inputErrorsExitWith64AndFailuresWith1() {
        #expect(throws: ExitCode(64)) {
            try reportingErrors { throw DataError(file: "x.csv", line: 2, column: 3, seen: "'a'", expected: "a number") }
        }
        #expect(throws: ExitCode(64)) { try reportingErrors { throw NumericsError.notPositiveDefinite(order: 2) } }
        #expect(throws: ExitCode(1)) { try reportingErrors { throw NumericsError.noConvergence(function: "EM", detail: "1000 iterations") } }
        #expect((try? reportingErrors { 7 }) == 7)
    }

    @Test func commonOptionsParse() throws {
        let options = try CommonOptions.parse(["--seed", "12", "--json", "-o", "cert.json"])
        #expect(options.seed == 12 && options.json && options.output == "cert.json")
        #expect(options.resolvedSeed() == 12)
        let defaults = try CommonOptions.parse([])
        #expect(defaults.seed == nil && !defaults.json && defaults.output == nil)
        #expect(throws: (any Error).self) { try CommonOptions.parse(["--seed", "-1"]) }
    }
}
