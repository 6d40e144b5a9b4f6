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
    /// - Parameter permissions: the file's mode bits, e.g. `0o600` for a file only its owner
    ///   may read. The temporary file is created with them (less the process's umask) before
    ///   any byte goes in, and the rename keeps them, so the data is never readable by more
    ///   than they allow. Default `0o666` less the umask, as for any new file.
    /// - Throws: `CocoaError` when the directory is not writable.
    public init(destination: URL, permissions: mode_t = 0o666) throws {
        self.destination = destination
        let directory = destination.deletingLastPathComponent()
        let name = ".\(destination.lastPathComponent).tmp-\(UInt64.random(in: 0...UInt64.max))"
        temporary = directory.appendingPathComponent(name)
        // open(2) rather than FileManager.createFile: it sets the mode at creation (createFile
        // would leave a window with the default mode), and O_EXCL refuses a planted file.
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard descriptor >= 0 else {
            let code = errno
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: destination.path,
                NSLocalizedDescriptionKey: "cannot create a file in \(directory.path): \(String(cString: strerror(code)))"])
        }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
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

    /// Writes `data` to `url` atomically, with the mode bits `permissions` (see
    /// ``init(destination:permissions:)``).
    public static func write(_ data: some Sequence<UInt8>, to url: URL, permissions: mode_t = 0o666) throws {
        let writer = try AtomicFileWriter(destination: url, permissions: permissions)
        do {
            try writer.write(data)
            try writer.commit()
        } catch {
            writer.abandon()
            throw error
        }
    }
}
