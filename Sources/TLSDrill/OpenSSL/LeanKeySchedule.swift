import Foundation
internal import CTLSDrillShims

/// The lean library context computes the TLS 1.3 key schedule itself (HKDF over OpenSSL's SHA-256/384 block
/// functions, without a provider fetch per call) and hands OpenSSL's TLS13-KDF whatever it does not compute.
/// This derives one request in either context, so the two can be held to the same answers.
enum LeanKeySchedule {
    /// One TLS13-KDF request; nil fields are left out of the parameters.
    struct Request {
        /// 1: extract (TLS 1.3 "generate secret"), 2: expand (HKDF-Expand-Label).
        var mode: Int32?
        var digest: String?
        var key: [UInt8]?
        var salt: [UInt8]?
        var prefix: [UInt8]?
        var label: [UInt8]?
        var data: [UInt8]?
        /// Set the parameters with EVP_KDF_CTX_set_params first, then derive without any.
        var viaSetParams = false
        /// Derive a second time on the same context, giving only this label (parameters persist in between).
        var thenLabel: [UInt8]?
    }

    /// The `length` bytes the lean context (or OpenSSL's default one) derives; nil when it refuses the request.
    static func derive(_ request: Request, length: Int, lean: Bool) -> [UInt8]? {
        var pinned: [UnsafeMutableBufferPointer<UInt8>] = []
        defer { pinned.forEach { $0.deallocate() } }
        func pin(_ bytes: [UInt8]?) -> (UnsafePointer<UInt8>?, Int) {
            guard let bytes else { return (nil, 0) }
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
            _ = buffer.initialize(from: bytes)
            pinned.append(buffer)
            return (UnsafePointer(buffer.baseAddress), bytes.count)
        }
        let key = pin(request.key), salt = pin(request.salt), prefix = pin(request.prefix)
        let label = pin(request.label), data = pin(request.data), thenLabel = pin(request.thenLabel)
        var output = [UInt8](repeating: 0, count: max(length, 1))
        let ok = (request.digest ?? "").withCString { digest in
            var call = tlsdrill_kdf_request(
                mode: request.mode ?? -1, digest: request.digest == nil ? nil : digest,
                key: key.0, salt: salt.0, prefix: prefix.0, label: label.0, data: data.0,
                key_length: key.1, salt_length: salt.1, prefix_length: prefix.1, label_length: label.1, data_length: data.1,
                via_set_params: request.viaSetParams ? 1 : 0, then_label: thenLabel.0, then_label_length: thenLabel.1)
            return tlsdrill_tls13_kdf_derive(lean ? 1 : 0, &call, &output, length)
        }
        return ok == 1 ? Array(output.prefix(length)) : nil
    }
}
