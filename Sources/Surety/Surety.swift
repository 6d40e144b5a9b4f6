// The umbrella module: `import Surety` brings in every public Surety module.
@_exported import Certificates
@_exported import Conformal
@_exported import ProbabilisticCircuits
@_exported import SuretyData
@_exported import SuretyNumerics
