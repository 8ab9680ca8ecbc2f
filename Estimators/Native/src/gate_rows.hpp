// One row's gate arithmetic in one pass (gate_rows.cpp): the GRU (linear_before_reset = 1) and LSTM cells with their
// default activations (sigmoid, tanh) and no cell clip, forward and backward, on the avx512 and avx2 paths. The
// generic code in rnn_forward.cpp and rnn_backward.cpp runs the same formulas as a series of loops, each over all of
// a row's values (pre-activations, then the activation, then the gates' products), with the activation and its
// derivative through function calls; these read each input once and write each output once, kLanes values at a time,
// with the activations inline. Everything else (other activations, a clip, GRU linear_before_reset = 0, the scalar
// path) runs the generic code. The two paths give the same bits (vector_math.hpp); against the generic code and the
// reference kernel the results differ in rounding only (the biases summed first, the state update as one FMA).
#pragma once

#include "isa.hpp"

#if defined(MLNR_ISA_AVX512) || defined(MLNR_ISA_AVX2)
#define MLNR_FUSED_GATES 1

MLNR_ISA_BEGIN

// GRU (z, r, n) with linear_before_reset = 1, one row of H units. x: X W^T [3H] (may be `gates` itself); hr: h R^T
// [3H]; bias_zr: Wb + Rb of z and r [2H]; wbn, rbn: the candidate's Wbh and Rbh [H] (null: zero). h [H] is the state,
// read as h_prev and overwritten with h'. Training (gates non-null) stores z, r, n into gates [3H], Rh h + Rbh into
// extra [H] and h_prev into h_prev [H]; inference (gates null) stores only h'.
void gru_forward_row(int H, const float* x, const float* hr, const float* bias_zr, const float* wbn, const float* rbn,
                     float* h, float* gates, float* extra, float* h_prev);

// Its backward: dh [H] (plus dy [H] when non-null) is dL/dh' of the row; gates, extra, h_prev as forward stored them.
// Writes dz, dr, dn over the gates (dG, input side), dN = dn * r over extra (the candidate's recurrent side), and
// [dz, dr, dN] into dg_rec [3H] for the dh_prev GEMM; dh_prev [H] = dh * z (the GEMM adds dG_rec R).
void gru_backward_row(int H, const float* dh, const float* dy, float* gates, float* extra, const float* h_prev,
                      float* dg_rec, float* dh_prev);

// LSTM (i, o, f, c) without input_forget, one row. x: X W^T [4H] (may be `gates`); hr [4H]; bias: Wb + Rb [4H]; p:
// peepholes [3H] (i, o, f) or null. h, c [H] are the state (read as h_prev, c_prev; overwritten with h', c').
// Training (gates non-null) stores i, o, f, c~ into gates, tanh(c') into extra, h_prev and c_prev.
void lstm_forward_row(int H, const float* x, const float* hr, const float* bias, const float* p, float* h, float* c,
                      float* gates, float* extra, float* h_prev, float* c_prev);

// Its backward: dh [H] (plus dy when non-null), dc [H] the state's gradient (overwritten with dL/dc_prev's cell
// part); writes dG over the gates and into dg_rec [4H] (the dh_prev GEMM's rows); adds the peepholes' gradients into
// dp [3H] when p is non-null.
void lstm_backward_row(int H, const float* dh, const float* dy, float* dc, float* gates, const float* extra,
                       const float* c_prev, const float* p, float* dp, float* dg_rec);

MLNR_ISA_END
#endif
