#ifndef CLINALG_SHIM_H
#define CLINALG_SHIM_H
/* OpenBLAS's CBLAS (Debian: openblas-pthread/cblas.h, found through pkg-config openblas).
   Also declares openblas_set_num_threads. */
#include <cblas.h>
/* Netlib LAPACKE from liblapacke-dev. Debian builds OpenBLAS with NO_LAPACKE, so LAPACKE_*
   live in liblapacke.so.3, whose LAPACK and BLAS resolve to OpenBLAS through alternatives. */
#include <lapacke.h>
#endif
