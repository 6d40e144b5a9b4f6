import Certificates
import Foundation
import SuretyData
import SuretyNumerics
import Testing
import ToolTestSupport
@testable import PrivateKDE
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The readers of released structures and partial statistics refuse every malformed file with a
/// located ``DataError`` — never a trap, never a query that does not end (issue #18, item 5).
///
/// The checksum proves only that a file is the one its writer wrote, so the cases here are mostly
/// files **with a valid checksum**: each valid file (every structure kind, the partial
/// statistics) with one header field replaced by an extreme (NaN, ±∞, 0, −1, ±2⁶³, 10³⁰⁰, 2⁴⁰,
/// a string, null, …) or removed, one body value replaced, the body truncated or extended, the
/// header's JSON text broken (duplicate keys, deep nesting, 1e400), random combinations of
/// these, and arbitrary bytes. Every case goes to every reader; a structure that is read is then
/// queried (inside, outside and far outside its domain), and partial statistics are merged and
/// released. A sample goes through `dpkde query`, `info` and `merge` with a time limit per run.
///
/// A crash stops the test process: the signal handler below prints the case that was running.
/// `SURETY_FALSIFY_LONG=1` multiplies the random cases by 20.
@Suite(.serialized) struct ReaderFuzzTests {
    static let long = ProcessInfo.processInfo.environment["SURETY_FALSIFY_LONG"] == "1"

    // MARK: - Valid files

    /// One valid file of every kind, small and with seeded noise.
    static func validFiles() throws -> [(kind: String, bytes: [UInt8])] {
        var noise = RandomStream(seed: 41), data = RandomStream(seed: 42)
        let points = try Matrix(rows: 20, columns: 2, columnMajor: data.uniforms(count: 40))
        let box = try [PublicInterval(0, 1), PublicInterval(-1, 2)]
        let features = try RandomFeatures(kernel: .gaussian, dimension: 2, bandwidth: 0.5, features: 8, domain: box, seed: 7)
        let projected = try RandomFeatures(kernel: .cauchy, dimension: 2, bandwidth: 0.5, features: 6, projectedDimension: 2, seed: 8)
        var statistics = KernelFeatureSums(features: features)
        try statistics.add(points)
        var projectedStatistics = KernelFeatureSums(features: projected)
        try projectedStatistics.add(points)
        var projection = RandomStream(seed: 43)
        return [
            ("l1", try PrivateL1Distance.build(points: points, domains: box, levels: 3, epsilon: 1, using: &noise).fileBytes()),
            ("l1-zcdp", try PrivateL1Distance.build(points: points, domains: box, levels: 2, budget: PrivacyBudget(epsilon: 1, delta: 1e-6),
                                                    using: &noise).fileBytes()),
            ("prefix", try PrivatePrefixL1Distance.build(points: points, domains: box, levels: 3, epsilon: 1, using: &noise).fileBytes()),
            ("l2", try PrivateL2Distance.build(points: points, projectionDimension: 2, coordinateBound: 3, levels: 2, epsilon: 1,
                                               projectionGenerator: &projection, noiseGenerator: &noise).fileBytes()),
            ("squared", try PrivateSquaredL2Distance.build(points: points, domains: box, epsilon: 1, using: &noise).fileBytes()),
            ("kde", try PrivateKernelDensity.release(statistics, budget: PrivacyBudget(epsilon: 1), noiseGenerator: &noise).fileBytes()),
            ("kde-projected", try PrivateKernelDensity.release(projectedStatistics, budget: PrivacyBudget(epsilon: 1, delta: 1e-6),
                                                               relation: .replaceOne, noiseGenerator: &noise).fileBytes()),
            ("partial", try statistics.fileBytes()),
        ]
    }

    // MARK: - Readers

