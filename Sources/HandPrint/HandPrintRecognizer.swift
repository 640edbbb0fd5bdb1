import Foundation
import Imaging
import ONNXRuntime

/// Where the hand-print model and ONNX Runtime's library are: `SECOR_MODELS`, else beside an
/// installed program (`<prefix>/share/secor-intake/models`), else the source tree's `.build-models`
/// that `make models` fills.
public enum ModelFiles {
    public static let library = "libonnxruntime.so.1.32.0"
    public static let recognizer = "PP-OCRv6_rec_small.onnx"

    public static func folder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let installed = executable.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("share/secor-intake/models").path
        let sourceTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build-models").path
        let candidates = [environment["SECOR_MODELS"], installed, sourceTree].compactMap { $0 }
        return candidates.first { FileManager.default.fileExists(atPath: "\($0)/\(library)") && FileManager.default.fileExists(atPath: "\($0)/\(recognizer)") }
    }
}

/// One reading of a hand-printed field: the text, and how sure the model was of its least sure
/// character (the mean is no confidence: the model is sure of most of its wrong readings).
public struct HandReading: Sendable, Equatable {
    public let text: String
    /// Each character's probability, in order.
    public let characterProbabilities: [Double]
    public var minimum: Double { characterProbabilities.min() ?? 0 }

    /// Where each character was read: the middle of the steps it was read at, in the crop's
    /// columns. Empty when not known.
    public let positions: [Double]

    public init(text: String, characterProbabilities: [Double], positions: [Double] = []) {
        self.text = text
        self.characterProbabilities = characterProbabilities
        self.positions = positions
    }
    public var mean: Double { characterProbabilities.isEmpty ? 0 : characterProbabilities.reduce(0, +) / Double(characterProbabilities.count) }
}

/// PP-OCRv6's small recognizer (PaddleOCR, Apache-2.0) over one field's crop: a line of print or
/// hand print in, characters out, decoded greedily from its CTC output with the field's
/// characters the only ones allowed.
public final class HandPrintRecognizer: @unchecked Sendable {
    let model: ONNXModel
    /// The model's characters; index 0 of its output is CTC's blank, index i is characters[i - 1],
    /// and the last is a space.
    public let characters: [Character]
    static let height = 48
    /// The model's input is padded with paper to this width: a line of print as it was trained on.
    public static let minimumWidth = 320
    /// One glyph alone (a count's digit) is not: in a field of paper 320 wide the model reads it
    /// as nothing, or as anything (a written 3 read as blank at every step; at its own width, 3 at
    /// 0.98). Its width is its own, no narrower than it is high.
    public static let glyphWidth = height
    /// Darker than this is ink to the recognizer: a faint hand's strokes (a ballpoint's 145-160)
    /// are, where print's 128 would lose a whole glyph.
    static let inkThreshold: UInt8 = 160

    /// The model's last outputs: a field's crop is often read again as it was (once with its
    /// characters masked, once by its pattern; the same view for two fields' windows).
    private let recent = RecentOutputs()

    public init(folder: String, threads: Int32 = 1) throws {
        model = try ONNXModel(library: "\(folder)/\(ModelFiles.library)", model: "\(folder)/\(ModelFiles.recognizer)", threads: threads)
        guard let dictionary = try model.metadata("character"), !dictionary.isEmpty else {
            throw ONNXError(message: "the recognizer has no character dictionary")
        }
        characters = dictionary.split(separator: "\n", omittingEmptySubsequences: false).compactMap(\.first) + [" "]
    }

