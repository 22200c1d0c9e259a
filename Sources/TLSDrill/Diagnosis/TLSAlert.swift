/// TLS alert descriptions (RFC 8446 §6) that tlsdrill names in evidence.
public enum TLSAlert {
    public static let closeNotify: Int16 = 0
    public static let unexpectedMessage: Int16 = 10
    public static let handshakeFailure: Int16 = 40
    public static let badCertificate: Int16 = 42
    public static let unsupportedCertificate: Int16 = 43
    public static let certificateRevoked: Int16 = 44
    public static let certificateExpired: Int16 = 45
    public static let certificateUnknown: Int16 = 46
    public static let unknownCA: Int16 = 48
    public static let accessDenied: Int16 = 49
    public static let decryptError: Int16 = 51
    public static let protocolVersion: Int16 = 70
    public static let insufficientSecurity: Int16 = 71
    public static let internalError: Int16 = 80
    public static let certificateRequired: Int16 = 116
    public static let noApplicationProtocol: Int16 = 120

    /// RFC name of an alert number.
    public static func name(_ alert: Int16) -> String {
        switch alert {
        case 0: "close_notify"
        case 10: "unexpected_message"
        case 20: "bad_record_mac"
        case 22: "record_overflow"
        case 40: "handshake_failure"
        case 42: "bad_certificate"
        case 43: "unsupported_certificate"
        case 44: "certificate_revoked"
        case 45: "certificate_expired"
        case 46: "certificate_unknown"
        case 47: "illegal_parameter"
        case 48: "unknown_ca"
        case 49: "access_denied"
        case 50: "decode_error"
        case 51: "decrypt_error"
        case 70: "protocol_version"
        case 71: "insufficient_security"
        case 80: "internal_error"
        case 86: "inappropriate_fallback"
        case 90: "user_canceled"
        case 109: "missing_extension"
        case 110: "unsupported_extension"
        case 112: "unrecognized_name"
        case 116: "certificate_required"
        case 120: "no_application_protocol"
        default: "alert_\(alert)"
        }
    }
}
