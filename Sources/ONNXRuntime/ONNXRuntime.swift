// The one file where ONNX Runtime's C API is called. The library is loaded at run time from the
// folder `make models` fills (Debian 12 has no package for it), so nothing here needs its header
// or links against it: OrtGetApiBase is looked up by name, and each function of the OrtApi table
// is taken at its position there. Those positions are the C API's, fixed since its first versions
// (the table only grows at its end); one place below names each one used. Every OrtStatus becomes
// an ONNXError here, and every object made is released by its Swift owner.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct ONNXError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}

/// The loaded library and its function table.
final class Runtime: @unchecked Sendable {
    typealias Status = OpaquePointer?
    typealias Out = UnsafeMutablePointer<OpaquePointer?>

    /// Positions in the OrtApi table (onnxruntime_c_api.h, `struct OrtApi`).
    enum Entry: Int {
        case getErrorMessage = 2, createEnv = 3, createSession = 7, run = 9, createSessionOptions = 10
        case setSessionGraphOptimizationLevel = 23, setIntraOpNumThreads = 24, setInterOpNumThreads = 25
        case sessionGetInputName = 36, sessionGetOutputName = 37
        case createTensorWithDataAsOrtValue = 49, getTensorMutableData = 51
        case getDimensionsCount = 61, getDimensions = 62, getTensorTypeAndShape = 65
        case createCpuMemoryInfo = 69, allocatorFree = 76, getAllocatorWithDefaultOptions = 78
        case releaseEnv = 92, releaseStatus = 93, releaseMemoryInfo = 94, releaseSession = 95, releaseValue = 96
        case releaseTensorTypeAndShapeInfo = 99, releaseSessionOptions = 100
        case sessionGetModelMetadata = 111, modelMetadataLookupCustomMetadataMap = 116, releaseModelMetadata = 118
    }

    private let table: UnsafePointer<UnsafeRawPointer?>

    /// The version of the table asked for: the functions used are all in the table's first versions.
    static let apiVersion: UInt32 = 11

    private static let lock = NSLock()
    nonisolated(unsafe) private static var loaded: [String: Runtime] = [:]

    /// The library at `path`, loaded once per process.
    static func load(_ path: String) throws -> Runtime {
        try lock.withLock {
            if let known = loaded[path] { return known }
            guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
                throw ONNXError(message: "ONNX Runtime cannot be loaded from \(path): \(String(cString: dlerror()))")
            }
            guard let symbol = dlsym(handle, "OrtGetApiBase") else {
                throw ONNXError(message: "\(path) is not ONNX Runtime (no OrtGetApiBase)")
            }
            typealias GetApiBase = @convention(c) () -> UnsafePointer<UnsafeRawPointer?>?
            typealias GetApi = @convention(c) (UInt32) -> UnsafePointer<UnsafeRawPointer?>?
            guard let base = unsafeBitCast(symbol, to: GetApiBase.self)(), let getApi = base[0],
                  let table = unsafeBitCast(getApi, to: GetApi.self)(apiVersion) else {
                throw ONNXError(message: "ONNX Runtime at \(path) does not offer API version \(apiVersion)")
            }
            let runtime = Runtime(table: table)
            loaded[path] = runtime
            return runtime
        }
    }

    private init(table: UnsafePointer<UnsafeRawPointer?>) { self.table = table }

    func function<F>(_ entry: Entry, as type: F.Type) -> F {
        unsafeBitCast(table[entry.rawValue]!, to: type)
    }

    /// Turns a returned OrtStatus into an error (and releases it); nil is success.
    func check(_ status: Status, _ what: String) throws {
        guard let status else { return }
        typealias Message = @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?
        let message = function(.getErrorMessage, as: Message.self)(status).map { String(cString: $0) } ?? "unknown error"
        release(.releaseStatus, status)
        throw ONNXError(message: "\(what): \(message)")
    }

    func release(_ entry: Entry, _ object: OpaquePointer?) {
        guard let object else { return }
        typealias Release = @convention(c) (OpaquePointer?) -> Void
        function(entry, as: Release.self)(object)
    }

    /// Makes an object through a function whose last argument receives it.
    func make(_ what: String, _ call: (Out) -> Status) throws -> OpaquePointer {
        var object: OpaquePointer? = nil
        try check(call(&object), what)
        guard let object else { throw ONNXError(message: "\(what): nothing was made") }
        return object
    }

    /// The allocator strings the runtime hands out are made with (and freed with).
    func defaultAllocator() throws -> OpaquePointer {
        typealias F = @convention(c) (Out) -> Status
        return try make("the default allocator") { function(.getAllocatorWithDefaultOptions, as: F.self)($0) }
    }

    /// A string the runtime allocated, copied and freed.
    func take(_ text: UnsafeMutablePointer<CChar>?, allocator: OpaquePointer) -> String? {
        guard let text else { return nil }
        defer {
            typealias Free = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Status
            try? check(function(.allocatorFree, as: Free.self)(allocator, UnsafeMutableRawPointer(text)), "freeing a string")
        }
        return String(cString: text)
    }
}

