import Foundation
import Testing
@testable import SuretyData
import SuretyNumerics

func temporaryURL(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("surety-\(UUID().uuidString)-\(name)")
}

@Suite struct CSVTests {
    func expectError(_ text: String, options: CSVReadOptions = .init(), line: Int, column: Int, seen: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try NumericTable.readCSV(text: text, name: "t.csv", options: options)
            Issue.record("expected an error", sourceLocation: sourceLocation)
        } catch let e as DataError {
            #expect(e.file == "t.csv", sourceLocation: sourceLocation)
            #expect(e.line == line && e.column == column, "\(e)", sourceLocation: sourceLocation)
            #expect(e.seen.contains(seen), "\(e)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func readsNumbersAndLabels() throws {
        let t = try NumericTable.readCSV(text: "a,b,y\n1,2.5,cat\n-3,4e-2,dog\n", options: .init(label: .name("y")))
        #expect(t.columnNames == ["a", "b"])
        #expect(t.features == (try Matrix([[1, 2.5], [-3, 0.04]])))
        #expect(t.labels == ["cat", "dog"])
        #expect(t.labelName == "y")
        let byIndex = try NumericTable.readCSV(text: "y,a\nx,1\n", options: .init(label: .index(0)))
        #expect(byIndex.columnNames == ["a"] && byIndex.labels == ["x"])
    }

    @Test func handlesBOMCRLFQuotesBlankLinesAndSpaces() throws {
        let text = "\u{FEFF}\"a\",\"b, c\"\r\n 1 , \"2\"\r\n\r\n3,4\r\n"
        let t = try NumericTable.readCSV(text: text)
        #expect(t.columnNames == ["a", "b, c"])
        #expect(t.features == (try Matrix([[1, 2], [3, 4]])))
        let noNewline = try NumericTable.readCSV(text: "a\n1\n2")
        #expect(noNewline.features.rows == 2)
        let lonelyCR = try NumericTable.readCSV(text: "a\r1\r2\r")
        #expect(lonelyCR.features.storage == [1, 2])
        let tabs = try NumericTable.readCSV(text: "a\tb\n1\t2\n", options: .init(delimiter: "\t"))
        #expect(tabs.features.storage == [1, 2])
        let noHeader = try NumericTable.readCSV(text: "1,2\n3,4\n", options: .init(hasHeader: false))
        #expect(noHeader.columnNames == ["x1", "x2"] && noHeader.features.rows == 2)
    }

    @Test func quotedFieldsWithNewlinesAndDoubledQuotes() throws {
        let r = try CSVRecordReader(text: "\"he said \"\"hi\"\"\",\"two\nlines\"\nnext,row\n")
        let first = try #require(try r.nextRecord())
        #expect(first.fields == ["he said \"hi\"", "two\nlines"])
        let second = try #require(try r.nextRecord())
        #expect(second.line == 3 && second.fields == ["next", "row"])
        #expect(try r.nextRecord() == nil)
    }

    @Test func reportsEveryKindOfBadInput() {
        expectError("", line: 1, column: 1, seen: "an empty file")
        expectError("a,b\n", line: 2, column: 1, seen: "0 data rows")
        expectError("a,b\n1,2\n3\n", line: 3, column: 2, seen: "1 fields")
        expectError("a,b\n1,2\n3,4,5\n", line: 3, column: 5, seen: "3 fields")
        expectError("a,b\n1,x7\n", line: 2, column: 3, seen: "'x7' in column 'b'")
        expectError("a,b\n1,\n", line: 2, column: 3, seen: "an empty field in column 'b'")
        expectError("a,b\n1,nan\n", line: 2, column: 3, seen: "non-finite value 'nan'")
        expectError("a,b\n1,-inf\n", line: 2, column: 3, seen: "non-finite value '-inf'")
        expectError("a,b\n1,1e999\n", line: 2, column: 3, seen: "overflows")
        expectError("a,b\n1,0x10\n", line: 2, column: 3, seen: "'0x10'")
        expectError("a,b\n1,-0X1p3\n", line: 2, column: 3, seen: "'-0X1p3'")
        expectError("a,a\n1,2\n", line: 1, column: 3, seen: "the column name 'a' a second time")
        expectError("a,,c\n1,2,3\n", line: 1, column: 3, seen: "an empty column name")
        expectError("a,b\n1,2\n", options: .init(label: .name("y")), line: 1, column: 1, seen: "no column named 'y'")
        expectError("a,b\n1,2\n", options: .init(label: .index(2)), line: 1, column: 1, seen: "label column index 2")
        expectError("a,y\n1,\n", options: .init(label: .name("y")), line: 2, column: 3, seen: "an empty label")
        expectError("a,b\n1,\"2\n", line: 2, column: 3, seen: "an unterminated quoted field")
        expectError("a,b\n1,\"2\"x\n", line: 2, column: 6, seen: "after a closing quote")
        expectError("a,b\n1,2\"3\n", line: 2, column: 4, seen: "a quote inside an unquoted field")
        expectError("1,2\n", options: .init(hasHeader: false, label: .name("y")), line: 1, column: 1, seen: "requested by name")
    }

