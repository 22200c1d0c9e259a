import Foundation

/// Resolves a path written in a profile against the profile's directory, as an absolute clean path.
enum ProfilePaths {
    static func resolve(_ file: String, profile: String) -> String {
        let base = (profile as NSString).deletingLastPathComponent
        var joined = file.hasPrefix("/") ? file : ((base.isEmpty ? "." : base) as NSString).appendingPathComponent(file)
        if !joined.hasPrefix("/") { joined = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(joined) }
        return URL(fileURLWithPath: joined).standardized.path
    }

    /// The profile's directory, absolute.
    static func directory(of profile: String) -> String {
        (resolve((profile as NSString).lastPathComponent, profile: profile) as NSString).deletingLastPathComponent
    }
}
