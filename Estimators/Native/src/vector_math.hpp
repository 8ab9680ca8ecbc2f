// The vector type of the avx512 and avx2 paths and the element-wise operations built on it: load/store, arithmetic,
// and the fast e^x that sigmoid and tanh run on (activation.cpp, gate_rows.hpp). The avx512 path uses 16 lanes
// (__m512, in functions marked MLNR_VECTOR: AVX-512F on top of the path's x86-64-v3), the avx2 path 8 (__m256). Both
// compute every lane with the same operations in the same order (one fused multiply-add where an FMA is written, the
// IEEE division, the same exp polynomial), so a lane's result has the same bits on either path, whatever its
// position. The scalar path has none of this (its code runs the generic loops).
#pragma once

#include "isa.hpp"

#if defined(MLNR_ISA_AVX512) || defined(MLNR_ISA_AVX2)
#include <immintrin.h>

MLNR_ISA_BEGIN

#if defined(MLNR_ISA_AVX512)
#define MLNR_VECTOR __attribute__((target("avx512f")))
using vf = __m512;
constexpr int kLanes = 16;
MLNR_VECTOR inline vf vload(const float* p) { return _mm512_loadu_ps(p); }
MLNR_VECTOR inline void vstore(float* p, vf v) { _mm512_storeu_ps(p, v); }
MLNR_VECTOR inline vf vset(float x) { return _mm512_set1_ps(x); }
MLNR_VECTOR inline vf vzero() { return _mm512_setzero_ps(); }
MLNR_VECTOR inline vf vadd(vf a, vf b) { return _mm512_add_ps(a, b); }
MLNR_VECTOR inline vf vsub(vf a, vf b) { return _mm512_sub_ps(a, b); }
MLNR_VECTOR inline vf vmul(vf a, vf b) { return _mm512_mul_ps(a, b); }
MLNR_VECTOR inline vf vdiv(vf a, vf b) { return _mm512_div_ps(a, b); }
MLNR_VECTOR inline vf vfmadd(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }   // a b + c, one rounding
MLNR_VECTOR inline vf vfnmadd(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); } // c - a b, one rounding
MLNR_VECTOR inline vf vmin(vf a, vf b) { return _mm512_min_ps(a, b); }
MLNR_VECTOR inline vf vmax(vf a, vf b) { return _mm512_max_ps(a, b); }
MLNR_VECTOR inline vf vfloor(vf a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
// 2^n for integral n in [-127, 128] (the exponent bits of n + 127).
MLNR_VECTOR inline vf vpow2(vf n) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23));
}
#else
#define MLNR_VECTOR
using vf = __m256;
constexpr int kLanes = 8;
inline vf vload(const float* p) { return _mm256_loadu_ps(p); }
inline void vstore(float* p, vf v) { _mm256_storeu_ps(p, v); }
inline vf vset(float x) { return _mm256_set1_ps(x); }
inline vf vzero() { return _mm256_setzero_ps(); }
inline vf vadd(vf a, vf b) { return _mm256_add_ps(a, b); }
inline vf vsub(vf a, vf b) { return _mm256_sub_ps(a, b); }
inline vf vmul(vf a, vf b) { return _mm256_mul_ps(a, b); }
inline vf vdiv(vf a, vf b) { return _mm256_div_ps(a, b); }
inline vf vfmadd(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
inline vf vfnmadd(vf a, vf b, vf c) { return _mm256_fnmadd_ps(a, b, c); }
inline vf vmin(vf a, vf b) { return _mm256_min_ps(a, b); }
inline vf vmax(vf a, vf b) { return _mm256_max_ps(a, b); }
inline vf vfloor(vf a) { return _mm256_floor_ps(a); }
inline vf vpow2(vf n) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23));
}
#endif

