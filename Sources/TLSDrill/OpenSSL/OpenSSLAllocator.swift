internal import CTLSDrillShims

/// OpenSSL's allocations through a per-thread block cache (openssl_allocator.c): a handshake's ~1,300 small
/// allocations are served from the blocks its thread freed, without glibc's arena bins or a lock.
public enum OpenSSLAllocator {
    /// Installs the cache; only possible before anything in the process has called OpenSSL (the tlsdrill
    /// executable does it first thing). False when it was too late: OpenSSL then keeps glibc's malloc.
    @discardableResult
    public static func install() -> Bool { tlsdrill_install_openssl_allocator() == 1 }
}