    /// The crop as the model takes it: cut to its ink with a little room, scaled to 48 high keeping
    /// its shape, padded with paper to at least 320 wide, grey in all three channels, -1...1.
    static func tensor(_ crop: Raster, minimumWidth: Int = minimumWidth) -> (values: [Float], width: Int, left: Int, scale: Double)? {
        var x0 = crop.width, y0 = crop.height, x1 = -1, y1 = -1
        for y in 0..<crop.height {
            for x in 0..<crop.width where crop.pixels[y * crop.width + x] < inkThreshold {
                x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
            }
        }
        guard x1 >= x0 else { return nil }
        // Tight crops matter: on a whole box the model reads the empty paper as letters. The room
        // is paper (a raster is white outside) even where the crop ends at the ink, so that a
        // glyph at the crop's side has paper beside it as the model was trained on.
        let room = 8
        x0 -= room; y0 -= room; x1 += room; y1 += room
        let w = x1 - x0 + 1, h = y1 - y0 + 1
        let scale = Double(height) / Double(h)
        let scaledWidth = max(1, min(2000, Int((Double(w) * scale).rounded())))
        let width = max(minimumWidth, scaledWidth)
        var plane = [Float](repeating: 1, count: width * height)   // paper: 255 → 1
        for v in 0..<height {
            let sy = Double(v) / scale
            for u in 0..<scaledWidth {
                let sx = Double(u) / scale
                let ix = Int(sx), iy = Int(sy), fx = sx - Double(ix), fy = sy - Double(iy)
                func p(_ x: Int, _ y: Int) -> Double { Double(crop[x0 + min(x, w - 1), y0 + min(y, h - 1)]) }
                let value = (p(ix, iy) * (1 - fx) + p(ix + 1, iy) * fx) * (1 - fy) + (p(ix, iy + 1) * (1 - fx) + p(ix + 1, iy + 1) * fx) * fy
                plane[v * width + u] = Float((value / 255 - 0.5) / 0.5)
            }
        }
        return (plane + plane + plane, width, x0, scale)
    }

    /// Reads `crop`; `allowed` limits the characters (a count's digits, a postal code's letters and
    /// digits), applied before the choice at each step so that the best allowed character wins.
    public func read(_ crop: Raster, allowed: Set<Character>? = nil, minimumWidth: Int = HandPrintRecognizer.minimumWidth) throws -> HandReading {
        guard let (output, steps, classes, columns) = try probabilities(crop, minimumWidth: minimumWidth) else { return HandReading(text: "", characterProbabilities: []) }
        let usable = (0..<classes).map { c in c == 0 || allowed.map { $0.contains(characters[c - 1]) } ?? true }
        var text = ""
        var probabilities: [Double] = [], positions: [Double] = []
        var previous = 0, first = 0
        for t in 0..<steps {
            let row = t * classes
            var best = 0, bestValue = -Float.infinity
            for c in 0..<classes where usable[c] && output.values[row + c] > bestValue { best = c; bestValue = output.values[row + c] }
            // The output is already a probability per class (softmax in the model).
            if best != 0 && best != previous {
                text.append(characters[best - 1])
                probabilities.append(Double(bestValue))
                positions.append(columns(Double(t) + 0.5))
                first = t
            } else if best != 0 {
                positions[positions.count - 1] = columns(Double(first + t + 1) / 2)
            }
            previous = best
        }
        // Spaces at the ends are the paper's.
        while text.last == " " { text.removeLast(); probabilities.removeLast(); positions.removeLast() }
        while text.first == " " { text.removeFirst(); probabilities.removeFirst(); positions.removeFirst() }
        return HandReading(text: text, characterProbabilities: probabilities, positions: positions)
    }

    /// Reads `crop` as the best reading that fits `pattern`: the likeliest path through the model's
    /// output (CTC: blanks between characters, a character held over several steps) whose
    /// characters the pattern accepts. Nil when no path fits (a crop too short for the pattern).
    /// Each character's probability is the model's at the step it was read.
    public func read(_ crop: Raster, pattern: CharacterPattern, minimumWidth: Int = HandPrintRecognizer.minimumWidth) throws -> HandReading? {
        guard let (output, steps, classes, columns) = try probabilities(crop, minimumWidth: minimumWidth) else { return nil }
        func logP(_ t: Int, _ c: Int) -> Double { log(max(Double(output.values[t * classes + c]), 1e-12)) }
        // Each move's characters as the model's classes.
        let index = Dictionary(characters.enumerated().map { ($1, $0 + 1) }, uniquingKeysWith: { a, _ in a })
        let moves = pattern.moves.map { $0.map { move in (classes: move.characters.compactMap { index[$0] }, to: move.to) } }
        // A path's state: where it is in the pattern, and the class it read at the last step (0: blank).
        struct Back { let from: Int; let emitted: Bool }
        var scores: [Int: Double] = [0: 0]
        var backs: [[Int: Back]] = []
        for t in 0..<steps {
            var next: [Int: Double] = [:], back: [Int: Back] = [:]
            func offer(_ key: Int, _ score: Double, _ from: Int, _ emitted: Bool) {
                if score > next[key] ?? -.infinity { next[key] = score; back[key] = Back(from: from, emitted: emitted) }
            }
            for (key, score) in scores {
                let state = key / classes, previous = key % classes
                offer(state * classes, score + logP(t, 0), key, false)
                if previous != 0 { offer(key, score + logP(t, previous), key, false) }
                for move in moves[state] {
                    for c in move.classes where c != previous { offer(move.to * classes + c, score + logP(t, c), key, true) }
                }
            }
            scores = next
            backs.append(back)
        }
        guard let end = scores.filter({ pattern.accepting.contains($0.key / classes) }).max(by: { $0.value < $1.value })?.key else { return nil }
        var text: [Character] = [], probabilities: [Double] = [], positions: [Double] = []
        var key = end
        var last: Int? = nil   // the last step of the character being traced back, while it is held
        for t in stride(from: steps - 1, through: 0, by: -1) {
            guard let b = backs[t][key] else { return nil }
            if key % classes != 0, last == nil { last = t }
            if b.emitted {
                let c = key % classes
                text.append(characters[c - 1])
                probabilities.append(Double(output.values[t * classes + c]))
                positions.append(columns(Double(t + (last ?? t) + 1) / 2))
                last = nil
            } else if key % classes == 0 { last = nil }
            key = b.from
        }
        return HandReading(text: String(text.reversed()), characterProbabilities: probabilities.reversed(), positions: positions.reversed())
    }

