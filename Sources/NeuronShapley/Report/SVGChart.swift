#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, dependency-free SVG chart writer for the run directory's figures: line charts (ablation
/// curves) and bar charts (important filters by layer). Output is deterministic text.
public struct SVGChart: Sendable {
    /// One line of a line chart.
    public struct Series: Sendable {
        /// The legend label.
        public var label: String
        /// Points in data coordinates.
        public var points: [(x: Double, y: Double)]
        /// Optional half-widths drawn as a band around the line (for example a spread over seeds).
        public var band: [Double]?
        /// Creates a series.
        public init(label: String, points: [(x: Double, y: Double)], band: [Double]? = nil) {
            self.label = label
            self.points = points
            self.band = band
        }
    }

    /// The chart title.
    public var title: String
    /// The x axis label.
    public var xLabel: String
    /// The y axis label.
    public var yLabel: String
    /// Width and height in pixels.
    public var width = 720.0, height = 440.0
    /// Whether the x axis is logarithmic (x values must then be positive).
    public var logX = false

    private static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                                  "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    private let margin = (left: 70.0, right: 170.0, top: 40.0, bottom: 55.0)

    /// A chart with these labels.
    public init(title: String, xLabel: String, yLabel: String, logX: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logX = logX
    }

    /// A line chart of `series`.
    public func lines(_ series: [Series]) -> String {
        let xs = series.flatMap { $0.points.map(\.x) }.map(tx)
        var ys = series.flatMap { $0.points.map(\.y) }
        for s in series { if let b = s.band { for (p, h) in zip(s.points, b) { ys += [p.y - h, p.y + h] } } }
        let xr = Self.range(xs), yr = Self.range(ys, pad: 0.05)
        var out = header()
        out += axes(xRange: xr, yRange: yr, xTicks: Self.ticks(xr, log: logX))
        for (i, s) in series.enumerated() {
            let colour = Self.palette[i % Self.palette.count]
            if let band = s.band, band.count == s.points.count, !s.points.isEmpty {
                let upper = zip(s.points, band).map { point(tx($0.0.x), $0.0.y + $0.1, xr, yr) }
                let lower = zip(s.points, band).reversed().map { point(tx($0.0.x), $0.0.y - $0.1, xr, yr) }
                out += "<polygon fill=\"\(colour)\" fill-opacity=\"0.15\" stroke=\"none\" points=\"\((upper + lower).joined(separator: " "))\"/>\n"
            }
            let pts = s.points.map { point(tx($0.x), $0.y, xr, yr) }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(pts)\"/>\n"
            for p in s.points {
                let (cx, cy) = pixel(tx(p.x), p.y, xr, yr)
                out += "<circle cx=\"\(f(cx))\" cy=\"\(f(cy))\" r=\"3\" fill=\"\(colour)\"/>\n"
            }
            out += legend(i, label: s.label, colour: colour)
        }
        return out + "</svg>\n"
    }

    /// A bar chart with one bar per label.
    public func bars(_ bars: [(label: String, value: Double)]) -> String {
        let yr = Self.range(bars.map(\.value) + [0], pad: 0.05)
        var out = header()
        out += axes(xRange: 0...Double(max(bars.count, 1)), yRange: yr, xTicks: [])
        let plotW = width - margin.left - margin.right
        let slot = plotW / Double(max(bars.count, 1))
        for (i, b) in bars.enumerated() {
            let (_, y0) = pixel(0, 0, 0...1, yr)
            let (_, y1) = pixel(0, b.value, 0...1, yr)
            let x = margin.left + slot * Double(i) + slot * 0.1
            out += "<rect x=\"\(f(x))\" y=\"\(f(min(y0, y1)))\" width=\"\(f(slot * 0.8))\" height=\"\(f(abs(y1 - y0)))\" fill=\"\(Self.palette[0])\"><title>\(Self.escape(b.label)): \(b.value)</title></rect>\n"
            let lx = x + slot * 0.4, ly = height - margin.bottom + 8
            out += "<text x=\"\(f(lx))\" y=\"\(f(ly))\" font-size=\"9\" text-anchor=\"end\" transform=\"rotate(-60 \(f(lx)) \(f(ly)))\">\(Self.escape(b.label))</text>\n"
        }
        return out + "</svg>\n"
    }

    // MARK: - Drawing helpers

