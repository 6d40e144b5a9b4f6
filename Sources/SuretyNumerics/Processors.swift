import Foundation

/// The processors this process may run on.
public enum Processors {
    /// How many cores parallel work should use: the CPUs in the process's affinity mask on
    /// Linux (so `taskset -c 0` means one), the active processor count elsewhere, at least 1.
    public static let usable: Int = {
        #if os(Linux)
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }),
           let count = cpuListCount(line.dropFirst("Cpus_allowed_list:".count)) {
            return max(1, count)
        }
        #endif
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// The number of CPUs in a Linux CPU list such as `0-3,8,10-11`; `nil` if it does not parse.
    static func cpuListCount(_ list: Substring) -> Int? {
        var total = 0
        for part in list.split(separator: ",") {
            let bounds = part.trimmingCharacters(in: .whitespaces).split(separator: "-").map { Int($0) }
            switch bounds.count {
            case 1:
                guard bounds[0] != nil else { return nil }
                total += 1
            case 2:
                guard let lo = bounds[0], let hi = bounds[1], hi >= lo else { return nil }
                total += hi - lo + 1
            default:
                return nil
            }
        }
        return total > 0 ? total : nil
    }
}
