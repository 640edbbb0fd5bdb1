import Crypto
import Foundation

/// What a file is, judged by its bytes alone (never by its name).
public enum DocumentFormat: String, Sendable, Codable {
    case pdf, xml, empty, unrecognized

    /// The format the first bytes say, whatever the file is called.
    public init(sniffing data: Data) {
        if data.isEmpty { self = .empty; return }
        var bytes = Array(data.prefix(1024))
        // PDF readers accept the header anywhere in the first kilobyte.
        let marker: [UInt8] = Array("%PDF-".utf8)
        if bytes.count >= marker.count {
            for i in 0...(bytes.count - marker.count) where bytes[i] == marker[0] && Array(bytes[i..<i + marker.count]) == marker {
                self = .pdf; return
            }
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        // UTF-16 with its byte-order mark, and a '<' next: XML that libxml2 reads as such.
        if bytes.starts(with: [0xFF, 0xFE, 0x3C, 0x00]) || bytes.starts(with: [0xFE, 0xFF, 0x00, 0x3C]) { self = .xml; return }
        guard let first = bytes.first(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }) else {
            self = .unrecognized; return
        }
        if first == UInt8(ascii: "<") { self = .xml; return }
        self = .unrecognized
    }
}

/// An input file read into memory, with its digest. Encoded, it is its name and digest only.
public struct InputFile: Sendable, Codable {
    public let path: String
    public let data: Data
    public let sha256: String

    public init(path: String, data: Data) {
        self.path = path
        self.data = data
        self.sha256 = Self.hex(SHA256.hash(data: data))
    }

    /// A file known by its digest only (a document the registry holds).
    public init(path: String, sha256: String) {
        self.path = path
        self.data = Data()
        self.sha256 = sha256
    }

    /// Bytes whose digest is already known (handed over by the process that read them).
    public init(path: String, data: Data, sha256: String) {
        self.path = path
        self.data = data
        self.sha256 = sha256
    }

    /// The digest of bytes given a piece at a time (a file too large to hold is still known by it).
    public struct Digest {
        private var hasher = SHA256()
        public init() {}
        public mutating func update(_ data: Data) { hasher.update(data: data) }
        public func finish() -> String { InputFile.hex(hasher.finalize()) }
    }

    /// Lower-case hex; `String(format:)` per byte costs more than the hash itself.
    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    enum CodingKeys: String, CodingKey { case path, sha256 }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(path: try c.decode(String.self, forKey: .path), sha256: try c.decode(String.self, forKey: .sha256))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(sha256, forKey: .sha256)
    }

    /// The same file without its bytes: what later stages keep, so a batch's memory
    /// does not grow with the size of its files.
    public var withoutBytes: InputFile { InputFile(path: path, sha256: sha256) }
}
