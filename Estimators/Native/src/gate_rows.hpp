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

// GRU (z, r, n) with linear_before_reset = 1, one row of n units. x: X W^T, the three gates' blocks x_stride apart
// (x may be `gates` itself); hr: h R^T, blocks `stride` apart; bias_zr: Wb + Rb of z (at 0) and r (at bias_stride);
// wbn, rbn: the candidate's Wbh and Rbh (null: zero). h is the state h_prev; h' goes to h_new (may be h). Training
// (gates non-null) stores z, r, n into gates (blocks `stride` apart), Rh h + Rbh into extra and h_prev into h_prev;
// inference (gates null) stores only h'. A row of the whole layer has n = x_stride = stride = bias_stride = H;
// forward_units runs slices of it (hr's gates a panel-padded slice apart; x from a projection table's row, H apart).
void gru_forward_row(int n, const float* x, long x_stride, const float* hr, long stride, const float* bias_zr,
                     long bias_stride, const float* wbn, const float* rbn, const float* h, float* h_new, float* gates,
                     float* extra, float* h_prev);

// Its backward: dh [H] (plus dy [H] when non-null) is dL/dh' of the row; gates, extra, h_prev as forward stored them.
// Writes dz, dr, dn over the gates (dG, input side), dN = dn * r over extra (the candidate's recurrent side), and
// [dz, dr, dN] into dg_rec [3H] for the dh_prev GEMM; dh_prev [H] = dh * z (the GEMM adds dG_rec R).
void gru_backward_row(int H, const float* dh, const float* dy, float* gates, float* extra, const float* h_prev,
                      float* dg_rec, float* dh_prev);

// LSTM (i, o, f, c) without input_forget, one row of n units. x, hr: the four gates' blocks, x_stride and `stride`
// apart (x may be `gates`); bias: Wb + Rb, p: peepholes (i, o, f) or null, both blocks bias_stride apart. h, c are the
// state (h_prev, c_prev); h' goes to h_new (may be h), c' over c. Training (gates non-null) stores i, o, f, c~ into
// gates, tanh(c') into extra, h_prev and c_prev.
void lstm_forward_row(int n, const float* x, long x_stride, const float* hr, long stride, const float* bias,
                      long bias_stride, const float* p, const float* h, float* h_new, float* c, float* gates,
                      float* extra, float* h_prev, float* c_prev);

// Its backward: dh [H] (plus dy when non-null), dc [H] the state's gradient (overwritten with dL/dc_prev's cell
// part); writes dG over the gates and into dg_rec [4H] (the dh_prev GEMM's rows); adds the peepholes' gradients into
// dp [3H] when p is non-null.
void lstm_backward_row(int H, const float* dh, const float* dy, float* dc, float* gates, const float* extra,
                       const float* c_prev, const float* p, float* dp, float* dg_rec);

MLNR_ISA_END
#endif
