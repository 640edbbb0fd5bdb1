// libFuzzer entry for FuzzTargets.pdfForm (built by `make fuzz` with -DFUZZING); in an
// ordinary build, a replayer: `fuzz-pdf FILE...` runs each file through the same target.
import Foundation
import SecorFuzzing

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let broken = FuzzTargets.pdfForm(Data(bytes: bytes, count: count))
    if !broken.isEmpty { fatalError("broken promise: \(broken.joined(separator: "; "))") }
    return 0
}
#else
@main enum Replay {
    static func main() throws {
        var failed = false
        for path in CommandLine.arguments.dropFirst() {
            let broken = FuzzTargets.pdfForm(try Data(contentsOf: URL(fileURLWithPath: path)))
            print("\(path): \(broken.isEmpty ? "ok" : broken.joined(separator: "; "))")
            failed = failed || !broken.isEmpty
        }
        if failed { exit(1) }
    }
}
#endif
