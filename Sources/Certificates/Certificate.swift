import Foundation
import SuretyData

/// The software that produced a certificate.
public struct SoftwareInfo: Codable, Sendable, Hashable {
    public var name: String
    public var version: String

    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }

    /// This build of Surety.
    public static let surety = SoftwareInfo(name: "surety", version: "0.1.0")
}

/// The JSON document every Surety procedure ends in: what is guaranteed, under which
/// assumptions, with which numbers, and how to reproduce it.
///
/// The written form is canonical: envelope fields in the order below, nested object keys
/// sorted, numbers in shortest round-trip form. See `Certificates/README.md` for the format
/// and `certificate.schema.json` for its schema.
public struct Certificate: Codable, Sendable, Equatable {
    /// The current format version.
    public static let formatVersion = 1

    /// A namespaced kind, e.g. `colep.certified-coverage`.
    public var kind: String
    /// The format version (`Certificate.formatVersion` when written by this build).
    public var version: Int
    /// A human-readable statement of what is guaranteed.
    public var claim: String
    /// The assumptions under which the claim holds.
    public var assumptions: [String]
    /// Every input that changes the result.
    public var parameters: [String: JSONValue]
    /// The numbers the claim is about.
    public var results: [String: JSONValue]
    /// Intermediate statistics needed to re-check the claim.
    public var evidence: [String: JSONValue]
    /// The input files and their hashes.
    public var inputs: [InputDigest]
    /// The seed of the run, when it was random.
    public var seed: UInt64?
    /// Absolute tolerances for numbers that `verify` may see differ on recomputation, keyed
    /// by dotted path (`results.certified_coverage`; `results.tests[4].statistic` for a record of
    /// an array of objects; no index for a vector of numbers), each derived from
    /// what the number is (`Tolerance`, set with `tolerate(_:at:)`). Numbers not listed must
    /// be reproduced exactly.
    public var tolerances: [String: Double]
    /// What produced the certificate.
    public var software: SoftwareInfo

    public init(
        kind: String, claim: String, assumptions: [String] = [], parameters: [String: JSONValue] = [:],
        results: [String: JSONValue] = [:], evidence: [String: JSONValue] = [:], inputs: [InputDigest] = [],
        seed: UInt64? = nil, tolerances: [String: Double] = [:], software: SoftwareInfo = .surety
    ) {
        self.kind = kind
        self.version = Certificate.formatVersion
        self.claim = claim
        self.assumptions = assumptions
        self.parameters = parameters
        self.results = results
        self.evidence = evidence
        self.inputs = inputs
        self.seed = seed
        self.tolerances = tolerances
        self.software = software
    }

    enum CodingKeys: String, CodingKey {
        case kind, version, claim, assumptions, parameters, results, evidence, inputs, seed, tolerances, software
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(String.self, forKey: .kind)
        version = try c.decode(Int.self, forKey: .version)
        claim = try c.decode(String.self, forKey: .claim)
        assumptions = try c.decodeIfPresent([String].self, forKey: .assumptions) ?? []
        parameters = try c.decodeIfPresent([String: JSONValue].self, forKey: .parameters) ?? [:]
        results = try c.decodeIfPresent([String: JSONValue].self, forKey: .results) ?? [:]
        evidence = try c.decodeIfPresent([String: JSONValue].self, forKey: .evidence) ?? [:]
        inputs = try c.decodeIfPresent([InputDigest].self, forKey: .inputs) ?? []
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
        tolerances = try c.decodeIfPresent([String: Double].self, forKey: .tolerances) ?? [:]
        software = try c.decode(SoftwareInfo.self, forKey: .software)
    }

    /// The canonical JSON text, ending in a newline.
    public func canonicalJSON() -> String {
        var members: [(key: String, member: CanonicalJSON.Member)] = [
            ("kind", .value(.string(kind))),
            ("version", .value(.integer(version))),
            ("claim", .value(.string(claim))),
            ("assumptions", .value(.array(assumptions.map(JSONValue.string)))),
            ("parameters", .value(.object(parameters))),
            ("results", .value(.object(results))),
            ("evidence", .value(.object(evidence))),
            ("inputs", .value(.array(inputs.map { ["path": .string($0.path), "sha256": .string($0.sha256)] }))),
        ]
        if let seed { members.append(("seed", .raw(String(seed)))) }
        if !tolerances.isEmpty { members.append(("tolerances", .value(.object(tolerances.mapValues(JSONValue.number))))) }
        members.append(("software", .value(["name": .string(software.name), "version": .string(software.version)])))
        var out = ""
        CanonicalJSON.writeObject(members, indent: 0, into: &out)
        return out + "\n"
    }

    /// Writes the canonical JSON to `url` atomically.
    public func write(to url: URL) throws {
        try AtomicFileWriter.write(Array(canonicalJSON().utf8), to: url)
    }

    /// Reads a certificate.
    ///
    /// - Throws: `DataError` with the location of a syntax error, a missing field or a
    ///   value of the wrong type, and for a format version this build does not know.
    public static func read(from url: URL) throws -> Certificate {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DataError.unreadable(url, expected: "a certificate JSON file")
        }
        return try decode(data, name: url.path)
    }

    /// Decodes a certificate from JSON bytes; `name` stands in for a file name in errors.
    public static func decode(_ data: Data, name: String = "<memory>") throws -> Certificate {
        let certificate = try JSONConfig.decode(Certificate.self, from: data, name: name)
        guard certificate.version == formatVersion else {
            let (line, column) = JSONConfig.position(of: [CodingKeys.version], in: String(decoding: data, as: UTF8.self))
            throw DataError(file: name, line: line, column: column, seen: "certificate format version \(certificate.version)",
                            expected: "version \(formatVersion), the version this build of Surety reads")
        }
        return certificate
    }
}
