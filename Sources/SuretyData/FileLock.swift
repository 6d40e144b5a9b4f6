#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An exclusive lock held across processes and threads for the duration of a closure, for
/// read-modify-write of a file that several runs may update at once (a privacy ledger).
///
/// The lock is `flock(2)` on the directory that holds the file, never on the file itself (a
/// file replaced by ``AtomicFileWriter``'s rename is a new inode, and a lock on the old one
/// would no longer exclude anybody) nor on a separate lock file (a clean-up that deletes it
/// lets a newcomer lock a fresh one beside the held, unlinked one — a reviewer overspent a
/// ledger that way). `flock` locks belong to an open file description, so two threads of one
/// process exclude each other too (POSIX `fcntl` locks would not), and the kernel drops the
/// lock when its holder exits, even by a crash. The lock is advisory: it excludes only writers
/// that take it. It lives here, beside ``AtomicFileWriter``, because both are the package's
/// only direct calls into the file system's C interface.
public enum FileLock {
    /// Runs `body` while holding the exclusive lock on the directory `directory`, which must
    /// exist: nothing is ever created at its path (a lock file created there when the directory
    /// was briefly renamed away would be a second, unrelated lock — a reviewer lost a ledger
    /// entry that way). After locking, the path must still lead to the locked directory;
    /// otherwise the lock is taken again on what the path now names.
    ///
    /// - Throws: ``DataError`` naming `directory` when it is missing, not a directory, or
    ///   cannot be locked; whatever `body` throws (the lock is released first).
    public static func withExclusiveLock<T>(onDirectory directory: URL, _ body: () throws -> T) throws -> T {
        while true {
            let descriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw failure(directory, "cannot open it as a directory", errno, expected: "an existing directory to hold the ledger")
            }
            defer { close(descriptor) }
            while flock(descriptor, LOCK_EX) != 0 {
                let code = errno
                if code != EINTR { throw failure(directory, "cannot lock it", code) }
            }
            var held = stat(), current = stat()
            guard fstat(descriptor, &held) == 0 else { throw failure(directory, "cannot inspect it", errno) }
            guard stat(directory.path, &current) == 0 else { throw failure(directory, "it disappeared while locked", errno) }
            guard current.st_ino == held.st_ino, current.st_dev == held.st_dev else { continue }
            return try body()
        }
    }

    /// The path the operating system opens for `url`: `realpath(3)` of the file when it exists,
    /// else of its directory with the name appended — symbolic links resolved component by
    /// component, so `link/../x` means the parent of the link's target, as `open` reads it (a
    /// textual `..` collapse pointed a ledger at another file). `nil` when the directory does
    /// not exist.
    /// (Takes the path as typed: `URL(fileURLWithPath:)` collapses `..` textually on Linux.)
    public static func canonicalPath(of path: String) -> URL? {
        func real(_ path: String) -> String? {
            guard let resolved = realpath(path, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }
        if let full = real(path) { return URL(fileURLWithPath: full) }
        let slash = path.lastIndex(of: "/")
        let parent = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty, name != ".", name != "..", let directory = real(parent) else { return nil }
        return URL(fileURLWithPath: directory).appendingPathComponent(name)
    }

    static func failure(_ url: URL, _ what: String, _ code: Int32,
                        expected: String = "a directory that can be locked") -> DataError {
        DataError(file: url.path, line: 1, column: 1, seen: "\(what): \(String(cString: strerror(code)))", expected: expected)
    }
}
