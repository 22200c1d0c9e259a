/// OpenSSL `X509_V_ERR_*` codes that tlsdrill maps to `server-cert-*` classes.
public enum X509VerifyCode {
    public static let ok: Int32 = 0
    public static let unableToGetIssuerCert: Int32 = 2
    public static let certNotYetValid: Int32 = 9
    public static let certHasExpired: Int32 = 10
    public static let depthZeroSelfSigned: Int32 = 18
    public static let selfSignedInChain: Int32 = 19
    public static let unableToGetIssuerCertLocally: Int32 = 20
    public static let unableToVerifyLeafSignature: Int32 = 21
    public static let invalidPurpose: Int32 = 26
    public static let certUntrusted: Int32 = 27
    public static let certRejected: Int32 = 28
    public static let hostnameMismatch: Int32 = 62
    public static let ipAddressMismatch: Int32 = 64

    /// The class a failed server verification falls into, or nil for codes that are not about the chain.
    static func serverClass(_ code: Int32) -> OutcomeClass? {
        switch code {
        case certHasExpired: .serverCertExpired
        case certNotYetValid: .serverCertNotYetValid
        case hostnameMismatch, ipAddressMismatch, 63: .serverCertSANMismatch
        case invalidPurpose: .serverCertMissingServerAuth
        case unableToGetIssuerCert, depthZeroSelfSigned, selfSignedInChain, unableToGetIssuerCertLocally,
             unableToVerifyLeafSignature, certUntrusted, certRejected: .serverCertUnknownCA
        default: nil
        }
    }
}
