import ArgumentParser
import Foundation
import TLSDrill

/// Runs `body`; a `TLSDrillError` becomes one line on stderr and exit code 2, never a crash trace.
func reportingFailures<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as TLSDrillError {
        FileHandle.standardError.write(Data("tlsdrill: error: \(error.description)\n".utf8))
        throw ExitCode(2)
    } catch let error as ReportMerge.MergeError {
        FileHandle.standardError.write(Data("tlsdrill: error: \(error.description)\n".utf8))
        throw ExitCode(2)
    }
}
