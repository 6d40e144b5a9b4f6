import Foundation

/// The arithmetic a circuit query runs in. Both give the same answers to rounding; they
/// differ in speed.
public enum CircuitArithmetic: Sendable, Hashable {
    /// Plain products and sums, checked: every multiplication whose operands are non-zero
    /// must give a normal number (no underflow, overflow or subnormal loss). A chunk of rows
    /// that fails the check anywhere is recomputed in log space, so no precision is lost;
    /// typical inputs never fail it and run several times faster than log space.
    case automatic
    /// Log space throughout (log-add-exp at sums): the reference arithmetic, slower.
    case logSpace
}

/// Upward and downward passes of a circuit over a chunk of rows.
///
/// Values are stored node-major (`values[n * width + b]`), so every node's work is a loop over
/// the chunk's rows with no allocation. The upward pass computes each node's value; the
/// downward pass computes `∂Z/∂value(n)` (Darwiche's differential semantics), summed over a
/// node's parents. Products pass each child the product of its siblings through prefix and
/// suffix products (no division), so zero-valued siblings are exact.
///
/// With ``CircuitArithmetic/automatic`` the passes run in linear space with an exactness
/// check on every multiplication (see there) and fall back to log space for the chunk.
struct CircuitEvaluator {
    let circuit: ProbabilisticCircuit
    let arithmetic: CircuitArithmetic
    /// Rows per chunk.
    let width: Int
    private let memory: EvaluatorMemory
    /// Whether the last ``evaluate`` ended in log space (then the buffers hold logs).
    private(set) var inLogSpace = false

    static let defaultWidth = 256

    init(_ circuit: ProbabilisticCircuit, arithmetic: CircuitArithmetic = .automatic, width: Int = CircuitEvaluator.defaultWidth) {
        self.circuit = circuit
        self.arithmetic = arithmetic
        self.width = width
        memory = EvaluatorMemory(circuit, width: width)
    }

    /// Runs the passes over `count ≤ width` rows.
    ///
    /// - Parameters:
    ///   - fill: `fill(variable, positive, out)` writes the `count` leaf values (not logs)
    ///     of the literal to `out`.
    ///   - downward: also run the downward pass.
    ///   - seeds: start the downward pass from these nodes (derivative 1 each) instead of the
    ///     root; seeding the factors of the root product gives each component's derivatives
    ///     of its own value, unaffected by the other components.
    mutating func evaluate(count: Int, downward: Bool, seeds: [Int]? = nil,
                           leaves fill: (Int, Bool, UnsafeMutablePointer<Double>) -> Void) {
        let m = memory
        for n in 0..<m.nodes where m.kind[n] == .literal {
            fill(Int(circuit.leafVariable[n]), circuit.leafPositive[n], m.values + n * width)
        }
        let seeds = seeds ?? [circuit.root]
        if arithmetic == .automatic {
            inLogSpace = false
            var exact = upwardLinear(count: count)
            if exact && downward { exact = downwardLinear(count: count, seeds: seeds) }
            if exact { return }
        }
        inLogSpace = true
        for n in 0..<m.nodes where m.kind[n] == .literal {
            for b in 0..<count { m.values[n * width + b] = log(m.values[n * width + b]) }
        }
        upwardLog(count: count)
        if downward { downwardLog(count: count, seeds: seeds) }
    }

    /// `log value(n)` for row `b`.
    func logValue(node n: Int, row b: Int) -> Double {
        inLogSpace ? memory.values[n * width + b] : log(memory.values[n * width + b])
    }

    /// `log ∂Z/∂value(n)` for row `b` (`-∞` where the node does not influence the seeds).
    func logDerivative(node n: Int, row b: Int) -> Double {
        inLogSpace ? memory.derivatives[n * width + b] : log(memory.derivatives[n * width + b])
    }

    /// The marginal `P(x = 1) = Z₁ / (Z₁ + Z₀)` of variable `v` for row `b`, with
    /// `Z₁ = λ_x · ∂Z/∂λ_x` and `Z₀ = λ_¬x · ∂Z/∂λ_¬x` (their sum is `Z` in a smooth,
    /// decomposable circuit). This form is exactly 0 or 1 for observed variables and always in
    /// `[0, 1]`. NaN when `Z = 0`.
    func marginal(variable v: Int, row b: Int) -> Double {
        let values = memory.values, derivatives = memory.derivatives
        let one = Int(circuit.positiveLeaf[v]) * width + b, zero = Int(circuit.negativeLeaf[v]) * width + b
        if inLogSpace {
            let l1 = values[one] + derivatives[one], l0 = values[zero] + derivatives[zero]
            if l1 == -.infinity { return l0 == -.infinity ? .nan : 0 }
            return 1 / (1 + exp(l0 - l1))
        }
        let z1 = values[one] * derivatives[one], z0 = values[zero] * derivatives[zero]
        return z1 / (z1 + z0)
    }

