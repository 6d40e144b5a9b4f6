#ifndef CGSL_SHIM_H
#define CGSL_SHIM_H
/* GSL's gsl_cblas.h declares enum CBLAS_TRANSPOSE with three members, OpenBLAS's <cblas.h>
   (module CLinAlg) with four; Clang refuses to import both into one Swift module. Include
   OpenBLAS's header first and mark GSL's as already included, so that GSL's
   gsl_blas_types.h typedefs OpenBLAS's enums and both modules agree. */
#include <cblas.h>
#define __GSL_CBLAS_H__ 1
#include <gsl/gsl_errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_integration.h>
#endif
