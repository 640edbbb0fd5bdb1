/// What a field may hold, as a pattern of characters (a date's "16 Jan 2026" or "2026-01-16", a
/// 7-digit WCB account, a postal code "S4P 3Y2"): a small automaton the recognizer's output is
/// decoded through, so that the best reading that fits is found, not the best reading cut to fit
/// (a year's last digit the model was unsure of is kept, not dropped).
public struct CharacterPattern: Sendable {
    /// Each state's moves: a character of `characters` leads to `to`. State 0 is the start; no move
    /// leads back to it.
    var moves: [[(characters: Set<Character>, to: Int)]]
    var accepting: Set<Int>

    /// One piece of a pattern, in order.
    public enum Part: Sendable {
        /// One character of the set.
        case one(Set<Character>)
        /// One character of the set, or none.
        case optional(Set<Character>)
        /// Between `min` and `max` characters of the set.
        case repeated(Set<Character>, min: Int, max: Int)
        /// One of the words, letter by letter.
        case words([String])
    }

    /// The parts one after another.
    public init(_ parts: [Part]) {
        moves = [[]]
        accepting = []
        var frontier: Set<Int> = [0]
        func state() -> Int { moves.append([]); return moves.count - 1 }
        func link(_ from: Set<Int>, _ characters: Set<Character>, _ to: Int) {
            for f in from { moves[f].append((characters, to)) }
        }
        for part in parts {
            switch part {
            case let .one(set):
                let n = state()
                link(frontier, set, n)
                frontier = [n]
            case let .optional(set):
                let n = state()
                link(frontier, set, n)
                frontier.insert(n)
            case let .repeated(set, min, max):
                var next: Set<Int> = min == 0 ? frontier : []
                var current = frontier
                for i in 0..<max {
                    let n = state()
                    link(current, set, n)
                    current = [n]
                    if i + 1 >= min { next.insert(n) }
                }
                frontier = next
            case let .words(words):
                var ends: Set<Int> = []
                for word in words where !word.isEmpty {
                    var current = frontier
                    for character in word {
                        let n = state()
                        link(current, [character], n)
                        current = [n]
                    }
                    ends.formUnion(current)
                }
                frontier = ends
            }
        }
        accepting = frontier
    }

    /// Any one of the patterns.
    public init(anyOf patterns: [CharacterPattern]) {
        moves = [[]]
        accepting = []
        for pattern in patterns {
            let offset = moves.count - 1
            func shifted(_ s: Int) -> Int { s == 0 ? 0 : s + offset }
            moves[0] += pattern.moves[0].map { ($0.characters, shifted($0.to)) }
            for s in pattern.moves.indices.dropFirst() {
                moves.append(pattern.moves[s].map { ($0.characters, shifted($0.to)) })
            }
            accepting.formUnion(pattern.accepting.map(shifted))
        }
    }

    /// Whether `text` fits the pattern.
    public func matches(_ text: String) -> Bool {
        var current: Set<Int> = [0]
        for character in text {
            current = Set(current.flatMap { s in moves[s].filter { $0.characters.contains(character) }.map(\.to) })
            if current.isEmpty { return false }
        }
        return !current.isDisjoint(with: accepting)
    }
}
