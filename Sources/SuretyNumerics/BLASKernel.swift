import CLinAlg
import Foundation

/// Which family of compute kernels OpenBLAS runs in this process.
///
/// Debian's OpenBLAS is built for every x86-64 processor and picks its kernels when it loads:
/// `Haswell` (AVX2) or `Zen` or `SkylakeX` on current CPUs, `Prescott` (SSE3) on CPUs it does
/// not recognise. The environment variable `OPENBLAS_CORETYPE` overrides the choice. Different
/// kernels sum in different orders, so floating-point results of BLAS and LAPACK calls differ in
/// their last bits from one machine to another; certificates are verified under two families
/// (see `Certificates/README.md`) so that no tolerance is tuned to one machine's arithmetic.
public enum BLASKernel {
    /// The kernel family OpenBLAS uses now (`openblas_get_corename()`), e.g. `Haswell`.
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// A kernel family other than `current` that this CPU can run, for verifying a result under
    /// another machine's arithmetic: `Prescott` (SSE3, on every x86-64 CPU) when the current one
    /// is anything else, and `Haswell` (AVX2 and FMA) when it is already `Prescott` and the CPU
    /// has AVX2 and FMA, else `Core2`. `nil` off x86-64, where OpenBLAS has no such families.
    public static func alternative(to current: String = coreName) -> String? {
        #if arch(x86_64)
        if current.lowercased() != "prescott" { return "Prescott" }
        return cpuFlags.contains("avx2") && cpuFlags.contains("fma") ? "Haswell" : "Core2"
        #else
        return nil
        #endif
    }

    /// The CPU's feature flags from `/proc/cpuinfo` (empty where that file does not exist).
    static var cpuFlags: Set<Substring> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " "))
    }
}
