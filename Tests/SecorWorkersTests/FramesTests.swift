import Foundation
import Testing
@testable import SecorWorkers

@Suite struct FramesTests {
    @Test func messagesSurviveAnySplitting() throws {
        let messages: [[UInt8]] = [[], Array("a path\nwith a newline".utf8), Array(repeating: 7, count: 100_000), [0, 10, 13, 255]]
        let stream = messages.flatMap { Frames.encode($0) }
        for chunk in [1, 3, 4096, stream.count] {
            var decoder = Frames.Decoder()
            var got: [[UInt8]] = []
            var offset = 0
            while offset < stream.count {
                decoder.append(stream[offset..<min(stream.count, offset + chunk)])
                offset += chunk
                while let m = try decoder.next() { got.append(m) }
            }
            #expect(got == messages, "chunks of \(chunk)")
        }
    }

    @Test(arguments: ["x\n", "12a\nabc", "\n", "99999999999\n", "-1\n"])
    func bytesThatAreNoFrameAreRefused(_ text: String) {
        var decoder = Frames.Decoder()
        decoder.append(Array(text.utf8))
        #expect(throws: Frames.Malformed.self) { try decoder.next() }
    }

    @Test func anUnfinishedMessageWaits() throws {
        var decoder = Frames.Decoder()
        decoder.append(Array("10\nabc".utf8))
        #expect(try decoder.next() == nil)
        decoder.append(Array("defghij".utf8))
        #expect(try decoder.next() == Array("abcdefghij".utf8))
    }
}
