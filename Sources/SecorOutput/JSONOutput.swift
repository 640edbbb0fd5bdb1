import Foundation

/// JSON as every command prints it: stable key order, readable.
public enum JSONOutput {
    public static func string(_ value: some Encodable) throws -> String {
        try encoderString(value)
    }

    /// Through Foundation's encoder, whatever the type.
    public static func encoderString(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
