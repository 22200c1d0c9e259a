import Foundation

/// Raises RLIMIT_NOFILE to what a run needs, or explains why it cannot.
public enum ResourceLimits {
    /// Ensures at least `needed` descriptors; returns the soft limit now in force.
    @discardableResult
    public static func ensureFileDescriptors(_ needed: Int) throws -> Int {
        var limit = rlimit()
        getrlimit(RLIMIT_NOFILE_CONSTANT, &limit)
        if Int(limit.rlim_cur) >= needed { return Int(limit.rlim_cur) }
        guard Int(limit.rlim_max) >= needed else {
            throw TLSDrillError.fileDescriptorLimitTooLow(needed: needed, hardLimit: Int(limit.rlim_max))
        }
        limit.rlim_cur = rlim_t(needed)
        guard setrlimit(RLIMIT_NOFILE_CONSTANT, &limit) == 0 else {
            throw TLSDrillError.fileDescriptorLimitTooLow(needed: needed, hardLimit: Int(limit.rlim_max))
        }
        return needed
    }

    /// The hard limit on open descriptors.
    public static var hardFileDescriptorLimit: Int {
        var limit = rlimit()
        getrlimit(RLIMIT_NOFILE_CONSTANT, &limit)
        return Int(limit.rlim_max)
    }

    private static var RLIMIT_NOFILE_CONSTANT: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
}