    @Test func nonFiniteValuesCanBeAllowedExplicitly() throws {
        let t = try NumericTable.readCSV(text: "a,b\nnan,inf\n", options: .init(allowNonFinite: true))
        #expect(t.features[0, 0].isNaN && t.features[0, 1] == .infinity)
    }

    @Test func invalidUTF8IsReported() throws {
        let bytes: [UInt8] = Array("a,b\n1,".utf8) + [0xff, 0xfe] + [10]
        let reader = try NumericCSVReader(records: CSVRecordReader(bytes: bytes, name: "bad.csv"))
        #expect(throws: DataError(file: "bad.csv", line: 2, column: 3, seen: "bytes that are not UTF-8", expected: "UTF-8 text")) {
            _ = try reader.nextRow()
        }
    }

    @Test func tinyChunksGiveTheSameRecords() throws {
        // Every chunk boundary position is exercised: quotes, CRLF and the BOM may be split.
        let text = "\u{FEFF}x,\"y\"\"z\"\r\n1,\"2,\r\n3\"\r\n\r\n4,5\r\n"
        let url = temporaryURL("chunks.csv")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var reference = [CSVRecord]()
        let whole = try CSVRecordReader(text: text)
        while let r = try whole.nextRecord() { reference.append(r) }
        for chunk in 1...9 {
            let reader = try CSVRecordReader(url: url, chunkSize: chunk)
            var got = [CSVRecord]()
            while let r = try reader.nextRecord() { got.append(r) }
            #expect(got == reference, "chunk size \(chunk)")
        }
        #expect(reference.map(\.fields) == [["x", "y\"z"], ["1", "2,\n3"], ["4", "5"]])
    }

    @Test func writeThenReadRoundTripsExactly() throws {
        let url = temporaryURL("round.csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let t = NumericTable(columnNames: ["a", "b,c"], features: try Matrix([[0.1, -1e-300], [1.0 / 3.0, 12345678.9]]),
                             labels: ["x", "y \"q\""], labelName: "label")
        try t.writeCSV(to: url)
        let back = try NumericTable.readCSV(url: url, options: .init(label: .name("label")))
        #expect(back == t)
    }

    @Test func missingFileIsAnError() {
        #expect(throws: DataError.self) { try NumericTable.readCSV(url: URL(fileURLWithPath: "/nonexistent/x.csv")) }
    }

    @Test func streamsLargeFilesInBoundedMemory() throws {
        // 200 000 rows read through a 4 KiB window: the reader never holds more than one
        // chunk plus one record, whatever the file size.
        let url = temporaryURL("large.csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let writer = try CSVWriter(url: url, header: ["i", "half"])
        for i in 0..<200_000 { try writer.writeRow([Double(i), Double(i) / 2]) }
        try writer.finish()
        let reader = try NumericCSVReader(records: CSVRecordReader(url: url, chunkSize: 4096))
        var count = 0, sum = 0.0
        while let row = try reader.nextRow() { count += 1; sum += row.values[1] }
        #expect(count == 200_000)
        #expect(sum == Double(199_999 * 200_000) / 4)
    }
}
