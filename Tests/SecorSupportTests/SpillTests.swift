import Foundation
import Testing
import SecorCore
import SecorSupport
import Imaging

@Suite struct SpillTests {
    func document(_ n: Int) -> ExtractedDocument {
        ExtractedDocument(kind: .registration, flavor: .xml, pages: [1],
                          fields: ["wcb_account_number": .init(value: String(3_000_000 + n), source: .xml),
                                   "company_legal_name": .init(value: "Firm «\(n)» Ltd", raw: " Firm «\(n)» Ltd ", source: .ocr, page: 1,
                                                               box: Box(x: 1, y: 2, width: 3, height: 4), confidence: 0.75)],
                          submitted: "2026-05-14T10:25:00-06:00")
    }

    @Test func valuesComeBackFromMemoryAndFromDisk() throws {
        let spill = Spill<ExtractedDocument>(inMemory: 3)
        let handles = try (0..<10).map { try spill.append(document($0)) }
        #expect(handles.prefix(3).allSatisfy { if case .memory = $0 { true } else { false } })
        #expect(handles.dropFirst(3).allSatisfy { if case .disk = $0 { true } else { false } })
        for (n, handle) in handles.enumerated().reversed() {
            let back = try spill.value(handle)
            #expect(back.fields == document(n).fields)
            #expect(back.submitted == document(n).submitted)
        }
    }

    @Test func theWorkingFileHasNoNameWhileInUse() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let spill = Spill<ExtractedDocument>(inMemory: 0, directory: dir)
        let handle = try spill.append(document(1))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "unlinked once open: nothing is left behind")
        #expect(try spill.value(handle).fields == document(1).fields)
    }

    @Test func aMissingDirectoryIsAnErrorNotACrash() {
        let spill = Spill<ExtractedDocument>(inMemory: 0, directory: URL(fileURLWithPath: "/nonexistent/\(UUID().uuidString)"))
        #expect(throws: SpillError.self) { try spill.append(document(1)) }
    }
}
