import CGSL

/// Internal access to GSL with its abort-on-error handler switched off.
///
/// GSL's default error handler calls `abort()`. Every entry point into GSL in this module
/// goes through `GSL.ready` first, whose initializer (run once, race-free) switches the
/// handler off; the code then calls the `_e` variants and checks their status.
enum GSL {
    static let ready: Void = {
        _ = gsl_set_error_handler_off()
    }()

    /// Calls a GSL special function in its `_e` form and returns its value, or throws
    /// a domain error naming the function and the argument.
    static func evaluate(
        _ name: String, argument: @autoclosure () -> String, expected: String,
        _ body: (UnsafeMutablePointer<gsl_sf_result>) -> Int32
    ) throws -> Double {
        _ = ready
        var result = gsl_sf_result(val: 0, err: 0)
        let status = body(&result)
        guard status == GSL_SUCCESS, !result.val.isNaN else {
            throw NumericsError.domain(function: name, value: argument(), expected: expected)
        }
        return result.val
    }
}