    private func tx(_ x: Double) -> Double { logX ? log10(max(x, 1e-12)) : x }

    private func header() -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + "<text x=\"\(f(width / 2))\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">\(Self.escape(title))</text>\n"
    }

    private func axes(xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, xTicks: [Double]) -> String {
        let x0 = margin.left, x1 = width - margin.right, y0 = height - margin.bottom, y1 = margin.top
        var out = "<path d=\"M\(f(x0)) \(f(y1)) L\(f(x0)) \(f(y0)) L\(f(x1)) \(f(y0))\" stroke=\"black\" fill=\"none\"/>\n"
        for t in Self.ticks(yRange, log: false) {
            let (_, py) = pixel(xRange.lowerBound, t, xRange, yRange)
            out += "<line x1=\"\(f(x0 - 4))\" y1=\"\(f(py))\" x2=\"\(f(x1))\" y2=\"\(f(py))\" stroke=\"#ddd\"/>\n"
            out += "<text x=\"\(f(x0 - 7))\" y=\"\(f(py + 4))\" font-size=\"11\" text-anchor=\"end\">\(Self.label(t))</text>\n"
        }
        for t in xTicks {
            let (px, _) = pixel(t, yRange.lowerBound, xRange, yRange)
            let shown = logX ? pow(10, t) : t
            out += "<line x1=\"\(f(px))\" y1=\"\(f(y0))\" x2=\"\(f(px))\" y2=\"\(f(y0 + 4))\" stroke=\"black\"/>\n"
            out += "<text x=\"\(f(px))\" y=\"\(f(y0 + 17))\" font-size=\"11\" text-anchor=\"middle\">\(Self.label(shown))</text>\n"
        }
        out += "<text x=\"\(f((x0 + x1) / 2))\" y=\"\(f(height - 12))\" font-size=\"12\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        out += "<text x=\"16\" y=\"\(f((y0 + y1) / 2))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f((y0 + y1) / 2)))\">\(Self.escape(yLabel))</text>\n"
        return out
    }

    private func legend(_ i: Int, label: String, colour: String) -> String {
        let x = width - margin.right + 15, y = margin.top + 10 + Double(i) * 18
        return "<line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x + 18))\" y2=\"\(f(y))\" stroke=\"\(colour)\" stroke-width=\"3\"/>\n"
            + "<text x=\"\(f(x + 24))\" y=\"\(f(y + 4))\" font-size=\"11\">\(Self.escape(label))</text>\n"
    }

    private func pixel(_ x: Double, _ y: Double, _ xr: ClosedRange<Double>, _ yr: ClosedRange<Double>) -> (Double, Double) {
        let px = margin.left + (x - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * (width - margin.left - margin.right)
        let py = height - margin.bottom - (y - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * (height - margin.top - margin.bottom)
        return (px, py)
    }

    private func point(_ x: Double, _ y: Double, _ xr: ClosedRange<Double>, _ yr: ClosedRange<Double>) -> String {
        let (px, py) = pixel(x, y, xr, yr)
        return "\(f(px)),\(f(py))"
    }

    private func f(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func range(_ values: [Double], pad: Double = 0) -> ClosedRange<Double> {
        let finite = values.filter(\.isFinite)
        guard var lo = finite.min(), var hi = finite.max() else { return 0...1 }
        if hi - lo < 1e-12 { lo -= 0.5; hi += 0.5 }
        let p = (hi - lo) * pad
        return (lo - p)...(hi + p)
    }

    static func ticks(_ r: ClosedRange<Double>, log: Bool) -> [Double] {
        if log {
            return Array(Int(r.lowerBound.rounded(.down))...Int(r.upperBound.rounded(.up))).map(Double.init)
                .filter { r.contains($0) }
        }
        let span = r.upperBound - r.lowerBound
        let raw = span / 5
        let mag = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? mag * 10
        var t = (r.lowerBound / step).rounded(.up) * step
        var out: [Double] = []
        while t <= r.upperBound + step * 1e-9 { out.append(t); t += step }
        return out
    }

    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
        var s = String(format3(v))
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    private static func format3(_ v: Double) -> String {
        let scaled = (v * 1000).rounded() / 1000
        return String(scaled)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences("&", "&amp;").replacingOccurrences("<", "&lt;").replacingOccurrences(">", "&gt;")
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
