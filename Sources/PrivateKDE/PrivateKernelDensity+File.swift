import Certificates
import Foundation
import SuretyData
import SuretyNumerics

extension RandomFeatures {
    /// The features' public parameters as header fields.
    var headerFields: [String: JSONValue] {
        [
            "kernel": .string(kernel.rawValue),
            "bandwidth": .number(bandwidth),
            "dimension": .integer(dimension),
            "features": .integer(count),
            "projected_dimension": projection.map { .integer($0.columns) } ?? .null,
            "feature_seed": .string(String(seed)),
            "domain": domain.map(PublicInterval.json) ?? .null,
        ]
    }

    /// Reads the features from a header and the front of a body; returns them and the number
    /// of body values they used. The bandwidth must be finite and positive, the sizes' products
    /// must not overflow, and the projection, frequencies and phases must be finite.
    static func read(header: [String: JSONValue], body: [Double], bad: (String) -> DataError,
                     checks: StructureFileChecks) throws -> (RandomFeatures, Int) {
        guard let kernel = header["kernel"]?.stringValue.flatMap(SimilarityKernel.init(rawValue:)),
              let seed = header["feature_seed"]?.stringValue.flatMap({ UInt64($0) }) else {
            throw bad("a header missing the random features' parameters")
        }
        let h = try checks.number("bandwidth", "a finite bandwidth > 0") { $0 > 0 }
        let d = try checks.integer("dimension", in: 1...Int.max), m = try checks.integer("features", in: 1...Int.max)
        var domain: [PublicInterval]?
        if let value = header["domain"], value != .null {
            domain = try PublicInterval.read(value, bad: bad)
            guard domain?.count == d else { throw bad("\(domain?.count ?? 0) domain intervals for dimension \(d)") }
        }
        let k = header["projected_dimension"] == nil || header["projected_dimension"] == .null
            ? nil : try checks.integer("projected_dimension", in: 1...Int.max)
        let inner = k ?? d
        let projectionSize = if let k { StructureFileChecks.product(d, k) } else { Optional(0) }
        guard let used = StructureFileChecks.sum(projectionSize, StructureFileChecks.product(inner, m), m),
              body.count >= used else {
            throw bad("\(body.count) values for d = \(d), m = \(m)\(k.map { ", k = \($0)" } ?? "")")
        }
        let values = try checks.finite(0..<used)
        let projection = try k.map { try Matrix(rows: d, columns: $0, columnMajor: Array(values[0..<(d * $0)])) }
        let start = projection?.storage.count ?? 0
        let frequencies = try Matrix(rows: inner, columns: m, columnMajor: Array(values[start..<(start + inner * m)]))
        let phases = Array(values[(start + inner * m)..<used])
        return (RandomFeatures(kernel: kernel, bandwidth: h, dimension: d, seed: seed, projection: projection,
                               frequencies: frequencies, phases: phases, domain: domain), used)
    }
}

extension PrivateKernelDensity {
    public static let fileKind = "dpkde.kernel-density"

    /// The structure as a ``PrivateStructureFile``: the public parameters and the privacy
    /// statement in the header; the body holds the public random features (projection,
    /// frequencies column-major, phases) and the `m` noisy sums.
    public func fileBytes() throws -> [UInt8] {
        var header = features.headerFields
        header["kind"] = .string(Self.fileKind)
        header["count"] = .number(count)
        header["sum_noise_variance"] = .number(sumNoiseVariance)
        header["count_noise_variance"] = .number(countNoiseVariance)
        header["fraction_bits"] = .integer(fractionBits)
        header["privacy"] = privacy.json
        return try PrivateStructureFile.encode(header: header, body: features.body + noisySums)
    }

    /// Reads a structure written by ``fileBytes()``.
    ///
    /// - Throws: ``DataError`` for a damaged file, another kind, or inconsistent parameters.
    public init(fileBytes bytes: [UInt8], name: String) throws {
        let (header, body, bad) = try PrivateStructureFile.decode(bytes, name: name, kind: Self.fileKind)
        let checks = StructureFileChecks(bytes: bytes, header: header, body: body, name: name, kind: Self.fileKind)
        let (features, used) = try RandomFeatures.read(header: header, body: body, bad: bad, checks: checks)
        let count = try checks.number("count")
        let sumVariance = try checks.number("sum_noise_variance", "a finite variance > 0") { $0 > 0 }
        let countVariance = try checks.number("count_noise_variance", "a finite variance ≥ 0") { $0 >= 0 }
        let bits = try checks.integer("fraction_bits", in: 0...KernelFeatureSums.fractionBits)
        guard let privacy = PrivacyStatement(json: header["privacy"]) else { throw bad("a header missing its privacy statement") }
        try checks.bodyCount(StructureFileChecks.sum(used, features.count), "\(features.count) features")
        self.init(features: features, noisySums: try checks.finite(used..<body.count), count: count, sumNoiseVariance: sumVariance,
                  countNoiseVariance: countVariance, fractionBits: bits, privacy: privacy)
    }
}

