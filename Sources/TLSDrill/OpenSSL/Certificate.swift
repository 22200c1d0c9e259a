import Foundation
internal import COpenSSL
internal import CTLSDrillShims

/// An X.509 certificate (one `X509*`, freed on deinit).
public final class Certificate: @unchecked Sendable {  // immutable wrapper; X509 is only read (reference counts are thread-safe)
    let pointer: OpaquePointer

    /// Takes ownership of `pointer`.
    init(taking pointer: OpaquePointer) { self.pointer = pointer }

    deinit { X509_free(pointer) }

    /// Every certificate in a PEM file, in file order.
    public static func loadPEMFile(_ path: String) throws -> [Certificate] {
        let data = try PEMFile.read(path)
        return try parsePEM(data, source: path)
    }

    /// Every certificate in PEM text.
    public static func parsePEM(_ pem: Data, source: String) throws -> [Certificate] {
        var result: [Certificate] = []
        try pem.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                throw TLSDrillError.unreadableFile(path: source, reason: "out of memory")
            }
            defer { BIO_free(bio) }
            while true {
                OpenSSLErrorQueue.clear()
                guard let x509 = PEM_read_bio_X509(bio, nil, nil, nil) else { break }
                result.append(Certificate(taking: x509))
            }
            OpenSSLErrorQueue.clear()
        }
        guard !result.isEmpty else { throw TLSDrillError.noCertificateInFile(path: source) }
        return result
    }

    /// The certificate's DER bytes (empty if OpenSSL cannot encode it).
    var der: [UInt8] {
        var buffer: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509(pointer, &buffer)
        guard length > 0, let buffer else { return [] }
        defer { CRYPTO_free(buffer, #fileID, #line) }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
    }

    /// The certificate in PEM form.
    public var pem: String {
        withMemoryBIOText { PEM_write_bio_X509($0, pointer) } ?? ""
    }

    /// Subject in RFC 2253 form, e.g. `CN=gen1 Root,O=tlsdrill`.
    public var subject: String { x509NameText(X509_get_subject_name(pointer)) }
    /// Issuer in RFC 2253 form.
    public var issuer: String { x509NameText(X509_get_issuer_name(pointer)) }
    /// Start of the validity window.
    public var notBefore: Date { Date(timeIntervalSince1970: TimeInterval(tlsdrill_asn1_time_to_unix(X509_get0_notBefore(pointer)))) }
    /// End of the validity window.
    public var notAfter: Date { Date(timeIntervalSince1970: TimeInterval(tlsdrill_asn1_time_to_unix(X509_get0_notAfter(pointer)))) }
    /// Whether subject and issuer are the same name (a root or a self-signed leaf).
    public var isSelfIssued: Bool {
        X509_NAME_cmp(X509_get_subject_name(pointer), X509_get_issuer_name(pointer)) == 0
    }
    /// Whether basicConstraints says CA:TRUE.
    public var isCA: Bool { X509_check_ca(pointer) > 0 }

    /// Subject alternative names as `DNS:x`, `IP:x`, `URI:x` strings.
    public var subjectAlternativeNames: [String] {
        var buffer = [CChar](repeating: 0, count: 8192)
        let count = tlsdrill_copy_sans(pointer, &buffer, Int32(buffer.count))
        guard count > 0 else { return [] }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Extended key usage, or nil when the certificate has no EKU extension (any use allowed).
    public var extendedKeyUsage: ExtendedKeyUsage? {
        let bits = tlsdrill_extended_key_usage(pointer)
        guard bits >= 0 else { return nil }
        var usage: ExtendedKeyUsage = []
        if bits & Int(tlsdrill_xku_ssl_server()) != 0 { usage.insert(.serverAuth) }
        if bits & Int(tlsdrill_xku_ssl_client()) != 0 { usage.insert(.clientAuth) }
        return usage
    }

    /// Whether `self` was issued by `other`'s name (compares names, not signatures).
    func isIssued(byNameOf other: Certificate) -> Bool {
        X509_NAME_cmp(X509_get_issuer_name(pointer), X509_get_subject_name(other.pointer)) == 0
    }
}

/// The EKU purposes tlsdrill cares about.
public struct ExtendedKeyUsage: OptionSet, Hashable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// id-kp-serverAuth
    public static let serverAuth = ExtendedKeyUsage(rawValue: 1)
    /// id-kp-clientAuth
    public static let clientAuth = ExtendedKeyUsage(rawValue: 2)
}