    /// Collects, branch-free, whether any checked product `r = a · b` of non-negative finite
    /// numbers lost precision: `r` below the smallest normal number while both operands are
    /// non-zero (underflow or a subnormal), or `r` infinite (overflow).
    struct ExactnessCheck {
        // Non-negative doubles order like their bit patterns, so the test is integer-only
        // (and vectorizes): `r < leastNormal` ⟺ bits(r) < bits(leastNormal).
        private static let normalBits = Int64(bitPattern: Double.leastNormalMagnitude.bitPattern)
        private static let infinityBits = Int64(bitPattern: Double.infinity.bitPattern)
        private var lost: Int64 = 0
        private var largest: Int64 = 0

        @inline(__always)
        mutating func product(_ a: Double, _ b: Double, _ r: Double) {
            let bits = Int64(bitPattern: r.bitPattern)
            let tiny = (bits &- Self.normalBits) >> 63                                  // all ones when r is 0 or subnormal
            let operands = Int64(bitPattern: Swift.min(a.bitPattern, b.bitPattern))     // 0 when an operand is +0
            lost |= tiny & operands
            largest = Swift.max(largest, bits)
        }

        @inline(__always)
        mutating func value(_ r: Double) { largest = Swift.max(largest, Int64(bitPattern: r.bitPattern)) }

        /// No loss seen, and no infinity or NaN (their bit patterns are the largest).
        var isExact: Bool { lost == 0 && largest < Self.infinityBits }
    }

    private func upwardLinear(count: Int) -> Bool {
        let m = memory, width = self.width, v = m.values
        var check = ExactnessCheck()
        for n in 0..<m.nodes where m.kind[n] != .literal {
            let s = Int(m.childStart[n]), e = Int(m.childStart[n + 1])
            let out = v + n * width
            if m.kind[n] == .product {
                let first = v + Int(m.children[s]) * width
                for b in 0..<count { out[b] = first[b] }
                for k in (s + 1)..<Swift.max(s + 1, e) {
                    let x = v + Int(m.children[k]) * width
                    for b in 0..<count {
                        let r = out[b] * x[b]
                        check.product(out[b], x[b], r)
                        out[b] = r
                    }
                }
            } else if e - s == 2 && m.expWeight[s] == 1 && m.expWeight[s + 1] == 1 {
                let x = v + Int(m.children[s]) * width, y = v + Int(m.children[s + 1]) * width
                for b in 0..<count {
                    out[b] = x[b] + y[b]
                    check.value(out[b])
                }
            } else {
                for b in 0..<count { out[b] = 0 }
                for k in s..<e {
                    let x = v + Int(m.children[k]) * width, w = m.expWeight[k]
                    for b in 0..<count {
                        let t = w * x[b]
                        check.product(w, x[b], t)
                        out[b] += t
                    }
                }
                for b in 0..<count { check.value(out[b]) }
            }
        }
        return check.isExact
    }

