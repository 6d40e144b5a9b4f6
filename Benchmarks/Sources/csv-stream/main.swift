// Streams a numeric CSV file through SuretyData's NumericCSVReader and reports rows,
// columns, the sum of every value (so the parse cannot be skipped), elapsed time and
// throughput. Run under `/usr/bin/time -v` to see that peak memory stays bounded whatever
// the file size:
//
//   python3 make_large_csv.py /tmp/large.csv 1.0          # about 1 GB
//   swift build -c release --product csv-stream
//   /usr/bin/time -v .build/release/csv-stream /tmp/large.csv
import Foundation
import SuretyData

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: csv-stream FILE.csv\n".utf8))
    exit(64)
}
let url = URL(fileURLWithPath: CommandLine.arguments[1])
let start = DispatchTime.now().uptimeNanoseconds
do {
    let reader = try NumericCSVReader(url: url)
    var rows = 0, sum = 0.0
    while let row = try reader.nextRow() {
        rows += 1
        for v in row.values { sum += v }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    let bytes = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    print("rows \(rows), columns \(reader.columnNames.count), sum \(sum)")
    print(String(format: "%.1f s, %.1f MB/s", seconds, Double(bytes) / 1e6 / seconds))
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(64)
}
