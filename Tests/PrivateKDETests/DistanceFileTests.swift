import Foundation
import SuretyData
import SuretyNumerics
import Testing
@testable import PrivateKDE

/// Every distance structure survives its file: the same answers after reading back, the
/// privacy statement kept, damaged or wrong-kind files refused.
@Suite struct DistanceFileTests {
    static func points(seed: UInt64) throws -> Matrix {
        var rng = RandomStream(seed: seed)
        return try Matrix(rows: 60, columns: 3, columnMajor: rng.uniforms(count: 180))
    }

    static let queries: [[Double]] = [[0.5, 0.5, 0.5], [0.1, 0.9, 0.3], [1.2, -0.1, 0.5]]

    @Test func prefixRoundTrip() throws {
        var z = RandomStream(seed: 1)
        let domains = try Array(repeating: PublicInterval(0, 1), count: 3)
        let s = try PrivatePrefixL1Distance.build(points: Self.points(seed: 2), domains: domains, levels: 6, epsilon: 1, using: &z)
        let bytes = try s.fileBytes()
        let back = try PrivatePrefixL1Distance(fileBytes: bytes, name: "p")
        for y in Self.queries { #expect(try back.sum(at: y) == s.sum(at: y)) }
        #expect(back.privacy == s.privacy && !back.privacy.securelyGenerated)
        #expect(throws: DataError.self) { try PrivateL1Distance(fileBytes: bytes, name: "p") }
        var tampered = bytes
        tampered[tampered.count / 2] ^= 1
        #expect(throws: DataError.self) { try PrivatePrefixL1Distance(fileBytes: tampered, name: "p") }
    }

    @Test func l2RoundTrip() throws {
        var p = RandomStream(seed: 3), z = RandomStream(seed: 4)
        let s = try PrivateL2Distance.build(points: Self.points(seed: 5), projectionDimension: 8, coordinateBound: 4, levels: 6, epsilon: 1,
                                            projectionGenerator: &p, noiseGenerator: &z)
        let back = try PrivateL2Distance(fileBytes: s.fileBytes(), name: "l2")
        for y in Self.queries { #expect(try back.sum(at: y) == s.sum(at: y)) }
        #expect(back.privacy == s.privacy)
        #expect(throws: DataError.self) { try PrivateL2Distance(fileBytes: Array(s.fileBytes().dropLast(10)), name: "l2") }
    }

    @Test func squaredL2RoundTrip() throws {
        var z = RandomStream(seed: 6)
        let domains = try Array(repeating: PublicInterval(0, 1), count: 3)
        let s = try PrivateSquaredL2Distance.build(points: Self.points(seed: 7), domains: domains, epsilon: 1, using: &z)
        let back = try PrivateSquaredL2Distance(fileBytes: s.fileBytes(), name: "sq")
        for y in Self.queries { #expect(try back.sum(at: y) == s.sum(at: y)) }
        #expect(back.privacy == s.privacy && back.privacy.accounting.contains("ε/3"))
        #expect(throws: DataError.self) { try PrivateKernelDensity(fileBytes: s.fileBytes(), name: "sq") }
    }
}
