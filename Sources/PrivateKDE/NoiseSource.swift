import SuretyNumerics

/// A privacy-noise generator chosen at run time: the operating system's secure generator, or
/// a seeded stream for tests (whose releases are marked "not private").
///
/// Builders accept any `RandomNumberGenerator`; a release counts as private only when its
/// noise came from `SystemRandomNumberGenerator` or from `NoiseSource.secure`. Tools use this
/// type to switch on a `--insecure-noise-seed` flag without changing code paths.
public struct NoiseSource: RandomNumberGenerator, Sendable {
    private var system: SystemRandomNumberGenerator?
    private var seeded: RandomStream?

    /// The operating system's secure generator.
    public static var secure: NoiseSource { NoiseSource(system: SystemRandomNumberGenerator(), seeded: nil) }

    /// A seeded stream: **not private**, for tests and reproducible demonstrations only.
    public static func seeded(_ seed: UInt64) -> NoiseSource { NoiseSource(system: nil, seeded: RandomStream(seed: seed)) }

    public var isSecure: Bool { system != nil }

    public mutating func next() -> UInt64 {
        if system != nil { return system!.next() }
        return seeded!.next()
    }

    /// Whether noise drawn from `generator` makes a release private.
    static func isSecure(_ generator: some RandomNumberGenerator) -> Bool {
        generator is SystemRandomNumberGenerator || (generator as? NoiseSource)?.isSecure == true
    }
}
