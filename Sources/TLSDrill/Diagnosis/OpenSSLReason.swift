/// OpenSSL `SSL_R_*` reason codes the diagnosis reads (stable across OpenSSL 3.x).
enum OpenSSLReason {
    static let certificateVerifyFailed: Int32 = 134
    static let unexpectedEOF: Int32 = 294
    static let wrongVersionNumber: Int32 = 267
    static let unsupportedProtocol: Int32 = 258
    static let noProtocolsAvailable: Int32 = 191
    static let noSharedCipher: Int32 = 193
    static let noCiphersAvailable: Int32 = 181
    static let noSuitableKeyShare: Int32 = 101
    static let versionTooLow: Int32 = 396
    static let versionTooHigh: Int32 = 166
    static let tlsv1AlertProtocolVersion: Int32 = 1070

    static let protocolMismatchReasons: Set<Int32> = [
        wrongVersionNumber, unsupportedProtocol, noProtocolsAvailable, noSharedCipher, noCiphersAvailable,
        noSuitableKeyShare, versionTooLow, versionTooHigh, tlsv1AlertProtocolVersion,
    ]
}