/// One model, ready to run on the calling thread (a session may be shared; `run` is thread-safe in
/// ONNX Runtime, but the office runs one per reader process, on one thread).
public final class ONNXModel: @unchecked Sendable {
    private let runtime: Runtime
    private let environment: OpaquePointer
    private let session: OpaquePointer
    private let memory: OpaquePointer
    public let inputName: String
    public let outputName: String

    /// Loads the runtime from `library` and the model from `model`, to run on `threads` threads.
    public init(library: String, model: String, threads: Int32 = 1) throws {
        let runtime = try Runtime.load(library)
        self.runtime = runtime
        typealias CreateEnv = @convention(c) (Int32, UnsafePointer<CChar>?, Runtime.Out) -> Runtime.Status
        // Level 3: errors only; its warnings would go to stderr.
        let environment = try runtime.make("creating the environment") { runtime.function(.createEnv, as: CreateEnv.self)(3, "secor-intake", $0) }
        self.environment = environment
        typealias CreateOptions = @convention(c) (Runtime.Out) -> Runtime.Status
        let options = try runtime.make("creating session options") { runtime.function(.createSessionOptions, as: CreateOptions.self)($0) }
        defer { runtime.release(.releaseSessionOptions, options) }
        typealias SetInt = @convention(c) (OpaquePointer?, Int32) -> Runtime.Status
        try runtime.check(runtime.function(.setIntraOpNumThreads, as: SetInt.self)(options, threads), "setting threads")
        try runtime.check(runtime.function(.setInterOpNumThreads, as: SetInt.self)(options, 1), "setting threads")
        typealias CreateSession = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, OpaquePointer?, Runtime.Out) -> Runtime.Status
        let session = try runtime.make("loading the model \(model)") { runtime.function(.createSession, as: CreateSession.self)(environment, model, options, $0) }
        self.session = session
        typealias CreateMemory = @convention(c) (Int32, Int32, Runtime.Out) -> Runtime.Status
        // OrtArenaAllocator (1), OrtMemTypeDefault (0).
        memory = try runtime.make("describing CPU memory") { runtime.function(.createCpuMemoryInfo, as: CreateMemory.self)(1, 0, $0) }
        let allocator = try runtime.defaultAllocator()
        typealias GetName = @convention(c) (OpaquePointer?, Int, OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Runtime.Status
        func name(_ entry: Runtime.Entry) throws -> String {
            var text: UnsafeMutablePointer<CChar>? = nil
            try runtime.check(runtime.function(entry, as: GetName.self)(session, 0, allocator, &text), "reading the model's names")
            return runtime.take(text, allocator: allocator) ?? ""
        }
        let names = (try name(.sessionGetInputName), try name(.sessionGetOutputName))
        inputName = names.0
        outputName = names.1
    }

    deinit {
        runtime.release(.releaseMemoryInfo, memory)
        runtime.release(.releaseSession, session)
        runtime.release(.releaseEnv, environment)
    }

