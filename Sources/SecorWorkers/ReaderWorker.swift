import Foundation
import SecorCore
import SecorReaders

/// The reader process's side (`secor-intake read-worker`): reads one PDF per request and
/// answers with what was read. It is a separate process so that a file which hangs or
/// crashes poppler or tesseract takes only this process with it, and can be stopped.
public enum ReaderWorker {
    /// Serves requests on standard input until it closes, once it has said it is ready. A request
    /// is two frames: the file's name and digest (an encoded `InputFile`), then its bytes.
    /// Standard output carries the replies only: whatever a library prints there is sent to
    /// standard error instead.
    public static func serve(extraction: Extraction) throws {
        let replies = dup(STDOUT_FILENO)
        guard replies >= 0, dup2(STDERR_FILENO, STDOUT_FILENO) >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot set up the reply channel"])
        }
        var channel = FrameChannel(input: .standardInput, output: FileHandle(fileDescriptor: replies, closeOnDealloc: true))
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        // Ready: an empty message, so start-up does not count against the first document's time.
        try channel.send([UInt8]())
        while let header = try channel.receive() {
            guard let data = try channel.receive() else { return }
            let named = try decoder.decode(InputFile.self, from: Data(header))
            let file = InputFile(path: named.path, data: Data(data), sha256: named.sha256)
            try channel.send(encoder.encode(extraction.read(bytesOf: file)))
        }
    }
}