    private func downwardLinear(count: Int, seeds: [Int]) -> Bool {
        let m = memory, width = self.width, v = m.values, d = m.derivatives
        m.seed(seeds, value: 1, count: count)
        var check = ExactnessCheck()
        /// d[child] += dn · x, checked.
        func add(_ child: Int, _ dn: UnsafePointer<Double>, _ x: UnsafePointer<Double>) {
            let out = d + child * width
            let fresh = !m.touched[child]
            m.touched[child] = true
            for b in 0..<count {
                let t = dn[b] * x[b]
                check.product(dn[b], x[b], t)
                out[b] = fresh ? t : out[b] + t
            }
        }
        /// d[child] += dn · w, checked.
        func add(_ child: Int, _ dn: UnsafePointer<Double>, scale w: Double) {
            let out = d + child * width
            if !m.touched[child] { for b in 0..<count { out[b] = 0 } }
            m.touched[child] = true
            if w == 1 {
                for b in 0..<count { out[b] += dn[b] }
            } else {
                for b in 0..<count {
                    let t = dn[b] * w
                    check.product(dn[b], w, t)
                    out[b] += t
                }
            }
        }
        for n in stride(from: circuit.root, through: 0, by: -1) where m.touched[n] && m.kind[n] != .literal {
            let s = Int(m.childStart[n]), e = Int(m.childStart[n + 1])
            let dn = UnsafePointer(d + n * width)
            for b in 0..<count { check.value(dn[b]) }
            if m.kind[n] == .sum {
                for k in s..<e { add(Int(m.children[k]), dn, scale: m.expWeight[k]) }
            } else if e - s == 1 {
                add(Int(m.children[s]), dn, scale: 1)
            } else if e - s == 2 {
                add(Int(m.children[s]), dn, v + Int(m.children[s + 1]) * width)
                add(Int(m.children[s + 1]), dn, v + Int(m.children[s]) * width)
            } else {
                // Sibling products without division: prefix[i] = Π_{j<i} child_j, then
                // multiplied from the right by the running suffix product.
                let p = m.prefix, k = e - s
                for b in 0..<count { p[b] = 1 }
                for i in 0..<(k - 1) {
                    let x = v + Int(m.children[s + i]) * width
                    for b in 0..<count {
                        let r = p[i * width + b] * x[b]
                        check.product(p[i * width + b], x[b], r)
                        p[(i + 1) * width + b] = r
                    }
                }
                let suffix = p + k * width          // running Π_{j>i} child_j
                for b in 0..<count { suffix[b] = 1 }
                for i in stride(from: k - 1, through: 0, by: -1) {
                    let sibling = p + i * width
                    for b in 0..<count {
                        let r = sibling[b] * suffix[b]
                        check.product(sibling[b], suffix[b], r)
                        sibling[b] = r
                    }
                    add(Int(m.children[s + i]), dn, sibling)
                    let x = v + Int(m.children[s + i]) * width
                    for b in 0..<count {
                        let r = suffix[b] * x[b]
                        check.product(suffix[b], x[b], r)
                        suffix[b] = r
                    }
                }
            }
        }
        guard check.isExact else { return false }
        m.clearUntouched(value: 0, count: count)
        return true
    }

    // MARK: Log space

    private func upwardLog(count: Int) {
        let m = memory, width = self.width, v = m.values
        for n in 0..<m.nodes where m.kind[n] != .literal {
            let s = Int(m.childStart[n]), e = Int(m.childStart[n + 1])
            let out = v + n * width
            if m.kind[n] == .product {
                let first = v + Int(m.children[s]) * width
                for b in 0..<count { out[b] = first[b] }
                for k in (s + 1)..<Swift.max(s + 1, e) {
                    let x = v + Int(m.children[k]) * width
                    for b in 0..<count { out[b] += x[b] }
                }
            } else if e - s == 1 {
                let x = v + Int(m.children[s]) * width, w = m.logWeight[s]
                for b in 0..<count { out[b] = x[b] + w }
            } else if e - s == 2 {
                let x = v + Int(m.children[s]) * width, y = v + Int(m.children[s + 1]) * width
                let wx = m.logWeight[s], wy = m.logWeight[s + 1]
                for b in 0..<count { out[b] = logAddExp(x[b] + wx, y[b] + wy) }
            } else {
                for b in 0..<count {
                    var top = -Double.infinity
                    for k in s..<e { top = Swift.max(top, v[Int(m.children[k]) * width + b] + m.logWeight[k]) }
                    if top == -.infinity { out[b] = top; continue }
                    var total = 0.0
                    for k in s..<e { total += exp(v[Int(m.children[k]) * width + b] + m.logWeight[k] - top) }
                    out[b] = top + log(total)
                }
            }
        }
    }

