import Dispatch
import SuretyNumerics

/// Splits `0..<count` into consecutive ranges and runs `body` on each, concurrently on the
/// available cores when the batch is large enough to pay for it.
///
/// Every sample's arithmetic is the same whatever the split, so results do not depend on the
/// number of cores. Returns whether `body` returned `true` for every range.
func allBatches(count: Int, minimumBatch: Int = 16_384, _ body: @Sendable (Range<Int>) -> Bool) -> Bool {
    let cores = Processors.usable
    let batches = max(1, min(cores * 2, count / minimumBatch))
    guard batches > 1 else { return body(0..<count) }
    // Batch sizes are multiples of 8, so the eight-lane kernels only meet a ragged tail once.
    let size = ((count + batches - 1) / batches + 7) / 8 * 8
    let results = ResultSlots(count: batches)
    DispatchQueue.concurrentPerform(iterations: batches) { b in
        let range = min(count, b * size)..<min(count, (b + 1) * size)
        results.set(b, range.isEmpty || body(range))
    }
    return results.all
}

/// One Bool per batch, each written by exactly one task before `concurrentPerform` returns
/// (raw storage: no exclusivity checks between the tasks).
private final class ResultSlots: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Bool>
    private let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: true, count: count)
    }
    deinit { slots.deallocate() }
    func set(_ i: Int, _ value: Bool) { slots[i] = value }
    var all: Bool { (0..<count).allSatisfy { slots[$0] } }
}

/// A pointer handed to concurrent batches that write disjoint ranges of it.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ buffer: UnsafeMutableBufferPointer<T>) { base = buffer.baseAddress! }
}

/// A read-only pointer handed to concurrent batches.
struct SharedReadPointer<T>: @unchecked Sendable {
    let base: UnsafePointer<T>
    init(_ buffer: UnsafeBufferPointer<T>) { base = buffer.baseAddress! }
}