    /// Reads `bytes` with the reader of `kind`, then uses what it read. Throws what the reader
    /// throws; errors of the queries afterwards are allowed and swallowed.
    static func read(_ kind: Int, _ bytes: [UInt8], name: String) throws {
        func queries(_ d: Int) -> [[Double]] {
            guard d >= 1, d <= 64 else { return [] }
            return [Array(repeating: 0.5, count: d), Array(repeating: -3, count: d), (0..<d).map { $0 % 2 == 0 ? 1e300 : -1e300 }]
        }
        /// Asks a distance structure of dimension `d` every query, and for its privacy statement.
        func ask(_ d: Int, _ privacy: PrivacyStatement, _ answer: ([Double]) throws -> Void) {
            for y in queries(d) { _ = try? answer(y) }
            _ = privacy.json
        }
        func quietly(_ body: () throws -> Void) { _ = try? body() }
        switch kind {
        case 0:
            let s = try PrivateL1Distance(fileBytes: bytes, name: name)
            ask(s.trees.count, s.privacy) { _ = (try s.sum(at: $0), try s.noiseStandardDeviation(at: $0)) }
        case 1:
            let s = try PrivatePrefixL1Distance(fileBytes: bytes, name: name)
            ask(s.coordinates.count, s.privacy) { _ = try s.sum(at: $0) }
        case 2:
            let s = try PrivateL2Distance(fileBytes: bytes, name: name)
            ask(s.projection.columns, s.privacy) { _ = try s.sum(at: $0) }
        case 3:
            let s = try PrivateSquaredL2Distance(fileBytes: bytes, name: name)
            ask(s.sum.count, s.privacy) { _ = try s.sum(at: $0) }
        case 4:
            let s = try PrivateKernelDensity(fileBytes: bytes, name: name)
            let d = s.features.dimension
            if d <= 64 {
                quietly {
                    let q = try Matrix(rows: 3, columns: d, columnMajor: queries(d).flatMap { $0 })
                    _ = (try s.sums(at: q), try s.averages(at: q))
                }
            }
        default:
            let shard = try KernelFeatureSums.Shard(fileBytes: bytes, name: name), s = shard.statistics
            var noise = RandomStream(seed: 1)
            quietly { _ = try s.merged(with: s) }
            quietly { _ = try KernelFeatureSums.union(of: [goodShard, shard]) }
            quietly { _ = try PrivateKernelDensity.release(s, budget: PrivacyBudget(epsilon: 1), noiseGenerator: &noise) }
            quietly { _ = try s.fileBytes() }
        }
    }

    /// The reader for each file kind, in the order of ``read(_:_:name:)``.
    static let kinds = [PrivateL1Distance.fileKind, PrivatePrefixL1Distance.fileKind, PrivateL2Distance.fileKind,
                        PrivateSquaredL2Distance.fileKind, PrivateKernelDensity.fileKind, KernelFeatureSums.fileKind]

    /// A valid shard that every partial statistics read is also merged with.
    static let goodShard = try! KernelFeatureSums.Shard(fileBytes: validFiles().first { $0.kind == "partial" }!.bytes, name: "good.partial")

    /// Runs readers on one case — the one its header's kind names, or all six when `everyReader`
    /// (reading a whole file is most of a case's time, and a reader of another kind stops at the
    /// kind) — and returns what went wrong (an error that is not a ``DataError`` naming the
    /// file), or nil.
    /// The reader that accepted the case, if one did, is returned too.
    static func check(_ bytes: [UInt8], label: String, everyReader: Bool) -> (problem: String?, accepted: String?) {
        CrashLabel.set(label)
        let kind = PrivateStructureFile.kind(of: bytes)
        let readers = everyReader ? Array(kinds.indices) : [kinds.firstIndex { $0 == kind } ?? 0]
        var accepted: String?
        for reader in readers {
            do {
                try read(reader, bytes, name: "fuzz.dpkde")
                accepted = kinds[reader]
            } catch let error as DataError {
                if error.file != "fuzz.dpkde" || error.line < 1 || error.column < 1 { return ("\(label): reader \(reader): unlocated \(error)", nil) }
            } catch {
                return ("\(label): reader \(reader) threw \(type(of: error)), not a located DataError: \(error)", nil)
            }
        }
        return (nil, accepted)
    }

