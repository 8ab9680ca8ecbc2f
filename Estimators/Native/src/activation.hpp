// Activation functions over arrays, and their derivatives from the outputs (what backward keeps).
// Sigmoid and tanh, the defaults of every cell, take a vectorised path built on a fast exp (activation.cpp): AVX-512
// on the avx512 path, AVX2+FMA on the avx2 path, plain C++ on the scalar path (isa.hpp). The other ONNX activations
// use plain scalar code on every path.
#pragma once

#include <cstdint>

#include "isa.hpp"
#include "mlnetrnn.h"

namespace mlnr {

struct Activation {
    int kind;
    float alpha;
    float beta;
};

// Bits of a clip mask, kept in float storage (the reserve): may_alias makes reading them through this type defined.
using MaskWord = uint32_t __attribute__((may_alias));

}  // namespace mlnr

#if defined(MLNR_ISA)
MLNR_ISA_BEGIN

// x[i] = f(x[i]) for i < n.
void activate(const Activation& f, float* x, int n);

// d[i] *= f'(x) expressed through y = f(x), for i < n.
void multiply_by_derivative(const Activation& f, const float* y, float* d, int n);

// x[i] = clamp(x[i], -clip, clip) for i < n. With a mask (training), bit (first + i) is set where x[i] was outside
// [-clip, clip] and cleared elsewhere; mask may be NULL (inference keeps nothing).
void clip_values(float* x, int n, float clip, MaskWord* mask = nullptr, int first = 0);

// d[i] = 0 where bit (first + i) of mask is set: clip(a) has no gradient where it saturated.
void zero_clipped(float* d, int n, const MaskWord* mask, int first);

MLNR_ISA_END
#endif
