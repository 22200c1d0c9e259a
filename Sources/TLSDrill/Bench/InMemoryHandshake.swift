internal import COpenSSL
internal import CTLSDrillShims

/// One full client↔server handshake between two contexts joined by an in-memory BIO pair: the cost of
/// connection setup with no sockets (benchmarks compare it with and without the verification cache).
public enum InMemoryHandshake {
    /// Runs the handshake to completion; true when both sides finished (the server verified the client).
    public static func run(client: ClientTLSContext, server: ServerTLSContext, serverName: String? = "localhost") -> Bool {
        guard let clientSSL = SSL_new(client.pointer), let serverSSL = SSL_new(server.pointer) else { return false }
        defer {
            SSL_free(clientSSL)
            SSL_free(serverSSL)
        }
        var clientBIO: OpaquePointer?
        var serverBIO: OpaquePointer?
        guard BIO_new_bio_pair(&clientBIO, 0, &serverBIO, 0) == 1 else { return false }
        SSL_set_bio(clientSSL, clientBIO, clientBIO)
        SSL_set_bio(serverSSL, serverBIO, serverBIO)
        SSL_set_connect_state(clientSSL)
        SSL_set_accept_state(serverSSL)
        if let serverName { _ = serverName.withCString { SSL_ctrl(clientSSL, SSL_CTRL_SET_TLSEXT_HOSTNAME, Int(TLSEXT_NAMETYPE_host_name), UnsafeMutableRawPointer(mutating: $0)) } }
        var clientDone = false
        var serverDone = false
        for _ in 0..<16 where !(clientDone && serverDone) {
            OpenSSLErrorQueue.clear()
            if !clientDone {
                let result = tlsdrill_do_handshake(clientSSL, client.leanLibrary)
                if result == 1 { clientDone = true } else if !wantsMore(clientSSL, result) { return false }
            }
            if !serverDone {
                let result = SSL_do_handshake(serverSSL)
                if result == 1 { serverDone = true } else if !wantsMore(serverSSL, result) { return false }
            }
        }
        OpenSSLErrorQueue.clear()
        return clientDone && serverDone
    }

    private static func wantsMore(_ ssl: OpaquePointer, _ result: Int32) -> Bool {
        let error = SSL_get_error(ssl, result)
        return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE
    }
}
