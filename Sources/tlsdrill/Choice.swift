import TLSDrill

/// Parses a flag's value into one of an enum's cases, or a one-line error naming the flag and the choices.
func choice<T: RawRepresentable & CaseIterable>(_ value: String, flag: String) throws -> T where T.RawValue == String {
    guard let parsed = T(rawValue: value) else {
        throw TLSDrillError.invalidOption(flag: flag, value: value, expected: "use one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return parsed
}
