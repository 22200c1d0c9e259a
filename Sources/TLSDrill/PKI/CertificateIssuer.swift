import Foundation
internal import COpenSSL
internal import CTLSDrillShims

/// Issues X.509 certificates with OpenSSL's X509 API (no shelling out to `openssl`).
public enum CertificateIssuer {
    /// Signs `spec` for `key`'s public half with `issuer` (nil = self-signed). SHA-256.
    public static func issue(_ spec: CertificateSpec, key: PrivateKey, issuer: (certificate: Certificate, key: PrivateKey)?) throws -> Certificate {
        guard let x509 = X509_new() else { throw TLSDrillError.openSSL(operation: "X509_new", detail: OpenSSLErrorQueue.summary()) }
        let certificate = Certificate(taking: x509)
        X509_set_version(x509, 2)
        var serial = [UInt8](repeating: 0, count: 16)
        RAND_bytes(&serial, 16)
        serial[0] &= 0x7F
        let bignum = BN_bin2bn(serial, 16, nil)
        BN_to_ASN1_INTEGER(bignum, X509_get_serialNumber(x509))
        BN_free(bignum)
        ASN1_TIME_set(X509_getm_notBefore(x509), time_t(spec.notBefore.timeIntervalSince1970))
        ASN1_TIME_set(X509_getm_notAfter(x509), time_t(spec.notAfter.timeIntervalSince1970))
        let name = X509_get_subject_name(x509)
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, spec.organization, -1, -1, 0)
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, spec.commonName, -1, -1, 0)
        X509_set_issuer_name(x509, issuer.map { X509_get_subject_name($0.certificate.pointer) } ?? name)
        X509_set_pubkey(x509, key.pointer)
        let issuerX509 = issuer?.certificate.pointer
        var extensions: [(Int32, String)] = []
        if spec.isCA {
            extensions.append((NID_basic_constraints, "critical,CA:TRUE" + (spec.pathLength.map { ",pathlen:\($0)" } ?? "")))
            extensions.append((NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"))
        } else {
            extensions.append((NID_basic_constraints, "critical,CA:FALSE"))
            extensions.append((NID_key_usage, "critical,digitalSignature,keyEncipherment"))
        }
        var purposes: [String] = []
        if spec.extendedKeyUsage.contains(.serverAuth) { purposes.append("serverAuth") }
        if spec.extendedKeyUsage.contains(.clientAuth) { purposes.append("clientAuth") }
        if !purposes.isEmpty { extensions.append((NID_ext_key_usage, purposes.joined(separator: ","))) }
        if !spec.subjectAlternativeNames.isEmpty { extensions.append((NID_subject_alt_name, spec.subjectAlternativeNames.joined(separator: ","))) }
        extensions.append((NID_subject_key_identifier, "hash"))
        if issuer != nil { extensions.append((NID_authority_key_identifier, "keyid:always")) }
        for (nid, value) in extensions where tlsdrill_add_extension(x509, issuerX509, nid, value) != 1 {
            throw TLSDrillError.openSSL(operation: "adding extension \(value)", detail: OpenSSLErrorQueue.summary())
        }
        let signer = issuer?.key ?? key
        guard X509_sign(x509, signer.pointer, EVP_sha256()) > 0 else {
            throw TLSDrillError.openSSL(operation: "signing \(spec.commonName)", detail: OpenSSLErrorQueue.summary())
        }
        return certificate
    }
}
