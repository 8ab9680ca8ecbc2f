// The network's element-wise and table work that runs between the recurrent calls: token embedding forward and
// backward, and the Adam and SGD updates over the flat parameter buffer. They run on the context's workers so a
// training step uses one set of threads throughout, and give the same bits as the reference kernel (ReferenceKernel.cs)
// on any number of threads and every path: every output element is computed by one worker, in the reference's order
// of operations (denormals aside: the kernel flushes them to zero, the reference keeps them; denormals.hpp).
#pragma once

#include <cstdint>

#include "context.hpp"
#include "isa.hpp"

namespace mlnr {

struct AdamStep {
    float beta1, beta2, epsilon, step_size, correction2, decay;
};

}  // namespace mlnr

#if defined(MLNR_ISA)
MLNR_ISA_BEGIN

// out [T, B, E] = table [V, E] row ids[t, b] for t < lens[b], zeros elsewhere. ids [T, B] are checked by the caller.
void embedding_forward(mlnr_context& ctx, const float* table, int size, const int32_t* ids, const int32_t* lens, int T,
                       int B, float* out);

// dtable [V, E] row ids[t, b] += dout [t, b, :] for t < lens[b]; each row adds its steps in (t, b) order. Worker w owns
// the table rows [V*w/W, V*(w+1)/W), so no two workers write one row.
void embedding_backward(mlnr_context& ctx, float* dtable, int vocabulary, int size, const int32_t* ids,
                        const int32_t* lens, int T, int B, const float* dout);

// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w = w * decay - step_size * m / (sqrt(v) * correction2 + epsilon).
void adam_update(mlnr_context& ctx, int64_t n, const AdamStep& s, float* w, const float* g, float* m, float* v);

// momentum 0: w -= lr g. Otherwise buf = momentum buf + g; w -= lr buf (Nesterov: w -= lr (g + momentum buf)).
void sgd_update(mlnr_context& ctx, int64_t n, float learning_rate, float momentum, bool nesterov, float* w,
                const float* g, float* velocity);

MLNR_ISA_END
#endif
