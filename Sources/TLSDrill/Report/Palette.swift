import Foundation

/// Colours for outcome classes and latency phases: colour-blind safe (Okabe–Ito and Tol's muted set),
/// `accepted` is the only green, no failure class shares its hue, phases avoid both red and green.
enum Palette {
    static let classes: [OutcomeClass: String] = [
        .accepted: "#009E73",
        .clientCertUnknownCA: "#D55E00", .clientCertExpired: "#E69F00", .clientCertNotYetValid: "#F0E442",
        .clientCertMissingClientAuth: "#CC79A7", .clientCertRequired: "#0072B2", .clientCertSANRejected: "#56B4E9",
        .clientCertRejected: "#882255", .clientCertRevoked: "#332288",
        .serverCertUnknownCA: "#AA4499", .serverCertExpired: "#DDCC77", .serverCertNotYetValid: "#6699CC",
        .serverCertSANMismatch: "#88CCEE", .serverCertMissingServerAuth: "#997700",
        .accessDenied: "#EE7733", .protocolMismatch: "#AA3377", .handshakeFailure: "#BB5566",
        .connectRefused: "#444444", .connectTimeout: "#777777", .handshakeTimeout: "#999999", .verdictTimeout: "#BBBBBB",
        .connectionReset: "#663333", .unexpectedEOF: "#8C6D62", .localResourceExhausted: "#000000",
    ]

    static func color(_ outcome: OutcomeClass) -> String { classes[outcome] ?? "#BBBBBB" }

    static let phases: [LatencyPhase: String] = [.connect: "#0072B2", .handshake: "#CC79A7", .verdict: "#E69F00", .total: "#000000"]

    /// Shading behind failure windows.
    static let window = "#D55E00"
}

/// Round axis ticks (1, 2 or 5 × 10ⁿ apart) covering 0…`maximum`.
struct AxisTicks {
    let step: Double
    let top: Double

    init(maximum: Double, count: Int = 5) {
        let raw = max(maximum, 1e-9) / Double(max(1, count))
        let magnitude = pow(10, floor(log10(raw)))
        let fraction = raw / magnitude
        step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude
        top = max(step, ceil(maximum / step - 1e-9) * step)
    }

    var values: [Double] { stride(from: 0, through: top + step / 2, by: step).map { $0 } }

    /// "0", "2.5", "100", "1.2k": short labels.
    static func label(_ value: Double) -> String {
        if value >= 10_000 { return String(format: "%.0fk", value / 1000) }
        if value == value.rounded() { return String(Int(value)) }
        return value < 1 ? String(format: "%.2g", value) : String(format: "%.1f", value)
    }
}
