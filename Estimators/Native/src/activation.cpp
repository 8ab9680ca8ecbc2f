// Activations; compiled once per path (isa.hpp). Sigmoid and tanh run on fast_exp: e^x with relative error below
// 3e-7 for x in [-87, 88] (range reduction by ln 2 in two parts, degree-7 Taylor polynomial on |r| <= 0.35 whose
// truncation error is 5e-9, then 2^n through the exponent bits); saturates outside; NaN stays NaN. Sigmoid and tanh
// built on it stay within 1e-6 absolute of the exact values (Tests/Kernels/NativeActivationTests).
#include "activation.hpp"

#include <cmath>
#include <cstdint>

#include "vector_math.hpp"

// GCC 12 reports the intrinsics' own undefined pass-through operands (_mm512_undefined_ps in avx512fintrin.h) as
// "may be used uninitialized" where they are inlined here (the sanitized build); nothing reads an undefined value.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

MLNR_ISA_BEGIN

namespace {

// Scalar fast_exp: the definition the vector versions below compute lane by lane (the vector tails use it too).
inline float fast_exp_inline(float x) {
    if (x != x) return x;  // NaN: the exponent bits below would come from an undefined conversion
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    const float t = x * 1.44269504088896341f + 0.5f;
    // floor(t) for |t| < 2^31 through a truncating conversion (an SSE2 instruction, where std::floor is a libm call
    // on the x86-64 baseline); n is in [-125, 127], so the exponent 127 + n is in [2, 254].
    const int32_t truncated = static_cast<int32_t>(t);
    const int32_t n = truncated - (static_cast<float>(truncated) > t ? 1 : 0);
    const float nf = static_cast<float>(n);
    // ln 2 split so that n * the high part is exact in float.
    const float r = (x - nf * 0.693145751953125f) - nf * 1.42860682030941723212e-6f;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    return p * __builtin_bit_cast(float, static_cast<uint32_t>(n + 127) << 23);
}

#if defined(MLNR_ISA_AVX512) || defined(MLNR_ISA_AVX2)
// Vector body (vector_math.hpp: the same bits on both paths), scalar tail.
MLNR_VECTOR void sigmoid_array(float* x, int n) {
    int i = 0;
    for (; i + kLanes <= n; i += kLanes) vstore(x + i, vsigmoid(vload(x + i)));
    for (; i < n; ++i) x[i] = 1.0f / (1.0f + fast_exp_inline(-x[i]));
}

MLNR_VECTOR void tanh_array(float* x, int n) {
    int i = 0;
    for (; i + kLanes <= n; i += kLanes) vstore(x + i, vtanh(vload(x + i)));
    for (; i < n; ++i) x[i] = 1.0f - 2.0f / (1.0f + fast_exp_inline(2.0f * x[i]));
}
#else

void sigmoid_array(float* x, int n) {
    for (int i = 0; i < n; ++i) x[i] = 1.0f / (1.0f + fast_exp_inline(-x[i]));
}

void tanh_array(float* x, int n) {
    for (int i = 0; i < n; ++i) x[i] = 1.0f - 2.0f / (1.0f + fast_exp_inline(2.0f * x[i]));
}

#endif

void sigmoid_derivative(const float* y, float* d, int n) {
    for (int i = 0; i < n; ++i) d[i] *= y[i] * (1.0f - y[i]);
}

void tanh_derivative(const float* y, float* d, int n) {
    for (int i = 0; i < n; ++i) d[i] *= 1.0f - y[i] * y[i];
}

float scalar(const Activation& f, float x) {
    switch (f.kind) {
        case MLNR_ACTIVATION_SIGMOID: return 1.0f / (1.0f + std::exp(-x));
        case MLNR_ACTIVATION_TANH: return std::tanh(x);
        case MLNR_ACTIVATION_RELU: return x > 0.0f ? x : 0.0f;
        case MLNR_ACTIVATION_HARD_SIGMOID: {
            const float v = f.alpha * x + f.beta;
            return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
        }
        case MLNR_ACTIVATION_LEAKY_RELU: return x >= 0.0f ? x : f.alpha * x;
        case MLNR_ACTIVATION_AFFINE: return f.alpha * x + f.beta;
        case MLNR_ACTIVATION_SCALED_TANH: return f.alpha * std::tanh(f.beta * x);
        case MLNR_ACTIVATION_THRESHOLDED_RELU: return x > f.alpha ? x : 0.0f;
        case MLNR_ACTIVATION_ELU: return x >= 0.0f ? x : f.alpha * (std::exp(x) - 1.0f);
        case MLNR_ACTIVATION_SOFTSIGN: return x / (1.0f + std::fabs(x));
        default: return x > 20.0f ? x : std::log1p(std::exp(x));  // softplus
    }
}

float scalar_derivative(const Activation& f, float y) {
    switch (f.kind) {
        case MLNR_ACTIVATION_SIGMOID: return y * (1.0f - y);
        case MLNR_ACTIVATION_TANH: return 1.0f - y * y;
        case MLNR_ACTIVATION_RELU: return y > 0.0f ? 1.0f : 0.0f;
        case MLNR_ACTIVATION_HARD_SIGMOID: return y > 0.0f && y < 1.0f ? f.alpha : 0.0f;
        case MLNR_ACTIVATION_LEAKY_RELU: return y >= 0.0f ? 1.0f : f.alpha;
        case MLNR_ACTIVATION_AFFINE: return f.alpha;
        case MLNR_ACTIVATION_SCALED_TANH: {
            const float u = y / f.alpha;
            return f.alpha * f.beta * (1.0f - u * u);
        }
        case MLNR_ACTIVATION_THRESHOLDED_RELU: return y != 0.0f ? 1.0f : 0.0f;
        case MLNR_ACTIVATION_ELU: return y >= 0.0f ? 1.0f : y + f.alpha;
        case MLNR_ACTIVATION_SOFTSIGN: {
            const float u = 1.0f - std::fabs(y);
            return u * u;
        }
        default: return 1.0f - std::exp(-y);  // softplus
    }
}

}  // namespace

void activate(const Activation& f, float* x, int n) {
    if (f.kind == MLNR_ACTIVATION_SIGMOID) {
        sigmoid_array(x, n);
    } else if (f.kind == MLNR_ACTIVATION_TANH) {
        tanh_array(x, n);
    } else {
        for (int i = 0; i < n; ++i) x[i] = scalar(f, x[i]);
    }
}

void multiply_by_derivative(const Activation& f, const float* y, float* d, int n) {
    if (f.kind == MLNR_ACTIVATION_SIGMOID) {
        sigmoid_derivative(y, d, n);
    } else if (f.kind == MLNR_ACTIVATION_TANH) {
        tanh_derivative(y, d, n);
    } else {
        for (int i = 0; i < n; ++i) d[i] *= scalar_derivative(f, y[i]);
    }
}

void clip_values(float* x, int n, float clip, MaskWord* mask, int first) {
    for (int i = 0; i < n; ++i) {
        if (mask) {
            const int bit = first + i;
            if (x[i] < -clip || x[i] > clip) mask[bit >> 5] |= 1u << (bit & 31);
            else mask[bit >> 5] &= ~(1u << (bit & 31));
        }
        x[i] = x[i] < -clip ? -clip : (x[i] > clip ? clip : x[i]);
    }
}

void zero_clipped(float* d, int n, const MaskWord* mask, int first) {
    for (int i = 0; i < n; ++i) {
        const int bit = first + i;
        if (mask[bit >> 5] & (1u << (bit & 31))) d[i] = 0.0f;
    }
}

MLNR_ISA_END