    // MARK: - Cases

    /// A file with this header and body, checksummed as the writer does — and, for partial
    /// statistics, with their digest recomputed as the writer does when `redigest` (so that a
    /// mutation reaches the checks behind the digest's).
    static func file(header: [String: JSONValue], body: [Double], redigest: Bool = true) throws -> [UInt8] {
        var header = header
        if redigest, header["statistics_sha256"]?.stringValue != nil, let count = header["count"]?.intValue,
           let m = header["features"]?.intValue, m >= 1, m <= body.count / 2 {
            var bytes: [UInt8] = []
            PrivateStructureFile.append(&bytes, Int64(count))
            var valid = true
            for j in 0..<m {
                let high = body[body.count - 2 * m + 2 * j], low = body[body.count - 2 * m + 2 * j + 1]
                guard high == high.rounded(), abs(high) < 0x1p31, low == low.rounded(), low >= 0, low < 0x1p32 else { valid = false; break }
                PrivateStructureFile.append(&bytes, Int64(high) << 32 | Int64(low))
            }
            if valid { header["statistics_sha256"] = .string(InputDigest.sha256(of: bytes)) }
        }
        return try PrivateStructureFile.encode(header: header, body: body)
    }

    /// A file with these header bytes (any text) and body, checksummed as the writer does.
    static func file(headerText: [UInt8], body: [Double]) -> [UInt8] {
        var out = PrivateStructureFile.magic
        PrivateStructureFile.append(&out, PrivateStructureFile.version)
        PrivateStructureFile.append(&out, UInt32(headerText.count))
        out += headerText
        PrivateStructureFile.append(&out, UInt64(body.count))
        var bodyBytes: [UInt8] = []
        for x in body { PrivateStructureFile.append(&bodyBytes, x.bitPattern) }
        out += bodyBytes
        out += Array(InputDigest.sha256(of: headerText + bodyBytes).utf8)
        return out
    }

    /// A step into a JSON value: an object's key or an array's index.
    enum Step: CustomStringConvertible {
        case key(String), index(Int)
        var description: String {
            switch self {
            case .key(let k): k
            case .index(let i): "[\(i)]"
            }
        }
    }

    /// Every path to a value inside `value`.
    static func paths(in value: JSONValue, prefix: [Step] = []) -> [[Step]] {
        switch value {
        case .object(let fields):
            return fields.keys.sorted().flatMap { key in [prefix + [.key(key)]] + paths(in: fields[key]!, prefix: prefix + [.key(key)]) }
        case .array(let items):
            return items.indices.flatMap { i in [prefix + [.index(i)]] + paths(in: items[i], prefix: prefix + [.index(i)]) }
        default:
            return []
        }
    }

    /// `value` with the value at `path` replaced (`nil`: removed).
    static func replacing(_ path: ArraySlice<Step>, in value: JSONValue, with new: JSONValue?) -> JSONValue {
        guard let step = path.first else { return new ?? .null }
        switch (step, value) {
        case (.key(let key), .object(var fields)):
            if path.count == 1 && new == nil { fields[key] = nil } else { fields[key] = replacing(path.dropFirst(), in: fields[key] ?? .null, with: new) }
            return .object(fields)
        case (.index(let i), .array(var items)) where items.indices.contains(i):
            if path.count == 1 && new == nil { items.remove(at: i) } else { items[i] = replacing(path.dropFirst(), in: items[i], with: new) }
            return .array(items)
        default:
            return value
        }
    }

