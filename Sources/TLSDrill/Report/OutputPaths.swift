import Foundation

/// Checks before the first attempt that every report can be written, so a typo in `--json` never
/// costs a whole run.
public enum OutputPaths {
    /// `path` names a file whose directory exists and is writable (and, if the file exists, it is a
    /// writable regular file).
    public static func checkFile(_ path: String?, flag: String) throws {
        guard let path else { return }
        let directory = (path as NSString).deletingLastPathComponent
        let parent = directory.isEmpty ? "." : directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TLSDrillError.invalidOption(flag: flag, value: path, expected: "directory \(parent) does not exist; create it first")
        }
        guard access(parent, W_OK) == 0 else {
            throw TLSDrillError.invalidOption(flag: flag, value: path, expected: "directory \(parent) is not writable")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue else { throw TLSDrillError.invalidOption(flag: flag, value: path, expected: "is a directory; name a file") }
            guard access(path, W_OK) == 0 else { throw TLSDrillError.invalidOption(flag: flag, value: path, expected: "exists and is not writable") }
        }
    }

    /// `path` is a writable directory, or one that can be created.
    public static func checkDirectory(_ path: String?, flag: String) throws {
        guard let path else { return }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue, access(path, W_OK) == 0 else {
                throw TLSDrillError.invalidOption(flag: flag, value: path, expected: "is not a writable directory")
            }
            return
        }
        var ancestor = (path as NSString).deletingLastPathComponent
        while !ancestor.isEmpty && !FileManager.default.fileExists(atPath: ancestor) { ancestor = (ancestor as NSString).deletingLastPathComponent }
        let existing = ancestor.isEmpty ? "." : ancestor
        guard access(existing, W_OK) == 0 else {
            throw TLSDrillError.invalidOption(flag: flag, value: path, expected: "cannot be created: \(existing) is not writable")
        }
    }
}
