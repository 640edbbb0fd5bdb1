import Foundation
import Yams

/// The office that sends the letters: its name, address and how to reach it, from
/// `secor-intake.yaml` (`--config`, or the file beside the registry). Printed on every letter.
public struct Office: Sendable, Codable, Hashable {
    public var name: String
    public var address: [String]
    public var telephone: String?
    public var email: String?
    /// The person applicants may ask for.
    public var contact: String?

    public init(name: String, address: [String] = [], telephone: String? = nil, email: String? = nil, contact: String? = nil) {
        self.name = name; self.address = address; self.telephone = telephone; self.email = email; self.contact = contact
    }

    /// What letters say when no office file is given.
    public static let unnamed = Office(name: "SECOR Registration Office")

    /// How the office's own PDFs (letters, marked copies) name their maker, so that one that
    /// comes back in through the inbox is known for what it is and refused.
    public static let outputCreator = "secor-intake (office output)"

    /// The office file's name, looked for beside the registry.
    public static let fileName = "secor-intake.yaml"

    /// Reads an office file: `office:` with `name` (required), `address` (lines), `telephone`,
    /// `email` and `contact`. A file that is not one says what is wrong with it.
    public static func load(_ path: String) throws -> Office {
        guard let data = FileManager.default.contents(atPath: path) else { throw OfficeError(message: "cannot read the office file \(path)") }
        struct File: Codable { let office: Office }
        do {
            let office = try YAMLDecoder().decode(File.self, from: data).office
            guard !office.name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw OfficeError(message: "the office file \(path) gives no office name (office: name:)")
            }
            return office
        } catch let error as OfficeError {
            throw error
        } catch {
            throw OfficeError(message: "the office file \(path) is not an office file (office: name, address, telephone, email, contact): \(error)")
        }
    }

    /// `path` if given, else the office file in `folder` if there is one, else `unnamed`.
    public static func find(config path: String?, beside folder: String?) throws -> Office {
        if let path { return try load(path) }
        if let folder {
            let candidate = (folder as NSString).appendingPathComponent(fileName)
            if FileManager.default.fileExists(atPath: candidate) { return try load(candidate) }
        }
        return .unnamed
    }

    /// One line: how to reach the office.
    public var reach: String {
        [telephone.map { "telephone \($0)" }, email.map { "email \($0)" }].compactMap { $0 }.joined(separator: ", ")
    }
}

public struct OfficeError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
