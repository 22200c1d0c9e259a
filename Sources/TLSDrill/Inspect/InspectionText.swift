import Foundation

/// `tlsdrill inspect`'s terminal output.
public enum InspectionText {
    public static func render(_ inspection: GatewayInspection) -> String {
        var out = "\(inspection.target): \(inspection.tlsVersion), \(inspection.cipher)"
        if let group = inspection.group { out += ", group \(group)" }
        out += ", ALPN \(inspection.alpn ?? "none")\n\n"
        out += "served chain (\(inspection.servedChain.count) certificate\(inspection.servedChain.count == 1 ? "" : "s")):\n"
        for (index, certificate) in inspection.servedChain.enumerated() {
            out += "  [\(index)] \(certificate.subject)\n"
            out += "      issuer    \(certificate.issuer)\n"
            if !certificate.subjectAlternativeNames.isEmpty { out += "      SANs      \(certificate.subjectAlternativeNames.joined(separator: ", "))\n" }
            out += "      EKU       \(certificate.extendedKeyUsage.map { $0.isEmpty ? "(none usable for TLS)" : $0.joined(separator: ", ") } ?? "(no EKU extension)")\n"
            out += "      key       \(certificate.keyType)\(certificate.isCA ? ", CA" : "")\n"
            out += "      valid     \(Timestamp.minute(certificate.notBefore)) → \(Timestamp.minute(certificate.notAfter))  (\(certificate.daysLeft) days left)\n"
        }
        out += "\nverification: \(inspection.verification)" + (inspection.verifiedName.map { " (for name \($0))" } ?? "") + "\n"
        out += "client certificate: " + (inspection.certificateRequested ? "requested" : "not requested")
        if let outcome = inspection.noCertificateOutcome {
            out += inspection.clientCertificateRequired == true ? ", required (no certificate → \(outcome))" : ", not required (no certificate → \(outcome))"
        }
        out += "\n"
        if inspection.certificateRequested {
            out += "acceptable client CA names:" + (inspection.acceptableClientCANames.isEmpty ? " (none sent)\n" : "\n")
            for name in inspection.acceptableClientCANames { out += "  \(name)\n" }
        }
        return out
    }
}
