// This path's table of entry points (dispatch.hpp); compiled once per path (isa.hpp). Data only: no target region.
#include "dispatch.hpp"
#include "packed_gemm.hpp"

namespace mlnr {
namespace MLNR_ISA {

const Kernels kernels = {MLNR_ISA_NAME, forward,      backward,   gemm_parallel, embedding_forward,
                         embedding_backward, adam_update, sgd_update, activate};

}  // namespace MLNR_ISA
}  // namespace mlnr
