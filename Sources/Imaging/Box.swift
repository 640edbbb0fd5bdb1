/// A rectangle in PDF points, origin at the page's top-left corner, y downwards.
/// Written as `[x, y, w, h]` in JSON.
public struct Box: Sendable, Hashable, Codable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var midX: Double { x + width / 2 }
    public var midY: Double { y + height / 2 }
    public var area: Double { max(width, 0) * max(height, 0) }

    public func insetBy(_ d: Double) -> Box { insetBy(dx: d, dy: d) }
    public func insetBy(dx: Double, dy: Double) -> Box {
        Box(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
    }
    public func offsetBy(dx: Double, dy: Double) -> Box { Box(x: x + dx, y: y + dy, width: width, height: height) }

    public func contains(x px: Double, y py: Double) -> Bool {
        px >= x && px <= maxX && py >= y && py <= maxY
    }

    public func intersection(_ other: Box) -> Box? {
        let x0 = max(x, other.x), y0 = max(y, other.y)
        let x1 = min(maxX, other.maxX), y1 = min(maxY, other.maxY)
        guard x1 > x0, y1 > y0 else { return nil }
        return Box(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    public func union(_ other: Box) -> Box {
        let x0 = min(x, other.x), y0 = min(y, other.y)
        return Box(x: x0, y: y0, width: max(maxX, other.maxX) - x0, height: max(maxY, other.maxY) - y0)
    }

    public var description: String { "[\(x), \(y), \(width), \(height)]" }

    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        x = try c.decode(Double.self); y = try c.decode(Double.self)
        width = try c.decode(Double.self); height = try c.decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        for v in [x, y, width, height] { try c.encode((v * 100).rounded() / 100) }
    }
}
