#include "activation.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MLNR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MLNR_CLONES
#endif

namespace mlnr {

namespace {

inline float fast_exp_inline(float x) {
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    const float n = std::floor(x * 1.44269504088896341f + 0.5f);
    // ln 2 split so that n * kLn2High is exact in float.
    const float r = (x - n * 0.693145751953125f) - n * 1.42860682030941723212e-6f;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

MLNR_CLONES void sigmoid_array(float* x, int n) {
    for (int i = 0; i < n; ++i) x[i] = 1.0f / (1.0f + fast_exp_inline(-x[i]));
}

MLNR_CLONES void tanh_array(float* x, int n) {
    for (int i = 0; i < n; ++i) x[i] = 1.0f - 2.0f / (1.0f + fast_exp_inline(2.0f * x[i]));
}

MLNR_CLONES void sigmoid_derivative(const float* y, float* d, int n) {
    for (int i = 0; i < n; ++i) d[i] *= y[i] * (1.0f - y[i]);
}

MLNR_CLONES void tanh_derivative(const float* y, float* d, int n) {
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

float fast_exp(float x) { return fast_exp_inline(x); }

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

void clip_values(float* x, int n, float clip) {
    for (int i = 0; i < n; ++i) x[i] = x[i] < -clip ? -clip : (x[i] > clip ? clip : x[i]);
}

}  // namespace mlnr
