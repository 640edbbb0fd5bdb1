// libFuzzer driver for FuzzTargets.pdfForm (built by `make fuzz` with -sanitize=fuzzer -DFUZZING);
// in an ordinary build, a replayer: `fuzz-pdf FILE...` runs each file through the same target.
import Foundation
import SecorFuzzing

#if FUZZING
// SwiftPM names an executable's entry point after its module, so libFuzzer's own main is not
// used: this one hands the arguments to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let broken = FuzzTargets.pdfForm(bytes.map { Data(bytes: $0, count: count) } ?? Data())
    if !broken.isEmpty { fatalError("broken promise: \(broken.joined(separator: "; "))") }
    return 0
}

@main enum Fuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
    }
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
