import Foundation
import TLSDrill

/// The parser under test, from `TLSDRILL_FUZZ_TARGET` (one of `FuzzTarget`'s raw values).
let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["TLSDRILL_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("set TLSDRILL_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

/// libFuzzer's entry point.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    target.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
