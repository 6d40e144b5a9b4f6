import Charts
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@Suite struct ChartTests {
    /// A chart is well-formed XML with one polyline and one legend entry per series, the same
    /// bytes for the same data, and escapes text.
    @Test func lineChartSVG() throws {
        let chart = LineChart(title: "coverage <vs> radius & more", xLabel: "ε", yLabel: "coverage",
                              series: [.init(name: "COLEP", points: [(0.125, 0.89), (0.25, 0.86), (0.5, 0.74)]),
                                       .init(name: "RSCP", points: [(0.5, 0.57), (0.125, 0.81), (0.25, 0.76)])],
                              yRange: 0...1)
        let svg = chart.svg()
        #expect(svg == chart.svg())
        let document = try XMLDocument(xmlString: svg)
        #expect(try document.nodes(forXPath: "//*[local-name()='polyline']").count == 2)
        #expect(svg.contains("coverage &lt;vs&gt; radius &amp; more"))
        #expect(svg.contains(">COLEP</text>") && svg.contains(">RSCP</text>"))
    }
}
