// The umbrella module: `import Surety` brings in every public Surety module.
@_exported import AmbientMixtures
@_exported import COLEP
@_exported import Certificates
@_exported import Conformal
@_exported import DeterminantalSampling
@_exported import PrivateKDE
@_exported import ProbabilisticCircuits
@_exported import SuretyData
@_exported import SuretyNumerics
@_exported import TestableLearning