    private func downwardLog(count: Int, seeds: [Int]) {
        let m = memory, width = self.width, v = m.values, d = m.derivatives
        m.seed(seeds, value: 0, count: count)
        /// d[child] = logAddExp(d[child], dn + w + x).
        func add(_ child: Int, _ dn: UnsafePointer<Double>, _ w: Double, _ x: UnsafePointer<Double>?) {
            let out = d + child * width
            let fresh = !m.touched[child]
            m.touched[child] = true
            for b in 0..<count {
                let t = dn[b] + w + (x?[b] ?? 0)
                out[b] = fresh ? t : logAddExp(out[b], t)
            }
        }
        for n in stride(from: circuit.root, through: 0, by: -1) where m.touched[n] && m.kind[n] != .literal {
            let s = Int(m.childStart[n]), e = Int(m.childStart[n + 1])
            let dn = UnsafePointer(d + n * width)
            if m.kind[n] == .sum {
                for k in s..<e { add(Int(m.children[k]), dn, m.logWeight[k], nil) }
            } else if e - s == 1 {
                add(Int(m.children[s]), dn, 0, nil)
            } else if e - s == 2 {
                add(Int(m.children[s]), dn, 0, v + Int(m.children[s + 1]) * width)
                add(Int(m.children[s + 1]), dn, 0, v + Int(m.children[s]) * width)
            } else {
                // Sums of logs: prefix[i] = Σ_{j<i}, suffix[i] = Σ_{j≥i}; -∞ siblings stay -∞.
                let p = m.prefix, q = m.suffix, k = e - s
                for b in 0..<count { p[b] = 0; q[k * width + b] = 0 }
                for i in 0..<k {
                    let x = v + Int(m.children[s + i]) * width
                    for b in 0..<count { p[(i + 1) * width + b] = p[i * width + b] + x[b] }
                }
                for i in stride(from: k - 1, through: 0, by: -1) {
                    let x = v + Int(m.children[s + i]) * width
                    for b in 0..<count { q[i * width + b] = q[(i + 1) * width + b] + x[b] }
                }
                for i in 0..<k {
                    for b in 0..<count { p[i * width + b] += q[(i + 1) * width + b] }
                    add(Int(m.children[s + i]), dn, 0, p + i * width)
                }
            }
        }
        m.clearUntouched(value: -.infinity, count: count)
    }
}

/// An evaluator's working memory, allocated once per evaluator: node values and derivatives
/// for a chunk of rows, scratch for sibling products, and a flat copy of the circuit's
/// structure, all as plain pointers for the passes.
final class EvaluatorMemory {
    let nodes: Int
    let width: Int
    let kind: UnsafeMutablePointer<ProbabilisticCircuit.NodeKind>
    let childStart: UnsafeMutablePointer<Int32>
    let children: UnsafeMutablePointer<Int32>
    let logWeight: UnsafeMutablePointer<Double>
    let expWeight: UnsafeMutablePointer<Double>
    let values: UnsafeMutablePointer<Double>
    let derivatives: UnsafeMutablePointer<Double>
    let touched: UnsafeMutablePointer<Bool>
    let prefix: UnsafeMutablePointer<Double>
    let suffix: UnsafeMutablePointer<Double>

    init(_ circuit: ProbabilisticCircuit, width: Int) {
        nodes = circuit.nodes.count
        self.width = width
        func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, array.count))
            _ = UnsafeMutableBufferPointer(start: p, count: array.count).initialize(from: array)
            return p
        }
        kind = copy(circuit.kind)
        childStart = copy(circuit.childStart)
        children = copy(circuit.children)
        logWeight = copy(circuit.edgeLogWeight)
        expWeight = copy(circuit.edgeLogWeight.map { exp($0) })
        values = copy([Double](repeating: 0, count: nodes * width))
        derivatives = copy([Double](repeating: 0, count: nodes * width))
        touched = copy([Bool](repeating: false, count: nodes))
        let widest = zip(circuit.childStart.dropFirst(), circuit.childStart).map { Int($0 - $1) }.max() ?? 1
        prefix = copy([Double](repeating: 0, count: (widest + 1) * width))
        suffix = copy([Double](repeating: 0, count: (widest + 1) * width))
    }

    deinit {
        for p in [childStart, children] { p.deallocate() }
        for p in [logWeight, expWeight, values, derivatives, prefix, suffix] { p.deallocate() }
        kind.deallocate()
        touched.deallocate()
    }

    /// Starts a downward pass: nothing touched but the seeds, whose derivative is `value`
    /// (1 in linear space, 0 in log space).
    func seed(_ seeds: [Int], value: Double, count: Int) {
        for n in 0..<nodes { touched[n] = false }
        for s in seeds {
            touched[s] = true
            for b in 0..<count { derivatives[s * width + b] = value }
        }
    }

    /// Ends a downward pass: nodes the seeds do not reach get derivative zero (`value`).
    func clearUntouched(value: Double, count: Int) {
        for n in 0..<nodes where !touched[n] {
            for b in 0..<count { derivatives[n * width + b] = value }
        }
    }
}

/// `log(e^a + e^b)`, exact at `-∞`.
@inline(__always)
func logAddExp(_ a: Double, _ b: Double) -> Double {
    let m = max(a, b)
    if m == -.infinity { return m }
    return m + log1p(exp(min(a, b) - m))
}
