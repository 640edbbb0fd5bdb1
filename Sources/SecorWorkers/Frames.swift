import Foundation

/// The reader processes' wire format: each message is its length in decimal, a newline, then
/// its bytes. Paths may hold newlines and PDFs any byte, so nothing is delimited by content.
public enum Frames {
    /// No message is larger than this (a file over the size limit never gets this far).
    public static let maximumLength = 1 << 30

    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
    }

    public static func encode(_ payload: some Collection<UInt8>) -> [UInt8] {
        var out = Array("\(payload.count)\n".utf8)
        out.reserveCapacity(out.count + payload.count)
        out.append(contentsOf: payload)
        return out
    }

    /// Collects bytes as they arrive and hands out whole messages.
    public struct Decoder: Sendable {
        private var buffer: [UInt8] = []
        private var start = 0

        public init() {}

        public mutating func append(_ bytes: some Sequence<UInt8>) { buffer.append(contentsOf: bytes) }

        /// The next whole message, nil until one has arrived; throws for bytes that are no frame.
        public mutating func next() throws(Malformed) -> [UInt8]? {
            var length = 0
            var i = start
            while i < buffer.count, buffer[i] != UInt8(ascii: "\n") {
                let b = buffer[i]
                guard b >= 48, b <= 57, i - start < 10 else { throw Malformed(description: "a message header is not a length") }
                length = length * 10 + Int(b - 48)
                i += 1
            }
            guard i < buffer.count else { return nil }
            guard i > start, length <= maximumLength else { throw Malformed(description: "a message header is empty or too large") }
            let bodyStart = i + 1
            guard buffer.count - bodyStart >= length else { return nil }
            let message = Array(buffer[bodyStart..<bodyStart + length])
            start = bodyStart + length
            // Drop what has been handed out once it is most of the buffer.
            if start > 65_536, start * 2 > buffer.count {
                buffer.removeFirst(start)
                start = 0
            }
            return message
        }
    }
}

/// Blocking frame reading and writing on file handles: the reader process's side.
public struct FrameChannel {
    let input: FileHandle
    let output: FileHandle
    private var decoder = Frames.Decoder()

    public init(input: FileHandle, output: FileHandle) {
        self.input = input
        self.output = output
    }

    /// The next message, or nil at the end of input.
    public mutating func receive() throws -> [UInt8]? {
        while true {
            if let message = try decoder.next() { return message }
            // One read(2): FileHandle.read(upToCount:) waits for the whole count on a pipe.
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { read(input.fileDescriptor, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return nil }
            decoder.append(chunk[0..<n])
        }
    }

    public func send(_ payload: some Collection<UInt8>) throws {
        try output.write(contentsOf: Frames.encode(payload))
    }
}
