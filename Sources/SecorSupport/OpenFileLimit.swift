import Foundation

/// How many files the process may hold open. A shell's soft limit is often far below the hard
/// one the system allows: the soft limit is raised to the hard one at start, and a limit too low
/// to work under at all is said plainly instead of failing somewhere inside a library.
public enum OpenFileLimit {
    /// Standard streams, the registry and its journal, the inbox's events and locks, the wake-up
    /// pipe, one reader process's pipes, and room for the files being read.
    public static let needed = 32

    /// The limit in force after raising it as far as allowed.
    @discardableResult
    public static func raised() -> Int {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return Int.max }
        if limit.rlim_cur < limit.rlim_max {
            var wanted = limit
            wanted.rlim_cur = limit.rlim_max
            if setrlimit(resource, &wanted) == 0 { limit = wanted }
        }
        return limit.rlim_cur == rlim_t.max || limit.rlim_cur > rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
    }

    /// Why the program cannot run under the current limit (after raising it), or nil.
    public static func problem() -> String? {
        let limit = raised()
        guard limit < needed else { return nil }
        return "only \(limit) files may be open at once (ulimit -n); secor-intake needs at least \(needed). "
            + "Raise the limit (ulimit -n 1024) and start again."
    }
}
