/// A seeded, splittable pseudo-random generator: xoshiro256** (Blackman & Vigna, 2018),
/// seeded through SplitMix64.
///
/// The same seed gives the same stream of `UInt64` values on every platform: the
/// algorithm uses only 64-bit integer shifts, rotations, multiplications and xors.
/// The uniforms derived from it (`nextUniform()`, `nextInt(below:)`) are exact functions of
/// those integers, so they are bit-identical everywhere too.
///
/// Independent streams for parallel tasks come from `jump()`: each jump advances the state
/// by 2¹²⁸ steps, so the streams `RandomStream(seed: s, stream: k)` for different `k` do
/// not overlap for any realistic length. This generator is **not** cryptographically
/// secure: it is for simulation and reproducible randomized algorithms, never for privacy noise.
public struct RandomStream: RandomNumberGenerator, Sendable, Hashable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// The seed this stream started from, recorded for certificates.
    public let seed: UInt64
    /// The index of this stream among the streams of `seed` (the number of jumps applied).
    public let streamIndex: Int

    /// Creates stream number `stream` of `seed`.
    ///
    /// - Complexity: O(stream) jumps of 256 generator steps each.
    public init(seed: UInt64, stream: Int = 0) {
        precondition(stream >= 0, "stream index must be non-negative")
        var sm = SplitMix64(state: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
        self.seed = seed
        self.streamIndex = stream
        for _ in 0..<stream { jump() }
    }

    /// A generator started from an explicit internal state (for reference test vectors).
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
        seed = 0
        streamIndex = 0
    }

    /// Returns the `count` streams `0..<count` of `seed`, one per parallel task.
    public static func streams(seed: UInt64, count: Int) -> [RandomStream] {
        var out = [RandomStream]()
        out.reserveCapacity(count)
        var g = RandomStream(seed: seed)
        for k in 0..<count {
            out.append(g.relabelled(stream: k))
            g.jump()
        }
        return out
    }

    private func relabelled(stream: Int) -> RandomStream {
        RandomStream(seed: seed, s0, s1, s2, s3, stream: stream)
    }

    private init(seed: UInt64, _ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64, stream: Int) {
        s0 = a; s1 = b; s2 = c; s3 = d
        self.seed = seed
        self.streamIndex = stream
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = (s1 &* 5).rotatedLeft(7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3.rotatedLeft(45)
        return result
    }

    /// Advances the state by 2¹²⁸ steps (the reference jump polynomial of xoshiro256).
    public mutating func jump() {
        let polynomial: [UInt64] = [0x180e_c6d3_3cfd_0aba, 0xd5a6_1266_f0c9_392c,
                                    0xa958_2618_e03f_c9aa, 0x39ab_dc45_29b1_661c]
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0
        for word in polynomial {
            for b in 0..<64 {
                if word & (1 << UInt64(b)) != 0 {
                    t0 ^= s0; t1 ^= s1; t2 ^= s2; t3 ^= s3
                }
                _ = next()
            }
        }
        s0 = t0; s1 = t1; s2 = t2; s3 = t3
    }
}

extension RandomNumberGenerator {
    /// A uniform number in [0, 1): the top 53 bits of `next()` times 2⁻⁵³. Every value is a
    /// multiple of 2⁻⁵³ and each is equally likely.
    @inlinable
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// `count` draws of ``nextUniform()``, in order. Inlinable, so a loop over a concrete
    /// generator is specialized in the caller rather than calling `next()` through a protocol.
    @inlinable
    public mutating func uniforms(count: Int) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = nextUniform() }
            initialized = count
        }
    }

    /// A uniform number in (0, 1): `(k + ½) · 2⁻⁵³` for a uniform 53-bit `k`. Never 0 or 1,
    /// so `log` of it is always finite.
    public mutating func nextOpenUniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// A uniform integer in `0..<bound`, exactly uniform (Lemire's multiply-and-reject).
    ///
    /// - Precondition: `bound > 0`.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let n = UInt64(bound)
        var product = next().multipliedFullWidth(by: n)
        if product.low < n {
            let threshold = (0 &- n) % n
            while product.low < threshold { product = next().multipliedFullWidth(by: n) }
        }
        return Int(product.high)
    }
}

/// SplitMix64 (Steele, Lea & Flood), used to expand a 64-bit seed into a full state.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

extension UInt64 {
    @inline(__always)
    func rotatedLeft(_ k: UInt64) -> UInt64 { (self << k) | (self >> (64 - k)) }
}
