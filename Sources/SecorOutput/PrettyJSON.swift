import Foundation
import SecorCore
import Imaging

/// JSON written straight to bytes, byte for byte as `JSONOutput.string` writes it with
/// Foundation's encoder (pretty, keys sorted, slashes unescaped), for the values a batch writes
/// thousands of: encoding an application record through `Codable` cost as much as reading it.
/// Tests hold the two to the same bytes.
public struct PrettyJSON {
    public private(set) var bytes: [UInt8] = []
    /// Open containers: whether each has had a member yet.
    private var open: [Bool] = []
    private let baseIndent: Int
    /// A number JSON cannot hold (NaN, infinity) was written: Foundation's encoder refuses those.
    public private(set) var failed = false

    /// `indent` levels (two spaces each) are added to every line after the first.
    public init(indent: Int = 0) {
        baseIndent = indent
        bytes.reserveCapacity(8_192)
    }

    // Containers: open one, write each member's key (or each element's place) then its value, close it.

    public mutating func beginObject() { begin(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { begin(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// The next member's key. Members must come in the order of their keys' UTF-8 bytes (the
    /// encoder's sortedKeys); `object(_:_:)` sorts a dictionary's.
    public mutating func key(_ key: String) {
        member()
        string(key)
        bytes.append(contentsOf: [0x20, UInt8(ascii: ":"), 0x20])
    }

    /// The next element's place in an array.
    public mutating func element() { member() }

    public mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, UInt8(ascii: "\"")])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func int(_ n: Int) { bytes.append(contentsOf: String(n).utf8) }

    public mutating func double(_ d: Double) {
        guard d.isFinite else { failed = true; bytes.append(0x30); return }
        // A whole number the encoder would write without its ".0" (below 2^53 Swift writes
        // whole numbers out in full): its digits, without making a String of it first.
        if d == d.rounded(), abs(d) < 9_007_199_254_740_992, !(d == 0 && d.sign == .minus) {
            int(Int(d))
            return
        }
        var text = d.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    public mutating func value(_ v: some PrettyJSONWritable) { v.write(to: &self) }

    // Optional members: left out when nil, as the encoder leaves them out.

    public mutating func member(_ k: String, _ v: String?) { if let v { key(k); string(v) } }
    public mutating func member(_ k: String, _ v: Int?) { if let v { key(k); int(v) } }
    public mutating func member(_ k: String, _ v: (some PrettyJSONWritable)?) { if let v { key(k); value(v) } }
    public mutating func member(_ k: String, _ v: [some PrettyJSONWritable]?) { if let v { key(k); array(v) } }

    /// An array of values that write themselves.
    public mutating func array(_ elements: [some PrettyJSONWritable]) {
        beginArray()
        for e in elements { element(); value(e) }
        endArray()
    }

    /// A dictionary as an object, its keys sorted as the encoder sorts them.
    public mutating func object<Value>(_ members: [String: Value], _ write: (inout PrettyJSON, Value) -> Void) {
        beginObject()
        for (k, v) in members.sorted(by: { utf8Precedes($0.key, $1.key) }) {
            key(k)
            write(&self, v)
        }
        endObject()
    }

    private mutating func begin(_ bracket: UInt8) {
        bytes.append(bracket)
        open.append(false)
    }

    private mutating func member() {
        if open[open.count - 1] { bytes.append(UInt8(ascii: ",")) }
        open[open.count - 1] = true
        newline(levels: open.count)
    }

    private mutating func close(_ bracket: UInt8) {
        // An empty container is written with a blank line inside, as the encoder does (and the
        // line carries the indent added to every line).
        if !open.removeLast() { newline(levels: 0) }
        newline(levels: open.count)
        bytes.append(bracket)
    }

    private mutating func newline(levels: Int) {
        bytes.append(0x0A)
        let width = 2 * (levels + baseIndent)
        if width <= Self.spaces.count {
            bytes.append(contentsOf: Self.spaces[..<width])
        } else {
            bytes.append(contentsOf: repeatElement(0x20, count: width))
        }
    }

    private static let spaces = [UInt8](repeating: 0x20, count: 64)
}

/// Whether `a` comes before `b` in the order of their UTF-8 bytes.
func utf8Precedes(_ a: String, _ b: String) -> Bool {
    var a = a, b = b
    return a.withUTF8 { pa in
        b.withUTF8 { pb in
            let n = min(pa.count, pb.count)
            for i in 0..<n where pa[i] != pb[i] { return pa[i] < pb[i] }
            return pa.count < pb.count
        }
    }
}
/// A type that writes itself as `PrettyJSON`, the same as its `Encodable` conformance.
public protocol PrettyJSONWritable: Encodable {
    func write(to json: inout PrettyJSON)
}

extension JSONOutput {
    /// `string(_:)` without the encoder, for the types that write themselves.
    public static func string(_ value: some PrettyJSONWritable) throws -> String {
        String(decoding: try bytes(value), as: UTF8.self)
    }

    /// The value as `string(_:)` gives it, `indent` levels in after its first line.
    public static func bytes(_ value: some PrettyJSONWritable, indent: Int = 0) throws -> [UInt8] {
        var json = PrettyJSON(indent: indent)
        value.write(to: &json)
        guard json.failed else { return json.bytes }
        // What the encoder refuses, it refuses the same way here (it throws).
        return Array(indented(try encoderString(value), levels: indent).utf8)
    }

    /// `text` with every line after the first `levels` levels (two spaces each) further in:
    /// JSON written to go inside other JSON. Counted, then written, on bytes (splitting and
    /// joining Strings cost more than encoding a record).
    public static func indented(_ text: String, levels: Int) -> String {
        var text = text
        let width = 2 * levels
        return text.withUTF8 { source in
            let newlines = source.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            return String(unsafeUninitializedCapacity: source.count + width * newlines) { out in
                var at = 0
                for byte in source {
                    out[at] = byte
                    at += 1
                    if byte == 0x0A { for _ in 0..<width { out[at] = 0x20; at += 1 } }
                }
                return at
            }
        }
    }
}

// MARK: - What a batch writes (each type's members in key order)

extension Box: PrettyJSONWritable {
    public func write(to json: inout PrettyJSON) {
        json.beginArray()
        for v in [x, y, width, height] {
            json.element()
            json.double((v * 100).rounded() / 100)
        }
        json.endArray()
    }
}

extension FieldValue: PrettyJSONWritable {
    public func write(to json: inout PrettyJSON) {
        if case let .count(n) = self { json.int(n) } else { json.string(description) }
    }
}

extension Int: PrettyJSONWritable {
    public func write(to json: inout PrettyJSON) { json.int(self) }
}

extension FileReference: PrettyJSONWritable {
    public func write(to json: inout PrettyJSON) {
        json.beginObject()
        json.key("kind"); json.string(kind)
        json.member("other_pages", otherPages)
        json.key("pages"); json.int(pages)
        json.key("path"); json.string(path)
        json.key("sha256"); json.string(sha256)
        json.endObject()
    }
}

extension Reason: PrettyJSONWritable {
    public func write(to json: inout PrettyJSON) {
        json.beginObject()
        json.member("box", box)
        json.key("code"); json.string(code)
        json.member("document", document)
        json.member("field", field)
        json.member("found", found)
        json.member("label", label)
        json.key("message"); json.string(message)
        json.member("page", page)
        json.key("rule"); json.string(rule)
        json.key("severity"); json.string(severity.rawValue)
        json.endObject()
    }
}

extension ApplicationRecord.FieldReading: PrettyJSONWritable {
    public func write(to json: inout PrettyJSON) {
        json.beginObject()
        json.member("box", box)
        json.key("confidence"); json.double(confidence)
        json.member("document", document)
        json.member("page", page)
        json.key("source"); json.string(source.rawValue)
        json.endObject()
    }
}

extension StaffCorrection: PrettyJSONWritable {
    public func write(to json: inout PrettyJSON) {
        json.beginObject()
        json.key("at"); json.string(at)
        json.key("by"); json.string(by)
        json.key("field"); json.string(field)
        json.member("note", note)
        json.key("read"); json.string(read)
        json.key("value"); json.string(value)
        json.endObject()
    }
}

extension StaffOverride: PrettyJSONWritable {
    public func write(to json: inout PrettyJSON) {
        json.beginObject()
        json.key("at"); json.string(at)
        json.key("by"); json.string(by)
        json.key("decision"); json.string(decision.rawValue)
        json.key("reason"); json.string(reason)
        json.endObject()
    }
}

extension ApplicationRecord: PrettyJSONWritable {
    public func write(to json: inout PrettyJSON) {
        json.beginObject()
        json.key("as_written"); json.object(asWritten) { json, fields in json.object(fields) { $0.string($1) } }
        if let corrections { json.key("corrections"); json.object(corrections) { $0.value($1) } }
        json.key("decision"); json.string(decision.rawValue)
        json.key("declaration_fields"); json.object(declarationFields) { $0.value($1) }
        json.key("documents"); json.array(documents)
        json.key("edition"); json.string(edition)
        json.key("fields"); json.object(fields) { $0.value($1) }
        json.key("id"); json.string(id)
        json.member("may_register_from", mayRegisterFrom?.description)
        json.member("override", override)
        json.key("program"); json.string(program)
        json.key("readings"); json.object(readings) { $0.value($1) }
        json.key("reasons"); json.array(reasons)
        json.member("submitted", submitted)
        json.member("superseded_by", supersededBy)
        if let supersedes {
            json.key("supersedes")
            json.beginArray()
            for id in supersedes { json.element(); json.string(id) }
            json.endArray()
        }
        if let unconfirmed {
            json.key("unconfirmed")
            json.beginArray()
            for name in unconfirmed { json.element(); json.string(name) }
            json.endArray()
        }
        json.endObject()
    }
}
