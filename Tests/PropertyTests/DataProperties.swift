import Foundation
import PropertyBased
import Testing
import Certificates
import SuretyData
import SuretyNumerics

@Suite struct DataProperties {
    @Test func csvWriteThenReadRoundTrips() async {
        let value = Gen.oneOf(Gen.double(in: -1e6...1e6), Gen.double(in: -1e-300...1e-300), Gen.double(in: -1e307...1e307))
        await propertyCheck(input: Gen.int(in: 1...5), Gen.int(in: 1...20), value.array(of: 100), Gen.letterOrNumber.string(of: 1...8).array(of: 20)) { d, n, values, labels in
            let features = try Matrix(rows: n, columns: d, columnMajor: Array(values.prefix(n * d)))
            let table = NumericTable(columnNames: (0..<d).map { "c\($0)" }, features: features,
                                     labels: Array(labels.prefix(n)).map { " \($0), \"q\"" }, labelName: "label")
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("surety-prop-\(UUID().uuidString).csv")
            defer { try? FileManager.default.removeItem(at: url) }
            try table.writeCSV(to: url)
            let back = try NumericTable.readCSV(url: url, options: .init(label: .name("label")))
            #expect(back == table)
        }
    }

    @Test func csvParserNeverCrashesOnArbitraryBytes() async {
        // Bytes biased towards CSV's special characters, so quoting paths are reached.
        let byte = Gen.oneOf(Gen.uint8(in: 0...255), Gen.element(of: Array(",\"\r\n1.e-".utf8)).compactMap { $0 })
        await propertyCheck(count: 500, input: byte.array(of: 0...200)) { bytes in
            do {
                let reader = try NumericCSVReader(records: CSVRecordReader(bytes: bytes, name: "fuzz.csv"))
                while try reader.nextRow() != nil {}
            } catch is DataError {
                // A located error is the expected outcome for most garbage.
            }
        }
    }

    @Test func npyParserNeverCrashesOnArbitraryOrMutatedBytes() async {
        let valid = try! NPY.encode(NPYArray(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]))
        await propertyCheck(count: 500, input: Gen.uint8(in: 0...255).array(of: 0...200), Gen.int(in: 0..<valid.count), Gen.uint8(in: 0...255), Gen.int(in: 0...valid.count)) { junk, position, byte, cut in
            for bytes in [junk, Array(valid.prefix(cut)), { var v = valid; v[position] = byte; return v }()] {
                do { _ = try NPY.decode(bytes, name: "fuzz.npy") } catch is DataError {}
            }
        }
    }

    @Test func certificatesRoundTripThroughCanonicalJSON() async {
        await propertyCheck(input: Gen.double(in: -1e300...1e300).array(of: 0...6), Gen.int(in: .min ... .max), Gen.letterOrNumber.string(of: 0...12)) { numbers, integer, text in
            let cert = Certificate(kind: "test.\(text)", claim: "claim \"\(text)\"\n", parameters: ["numbers": JSONValue(numbers), "integer": .integer(integer)],
                                   results: ["text": .string(text), "nested": ["list": JSONValue(numbers)]], seed: UInt64(truncatingIfNeeded: integer))
            let back = try Certificate.decode(Data(cert.canonicalJSON().utf8))
            #expect(back == cert)
            #expect(back.canonicalJSON() == cert.canonicalJSON())
        }
    }
}
