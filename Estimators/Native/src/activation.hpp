// Activation functions over arrays, and their derivatives from the outputs (what backward keeps).
// Sigmoid and tanh, the defaults of every cell, take a vectorised path built on fast_exp, written for AVX-512 and for
// AVX2+FMA with a scalar fallback; the best is picked once when the library loads (runtime dispatch on the CPU's
// features), so the same library runs on CPUs without AVX-512. The other ONNX activations use plain scalar code.
#pragma once

#include <cstdint>

#include "mlnetrnn.h"

namespace mlnr {

struct Activation {
    int kind;
    float alpha;
    float beta;
};

// x[i] = f(x[i]) for i < n.
void activate(const Activation& f, float* x, int n);

// d[i] *= f'(x) expressed through y = f(x), for i < n.
void multiply_by_derivative(const Activation& f, const float* y, float* d, int n);

// Bits of a clip mask, kept in float storage (the reserve): may_alias makes reading them through this type defined.
using MaskWord = uint32_t __attribute__((may_alias));

// x[i] = clamp(x[i], -clip, clip) for i < n. With a mask (training), bit (first + i) is set where x[i] was outside
// [-clip, clip] and cleared elsewhere; mask may be NULL (inference keeps nothing).
void clip_values(float* x, int n, float clip, MaskWord* mask = nullptr, int first = 0);

// d[i] = 0 where bit (first + i) of mask is set: clip(a) has no gradient where it saturated.
void zero_clipped(float* d, int n, const MaskWord* mask, int first);

// e^x with relative error below 3e-7 for x in [-87, 88] (range reduction by ln 2 in two parts, degree-7 Taylor
// polynomial on |r| <= 0.35 whose truncation error is 5e-9, then 2^n through the exponent bits); saturates outside.
// Sigmoid and tanh built on it stay within 1e-6 absolute of the exact values.
float fast_exp(float x);

}  // namespace mlnr