// e^x with relative error below 3e-7 for x in [-87, 88]: range reduction by ln 2 in two parts (the high part exact
// in float times n), degree-7 Taylor polynomial on |r| <= 0.35, then 2^n through the exponent bits; saturates
// outside; NaN stays NaN (min/max pass the second operand, x, when it is NaN).
MLNR_VECTOR inline vf vexp(vf x) {
    x = vmin(vmax(x, vset(-87.0f)), vset(88.0f));
    const vf n = vfloor(vfmadd(x, vset(1.44269504088896341f), vset(0.5f)));
    vf r = vfnmadd(n, vset(0.693145751953125f), x);
    r = vfnmadd(n, vset(1.42860682030941723212e-6f), r);
    vf p = vset(1.0f / 5040.0f);
    p = vfmadd(p, r, vset(1.0f / 720.0f));
    p = vfmadd(p, r, vset(1.0f / 120.0f));
    p = vfmadd(p, r, vset(1.0f / 24.0f));
    p = vfmadd(p, r, vset(1.0f / 6.0f));
    p = vfmadd(p, r, vset(0.5f));
    p = vfmadd(p, r, vset(1.0f));
    p = vfmadd(p, r, vset(1.0f));
    return vmul(p, vpow2(n));
}

// sigmoid(x) = 1 / (1 + e^-x); tanh(x) = 1 - 2 / (1 + e^2x).
MLNR_VECTOR inline vf vsigmoid(vf x) { return vdiv(vset(1.0f), vadd(vset(1.0f), vexp(vsub(vzero(), x)))); }
MLNR_VECTOR inline vf vtanh(vf x) {
    return vsub(vset(1.0f), vdiv(vset(2.0f), vadd(vset(1.0f), vexp(vmul(vset(2.0f), x)))));
}

// f(n) over rows of n floats, kLanes at a time: `in` pointers are read, `out` pointers written at the same offsets
// (a null `in` reads zeros, a null `out` is not written). The last, partial vector runs through zero-padded copies, so
// every element goes through the same vector operations wherever it sits. body(const vf* in, vf* out) must read all
// of `in` before the caller stores `out`: an output may be an input's own memory (gates turned into gate values in
// place).
template <int In, int Out, int Unroll = 2, class Body>
MLNR_VECTOR inline void for_lanes(int n, const float* const (&in)[In], float* const (&out)[Out], Body& body) {
    vf a[In], b[Out];
    int j = 0;
    // Two vectors per iteration: each is one long chain of dependent operations (an exp, a division, then the next
    // gate's), so two independent ones keep the FMA units busy where one row runs alone (batch-1 inference).
    for (; Unroll == 2 && j + 2 * kLanes <= n; j += 2 * kLanes) {
        vf a2[In], b2[Out];
        for (int i = 0; i < In; ++i) {
            a[i] = in[i] ? vload(in[i] + j) : vzero();
            a2[i] = in[i] ? vload(in[i] + j + kLanes) : vzero();
        }
        body(a, b);
        body(a2, b2);
        for (int o = 0; o < Out; ++o)
            if (out[o]) {
                vstore(out[o] + j, b[o]);
                vstore(out[o] + j + kLanes, b2[o]);
            }
    }
    for (; j + kLanes <= n; j += kLanes) {
        for (int i = 0; i < In; ++i) a[i] = in[i] ? vload(in[i] + j) : vzero();
        body(a, b);
        for (int o = 0; o < Out; ++o)
            if (out[o]) vstore(out[o] + j, b[o]);
    }
    if (j == n) return;
    alignas(64) float tail[kLanes];
    const int left = n - j;
    for (int i = 0; i < In; ++i) {
        for (int l = 0; l < kLanes; ++l) tail[l] = in[i] && l < left ? in[i][j + l] : 0.0f;
        a[i] = vload(tail);
    }
    body(a, b);
    for (int o = 0; o < Out; ++o) {
        if (!out[o]) continue;
        vstore(tail, b[o]);
        for (int l = 0; l < left; ++l) out[o][j + l] = tail[l];
    }
}

MLNR_ISA_END
#endif
