import Foundation

/// Everything that stops tlsdrill before or outside the load: each case renders as one line that names
/// the file or flag at fault and how to fix it.
public enum TLSDrillError: Error, Equatable, CustomStringConvertible, Sendable {
    case missingFile(path: String)
    case unreadableFile(path: String, reason: String)
    case noCertificateInFile(path: String)
    case noKeyInFile(path: String)
    case encryptedKey(path: String)
    case keyDoesNotMatchCertificate(key: String, certificate: String)
    case invalidOption(flag: String, value: String, expected: String)
    case conflictingOptions(String)
    case badTarget(String)
    case unresolvableHost(host: String, reason: String)
    case unreachableTarget(target: String, reason: String)
    case fileDescriptorLimitTooLow(needed: Int, hardLimit: Int)
    case openSSL(operation: String, detail: String)
    case unsupportedOpenSSL(version: String)
    case io(path: String, reason: String)
    case profile(path: String, line: Int?, message: String)
    case rotationStep(name: String, line: Int?, reason: String)
    case addressInUse(address: String)
    case controlSocket(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "\(path): no such file; check the path (relative paths start from the current directory)"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read (\(reason)); fix its permissions or point to a readable copy"
        case .noCertificateInFile(let path):
            return "\(path): no PEM certificate found; expected '-----BEGIN CERTIFICATE-----' blocks"
        case .noKeyInFile(let path):
            return "\(path): no PEM private key found; expected '-----BEGIN PRIVATE KEY-----' (or EC/RSA PRIVATE KEY)"
        case .encryptedKey(let path):
            return "\(path): the private key is encrypted; decrypt it first (openssl pkey -in \(path) -out key.pem)"
        case .keyDoesNotMatchCertificate(let key, let certificate):
            return "\(key): this key does not match the certificate in \(certificate); pass the key that was issued with it"
        case .invalidOption(let flag, let value, let expected):
            return "\(flag) '\(value)': \(expected)"
        case .conflictingOptions(let message):
            return message
        case .badTarget(let value):
            return "--target '\(value)': expected HOST:PORT, e.g. 127.0.0.1:8443 or [::1]:8443"
        case .unresolvableHost(let host, let reason):
            return "--target host '\(host)' does not resolve (\(reason)); use an IP address or a name in /etc/hosts"
        case .unreachableTarget(let target, let reason):
            return "--target \(target) is unreachable (\(reason)); start the gateway first or fix the address"
        case .fileDescriptorLimitTooLow(let needed, let hardLimit):
            return "file descriptor limit too low: need \(needed), hard limit is \(hardLimit); lower --concurrency or raise the limit (ulimit -Hn)"
        case .openSSL(let operation, let detail):
            return "OpenSSL failed during \(operation): \(detail)"
        case .unsupportedOpenSSL(let version):
            return "OpenSSL \(version) is not supported; install OpenSSL 3 (Debian: apt-get install libssl-dev)"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        case .profile(let path, let line, let message):
            return "\(path)\(line.map { ":\($0)" } ?? ""): \(message)"
        case .rotationStep(let name, let line, let reason):
            return "rotation step '\(name)'\(line.map { " (line \($0))" } ?? ""): \(reason); fix it before the load starts"
        case .addressInUse(let address):
            return "\(address) is already in use by another process; stop it or pick another --listen port (0 picks a free one)"
        case .controlSocket(let path, let reason):
            return "--control unix:\(path): \(reason)"
        }
    }
}