extension KernelFeatureSums {
    public static let fileKind = "dpkde.kernel-statistics"

    /// The SHA-256 (hexadecimal) of the statistics: the point count and the sums, each as a
    /// little-endian 64-bit integer. Two partial files with the same digest hold the same
    /// statistics — in practice the same shard.
    public var digest: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 * (sums.count + 1))
        PrivateStructureFile.append(&bytes, Int64(count))
        for sum in sums { PrivateStructureFile.append(&bytes, sum) }
        return InputDigest.sha256(of: bytes)
    }

    /// The un-noised statistics as a ``PrivateStructureFile`` (a *partial* build). The header
    /// says `"sensitive"`: this file is as sensitive as the shard it summarizes (write it
    /// readable by its owner only). It also holds a fresh 128-bit shard identifier from the
    /// operating system's generator and the statistics' ``digest``, by which
    /// ``union(of:)`` refuses a shard given twice. Each 64-bit sum is stored exactly as two
    /// Float64 values (high and low 32 bits).
    public func fileBytes() throws -> [UInt8] { try fileBytes(lineage: nil) }

    /// A partial file for the sum of several shards (a node of a merge tree): as
    /// ``fileBytes()``, with a fresh identifier of its own, the identities of every leaf shard it
    /// sums and the digests of every leaf and node below it (``Shard/Lineage``), so that a later
    /// merge refuses any of them a second time.
    public func fileBytes(lineage: Shard.Lineage?) throws -> [UInt8] {
        var system = SystemRandomNumberGenerator()
        let identifier = [system.next(), system.next()].map { word -> String in
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
        var header = features.headerFields
        header["kind"] = .string(Self.fileKind)
        header["count"] = .integer(count)
        header["sensitive"] = .string("UN-NOISED statistics: as sensitive as the data; release them only through `dpkde merge`")
        header["shard_id"] = .string(identifier)
        header["statistics_sha256"] = .string(digest)
        if let lineage {
            header["leaves"] = .array(lineage.leaves.map { .object(["shard_id": .string($0.identifier), "statistics_sha256": .string($0.digest)]) })
            header["covered_sha256"] = .array(lineage.covered.sorted().map(JSONValue.string))
        }
        let exact = sums.flatMap { [Double($0 >> 32), Double($0 & 0xffff_ffff)] }
        return try PrivateStructureFile.encode(header: header, body: features.body + exact)
    }

    /// One shard's partial file, read back: the statistics and the identity that lets a merge
    /// refuse the same shard twice.
    public struct Shard: Sendable, Equatable {
        /// The file's name, for messages.
        public let name: String
        public let statistics: KernelFeatureSums
        /// The 128-bit random identifier drawn when the file was written (32 hex digits).
        public let identifier: String
        /// The leaf shards this file sums: itself for a partial build, every shard below it for a
        /// merged partial (`dpkde merge --partial`).
        public let leaves: [Leaf]
        /// The statistics digests of every leaf and node at or below this file: a merge refuses
        /// two inputs that share one (the same sums would count twice), except the digest of
        /// empty statistics, which adds nothing.
        public let covered: Set<String>

        /// What a merged partial records of the shards below it.
        public struct Lineage: Sendable, Equatable {
            public var leaves: [Leaf]
            public var covered: Set<String>
        }

        /// A leaf shard's identity: its identifier and its statistics' digest.
        public struct Leaf: Sendable, Hashable {
            public let identifier: String
            public let digest: String
            public init(identifier: String, digest: String) {
                self.identifier = identifier
                self.digest = digest
            }
        }

        /// At most this many leaves in one merged partial (a header of about 130 bytes each).
        public static let maximumLeaves = 1 << 20

        /// Reads statistics written by ``KernelFeatureSums/fileBytes()``.
        ///
        /// - Throws: ``DataError`` for a damaged file, another kind, a count beyond
        ///   ``KernelFeatureSums/maximumCount`` or a sum beyond `count·K`, a digest that does not
        ///   match the statistics, or a partial file written before shard identifiers (it
        ///   must be rebuilt: without one, a copy of it could not be told from another shard).
        public init(fileBytes bytes: [UInt8], name: String) throws {
            let kind = KernelFeatureSums.fileKind
            let (header, body, bad) = try PrivateStructureFile.decode(bytes, name: name, kind: kind)
            let checks = StructureFileChecks(bytes: bytes, header: header, body: body, name: name, kind: kind)
            let (features, used) = try RandomFeatures.read(header: header, body: body, bad: bad, checks: checks)
            let count = try checks.integer("count", in: 0...KernelFeatureSums.maximumCount)
            guard let identifier = header["shard_id"]?.stringValue, let recorded = header["statistics_sha256"]?.stringValue else {
                throw DataError(file: name, line: 1, column: 1, seen: "a partial file without a shard identifier (written by an older Surety)",
                                expected: "a partial file from this version: rebuild it with `dpkde build SHARD.csv --partial …`")
            }
            func isIdentifier(_ s: String) -> Bool { s.count == 32 && s.allSatisfy(\.isHexDigit) }
            func isDigest(_ s: String) -> Bool { s.count == 64 && s.allSatisfy(\.isHexDigit) }
            guard isIdentifier(identifier) else { throw bad("the shard identifier '\(identifier)'") }
            var leaves = [Leaf(identifier: identifier, digest: recorded)]
            if let listed = header["leaves"] {
                guard let array = listed.arrayValue, !array.isEmpty, array.count <= Self.maximumLeaves else {
                    throw bad("a leaves field that is not a list of 1 to \(Self.maximumLeaves) shards")
                }
                leaves = try array.enumerated().map { k, entry in
                    guard let id = entry.objectValue?["shard_id"]?.stringValue, let digest = entry.objectValue?["statistics_sha256"]?.stringValue,
                          isIdentifier(id), isDigest(digest) else { throw bad("leaf \(k + 1) of the leaves field") }
                    return Leaf(identifier: id, digest: digest)
                }
            }
            var covered: Set<String> = [recorded]
            if let listed = header["covered_sha256"] {
                let digests = listed.arrayValue?.map(\.stringValue) ?? []
                guard listed.arrayValue != nil, digests.count <= 2 * Self.maximumLeaves, digests.allSatisfy({ $0.map(isDigest) ?? false }) else {
                    throw bad("a covered_sha256 field that is not a list of statistics digests")
                }
                covered.formUnion(digests.compactMap { $0 })
            }
            covered.formUnion(leaves.map(\.digest))
            try checks.bodyCount(StructureFileChecks.sum(used, StructureFileChecks.product(2, features.count)), "\(features.count) features")
            // Each point moves a sum by at most K, so |sum| ≤ count·K (≤ Int64.max / 2 by maximumCount):
            // what merges and the release's rounding and noise rely on to stay within 64 bits.
            let largest = Int64(count) * KernelFeatureSums.contributionBound
            var sums: [Int64] = []
            for j in 0..<features.count {
                let high = body[used + 2 * j], low = body[used + 2 * j + 1]
                guard high == high.rounded(), abs(high) < 2_147_483_648, low == low.rounded(), low >= 0, low < 4_294_967_296 else {
                    throw checks.bodyError(at: used + 2 * j, "and the next (\(high), \(low))", expected: "sum \(j) as a 64-bit integer's high and low halves")
                }
                let sum = Int64(high) << 32 | Int64(low)
                guard sum.magnitude <= largest.magnitude else {
                    throw checks.bodyError(at: used + 2 * j, "and the next: sum \(j) larger than \(count) points can make",
                                           expected: "a sum of at most count·K = \(count)·\(KernelFeatureSums.contributionBound) in magnitude")
                }
                sums.append(sum)
            }
            let statistics = KernelFeatureSums(features: features, sums: sums, count: count)
            guard statistics.digest == recorded else { throw bad("a statistics digest that does not match the statistics") }
            self.name = name
            self.statistics = statistics
            self.identifier = identifier
            self.leaves = leaves
            self.covered = covered
        }
    }

    /// The statistics of the union of disjoint shards.
    ///
    /// - Throws: ``DataError`` naming the later file when two shards have the same identifier
    ///   (a copy of one file) or the same statistics digest (the same shard built twice):
    ///   merged twice, a shard's records would count twice and the release's ε would not hold
    ///   for them. Also when a shard's random features differ from the first's; or when
    ///   `shards` is empty.
    public static func union(of shards: [Shard]) throws -> KernelFeatureSums { try combine(shards).statistics }

    /// ``union(of:)`` with what a merged partial records (``Shard/Lineage``). Refused: two
    /// inputs that share a leaf identifier (a copy) or any statistics digest of a leaf or node at
    /// or below them (a shard or subtree given twice, or rebuilt), other than empty statistics.
    /// Associative and commutative in the sums (64-bit integers), so any tree over the same leaves
    /// gives the same sums. Overlaps that repeat no shard or node exactly (a shard rebuilt with
    /// one more row, the union of two shards never merged as a node) cannot be seen here:
    /// disjointness is the caller's to ensure; this is a safety net for exact repeats.
    public static func combine(_ shards: [Shard]) throws -> (statistics: KernelFeatureSums, lineage: Shard.Lineage) {
        guard let first = shards.first else {
            throw DataError(file: "<merge>", line: 1, column: 1, seen: "no partial files", expected: "at least one shard")
        }
        guard shards.reduce(0, { $0 + $1.leaves.count }) <= Shard.maximumLeaves else {
            throw DataError(file: first.name, line: 1, column: 1, seen: "more than \(Shard.maximumLeaves) leaf shards in all",
                            expected: "at most \(Shard.maximumLeaves) shards in one merge tree")
        }
        let empty = KernelFeatureSums(features: first.statistics.features).digest
        var total = first.statistics
        var identifiers: [String: String] = [:], owners: [String: String] = [:]
        var lineage = Shard.Lineage(leaves: [], covered: [])
        for (index, shard) in shards.enumerated() {
            guard shard.statistics.features == first.statistics.features else {
                throw DataError(file: shard.name, line: 1, column: 1,
                                seen: "random features that differ from \(first.name)'s (kernel, bandwidth, m, projection, bounds or --feature-seed)",
                                expected: "shards built with the same public parameters and --feature-seed")
            }
            func duplicate(_ what: String) -> DataError {
                DataError(file: shard.name, line: 1, column: 1, seen: "\(what): the same shard given twice",
                          expected: "disjoint shards, each merged once (a shard merged twice counts its records twice, beyond the release's ε; "
                              + "different shards with identical statistics must be built as one)")
            }
            for leaf in shard.leaves {
                if let earlier = identifiers[leaf.identifier] { throw duplicate("the shard identifier of \(earlier) (\(leaf.identifier))") }
                identifiers[leaf.identifier] = shard.name
            }
            let mine = shard.covered.subtracting([empty])
            if let shared = mine.sorted().first(where: { owners[$0] != nil }) {
                throw duplicate("the statistics of \(owners[shared]!) (SHA-256 \(shared.prefix(16))…)")
            }
            for digest in mine { owners[digest] = shard.name }
            lineage.leaves += shard.leaves
            lineage.covered.formUnion(mine)
            guard index > 0 else { continue }
            do {
                total = try total.merged(with: shard.statistics)
            } catch let error as NumericsError {
                throw DataError(file: shard.name, line: 1, column: 1, seen: "statistics that cannot be added to the earlier shards' (\(error))",
                                expected: "shards of at most \(maximumCount) points in all")
            }
        }
        if total.digest != empty { lineage.covered.insert(total.digest) }
        return (total, lineage)
    }
}

extension PrivateStructureFile {
    /// ``decode(_:name:)`` for a file that must be of `kind`; also returns the error maker
    /// for inconsistent contents.
    static func decode(_ bytes: [UInt8], name: String, kind: String)
        throws -> (header: [String: JSONValue], body: [Double], bad: (String) -> DataError) {
        let (header, body) = try decode(bytes, name: name)
        let bad: (String) -> DataError = { seen in
            DataError(file: name, line: 1, column: 1, seen: seen, expected: "a '\(kind)' file written by Surety")
        }
        guard header["kind"]?.stringValue == kind else { throw bad("kind \(header["kind"].map { "\($0)" } ?? "none")") }
        return (header, body, bad)
    }
}
