// The one file where libtesseract's C API is called. A handle is costly to make
// (it loads the language model), so each thread keeps one and reuses it.
import CTesseract
import Foundation

/// Calls `body` with C strings for `strings`, valid for the call only.
private func withArrayOfCStrings<R>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}

/// Why tesseract could not start. The one place tesseract's failures become Swift errors.
public struct TesseractError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// What tesseract read in one image.
public struct Recognition: Sendable, Equatable {
    public let text: String
    /// 0...1, tesseract's mean word confidence.
    public let confidence: Double

    public init(text: String, confidence: Double) {
        self.text = text
        self.confidence = confidence
    }
}

/// How much text an image holds, which tells tesseract how to segment it.
public enum LineLayout: Sendable {
    case line, word, character

    var mode: TessPageSegMode {
        switch self {
        case .line: PSM_SINGLE_LINE
        case .word: PSM_SINGLE_WORD
        case .character: PSM_SINGLE_CHAR
        }
    }
}

/// One tesseract handle, set up for reading one line of a form field at a time. Not thread-safe.
public final class LineReader {
    private let handle: OpaquePointer
    private var whitelist: String? = nil
    private var layout: LineLayout = .line

    /// Loads `language` from `dataPath` (nil: the system's tessdata).
    public init(language: String = "eng", dataPath: String? = nil) throws(TesseractError) {
        guard let handle = TessBaseAPICreate() else { throw TesseractError(message: "tesseract could not be created") }
        // Quiet: tesseract writes warnings (resolution, empty page) to stderr otherwise.
        _ = TessBaseAPISetVariable(handle, "debug_file", "/dev/null")
        // Form values are names, numbers and codes, not prose: no word lists to pull readings
        // towards dictionary words ("St" read as "st"). These can only be set at start-up.
        let names = ["load_system_dawg", "load_freq_dawg"], values = ["0", "0"]
        let started = withArrayOfCStrings(names) { n in
            withArrayOfCStrings(values) { v in
                TessBaseAPIInit4(handle, dataPath, language, OEM_DEFAULT, nil, 0, n, v, names.count, 0)
            }
        }
        guard started == 0 else {
            TessBaseAPIDelete(handle)
            throw TesseractError(message: "tesseract has no '\(language)' language data (install tesseract-ocr-\(language))")
        }
        TessBaseAPISetPageSegMode(handle, PSM_SINGLE_LINE)
        _ = TessBaseAPISetVariable(handle, "debug_file", "/dev/null")
        self.handle = handle
    }

    deinit {
        TessBaseAPIEnd(handle)
        TessBaseAPIDelete(handle)
    }

    /// Reads one line from a grey image (one byte per pixel, rows top to bottom).
    /// `characters` limits what may be read (digits for counts); nil allows everything.
    public func read(pixels: [UInt8], width: Int, height: Int, dpi: Int, characters: String? = nil,
                     layout: LineLayout = .line) -> Recognition {
        guard width > 2, height > 2, pixels.count >= width * height else { return Recognition(text: "", confidence: 0) }
        // No ink, nothing to read: tesseract makes up letters from a blank image.
        guard pixels.contains(where: { $0 < 128 }) else { return Recognition(text: "", confidence: 0) }
        if layout != self.layout {
            TessBaseAPISetPageSegMode(handle, layout.mode)
            self.layout = layout
        }
        if characters != whitelist {
            _ = TessBaseAPISetVariable(handle, "tessedit_char_whitelist", characters ?? "")
            whitelist = characters
        }
        pixels.withUnsafeBufferPointer { buffer in
            TessBaseAPISetImage(handle, buffer.baseAddress, Int32(width), Int32(height), 1, Int32(width))
        }
        TessBaseAPISetSourceResolution(handle, Int32(dpi))
        defer { TessBaseAPIClear(handle) }
        guard TessBaseAPIRecognize(handle, nil) == 0, let cText = TessBaseAPIGetUTF8Text(handle) else {
            return Recognition(text: "", confidence: 0)
        }
        defer { TessDeleteText(cText) }
        let text = String(cString: cText).trimmingCharacters(in: .whitespacesAndNewlines)
        let confidence = Double(max(0, TessBaseAPIMeanTextConf(handle))) / 100
        return Recognition(text: text, confidence: confidence)
    }

    /// This thread's reader, made on first use and kept for the thread's life.
    public static func forCurrentThread() throws(TesseractError) -> LineReader {
        let key = "secor.tesseract.line-reader"
        if let reader = Thread.current.threadDictionary[key] as? LineReader { return reader }
        let reader = try LineReader()
        Thread.current.threadDictionary[key] = reader
        return reader
    }
}
