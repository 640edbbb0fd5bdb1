// Shared by the test targets: where the project's fixtures are, and what the
// office expects of each sample (fixtures/samples/expected.json, a copy of the
// office's file so tests pass from the project's own clone).
import Foundation

public enum Fixtures {
    /// The package root, found from this file's location.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    public static var samples: URL { root.appendingPathComponent("fixtures/samples") }
    /// Paper as the mail brings it (a copy of the office's samples-mail, with its expected.json).
    public static var mailSamples: URL { root.appendingPathComponent("fixtures/samples-mail") }
    public static var bad: URL { root.appendingPathComponent("fixtures/bad") }
    public static var blankForms: URL { root.appendingPathComponent("schemas/forms") }

    public static func sample(_ name: String) -> URL { samples.appendingPathComponent(name) }
    public static func bad(_ name: String) -> URL { bad.appendingPathComponent(name) }

    public static func data(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    /// The built command-line program (tests run it as staff would).
    public static var executable: URL {
        if let override = ProcessInfo.processInfo.environment["SECOR_INTAKE_BIN"] { return URL(fileURLWithPath: override) }
        return root.appendingPathComponent(".build/debug/secor-intake")
    }
}

/// One sample case of `expected.json`.
public struct ExpectedCase: Decodable, Sendable {
    public let id: String
    public let flavor: String
    public let files: [String]
    public let wcb: String
    public let company: String
    public let decision: String
    public let fields: [String]
    /// Every value as written; a document the case lacks (a declaration never sent) is absent.
    public let registration: [String: String]?
    public let declaration: [String: String]?
}

public struct Expected: Decodable, Sendable {
    public let processingDate: String
    public let cases: [ExpectedCase]

    enum CodingKeys: String, CodingKey {
        case processingDate = "processing_date"
        case cases
    }

    public static func load(from folder: URL = Fixtures.samples) throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: folder.appendingPathComponent("expected.json")))
    }

    public func `case`(_ id: String) -> ExpectedCase? { cases.first { $0.id == id } }
}

/// Runs the program and captures what it prints.
public struct ProgramRun: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> ProgramRun {
        try start(arguments, in: directory, environment: environment).wait()
    }

    /// Starts the program and returns at once: several started back to back are running at the
    /// same moment, whatever threads the caller's other work holds. `wait()` for what it printed.
    public static func start(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Running {
        let process = Process()
        process.executableURL = Fixtures.executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while it runs so a large output cannot block it.
        let outData = LockedData(), errData = LockedData()
        Thread.detachNewThread { outData.value = out.fileHandleForReading.readDataToEndOfFile() }
        Thread.detachNewThread { errData.value = err.fileHandleForReading.readDataToEndOfFile() }
        return Running(process: process, out: outData, err: errData)
    }

    /// A program started and not yet waited for.
    public struct Running: @unchecked Sendable {
        let process: Process
        fileprivate let out: LockedData, err: LockedData

        public func wait() -> ProgramRun {
            process.waitUntilExit()
            while !out.done || !err.done { usleep(1000) }
            return ProgramRun(status: process.terminationStatus,
                              stdout: String(decoding: out.value, as: UTF8.self),
                              stderr: String(decoding: err.value, as: UTF8.self))
        }
    }
}

/// Runs `body` on a thread of its own, counted in `group`: unlike `DispatchQueue.global()`, it
/// starts now even while other tests hold every thread of the shared pool (two on a two-core
/// machine), so work a test means to run at the same moment does.
public func onNewThread(in group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
    group.enter()
    Thread.detachNewThread {
        body()
        group.leave()
    }
}

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var _value = Data()
    private var _done = false
    var value: Data {
        get { lock.withLock { _value } }
        set { lock.withLock { _value = newValue; _done = true } }
    }
    var done: Bool { lock.withLock { _done } }
}

/// Blocking work (processes waited for) on a thread of its own, awaited: a long test then does not
/// hold one of the few threads that every async test shares (two on a two-core machine) while it
/// waits. `body` records no expectations; its result is checked by the caller.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
