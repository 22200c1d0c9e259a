import Foundation
internal import COpenSSL
internal import CTLSDrillShims

/// A private key (one `EVP_PKEY*`, freed on deinit).
public final class PrivateKey: @unchecked Sendable {  // immutable wrapper; EVP_PKEY is only read (reference counts are thread-safe)
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }

    /// The key algorithms the drill PKI can generate.
    public enum Algorithm: String, Sendable, CaseIterable {
        case ecdsaP256 = "ecdsa-p256"
        case rsa2048 = "rsa-2048"
    }

    /// A fresh key.
    public static func generate(_ algorithm: Algorithm) throws -> PrivateKey {
        let key: OpaquePointer? = switch algorithm {
        case .ecdsaP256: tlsdrill_ec_p256_keygen()
        case .rsa2048: tlsdrill_rsa_keygen(2048)
        }
        guard let key else { throw TLSDrillError.openSSL(operation: "key generation", detail: OpenSSLErrorQueue.summary()) }
        return PrivateKey(taking: key)
    }

    /// The first private key in a PEM file. Encrypted keys are refused with a clear error.
    public static func loadPEMFile(_ path: String) throws -> PrivateKey {
        let data = try PEMFile.read(path)
        if tlsdrill_pem_key_is_encrypted(path) != 0 { throw TLSDrillError.encryptedKey(path: path) }
        return try data.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                throw TLSDrillError.unreadableFile(path: path, reason: "out of memory")
            }
            defer { BIO_free(bio) }
            OpenSSLErrorQueue.clear()
            guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
                OpenSSLErrorQueue.clear()
                throw TLSDrillError.noKeyInFile(path: path)
            }
            return PrivateKey(taking: key)
        }
    }

    /// The key in unencrypted PKCS#8 PEM form.
    public var pem: String {
        withMemoryBIOText { PEM_write_bio_PrivateKey($0, pointer, nil, nil, 0, nil, nil) } ?? ""
    }

    /// Whether `certificate` carries this key's public half.
    public func matches(_ certificate: Certificate) -> Bool {
        OpenSSLErrorQueue.clear()
        defer { OpenSSLErrorQueue.clear() }
        return X509_check_private_key(certificate.pointer, pointer) == 1
    }
}
