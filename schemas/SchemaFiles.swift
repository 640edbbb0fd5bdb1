// The data in schemas/ ships as this target's resources: form templates, the
// XML export's XSD and one rule file per program edition. Code that needs them
// asks here, so a new edition is a new file, not new code.
import Foundation

public enum SchemaFiles {
    /// The folder holding `forms/`, `programs/`, `xml/`, `places/` and `words/`. `SECOR_SCHEMAS` overrides it,
    /// which lets staff try a draft edition without rebuilding.
    public static var root: URL {
        if let override = ProcessInfo.processInfo.environment["SECOR_SCHEMAS"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        return Bundle.module.resourceURL ?? Bundle.module.bundleURL
    }

    public static var forms: URL { root.appendingPathComponent("forms", isDirectory: true) }
    public static var programs: URL { root.appendingPathComponent("programs", isDirectory: true) }
    public static var xml: URL { root.appendingPathComponent("xml", isDirectory: true) }
    public static var places: URL { root.appendingPathComponent("places", isDirectory: true) }
    public static var words: URL { root.appendingPathComponent("words", isDirectory: true) }
}
