/// Converting between a renderer's 32-bit pixels and grey: the loops every page render goes
/// through, here so that they are optimized with the rest of the pixel code.
extension Raster {
    /// The grey of `width` × `height` pixels of an RGB24 buffer (4 bytes a pixel, `0x00RRGGBB`
    /// in native order, rows `stride` bytes apart), by the usual luma weights.
    public init(rgb24 base: UnsafeRawPointer, stride: Int, width: Int, height: Int) {
        // Raw loads, no bounds checks: a page at 300 dpi is millions of pixels.
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height) { out, count in
            for row in 0..<height {
                let line = base + row * stride
                let target = out.baseAddress! + row * width
                for col in 0..<width {
                    let px = line.loadUnaligned(fromByteOffset: col * 4, as: UInt32.self)
                    let r = (px >> 16) & 0xFF, g = (px >> 8) & 0xFF, b = px & 0xFF
                    target[col] = UInt8(truncatingIfNeeded: (r * 299 + g * 587 + b * 114) / 1000)
                }
            }
            count = width * height
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// Writes this image as RGB24 grey into a buffer of at least `height` rows `stride` bytes apart.
    public func writeRGB24(to base: UnsafeMutableRawPointer, stride: Int) {
        for row in 0..<height {
            let line = base + row * stride
            for col in 0..<width {
                let g = UInt32(pixels[row * width + col])
                line.storeBytes(of: (g << 16) | (g << 8) | g, toByteOffset: col * 4, as: UInt32.self)
            }
        }
    }
}
