import Foundation

/// Values a batch must keep until its end, kept on disk once there are many, so a batch of
/// ten thousand documents runs in about the memory of one of a thousand.
///
/// The first `inMemory` values stay in memory as they are (a day's usual batch never touches the
/// disk); the rest are written, by `encode`, to a file that is unlinked as soon as it is open, so
/// nothing is left behind however the run ends, and no other process can find it by name.
public final class Spill<Value: Sendable>: @unchecked Sendable {
    /// Where a value is: its position among those kept in memory, or its bytes in the file.
    public enum Handle: Sendable, Hashable {
        case memory(Int)
        case disk(offset: UInt64, length: Int)
    }

    private let lock = NSLock()
    private let inMemory: Int
    private var values: [Value] = []
    private var file: FileHandle?
    private var end: UInt64 = 0
    private let directory: URL
    private let encode: (Value) throws -> Data
    private let decode: (Data) throws -> Value

    /// `encode` and `decode` turn a value into bytes and back; a value may keep less on disk than
    /// in memory (what can be worked out again when it is read back).
    public init(inMemory: Int = 1_000, directory: URL = FileManager.default.temporaryDirectory,
                encode: @escaping (Value) throws -> Data, decode: @escaping (Data) throws -> Value) {
        self.inMemory = inMemory
        self.directory = directory
        self.encode = encode
        self.decode = decode
    }

    deinit { try? file?.close() }

    /// Keeps a value; throws only when the disk cannot take it (a broken run, not a form problem).
    public func append(_ value: Value) throws -> Handle {
        try lock.withLock {
            if values.count < inMemory {
                values.append(value)
                return .memory(values.count - 1)
            }
            let data = try encode(value)
            let handle = try openFile()
            try handle.seek(toOffset: end)
            try handle.write(contentsOf: data)
            defer { end += UInt64(data.count) }
            return .disk(offset: end, length: data.count)
        }
    }

    public func value(_ handle: Handle) throws -> Value {
        try lock.withLock {
            switch handle {
            case let .memory(i): return values[i]
            case let .disk(offset, length):
                guard let file else { throw SpillError.missing }
                try file.seek(toOffset: offset)
                guard let data = try file.read(upToCount: length), data.count == length else { throw SpillError.missing }
                return try decode(data)
            }
        }
    }

    private func openFile() throws -> FileHandle {
        if let file { return file }
        let url = directory.appendingPathComponent("secor-spill-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw SpillError.cannotCreate(url.path)
        }
        let handle = try FileHandle(forUpdating: url)
        try? FileManager.default.removeItem(at: url)
        file = handle
        return handle
    }
}

extension Spill where Value: Codable {
    /// Values kept on disk as JSON.
    public convenience init(inMemory: Int = 1_000, directory: URL = FileManager.default.temporaryDirectory) {
        self.init(inMemory: inMemory, directory: directory,
                  encode: { try JSONEncoder().encode($0) }, decode: { try JSONDecoder().decode(Value.self, from: $0) })
    }
}

public enum SpillError: Error, CustomStringConvertible {
    case cannotCreate(String)
    case missing

    public var description: String {
        switch self {
        case let .cannotCreate(path): "cannot create the batch's working file \(path)"
        case .missing: "a document kept for this batch could not be read back from its working file"
        }
    }
}