    /// The extremes a header field is replaced with (nil: the field removed).
    static let extremes: [JSONValue?] = [
        .number(.nan), .number(.infinity), .number(-.infinity), .integer(0), .integer(-1), .integer(1), .integer(Int.max), .integer(Int.min),
        .number(1e300), .number(-1e300), .number(Double.leastNonzeroMagnitude), .number(0.5), .integer(1 << 40), .integer(1 << 20), .integer(25),
        .string("x"), .string("discrete Gaussian"), .string("replace-one"), .null, .bool(true), .array([]), .object([:]),
        .array([.array([.integer(0), .integer(1)])]), .array([.number(-.greatestFiniteMagnitude), .number(.greatestFiniteMagnitude)]),
        .number(.greatestFiniteMagnitude), nil,
    ]

    /// The extremes a body value is replaced with.
    static let bodyExtremes: [Double] = [.nan, .infinity, -.infinity, 1e300, -1e300, 0x1p53 + 2, 0x1p57, 0x1p62, 0x1p63, -0x1p63, 0.5, -0.0,
                                         Double.leastNonzeroMagnitude, 4_294_967_296, 2_147_483_647, 2_147_483_648, -1]

    /// Structured mutations of one valid file, all with a valid checksum.
    static func structuredCases(kind: String, bytes: [UInt8]) throws -> [(String, [UInt8])] {
        let (header, body) = try PrivateStructureFile.decode(bytes, name: kind)
        var cases: [(String, [UInt8])] = [("\(kind): valid", bytes)]
        // Every header field, however deep, replaced by every extreme or removed; arrays also
        // emptied and extended by a copy of their first element.
        for path in paths(in: .object(header)) {
            let name = path.map(\.description).joined(separator: ".")
            for value in extremes {
                guard case .object(let mutated) = replacing(path[...], in: .object(header), with: value) else { continue }
                cases.append(("\(kind): header \(name) = \(value.map { "\($0)" } ?? "removed")",
                              try file(header: mutated, body: body, redigest: name != "statistics_sha256")))
            }
            var target: JSONValue = .object(header)
            for step in path {
                switch step {
                case .key(let k): target = target[k] ?? .null
                case .index(let i): target = target.arrayValue.map { $0.indices.contains(i) ? $0[i] : .null } ?? .null
                }
            }
            if let items = target.arrayValue, let first = items.first,
               case .object(let extended) = replacing(path[...], in: .object(header), with: .array(items + [first])) {
                cases.append(("\(kind): header \(name) extended", try file(header: extended, body: body)))
            }
        }
        // Body values replaced (first, last, middle, second), truncated, extended, emptied.
        let positions = Array(Set([0, 1, body.count / 2, body.count - 2, body.count - 1].filter { body.indices.contains($0) })).sorted()
        for k in positions {
            for x in bodyExtremes {
                var mutated = body
                mutated[k] = x
                cases.append(("\(kind): body[\(k)] = \(x)", try file(header: header, body: mutated)))
            }
        }
        for cut in Set([1, 2, body.count / 2, body.count]) where cut <= body.count && cut > 0 {
            cases.append(("\(kind): body without its last \(cut)", try file(header: header, body: Array(body.dropLast(cut)))))
        }
        for extra in [1, 2, body.count] {
            cases.append(("\(kind): body with \(extra) more", try file(header: header, body: body + Array(repeating: 1, count: extra))))
        }
        // The header's text itself: duplicate keys, deep nesting, numbers out of range, not an object.
        let text = String(decoding: try JSONEncoder().encode(JSONValue.object(header)), as: UTF8.self)
        let inner = text.dropFirst().dropLast()
        let texts: [(String, String)] = [
            ("duplicate keys", "{\(inner),\(inner)}"),
            ("levels 1e400", "{\(inner),\"levels\":1e400,\"alpha\":-1e400,\"features\":1e400,\"dimension\":123456789012345678901234567890}"),
            ("deep nesting", "{\(inner),\"z\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"),
            ("an array", "[\(text)]"), ("a number", "1e999"), ("truncated", String(text.dropLast(3))), ("empty", ""),
            ("negative zero", "{\(inner.replacingOccurrences(of: "\"levels\":", with: "\"levels\":-0,\"x\":"))}"),
        ]
        for (name, t) in texts { cases.append(("\(kind): header text \(name)", file(headerText: Array(t.utf8), body: body))) }
        cases.append(("\(kind): header of invalid UTF-8", file(headerText: [0x7b, 0xff, 0xfe, 0x7d], body: body)))
        return cases
    }

    /// `count` random combinations of the structured mutations (one to three header fields and
    /// up to two body values at once, or a cut), each with a valid checksum.
    static func randomCases(kind: String, bytes: [UInt8], count: Int, using rng: inout RandomStream) throws -> [(String, [UInt8])] {
        let (header, body) = try PrivateStructureFile.decode(bytes, name: kind)
        let fieldPaths = paths(in: .object(header))
        return try (0..<count).map { c in
            var mutated: JSONValue = .object(header), values = body, steps: [String] = []
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let path = fieldPaths[Int(rng.next() % UInt64(fieldPaths.count))]
                let value = extremes[Int(rng.next() % UInt64(extremes.count))]
                mutated = replacing(path[...], in: mutated, with: value)
                steps.append("\(path.map(\.description).joined(separator: ".")) = \(value.map { "\($0)" } ?? "removed")")
            }
            for _ in 0..<Int(rng.next() % 3) where !values.isEmpty {
                let k = Int(rng.next() % UInt64(values.count))
                values[k] = bodyExtremes[Int(rng.next() % UInt64(bodyExtremes.count))]
                steps.append("body[\(k)] = \(values[k])")
            }
            if rng.next() % 4 == 0 {
                let cut = Int(rng.next() % UInt64(values.count + 1))
                values = rng.next() % 2 == 0 ? Array(values.dropLast(cut)) : values + Array(repeating: 0, count: cut)
                steps.append("body length \(values.count)")
            }
            guard case .object(let fields) = mutated else { return ("\(kind): random \(c)", bytes) }
            return ("\(kind): random \(c): \(steps.joined(separator: ", "))",
                    try file(header: fields, body: values, redigest: !steps.contains { $0.hasPrefix("statistics_sha256") }))
        }
    }

    /// Arbitrary bytes: random lengths and contents, random bytes after a valid magic and
    /// version, and random header text and body under a valid checksum.
    static func arbitraryCases(count: Int, using rng: inout RandomStream) -> [(String, [UInt8])] {
        (0..<count).map { c in
            let length = Int(rng.next() % 600)
            let random = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            switch c % 3 {
            case 0:
                return ("arbitrary \(c): \(length) bytes", random)
            case 1:
                var bytes = PrivateStructureFile.magic
                PrivateStructureFile.append(&bytes, PrivateStructureFile.version)
                return ("arbitrary \(c): magic, version, \(length) bytes", bytes + random)
            default:
                let body = (0..<Int(rng.next() % 40)).map { _ in Double(bitPattern: rng.next()) }
                return ("arbitrary \(c): \(length) header bytes, \(body.count) values, valid checksum", file(headerText: random, body: body))
            }
        }
    }

    /// Every case, with its label.
    static func allCases() throws -> (structured: Int, random: Int, arbitrary: Int, cases: [(String, [UInt8])]) {
        var rng = RandomStream(seed: 2024)
        var structured: [(String, [UInt8])] = [], random: [(String, [UInt8])] = []
        for (kind, bytes) in try validFiles() {
            structured += try structuredCases(kind: kind, bytes: bytes)
            random += try randomCases(kind: kind, bytes: bytes, count: long ? 4000 : 200, using: &rng)
        }
        let arbitrary = arbitraryCases(count: long ? 20_000 : 1000, using: &rng)
        return (structured.count, random.count, arbitrary.count, structured + random + arbitrary)
    }

    // MARK: - Tests

    /// Every case ends in a located `DataError` or a structure that answers queries, each within
    /// a second (the slowest case is printed).
    @Test func readersSurviveFuzzing() throws {
        CrashLabel.install()
        let clock = ContinuousClock(), start = clock.now
        let (structured, random, arbitrary, cases) = try Self.allCases()
        print("[fuzz] \(cases.count) cases made in \(clock.now - start)")
        let outcome = Watchdog.run(cases.count, limit: .seconds(Self.long ? 3600 : 240)) { i in
            let caseStart = clock.now
            let (problem, accepted) = Self.check(cases[i].1, label: cases[i].0, everyReader: i % 10 == 0 || cases[i].0.hasPrefix("arbitrary"))
            return (problem, accepted, clock.now - caseStart)
        }
        let total = clock.now - start
        print("[fuzz] readers: \(structured) structured, \(random) random, \(arbitrary) arbitrary cases in \(total); "
              + "slowest \(outcome.slowest.duration) (\(outcome.slowest.index.map { cases[$0].0 } ?? "none")); "
              + "read and used: \(outcome.accepted.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        // The mutations reach past the checksum (and the partial digest) into every reader's own checks:
        // each kind accepts some mutated files besides its valid ones (a renamed accounting string, a
        // count within range, …) and refuses the rest.
        for kind in Self.kinds { #expect(outcome.accepted[kind, default: 0] > 20, "only \(outcome.accepted[kind, default: 0]) \(kind) files were read") }
        #expect(outcome.stuck == nil, "case \(outcome.stuck.map { cases[$0].0 } ?? "") did not finish")
        #expect(outcome.problems.isEmpty, "\(outcome.problems.prefix(10).joined(separator: "\n"))")
        #expect(outcome.slowest.duration < Duration.seconds(1), "slowest case took \(outcome.slowest.duration)")
        #expect(structured > 1000 && arbitrary >= 1000)
    }

    static var binary: URL? { ToolProcess.binary("dpkde") }

    /// A sample of the cases through `dpkde query`, `info` and `merge`: every run exits with 0
    /// or 64 (never a signal), within 20 s, and a refusal says `error:` with the file's name.
    @Test(.enabled(if: binary != nil)) func toolSurvivesMalformedFiles() throws {
        let (_, _, _, cases) = try Self.allCases()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dpkde-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "x,y\n0.5,0.5\n-3,1e300\n".write(to: directory.appendingPathComponent("queries.csv"), atomically: true, encoding: .utf8)
        let partial = try Self.validFiles().first { $0.kind == "partial" }!.bytes
        try Data(partial).write(to: directory.appendingPathComponent("good.partial"))
        // Every valid file, then an even spread over the rest (partial cases go to merge).
        let sampleSize = Self.long ? 2000 : 150
        let stride = max(1, cases.count / sampleSize)
        let sample = cases.enumerated().filter { $0.element.0.hasSuffix(": valid") || $0.offset % stride == 0 }.map(\.element)
        let clock = ContinuousClock(), start = clock.now
        var runs = 0, refusals = 0
        for (i, (label, bytes)) in sample.enumerated() {
            let name = "case\(i).dpkde"
            try Data(bytes).write(to: directory.appendingPathComponent(name))
            let command = label.hasPrefix("partial")
                ? ["merge", "good.partial", name, "--epsilon", "1", "--insecure-noise-seed", "1", "-o", "merged\(i).dpkde"]
                : (i % 4 == 3 ? ["info", name] : ["query", name, "queries.csv"])
            let result = try TimedProcess.run(Self.binary!, command, in: directory, limit: .seconds(20))
            runs += 1
            #expect(!result.timedOut, "\(label): `dpkde \(command.joined(separator: " "))` ran past 20 s")
            #expect(result.exited && (result.status == 0 || result.status == 64),
                    "\(label): `dpkde \(command.joined(separator: " "))` ended with \(result.exited ? "exit" : "signal") \(result.status): \(result.err)")
            if result.status == 64 {
                refusals += 1
                #expect(result.err.hasPrefix("error:") && result.err.contains(name), "\(label): \(result.err)")
            }
        }
        print("[fuzz] dpkde: \(runs) runs (\(refusals) refused with exit 64) in \(clock.now - start)")
        #expect(refusals > runs / 2)
    }
}