    /// The model's output for `crop`: a probability per class at each step.
    /// Also where a step (a fraction of the steps counted) is in the crop's columns.
    func probabilities(_ crop: Raster, minimumWidth: Int = HandPrintRecognizer.minimumWidth) throws
        -> (output: (values: [Float], shape: [Int64]), steps: Int, classes: Int, columns: (Double) -> Double)? {
        guard let (values, width, left, scale) = Self.tensor(crop, minimumWidth: minimumWidth) else { return nil }
        let output = try recent.output(for: values) { try model.run(values, shape: [1, 3, Int64(Self.height), Int64(width)]) }
        guard output.shape.count == 3, output.shape[0] == 1 else { throw ONNXError(message: "unexpected output shape \(output.shape)") }
        let steps = Int(output.shape[1]), classes = Int(output.shape[2])
        guard classes == characters.count + 1 else {
            throw ONNXError(message: "the recognizer has \(classes) classes for \(characters.count) characters")
        }
        let perStep = Double(width) / Double(max(1, steps))
        return (output, steps, classes, { Double(left) + $0 * perStep / scale })
    }

    /// One glyph (a count's digit) as the model sees it: the allowed characters ranked by their
    /// probability at the step where it is surest something is written, however weak (a "0" whose
    /// every step the model leaves blank still has a likeliest digit). Empty when there is no ink.
    public func glyphCandidates(_ crop: Raster, allowed: Set<Character>, count: Int = 3,
                                minimumWidth: Int = HandPrintRecognizer.glyphWidth) throws -> [(character: Character, probability: Double)] {
        guard let (output, steps, classes, _) = try probabilities(crop, minimumWidth: minimumWidth) else { return [] }
        var bestStep = 0, bestInk = -Float.infinity
        for t in 0..<steps where 1 - output.values[t * classes] > bestInk { bestStep = t; bestInk = 1 - output.values[t * classes] }
        let row = bestStep * classes
        let ranked = (1..<classes).filter { allowed.contains(characters[$0 - 1]) }
            .sorted { output.values[row + $0] > output.values[row + $1] }
        return ranked.prefix(count).map { (characters[$0 - 1], Double(output.values[row + $0])) }
    }
}

/// The last few inputs the model was run on and its outputs, compared whole (not by a hash alone:
/// a value read must be the model's reading of that very crop).
final class RecentOutputs: @unchecked Sendable {
    private var entries: [(hash: Int, input: [Float], output: (values: [Float], shape: [Int64]))] = []
    private let lock = NSLock()
    private let capacity = 2

    func output(for input: [Float], run: () throws -> (values: [Float], shape: [Int64])) rethrows -> (values: [Float], shape: [Int64]) {
        let hash = input.hashValue
        if let hit = lock.withLock({ entries.last { $0.hash == hash && $0.input == input }?.output }) { return hit }
        let output = try run()
        lock.withLock {
            entries.append((hash, input, output))
            if entries.count > capacity { entries.removeFirst() }
        }
        return output
    }
}
