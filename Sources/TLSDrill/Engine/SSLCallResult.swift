internal import COpenSSL

/// What a non-blocking SSL call that did not complete means for an event loop.
enum SSLCallResult {
    /// OpenSSL needs the socket readable or writable first.
    case wait(EventPoller.Interest)
    /// It failed; the `SSL_ERROR_*` code.
    case failed(Int32)

    init(_ ssl: OpaquePointer, returned result: Int32) {
        let error = SSL_get_error(ssl, result)
        switch error {
        case SSL_ERROR_WANT_READ: self = .wait(.read)
        case SSL_ERROR_WANT_WRITE: self = .wait(.write)
        default: self = .failed(error)
        }
    }
}