/// Runs `count` cases on a separate thread and watches it: if one case does not finish within
/// the overall limit, the index of the case that was running is reported (the thread is left
/// behind — the test has failed).
enum Watchdog {
    struct Outcome {
        var problems: [String] = []
        var slowest: (index: Int?, duration: Duration) = (nil, .zero)
        var stuck: Int?
        /// How many cases each reader accepted.
        var accepted: [String: Int] = [:]
    }

    final class State: @unchecked Sendable {
        let lock = NSLock()
        var outcome = Outcome()
        var current = 0
    }

    static func run(_ count: Int, limit: Duration, _ body: @escaping @Sendable (Int) -> (String?, String?, Duration)) -> Outcome {
        let state = State(), done = DispatchSemaphore(value: 0)
        let thread = Thread {
            for i in 0..<count {
                state.lock.withLock { state.current = i }
                let (problem, accepted, duration) = body(i)
                state.lock.withLock {
                    if let problem { state.outcome.problems.append(problem) }
                    if let accepted { state.outcome.accepted[accepted, default: 0] += 1 }
                    if duration > state.outcome.slowest.duration { state.outcome.slowest = (i, duration) }
                }
            }
            done.signal()
        }
        thread.stackSize = 64 << 20
        thread.start()
        let seconds = Double(limit.components.seconds)
        if done.wait(timeout: .now() + seconds) == .timedOut {
            return state.lock.withLock {
                var outcome = state.outcome
                outcome.stuck = state.current
                return outcome
            }
        }
        return state.lock.withLock { state.outcome }
    }
}

