import Foundation
import Logging
import SecorCore
import SecorReaders

/// `secor-intake extract`: reads each file and prints what was found.
public struct ExtractJob {
    public let format: OutputFormat
    let logger = Logger(label: "secor.extract")

    public init(format: OutputFormat) { self.format = format }

    /// Returns whether every file was read as a SECOR document.
    public func run(paths: [String]) throws -> Bool {
        let extraction = try Extraction.shipped()
        var reports: [ExtractReport] = []
        for path in paths {
            let read = extraction.read(path: path)
            let report = ExtractReport(read)
            // No applicant data above debug: the digest prefix and the outcome only.
            logger.info("read", metadata: ["sha256": "\(report.sha256.prefix(12))", "kind": "\(report.kind)",
                                           "reasons": "\(report.reasons.map(\.code).joined(separator: ","))"])
            reports.append(report)
        }
        switch format {
        case .json: print(try ExtractOutput.json(reports))
        case .text: print(ExtractOutput.text(reports), terminator: "")
        }
        return reports.allSatisfy(\.wasRead)
    }
}
