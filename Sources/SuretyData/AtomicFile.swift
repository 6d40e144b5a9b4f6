import Foundation

/// Writes files so that readers never see a half-written result: the bytes go to a
/// temporary file in the same directory, which is flushed to disk and then renamed over
/// the destination in one step. If anything fails, the destination is untouched and the
/// temporary file is removed.
public final class AtomicFileWriter {
    /// The final destination.
    public let destination: URL
    private let temporary: URL
    private var handle: FileHandle?
    private var buffer = [UInt8]()
    private static let bufferLimit = 1 << 16

    /// Opens a temporary file next to `destination`.
    ///
    /// - Throws: `CocoaError` when the directory is not writable.
    public init(destination: URL) throws {
        self.destination = destination
        let directory = destination.deletingLastPathComponent()
        let name = ".\(destination.lastPathComponent).tmp-\(UInt64.random(in: 0...UInt64.max))"
        temporary = directory.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: destination.path,
                NSLocalizedDescriptionKey: "cannot create a file in \(directory.path)"])
        }
        handle = try FileHandle(forWritingTo: temporary)
    }

    /// Appends bytes (buffered).
    public func write(_ bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferLimit { try flush() }
    }

    /// Appends a string as UTF-8.
    public func write(_ string: String) throws { try write(Array(string.utf8)) }

    private func flush() throws {
        guard let handle, !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and renames the temporary file over the destination.
    public func commit() throws {
        try flush()
        guard let handle else { return }
        try handle.synchronize()
        try handle.close()
        self.handle = nil
        if rename(temporary.path, destination.path) != 0 {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination.path,
                NSLocalizedDescriptionKey: "cannot move the finished file into place: \(String(cString: strerror(code)))"])
        }
    }

    /// Abandons the write: the temporary file is removed and the destination untouched.
    public func abandon() {
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(at: temporary)
    }

    deinit { if handle != nil { abandon() } }

    /// Writes `data` to `url` atomically.
    public static func write(_ data: some Sequence<UInt8>, to url: URL) throws {
        let writer = try AtomicFileWriter(destination: url)
        do {
            try writer.write(data)
            try writer.commit()
        } catch {
            writer.abandon()
            throw error
        }
    }
}
