// How fast one core can multiply one row by the recurrent weights when those stream from L2: the batch-1 step of W4
// (h [1, 128] times R^T [128, 384], 196 KiB of panels, 200 times a sequence). Not part of the build; a probe for
// docs/speed.md. Build and run (x86-64 with AVX-512F):
//
//     g++ -O3 -march=x86-64-v3 -o /tmp/one_row_product Benchmarks/probes/one_row_product.cpp && /tmp/one_row_product
//
// It times the same product laid out four ways, over R^T sized as W4's (in L2) and as a sixth of it (in L1):
//   panels x1  the kernel's layout and order: panels of 32 columns (K x 32 floats each), one at a time, two
//              accumulators (tile<1, 1>: what W4 batch 1 ran at one thread before paired panels);
//   panels x4  four panels side by side, eight accumulators (the kernel's kPanelsFor[1] where panels sit in L1);
//   wide xG    G panels interleaved by k (K x 32 G floats), 2 G accumulators from one contiguous stream; wide x2
//              is the kernel's paired panels (row_of_pair in Estimators/Native/src/gemm_tile_avx512.hpp).
// Each element is one accumulator summed over k in order in all four, as in the kernel. Every call reads the same
// R^T, so after the first it is in L2 (or L1); the row changes a little between calls.
#include <immintrin.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <utility>

namespace {

constexpr int kPanel = 32;

// c[0, n) = a[0, K) times `panels` (n / 32 panels of K x 32), P panels at a time.
template <int P>
__attribute__((target("avx512f"), noinline)) void panels(const float* a, const float* b, int k_size, int n, float* c) {
    for (int p0 = 0; p0 < n / kPanel; p0 += P) {
        __m512 acc[2 * P];
        for (int q = 0; q < 2 * P; ++q) acc[q] = _mm512_setzero_ps();
        for (int k = 0; k < k_size; ++k) {
            const __m512 av = _mm512_set1_ps(a[k]);
            for (int q = 0; q < P; ++q) {
                const float* row = b + static_cast<long>(p0 + q) * k_size * kPanel + k * kPanel;
                acc[2 * q] = _mm512_fmadd_ps(av, _mm512_load_ps(row), acc[2 * q]);
                acc[2 * q + 1] = _mm512_fmadd_ps(av, _mm512_load_ps(row + 16), acc[2 * q + 1]);
            }
        }
        for (int q = 0; q < 2 * P; ++q) _mm512_storeu_ps(c + p0 * kPanel + 16 * q, acc[q]);
    }
}

// The same with groups of G panels stored interleaved by k (K x 32 G floats per group): 2 G accumulators fed from
// one contiguous stream.
template <int G>
__attribute__((target("avx512f"), noinline)) void wide(const float* a, const float* b, int k_size, int n, float* c) {
    for (int g = 0; g < n / (G * kPanel); ++g) {
        const float* group = b + static_cast<long>(g) * k_size * G * kPanel;
        __m512 acc[2 * G];
        for (int q = 0; q < 2 * G; ++q) acc[q] = _mm512_setzero_ps();
        for (int k = 0; k < k_size; ++k) {
            const __m512 av = _mm512_set1_ps(a[k]);
            for (int q = 0; q < 2 * G; ++q)
                acc[q] = _mm512_fmadd_ps(av, _mm512_load_ps(group + k * G * kPanel + 16 * q), acc[q]);
        }
        for (int q = 0; q < 2 * G; ++q) _mm512_storeu_ps(c + g * G * kPanel + 16 * q, acc[q]);
    }
}

template <class F>
void time(const char* name, int k_size, int n, F product) {
    float* b = static_cast<float*>(std::aligned_alloc(64, sizeof(float) * k_size * n));
    for (long i = 0; i < static_cast<long>(k_size) * n; ++i) b[i] = static_cast<float>(i % 7) * 0.01f;
    alignas(64) float a[128];
    for (int k = 0; k < k_size; ++k) a[k] = 0.001f * static_cast<float>(k);
    float* c = static_cast<float*>(std::aligned_alloc(64, sizeof(float) * n));
    constexpr int kCalls = 20000;
    double best = 1e30;
    for (int round = 0; round < 7; ++round) {
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < kCalls; ++i) {
            product(a, b, k_size, n, c);
            a[i % k_size] += c[i % n] * 1e-9f;  // the next call depends on this one, as the next step on h
        }
        const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
        if (us / kCalls < best) best = us / kCalls;
    }
    const double bytes = sizeof(float) * static_cast<double>(k_size) * n;
    std::printf("%-11s %4.0f KiB  %6.3f us a product  %6.1f GFLOP/s  %6.1f GB/s of weights\n", name, bytes / 1024, best,
                2.0 * k_size * n / best / 1e3, bytes / best / 1e3);
    std::free(b);
    std::free(c);
}

}  // namespace

int main() {
    // W4's R^T (K 128, N 384: L2), then 32 KiB (K 64, N 128: L1).
    for (const auto& [k_size, n] : {std::pair{128, 384}, std::pair{64, 128}}) {
        time("panels x1", k_size, n, panels<1>);
        time("panels x4", k_size, n, panels<4>);
        time("wide x2", k_size, n, wide<2>);
        time("wide x4", k_size, n, wide<4>);
    }
}
