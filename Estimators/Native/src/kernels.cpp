// This path's table of entry points (dispatch.hpp); compiled once per path (isa.hpp).
#include "dispatch.hpp"
#include "packed_gemm.hpp"

MLNR_ISA_BEGIN

const Kernels kernels = {MLNR_ISA_NAME, forward,      backward,   gemm_parallel, embedding_forward,
                         embedding_backward, adam_update, sgd_update, activate};

MLNR_ISA_END