/// Runs an executable with a time limit, terminating it when the limit passes.
enum TimedProcess {
    static func run(_ binary: URL, _ arguments: [String], in directory: URL, limit: Duration)
        throws -> (exited: Bool, status: Int32, timedOut: Bool, out: String, err: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        // Read both pipes while the process runs, so that a full pipe cannot block it.
        let outData = LockedData(), errData = LockedData(), reading = DispatchGroup()
        for (pipe, sink) in [(out, outData), (err, errData)] {
            reading.enter()
            DispatchQueue.global().async {
                sink.set(pipe.fileHandleForReading.readDataToEndOfFile())
                reading.leave()
            }
        }
        let timedOut = finished.wait(timeout: .now() + Double(limit.components.seconds)) == .timedOut
        if timedOut {
            process.terminate()
            finished.wait()
        }
        reading.wait()
        return (process.terminationReason == .exit, process.terminationStatus, timedOut,
                String(decoding: outData.get(), as: UTF8.self), String(decoding: errData.get(), as: UTF8.self))
    }

    final class LockedData: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func set(_ d: Data) { lock.withLock { data = d } }
        func get() -> Data { lock.withLock { data } }
    }
}

/// The label of the case being run, printed to standard error if the process dies of a signal
/// (a trap), so that a crash names its reproducing input.
enum CrashLabel {
    nonisolated(unsafe) static let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: 512)
    nonisolated(unsafe) static var length = 0

    static func set(_ label: String) {
        let bytes = Array(("\nfuzz case that crashed: " + label + "\n").utf8.prefix(511))
        for (i, b) in bytes.enumerated() { buffer[i] = CChar(bitPattern: b) }
        length = bytes.count
    }

    static func install() {
        for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT] {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = { number in
                _ = write(2, CrashLabel.buffer, CrashLabel.length)
                Glibc.signal(number, SIG_DFL)
                raise(number)
            }
            #else
            action.__sigaction_u.__sa_handler = { number in
                _ = write(2, CrashLabel.buffer, CrashLabel.length)
                Darwin.signal(number, SIG_DFL)
                raise(number)
            }
            #endif
            sigaction(signal, &action, nil)
        }
    }
}
