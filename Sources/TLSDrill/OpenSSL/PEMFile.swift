import Foundation

/// Reads PEM input files with errors that name the file and the fix.
enum PEMFile {
    static func read(_ path: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TLSDrillError.missingFile(path: path)
        }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw TLSDrillError.unreadableFile(path: path, reason: "permission denied")
        }
        return data
    }
}