    /// A value of the model's custom metadata (`character`: a recognizer's dictionary), or nil.
    public func metadata(_ key: String) throws -> String? {
        typealias GetMetadata = @convention(c) (OpaquePointer?, Runtime.Out) -> Runtime.Status
        let metadata = try runtime.make("reading the model's metadata") { runtime.function(.sessionGetModelMetadata, as: GetMetadata.self)(session, $0) }
        defer { runtime.release(.releaseModelMetadata, metadata) }
        let allocator = try runtime.defaultAllocator()
        typealias Lookup = @convention(c) (OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Runtime.Status
        var text: UnsafeMutablePointer<CChar>? = nil
        try runtime.check(runtime.function(.modelMetadataLookupCustomMetadataMap, as: Lookup.self)(metadata, allocator, key, &text), "reading \(key)")
        return runtime.take(text, allocator: allocator)
    }

    /// Runs the model on one float tensor of `shape`; returns its first output and that output's shape.
    public func run(_ input: [Float], shape: [Int64]) throws -> (values: [Float], shape: [Int64]) {
        guard shape.reduce(1, *) == Int64(input.count) else { throw ONNXError(message: "input of \(input.count) values for shape \(shape)") }
        var data = input
        typealias CreateTensor = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int, UnsafePointer<Int64>?, Int, Int32, Runtime.Out) -> Runtime.Status
        let tensor = try data.withUnsafeMutableBytes { bytes in
            try shape.withUnsafeBufferPointer { dims in
                // ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT (1); the runtime reads `data` in place, during `run` below.
                try runtime.make("making the input") {
                    runtime.function(.createTensorWithDataAsOrtValue, as: CreateTensor.self)(memory, bytes.baseAddress, bytes.count, dims.baseAddress, dims.count, 1, $0)
                }
            }
        }
        defer { runtime.release(.releaseValue, tensor) }
        typealias Run = @convention(c) (OpaquePointer?, OpaquePointer?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<OpaquePointer?>?, Int,
                                        UnsafePointer<UnsafePointer<CChar>?>?, Int, Runtime.Out) -> Runtime.Status
        var output: OpaquePointer? = nil
        try withExtendedLifetime(data) {
            try inputName.withCString { inName in
                try outputName.withCString { outName in
                    var inputs: [OpaquePointer?] = [tensor]
                    var inNames: [UnsafePointer<CChar>?] = [inName]
                    var outNames: [UnsafePointer<CChar>?] = [outName]
                    try runtime.check(runtime.function(.run, as: Run.self)(session, nil, &inNames, &inputs, 1, &outNames, 1, &output), "running the model")
                }
            }
        }
        guard let output else { throw ONNXError(message: "the model gave no output") }
        defer { runtime.release(.releaseValue, output) }
        typealias GetShape = @convention(c) (OpaquePointer?, Runtime.Out) -> Runtime.Status
        let info = try runtime.make("reading the output's shape") { runtime.function(.getTensorTypeAndShape, as: GetShape.self)(output, $0) }
        defer { runtime.release(.releaseTensorTypeAndShapeInfo, info) }
        typealias Count = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>) -> Runtime.Status
        var rank = 0
        try runtime.check(runtime.function(.getDimensionsCount, as: Count.self)(info, &rank), "reading the output's rank")
        var outShape = [Int64](repeating: 0, count: rank)
        typealias Dims = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int64>?, Int) -> Runtime.Status
        try outShape.withUnsafeMutableBufferPointer { dims in
            try runtime.check(runtime.function(.getDimensions, as: Dims.self)(info, dims.baseAddress, rank), "reading the output's shape")
        }
        let count = Int(outShape.reduce(1, *))
        guard count >= 0 else { throw ONNXError(message: "output of unknown size \(outShape)") }
        typealias Data = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> Runtime.Status
        var pointer: UnsafeMutableRawPointer? = nil
        try runtime.check(runtime.function(.getTensorMutableData, as: Data.self)(output, &pointer), "reading the output")
        guard let pointer else { throw ONNXError(message: "the output has no data") }
        let values = Array(UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: Float.self), count: count))
        return (values, outShape)
    }
}
