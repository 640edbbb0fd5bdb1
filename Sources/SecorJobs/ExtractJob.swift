import Dispatch
import Foundation
import Logging
import SecorCore
import SecorReaders
import SecorSupport

/// `secor-intake extract`: reads each file and prints what was found.
public struct ExtractJob {
    public let format: OutputFormat
    /// Files read at once; each worker opens its own documents.
    public let jobs: Int
    public var limits = Extraction.Limits()
    let logger = Logger(label: "secor.extract")

    public init(format: OutputFormat, jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.format = format
        self.jobs = max(1, jobs)
    }

    /// Returns whether every file was read as a SECOR document. `reading` is this process's own
    /// extraction unless given (the command line reads PDFs in reader processes).
    public func run(paths: [String], reading: (any DocumentReading)? = nil) async throws -> Bool {
        let reading = try reading ?? Extraction.shipped(limits: limits)
        let slots = OrderedResults<ExtractReport>(count: paths.count)
        await reading.readAll(paths, jobs: jobs) { index, read in slots.set(index, ExtractReport(read)) }
        let reports = slots.values()
        for report in reports {
            // No applicant data above debug: the digest prefix and the outcome only.
            logger.info("read", metadata: ["sha256": "\(report.sha256.prefix(12))", "kind": "\(report.kind)",
                                           "reasons": "\(report.reasons.map(\.code).joined(separator: ","))"])
        }
        switch format {
        case .json: print(try ExtractOutput.json(reports))
        case .text: print(ExtractOutput.text(reports), terminator: "")
        }
        return reports.allSatisfy(\.wasRead)
    }
}
