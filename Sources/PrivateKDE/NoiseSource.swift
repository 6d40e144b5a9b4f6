#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SuretyNumerics

/// A privacy-noise generator chosen at run time: the operating system's secure generator, or
/// a seeded stream for tests (whose releases are marked "not private").
///
/// Builders accept any `RandomNumberGenerator`; a release counts as private only when its
/// noise came from `SystemRandomNumberGenerator` or from `NoiseSource.secure`. Tools use this
/// type to switch on a `--insecure-noise-seed` flag without changing code paths.
///
/// `secure` reads the operating system's generator (`/dev/urandom` on Linux, `arc4random_buf`
/// on Darwin) 4 KiB at a time: the exact
/// samplers draw many words per noise value, and one system call per word made a count tree's
/// release spend most of its time in the kernel. The words are the same secure bytes, served
/// in order, each once. It is a reference type: a copy of a value holding the buffer would
/// replay the same secure words, so every copy of a `NoiseSource` shares one buffer and one
/// position, and each word is still served once. Not for use from several threads at once.
public final class NoiseSource: RandomNumberGenerator {
    private var buffer: [UInt64]
    private var position: Int
    private var seeded: RandomStream?

    private static let bufferWords = 512

    /// The operating system's secure generator.
    public static var secure: NoiseSource {
        NoiseSource(buffer: Array(repeating: 0, count: bufferWords), position: bufferWords, seeded: nil)
    }

    private init(buffer: [UInt64], position: Int, seeded: RandomStream?) {
        self.buffer = buffer
        self.position = position
        self.seeded = seeded
    }

    /// A seeded stream: **not private**, for tests and reproducible demonstrations only.
    public static func seeded(_ seed: UInt64) -> NoiseSource { NoiseSource(buffer: [], position: 0, seeded: RandomStream(seed: seed)) }

    public var isSecure: Bool { seeded == nil }

    public func next() -> UInt64 {
        if seeded != nil { return seeded!.next() }
        if position == buffer.count {
            buffer.withUnsafeMutableBytes { Self.fillSecurely($0) }
            position = 0
        }
        defer { position += 1 }
        return buffer[position]
    }

    private static func fillSecurely(_ bytes: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        // /dev/urandom is the kernel's CSPRNG, the one getrandom(2) reads.
        var filled = 0
        while filled < bytes.count {
            let n = read(urandom, bytes.baseAddress! + filled, bytes.count - filled)
            if n > 0 { filled += n } else if n < 0 && errno != EINTR { fatalError("reading /dev/urandom failed: errno \(errno)") }
        }
        #else
        arc4random_buf(bytes.baseAddress!, bytes.count)
        #endif
    }

    #if os(Linux)
    private static let urandom: Int32 = {
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        precondition(fd >= 0, "cannot open /dev/urandom: errno \(errno)")
        return fd
    }()
    #endif

    /// Whether noise drawn from `generator` makes a release private.
    static func isSecure(_ generator: some RandomNumberGenerator) -> Bool {
        generator is SystemRandomNumberGenerator || (generator as? NoiseSource)?.isSecure == true
    }
}
