import Foundation

/// The one entry point of the `fuzz-*` executables. Built with -DFUZZING (by `make fuzz`), it
/// hands the arguments to libFuzzer's driver with `target` as the input callback; otherwise it
/// replays the files named on the command line through `target` and exits 1 if any breaks a promise.
public enum FuzzMain {
    nonisolated(unsafe) static var target: (Data) -> [String] = { _ in [] }

    public static func run(_ target: @escaping (Data) -> [String]) -> Never {
        #if FUZZING
        self.target = target
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
        #else
        var failed = false
        for path in CommandLine.arguments.dropFirst() {
            let broken = (try? Data(contentsOf: URL(fileURLWithPath: path))).map(target) ?? ["cannot read the file"]
            print("\(path): \(broken.isEmpty ? "ok" : broken.joined(separator: "; "))")
            failed = failed || !broken.isEmpty
        }
        exit(failed ? 1 : 0)
        #endif
    }
}

#if FUZZING
// SwiftPM names an executable's entry point after its module, so libFuzzer's own main is not
// used; its driver is called instead, and its main still needs this symbol to link.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let broken = FuzzMain.target(bytes.map { Data(bytes: $0, count: count) } ?? Data())
    if !broken.isEmpty { fatalError("broken promise: \(broken.joined(separator: "; "))") }
    return 0
}
#endif
