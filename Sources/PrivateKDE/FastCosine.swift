/// `cos` over a buffer, in place: reduction by whole turns, a fold to `[0, π/2]` and a
/// degree-20 Taylor polynomial; absolute error about `1e-15·(1 + |x|)`, clamped to `[−1, 1]`.
///
/// Random-feature builds evaluate `n·m` cosines (2·10⁹ for n = 10⁶, m = 2048), where the C
/// library's scalar `cos` dominates the run time; this loop has no branches and vectorizes.
/// Privacy never depends on it: the structure's sensitivity only uses `|cos| ≤ 1`, which the
/// clamp guarantees; its accuracy only affects the estimate (far below the 2⁻²⁰ rounding).
enum FastCosine {
    static func apply(_ values: UnsafeMutableBufferPointer<Double>) {
        let inverseTurn = 1 / (2 * Double.pi)
        let shifter = 6_755_399_441_055_744.0          // 1.5·2⁵²: adding and subtracting rounds to an integer
        for i in values.indices {
            var y = values[i] * inverseTurn
            y -= (y + shifter) - shifter                  // y ∈ [−½, ½] turns
            let a = abs(y)
            let far = a > 0.25
            let b = far ? 0.5 - a : a                     // cos(2πa) = −cos(2π(½ − a))
            let z = 2 * Double.pi * b, z2 = z * z
            var c = 1.0 / 2_432_902_008_176_640_000       // 1/20!
            c = c * z2 - 1.0 / 6_402_373_705_728_000      // 1/18!
            c = c * z2 + 1.0 / 20_922_789_888_000
            c = c * z2 - 1.0 / 87_178_291_200
            c = c * z2 + 1.0 / 479_001_600
            c = c * z2 - 1.0 / 3_628_800
            c = c * z2 + 1.0 / 40_320
            c = c * z2 - 1.0 / 720
            c = c * z2 + 1.0 / 24
            c = c * z2 - 0.5
            c = c * z2 + 1
            values[i] = min(1, max(-1, far ? -c : c))
        }
    }
}
