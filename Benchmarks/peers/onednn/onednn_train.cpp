// oneDNN training peer for workloads W1-W3, W6, W7 and the sweep of docs/workloads.md (mirrors ../torch_train.py).
// From shared/bench/peers/onednn/onednn_train.cpp; stacked bidirectional layers with a max-pool read-out (W6), a
// carried GRU state over truncated-BPTT windows (W7) and the sweep's sizes added in this repository.
//
// The recurrent layer is oneDNN's RNN primitive (lbr_gru = PyTorch's GRU, vanilla_lstm), run as
// forward_training + backward with the workspace; weights layouts are chosen by oneDNN (format_tag::any).
// Everything else is plain C++ with OpenMP, except the Linear head which uses oneDNN matmul:
// embedding gather / dense scatter-add gradient, softmax cross-entropy, gradient-norm clip, Adam / SGD.
//
// usage: onednn_train {w1|w2|w3|w6|w7|sweep} THREADS [--warmup 5] [--steps 30] [--seconds S] [--rnn-only] [--denormals]
//                     (--seconds S: stop timing once S seconds of timed steps have passed, after at least 5 steps)
//                     [--seq-length T] [--hidden H]     (W7: T, default 2000; sweep: H (128) and T (200))
//        onednn_train {w1|w2|w3} THREADS --train-check          loss over 50 steps on one fixed batch
//        onednn_train {w1|w2|w3} THREADS --step-check DIR       whole training steps vs PyTorch (make_ref.py)
//        onednn_train check THREADS DIR                         RNN layer fwd/bwd vs float64 PyTorch
//        onednn_train sgemm THREADS [N=2048] [REPS=7]            oneDNN matmul SGEMM rate (ceiling)
// Prints: <workload> onednn-<ver> <threads> <metric> <value>  # step_ms ... rnn_fwd_ms= rnn_bwd_ms= ...
#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>
#include <sys/resource.h>
#include <xmmintrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

static engine eng;   // created in main() after the thread count is set
static stream strm;

static double now_ms() {
    return std::chrono::duration<double, std::milli>(
            std::chrono::steady_clock::now().time_since_epoch()).count();
}
static float *fp(const memory &m) { return static_cast<float *>(m.get_data_handle()); }
static size_t nfl(const memory &m) { return m.get_desc().get_size() / sizeof(float); }
static void zero(const memory &m) { memset(m.get_data_handle(), 0, m.get_desc().get_size()); }
static memory new_mem(const memory::desc &md) { memory m(md, eng); zero(m); return m; }

// 64-byte aligned, zero-initialised float buffer
struct Buf {
    float *p = nullptr;
    size_t n = 0;
    Buf() = default;
    explicit Buf(size_t n_) : n(n_) {
        p = static_cast<float *>(aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64));
        memset(p, 0, n * sizeof(float));
    }
    Buf(Buf &&o) noexcept : p(o.p), n(o.n) { o.p = nullptr; o.n = 0; }
    Buf &operator=(Buf &&o) noexcept { std::swap(p, o.p); std::swap(n, o.n); return *this; }
    Buf(const Buf &) = delete;
    ~Buf() { free(p); }
    float &operator[](size_t i) { return p[i]; }
    const float &operator[](size_t i) const { return p[i]; }
};

// short text for a memory descriptor (2.x has no public md->string helper)
static std::string md_str(const memory::desc &md) {
    const dnnl_memory_desc_t &d = md.data;
    std::string s;
    for (int i = 0; i < d.ndims; i++) s += (i ? "x" : "") + std::to_string(d.dims[i]);
    if (d.format_kind == dnnl_blocked) {
        s += " strides=";
        for (int i = 0; i < d.ndims; i++)
            s += (i ? "," : "") + std::to_string(d.format_desc.blocking.strides[i]);
        for (int b = 0; b < d.format_desc.blocking.inner_nblks; b++)
            s += " blk" + std::to_string(d.format_desc.blocking.inner_idxs[b]) + ":"
                    + std::to_string(d.format_desc.blocking.inner_blks[b]);
    } else if (d.format_kind == dnnl_format_kind_rnn_packed) {
        s += " rnn_packed";
    } else {
        s += " format_kind=" + std::to_string(d.format_kind);
    }
    return s;
}

// ------------------------------------------------------------------------------------------------
// One RNN layer (lbr_gru or lstm) via oneDNN: left-to-right (D = 1) or bidirectional with the directions' outputs
// concatenated (D = 2, W6); h0 = c0 = 0, or (carry, GRU only: W7's truncated BPTT) h0 from the memory `h0`.
// Master weights live in the layout the backward pass gives the weight gradients in (so the
// optimizer is elementwise); they are reordered into the forward / backward layouts once per step
// only where those differ. Biases are kept as PyTorch's b_ih and b_hh (same parameter set and
// optimizer math as the PyTorch peer) and packed into oneDNN's bias each step (a few hundred floats).
struct Rnn {
    bool lstm;
    int T, N, I, H, G;   // G = gates (3 GRU, 4 LSTM); the bias has 4 rows for both
    int D = 1;           // directions
    bool carry = false;  // GRU: h0 is given (src_iter), and its gradient computed (diff_src_iter)
    int perm[4];         // oneDNN gate g holds PyTorch gate chunk perm[g]
    rnn_primitive_desc_base fpd, bpd;
    primitive fwd, bwd;
    memory src, dst, dsrc, ddst, ws, spf, spb;
    Buf scratch;                    // shared user scratchpad behind spf / spb
    memory wl, wi, dwl, dwi;        // master weights and their gradients (same layout)
    memory wl_f, wi_f, wl_b, wi_b;  // weights in the forward / backward layouts (may alias wl, wi)
    reorder r_wl_f, r_wi_f, r_wl_b, r_wi_b;
    memory bias, dbias;             // oneDNN ldgo bias [4][H]
    memory h0, c0, dh0, dc0;        // LSTM only: explicit zero initial states (and unused gradients)
    Buf b_ih, b_hh, g_b_ih, g_b_hh; // PyTorch-style biases [G*H] and their gradients
    double t_fwd = 0, t_bwd = 0, t_aux = 0;  // last call: primitive fwd, primitive bwd, reorders+packing

    Rnn(bool lstm_, int T_, int N_, int I_, int H_, int D_ = 1, bool carry_ = false)
        : lstm(lstm_), T(T_), N(N_), I(I_), H(H_), D(D_), carry(carry_) {
        G = lstm ? 4 : 3;
        if (carry && lstm) throw std::runtime_error("carry: GRU only");
        // oneDNN LSTM gates i,f,c~,o = PyTorch i,f,g,o; oneDNN GRU u,r,o = PyTorch z,r,n (chunks r=0,z=1,n=2)
        static const int gru_perm[4] = {1, 0, 2, 3};
        for (int g = 0; g < 4; g++) perm[g] = lstm ? g : gru_perm[g];
        const auto dir = D == 2 ? rnn_direction::bidirectional_concat : rnn_direction::unidirectional_left2right;
        memory::desc src_md({T, N, I}, dt::f32, tag::tnc), dst_md({T, N, D * H}, dt::f32, tag::tnc);
        memory::desc wl_any({1, D, I, G, H}, dt::f32, tag::any), wi_any({1, D, H, G, H}, dt::f32, tag::any);
        memory::desc b_md({1, D, 4, H}, dt::f32, tag::ldgo), z;   // z: zero md = "not used" (h0 = 0)
        primitive_attr attr;
        attr.set_scratchpad_mode(scratchpad_mode::user);
        if (lstm) {
            // oneDNN 2.6.3 bug: LSTM backward with src_iter omitted (h0 = c0 = 0 implied) returns a wrong
            // diff_weights_iter (all else right; lbr_gru is fine), so LSTM gets explicit zero h0, c0.
            memory::desc s_md({1, D, N, H}, dt::f32, tag::ldnc);
            lstm_forward::desc fd(prop_kind::forward_training, dir, src_md, s_md, s_md, wl_any, wi_any,
                    b_md, dst_md, z, z);
            lstm_forward::primitive_desc f(fd, attr, eng);
            lstm_backward::desc bd(prop_kind::backward, dir, src_md, s_md, s_md, wl_any, wi_any, b_md,
                    dst_md, z, z, src_md, s_md, s_md, wl_any, wi_any, b_md, dst_md, z, z);
            lstm_backward::primitive_desc b(bd, attr, eng, f);
            fpd = f; bpd = b; fwd = lstm_forward(f); bwd = lstm_backward(b);
            h0 = new_mem(s_md); c0 = new_mem(s_md); dh0 = new_mem(s_md); dc0 = new_mem(s_md);
        } else if (carry) {
            memory::desc s_md({1, D, N, H}, dt::f32, tag::ldnc);
            lbr_gru_forward::desc fd(prop_kind::forward_training, dir, src_md, s_md, wl_any, wi_any, b_md,
                    dst_md, z);
            lbr_gru_forward::primitive_desc f(fd, attr, eng);
            lbr_gru_backward::desc bd(prop_kind::backward, dir, src_md, s_md, wl_any, wi_any, b_md, dst_md,
                    z, src_md, s_md, wl_any, wi_any, b_md, dst_md, z);
            lbr_gru_backward::primitive_desc b(bd, attr, eng, f);
            fpd = f; bpd = b; fwd = lbr_gru_forward(f); bwd = lbr_gru_backward(b);
            h0 = new_mem(s_md); dh0 = new_mem(s_md);
        } else {
            lbr_gru_forward::desc fd(prop_kind::forward_training, dir, src_md, z, wl_any, wi_any, b_md,
                    dst_md, z);
            lbr_gru_forward::primitive_desc f(fd, attr, eng);
            lbr_gru_backward::desc bd(prop_kind::backward, dir, src_md, z, wl_any, wi_any, b_md, dst_md,
                    z, src_md, z, wl_any, wi_any, b_md, dst_md, z);
            lbr_gru_backward::primitive_desc b(bd, attr, eng, f);
            fpd = f; bpd = b; fwd = lbr_gru_forward(f); bwd = lbr_gru_backward(b);
        }
        src = new_mem(fpd.src_layer_desc());
        dst = new_mem(fpd.dst_layer_desc());
        dsrc = new_mem(bpd.diff_src_layer_desc());
        ddst = new_mem(bpd.diff_dst_layer_desc());
        ws = new_mem(fpd.workspace_desc());
        // one scratchpad buffer serves both primitives (they never run at the same time)
        scratch = Buf((std::max(fpd.scratchpad_desc().get_size(), bpd.scratchpad_desc().get_size()) + 3) / 4);
        spf = memory(fpd.scratchpad_desc(), eng, scratch.p);
        spb = memory(bpd.scratchpad_desc(), eng, scratch.p);
        wl = new_mem(bpd.diff_weights_layer_desc());  dwl = new_mem(bpd.diff_weights_layer_desc());
        wi = new_mem(bpd.diff_weights_iter_desc());   dwi = new_mem(bpd.diff_weights_iter_desc());
        auto view = [&](const memory &master, const memory::desc &want, reorder &r) {
            if (want == master.get_desc()) return master;
            memory m = new_mem(want);
            r = reorder(master, m);
            return m;
        };
        wl_f = view(wl, fpd.weights_layer_desc(), r_wl_f);
        wi_f = view(wi, fpd.weights_iter_desc(), r_wi_f);
        wl_b = view(wl, bpd.weights_layer_desc(), r_wl_b);
        wi_b = view(wi, bpd.weights_iter_desc(), r_wi_b);
        bias = new_mem(fpd.bias_desc());
        dbias = new_mem(bpd.diff_bias_desc());
        if (!(bpd.bias_desc() == fpd.bias_desc()) || !(bpd.workspace_desc() == fpd.workspace_desc())
                || !(bpd.src_layer_desc() == fpd.src_layer_desc()))
            throw std::runtime_error("unexpected backward layouts");
        b_ih = Buf(D * G * H); b_hh = Buf(D * G * H); g_b_ih = Buf(D * G * H); g_b_hh = Buf(D * G * H);
    }

    // Uniform(-k, k) weights for any D (the elements are i.i.d., so the gate order does not matter): written as
    // plain ldigo and reordered into the master layout (which may pad).
    void init_uniform(std::mt19937 &rng, float k) {
        std::uniform_real_distribution<float> d(-k, k);
        std::vector<float> l((size_t)D * I * G * H), it((size_t)D * H * G * H);
        for (auto &v : l) v = d(rng);
        for (auto &v : it) v = d(rng);
        memory ul({{1, D, I, G, H}, dt::f32, tag::ldigo}, eng, l.data());
        reorder(ul, wl).execute(strm, ul, wl);
        memory ui({{1, D, H, G, H}, dt::f32, tag::ldigo}, eng, it.data());
        reorder(ui, wi).execute(strm, ui, wi);
        strm.wait();
        for (size_t i = 0; i < b_ih.n; i++) b_ih[i] = d(rng);
        for (size_t i = 0; i < b_hh.n; i++) b_hh[i] = d(rng);
    }

    std::string describe() const {
        return std::string("  fwd impl: ") + fpd.impl_info_str() + "\n  bwd impl: " + bpd.impl_info_str()
                + "\n  weights_layer: fwd " + md_str(fpd.weights_layer_desc()) + " | bwd "
                + md_str(bpd.weights_layer_desc()) + " | diff (master) " + md_str(wl.get_desc())
                + "\n  weights_iter:  fwd " + md_str(fpd.weights_iter_desc()) + " | bwd "
                + md_str(bpd.weights_iter_desc()) + " | diff (master) " + md_str(wi.get_desc())
                + "\n  reorders per step: " + std::to_string((bool)r_wl_f + (bool)r_wi_f + (bool)r_wl_b
                                                          + (bool)r_wi_b)
                + "  workspace " + std::to_string(ws.get_desc().get_size() >> 10) + " KiB, scratchpad fwd "
                + std::to_string(spf.get_desc().get_size() >> 10) + " KiB bwd "
                + std::to_string(spb.get_desc().get_size() >> 10) + " KiB (one shared buffer)\n";
    }

    // PyTorch layout <-> oneDNN plain ldigo ([I][G][H]) with the gate permutation
    void torch_to_ldigo(const float *w, int in, std::vector<float> &out) const {
        out.assign((size_t)in * G * H, 0.f);
        for (int i = 0; i < in; i++)
            for (int g = 0; g < G; g++)
                for (int o = 0; o < H; o++)
                    out[((size_t)i * G + g) * H + o] = w[((size_t)perm[g] * H + o) * in + i];
    }
    void ldigo_to_torch(const std::vector<float> &l, int in, float *w) const {
        for (int i = 0; i < in; i++)
            for (int g = 0; g < G; g++)
                for (int o = 0; o < H; o++)
                    w[((size_t)perm[g] * H + o) * in + i] = l[((size_t)i * G + g) * H + o];
    }
    void set_weights_torch(const float *w_ih, const float *w_hh) {
        if (D != 1) throw std::runtime_error("set_weights_torch: one direction only");
        std::vector<float> l;
        torch_to_ldigo(w_ih, I, l);
        memory ul({{1, 1, I, G, H}, dt::f32, tag::ldigo}, eng, l.data());
        reorder(ul, wl).execute(strm, ul, wl);
        torch_to_ldigo(w_hh, H, l);
        memory ui({{1, 1, H, G, H}, dt::f32, tag::ldigo}, eng, l.data());
        reorder(ui, wi).execute(strm, ui, wi);
        strm.wait();
    }
    // read master weights (grad=false) or their gradients (grad=true) in PyTorch layout
    void get_torch(bool grad, float *w_ih, float *w_hh) const {
        if (D != 1) throw std::runtime_error("get_torch: one direction only");
        std::vector<float> l((size_t)I * G * H), it((size_t)H * G * H);
        memory ul({{1, 1, I, G, H}, dt::f32, tag::ldigo}, eng, l.data());
        memory ui({{1, 1, H, G, H}, dt::f32, tag::ldigo}, eng, it.data());
        const memory &a = grad ? dwl : wl, &b = grad ? dwi : wi;
        reorder(a, ul).execute(strm, const_cast<memory &>(a), ul);
        reorder(b, ui).execute(strm, const_cast<memory &>(b), ui);
        strm.wait();
        ldigo_to_torch(l, I, w_ih);
        ldigo_to_torch(it, H, w_hh);
    }

    // oneDNN bias rows: LSTM i,f,c~,o = b_ih + b_hh; lbr GRU u, r = b_ih + b_hh, o = b_ih(n), u' = b_hh(n)
    void pack_bias() {
        for (int dd = 0; dd < D; dd++) pack_bias(dd);
    }
    void pack_bias(int dd) {
        float *b = fp(bias) + (size_t)dd * 4 * H;
        const float *b_ih = this->b_ih.p + (size_t)dd * G * H, *b_hh = this->b_hh.p + (size_t)dd * G * H;
        for (int g = 0; g < 4; g++) {
            const int c = perm[g];
            for (int o = 0; o < H; o++) {
                if (lstm || g < 2) b[g * H + o] = b_ih[c * H + o] + b_hh[c * H + o];
                else if (g == 2) b[g * H + o] = b_ih[2 * H + o];
                else b[g * H + o] = b_hh[2 * H + o];
            }
        }
    }
    void unpack_dbias() {
        for (int dd = 0; dd < D; dd++) unpack_dbias(dd);
    }
    void unpack_dbias(int dd) {
        const float *d = fp(dbias) + (size_t)dd * 4 * H;
        float *g_b_ih = this->g_b_ih.p + (size_t)dd * G * H, *g_b_hh = this->g_b_hh.p + (size_t)dd * G * H;
        for (int g = 0; g < 4; g++) {
            const int c = perm[g];
            for (int o = 0; o < H; o++) {
                if (lstm || g < 2) g_b_ih[c * H + o] = g_b_hh[c * H + o] = d[g * H + o];
                else if (g == 2) g_b_ih[2 * H + o] = d[g * H + o];
                else g_b_hh[2 * H + o] = d[g * H + o];
            }
        }
    }

    void exec_fwd() {
        std::unordered_map<int, memory> args = {{DNNL_ARG_SRC_LAYER, src}, {DNNL_ARG_WEIGHTS_LAYER, wl_f},
                {DNNL_ARG_WEIGHTS_ITER, wi_f}, {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST_LAYER, dst},
                {DNNL_ARG_WORKSPACE, ws}, {DNNL_ARG_SCRATCHPAD, spf}};
        if (lstm) args.insert({{DNNL_ARG_SRC_ITER, h0}, {DNNL_ARG_SRC_ITER_C, c0}});
        if (carry) args.insert({DNNL_ARG_SRC_ITER, h0});
        fwd.execute(strm, args);
        strm.wait();
    }
    void exec_bwd() {
        std::unordered_map<int, memory> args = {{DNNL_ARG_SRC_LAYER, src}, {DNNL_ARG_WEIGHTS_LAYER, wl_b},
                {DNNL_ARG_WEIGHTS_ITER, wi_b}, {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST_LAYER, dst},
                {DNNL_ARG_DIFF_DST_LAYER, ddst}, {DNNL_ARG_WORKSPACE, ws}, {DNNL_ARG_DIFF_SRC_LAYER, dsrc},
                {DNNL_ARG_DIFF_WEIGHTS_LAYER, dwl}, {DNNL_ARG_DIFF_WEIGHTS_ITER, dwi},
                {DNNL_ARG_DIFF_BIAS, dbias}, {DNNL_ARG_SCRATCHPAD, spb}};
        if (lstm)
            args.insert({{DNNL_ARG_SRC_ITER, h0}, {DNNL_ARG_SRC_ITER_C, c0}, {DNNL_ARG_DIFF_SRC_ITER, dh0},
                    {DNNL_ARG_DIFF_SRC_ITER_C, dc0}});
        if (carry) args.insert({{DNNL_ARG_SRC_ITER, h0}, {DNNL_ARG_DIFF_SRC_ITER, dh0}});
        bwd.execute(strm, args);
        strm.wait();
    }
    // src must be filled; writes dst (and the workspace)
    void forward() {
        const double t0 = now_ms();
        pack_bias();
        // the weights of this step, in the layouts forward and backward want
        if (r_wl_f) r_wl_f.execute(strm, wl, wl_f);
        if (r_wi_f) r_wi_f.execute(strm, wi, wi_f);
        if (r_wl_b) r_wl_b.execute(strm, wl, wl_b);
        if (r_wi_b) r_wi_b.execute(strm, wi, wi_b);
        strm.wait();
        const double t1 = now_ms();
        exec_fwd();
        t_fwd = now_ms() - t1;
        t_aux = t1 - t0;
    }
    // ddst must be filled; writes dsrc, dwl, dwi, g_b_ih, g_b_hh
    void backward() {
        const double t0 = now_ms();
        zero(dwl); zero(dwi); zero(dbias);   // oneDNN 2.x backward accumulates into the diff weights
        const double t1 = now_ms();
        exec_bwd();
        const double t2 = now_ms();
        unpack_dbias();
        t_bwd = t2 - t1;
        t_aux += (t1 - t0) + (now_ms() - t2);
    }
};

// ------------------------------------------------------------------------------------------------
// Linear head y[M,O] = x[M,K] W[K,O] + b with oneDNN matmul; W is stored input-major (PyTorch's
// weight transposed). x and dx are views into the RNN's dst / diff_dst buffers.
struct Linear {
    int M, K, O;
    Buf W, b, gW, gb, y, dy;
    matmul mm_fwd, mm_dx, mm_dw;
    memory mx, mxt, mW, mWt, mb, my, mdy, mdx, mgW;

    Linear(int M_, int K_, int O_, float *x, float *dx)
        : M(M_), K(K_), O(O_), W(K_ * O_), b(O_), gW(K_ * O_), gb(O_), y(M_ * O_), dy(M_ * O_) {
        memory::desc x_md({M, K}, dt::f32, tag::ab), W_md({K, O}, dt::f32, tag::ab);
        memory::desc b_md({1, O}, dt::f32, tag::ab), y_md({M, O}, dt::f32, tag::ab);
        memory::desc xt_md({K, M}, dt::f32, memory::dims{1, K});   // x seen transposed
        memory::desc Wt_md({O, K}, dt::f32, memory::dims{1, O});   // W seen transposed
        mx = memory(x_md, eng, x); mxt = memory(xt_md, eng, x); mdx = memory(x_md, eng, dx);
        mW = memory(W_md, eng, W.p); mWt = memory(Wt_md, eng, W.p); mgW = memory(W_md, eng, gW.p);
        mb = memory(b_md, eng, b.p); my = memory(y_md, eng, y.p); mdy = memory(y_md, eng, dy.p);
        mm_fwd = matmul(matmul::primitive_desc(matmul::desc(x_md, W_md, b_md, y_md), eng));
        mm_dx = matmul(matmul::primitive_desc(matmul::desc(y_md, Wt_md, x_md), eng));
        mm_dw = matmul(matmul::primitive_desc(matmul::desc(xt_md, y_md, W_md), eng));
    }
    void forward() {
        mm_fwd.execute(strm, {{DNNL_ARG_SRC, mx}, {DNNL_ARG_WEIGHTS, mW}, {DNNL_ARG_BIAS, mb},
                                     {DNNL_ARG_DST, my}});
        strm.wait();
    }
    void backward() {   // dy -> dx, gW, gb
        mm_dx.execute(strm, {{DNNL_ARG_SRC, mdy}, {DNNL_ARG_WEIGHTS, mWt}, {DNNL_ARG_DST, mdx}});
        mm_dw.execute(strm, {{DNNL_ARG_SRC, mxt}, {DNNL_ARG_WEIGHTS, mdy}, {DNNL_ARG_DST, mgW}});
        strm.wait();
        for (int o = 0; o < O; o++) gb[o] = 0.f;
        for (int r = 0; r < M; r++)
            for (int o = 0; o < O; o++) gb[o] += dy[(size_t)r * O + o];
    }
};

// mean softmax cross-entropy over M rows; writes d(loss)/d(logits) into dy
static double softmax_ce(const float *y, const int *lab, float *dy, int M, int O) {
    double loss = 0;
    const float inv = 1.f / M;
#pragma omp parallel for reduction(+ : loss) if (M * O >= 8192)
    for (int r = 0; r < M; r++) {
        const float *yr = y + (size_t)r * O;
        float *dr = dy + (size_t)r * O;
        float mx = yr[0];
        for (int o = 1; o < O; o++) mx = std::max(mx, yr[o]);
        float s = 0;
        for (int o = 0; o < O; o++) s += (dr[o] = std::exp(yr[o] - mx));
        loss += std::log(s) + mx - yr[lab[r]];
        const float k = inv / s;
        for (int o = 0; o < O; o++) dr[o] *= k;
        dr[lab[r]] -= inv;
    }
    return loss / M;
}

// ------------------------------------------------------------------------------------------------
// optimizers (PyTorch 1.13 formulas)
struct Param {
    std::string name;
    float *p, *g;
    size_t n;
    Buf m, v;
};

struct Adam {
    float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    int t = 0;
    void step(std::vector<Param> &ps) {
        t++;
        const float bc1 = 1.f - std::pow(b1, (float)t), bc2 = 1.f - std::pow(b2, (float)t);
        const float step_size = lr / bc1, rsq_bc2 = 1.f / std::sqrt(bc2);
        for (auto &q : ps) {
            float *p = q.p, *m = q.m.p, *v = q.v.p;
            const float *g = q.g;
            const long n = (long)q.n;
#pragma omp parallel for simd schedule(static) if (n >= 65536)
            for (long i = 0; i < n; i++) {
                m[i] = b1 * m[i] + (1.f - b1) * g[i];
                v[i] = b2 * v[i] + (1.f - b2) * g[i] * g[i];
                p[i] -= step_size * m[i] / (std::sqrt(v[i]) * rsq_bc2 + eps);
            }
        }
    }
};

// SGD after clip_grad_norm_(max_norm): g *= min(1, max_norm / (||g|| + 1e-6))
static void sgd_clip_step(std::vector<Param> &ps, float lr, float max_norm) {
    double ss = 0;
    for (auto &q : ps) {
        const long n = (long)q.n;
        const float *g = q.g;
        double s = 0;
#pragma omp parallel for simd reduction(+ : s) if (n >= 65536)
        for (long i = 0; i < n; i++) s += (double)g[i] * g[i];
        ss += s;
    }
    const float coef = std::min(1.f, (float)(max_norm / (std::sqrt(ss) + 1e-6)));
    const float k = lr * coef;
    for (auto &q : ps) {
        float *p = q.p;
        const float *g = q.g;
        const long n = (long)q.n;
#pragma omp parallel for simd if (n >= 65536)
        for (long i = 0; i < n; i++) p[i] -= k * g[i];
    }
}

// ------------------------------------------------------------------------------------------------
struct Batch {
    std::vector<int> ids;   // W1: [T][B] token ids
    std::vector<float> x;   // W2/W3: [T][B][F]
    std::vector<int> y;     // labels: [B] (W1, W2) or [T][B] (W3)
};

struct Model {
    std::string w;
    int B, T, I, H, O, V = 0;
    int D = 1, L = 1;          // directions, stacked layers (W6: 2 x bidirectional)
    int Tfull = 0, win = 0;    // W7: the whole sequence, in windows of `win` steps (T = win); else Tfull = win = T
    bool lstm, all_steps, adam_opt, maxpool = false, carry = false;
    std::vector<Rnn *> layers;
    Rnn *rnn = nullptr;        // layers[0]
    Linear *fc = nullptr;
    Buf E, gE;                 // embedding table [V][I] and its (dense) gradient
    Buf pooled, dpooled;       // W6: max over time [B][D*H] and its gradient
    std::vector<int> argmax;   // W6: the step each pooled value came from
    std::vector<Param> params;
    Adam adam;
    double t_opt = 0, t_emb = 0, t_step = 0, t_fwd = 0, t_bwd = 0, t_aux = 0;

    // hidden/seq: the sweep's H and T; seq: W7's sequence length
    explicit Model(const std::string &w_, int hidden = 128, int seq = 0) : w(w_) {
        if (w == "w1") { B = 64; T = 200; I = 64; H = 128; O = 2; V = 20000; lstm = false; all_steps = false; adam_opt = true; }
        else if (w == "w2") { B = 100; T = 28; I = 28; H = 128; O = 10; lstm = true; all_steps = false; adam_opt = true; }
        else if (w == "w3") { B = 32; T = 35; I = 28; H = 256; O = 28; lstm = false; all_steps = true; adam_opt = false; }
        else if (w == "w6") { B = 32; T = 100; I = 128; H = 256; O = 2; V = 20000; lstm = true; all_steps = false; adam_opt = true; D = 2; L = 2; maxpool = true; }
        else if (w == "w7") { B = 16; T = 200; I = 64; H = 128; O = 2; V = 20000; lstm = false; all_steps = false; adam_opt = true; carry = true; Tfull = seq ? seq : 2000; }
        else if (w == "sweep") { B = 64; T = seq ? seq : 200; I = 64; H = hidden; O = 2; V = 20000; lstm = false; all_steps = false; adam_opt = true; }
        else throw std::runtime_error("unknown workload " + w);
        win = T;
        if (!Tfull) Tfull = T;
        if (Tfull % win) throw std::runtime_error("W7: the sequence length must be a multiple of 200");
        for (int l = 0; l < L; l++) layers.push_back(new Rnn(lstm, T, B, l ? D * H : I, H, D, carry));
        rnn = layers[0];
        for (int l = 1; l < L; l++) {   // layer l reads layer l-1's output; its dX is layer l-1's dY
            layers[l]->src.set_data_handle(fp(layers[l - 1]->dst));
            layers[l - 1]->ddst.set_data_handle(fp(layers[l]->dsrc));
        }
        Rnn *top = layers.back();
        const int DH = D * H;
        if (maxpool) {
            pooled = Buf((size_t)B * DH); dpooled = Buf((size_t)B * DH); argmax.resize((size_t)B * DH);
            fc = new Linear(B, DH, O, pooled.p, dpooled.p);
        } else {
            const size_t off = all_steps ? 0 : (size_t)(T - 1) * B * H;   // head sees h_T or every h_t
            fc = new Linear(all_steps ? T * B : B, H, O, fp(top->dst) + off, fp(top->ddst) + off);
        }

        // PyTorch default init: Embedding N(0,1); GRU/LSTM U(+-1/sqrt(H)); Linear U(+-1/sqrt(in))
        std::mt19937 rng(0);
        auto uni = [&](float *p, size_t n, float k) {
            std::uniform_real_distribution<float> d(-k, k);
            for (size_t i = 0; i < n; i++) p[i] = d(rng);
        };
        if (V) {
            E = Buf((size_t)V * I); gE = Buf((size_t)V * I);
            std::normal_distribution<float> nd(0.f, 1.f);
            for (size_t i = 0; i < E.n; i++) E[i] = nd(rng);
        }
        const float kr = 1.f / std::sqrt((float)H);
        if (D == 1 && L == 1) {   // as before (the step check loads PyTorch's weights over these)
            std::vector<float> w_ih((size_t)rnn->G * H * I), w_hh((size_t)rnn->G * H * H);
            uni(w_ih.data(), w_ih.size(), kr); uni(w_hh.data(), w_hh.size(), kr);
            rnn->set_weights_torch(w_ih.data(), w_hh.data());
            uni(rnn->b_ih.p, rnn->b_ih.n, kr); uni(rnn->b_hh.p, rnn->b_hh.n, kr);
        } else {
            for (auto *r : layers) r->init_uniform(rng, kr);
        }
        uni(fc->W.p, fc->W.n, 1.f / std::sqrt((float)DH)); uni(fc->b.p, fc->b.n, 1.f / std::sqrt((float)DH));

        // parameters in PyTorch's order (used by the optimizer and the step check)
        auto add = [&](const std::string &name, float *p, float *g, size_t n) {
            params.push_back(Param{name, p, g, n, Buf(n), Buf(n)});
        };
        if (V) add("emb.weight", E.p, gE.p, E.n);
        for (int l = 0; l < L; l++) {   // (with D = 2 each tensor holds both directions)
            Rnn *r = layers[l];
            const std::string s = "_l" + std::to_string(l);
            add("rnn.weight_ih" + s, fp(r->wl), fp(r->dwl), nfl(r->wl));
            add("rnn.weight_hh" + s, fp(r->wi), fp(r->dwi), nfl(r->wi));
            add("rnn.bias_ih" + s, r->b_ih.p, r->g_b_ih.p, r->b_ih.n);
            add("rnn.bias_hh" + s, r->b_hh.p, r->g_b_hh.p, r->b_hh.n);
        }
        add("fc.weight", fc->W.p, fc->gW.p, fc->W.n);
        add("fc.bias", fc->b.p, fc->gb.p, fc->b.n);
    }

    int n_per_step() const { return all_steps ? B * T : (w == "w7" || w == "sweep") ? B * Tfull : B; }
    const char *metric() const {
        return w == "w1" || w == "w6" ? "train_seq_per_s" : w == "w2" ? "train_samples_per_s" : "train_tokens_per_s";
    }
    std::string name() const {
        if (w == "w7" && Tfull != 2000) return "w7-t" + std::to_string(Tfull);
        if (w == "sweep") return "sweep-h" + std::to_string(H) + "-t" + std::to_string(T);
        return w;
    }

    // puts window `wi`'s input into the first layer's src_layer (token ids: embedding gather)
    void load_input(const Batch &bt, int wi = 0) {
        if (V) {
            float *s = fp(rnn->src);
            const int *ids = bt.ids.data() + (size_t)wi * T * B;
#pragma omp parallel for schedule(static)
            for (int r = 0; r < T * B; r++) memcpy(s + (size_t)r * I, E.p + (size_t)ids[r] * I, I * sizeof(float));
        } else {
            rnn->src.set_data_handle(const_cast<float *>(bt.x.data()));   // tnc already, no copy
        }
    }

    void rnn_forward() { for (auto *r : layers) { r->forward(); t_fwd += r->t_fwd; t_aux += r->t_aux; } }
    void rnn_backward() {
        for (int l = L - 1; l >= 0; l--) { layers[l]->backward(); t_bwd += layers[l]->t_bwd; t_aux += layers[l]->t_aux; }
    }

    // forward + backward of window `wi`; returns the loss; gradients are left in the Params' g
    double fwd_bwd(const Batch &bt, int wi = 0) {
        double t0 = now_ms();
        load_input(bt, wi);
        t_emb += now_ms() - t0;
        rnn_forward();
        const int DH = D * H;
        Rnn *top = layers.back();
        if (maxpool) {   // max over the T steps of each (row, feature); argmax keeps the step for backward
            const float *y = fp(top->dst);
#pragma omp parallel for schedule(static)
            for (int n = 0; n < B; n++)
                for (int c = 0; c < DH; c++) {
                    float m = y[(size_t)n * DH + c];
                    int at = 0;
                    for (int t = 1; t < T; t++) {
                        const float v = y[((size_t)t * B + n) * DH + c];
                        if (v > m) { m = v; at = t; }
                    }
                    pooled[(size_t)n * DH + c] = m;
                    argmax[(size_t)n * DH + c] = at;
                }
        }
        fc->forward();
        const double loss = softmax_ce(fc->y.p, bt.y.data(), fc->dy.p, fc->M, O);
        fc->backward();    // writes d h_T (or every d h_t) into the top layer's diff_dst_layer, or d pooled
        if (maxpool) {
            zero(top->ddst);
            float *dy = fp(top->ddst);
            for (int n = 0; n < B; n++)
                for (int c = 0; c < DH; c++)
                    dy[((size_t)argmax[(size_t)n * DH + c] * B + n) * DH + c] = dpooled[(size_t)n * DH + c];
        }
        rnn_backward();
        if (V) {           // dense embedding gradient: zero the table, scatter-add d(src_layer) rows
            t0 = now_ms();
            const float *d = fp(rnn->dsrc);
            const int *ids = bt.ids.data() + (size_t)wi * T * B;
#pragma omp parallel
            {
#pragma omp for schedule(static)
                for (int v = 0; v < V; v++) memset(gE.p + (size_t)v * I, 0, I * sizeof(float));
                // each thread owns a slice of the columns, so rows may repeat without races
                const int nt = omp_get_num_threads(), it = omp_get_thread_num();
                const int c0 = I * it / nt, c1 = I * (it + 1) / nt;
                for (int r = 0; r < T * B; r++) {
                    float *gr = gE.p + (size_t)ids[r] * I;
                    const float *dr = d + (size_t)r * I;
#pragma omp simd
                    for (int c = c0; c < c1; c++) gr[c] += dr[c];
                }
            }
            t_emb += now_ms() - t0;
        }
        return loss;
    }
    void opt_step() {
        const double t0 = now_ms();
        if (adam_opt) adam.step(params);
        else sgd_clip_step(params, 1.0f, 1.0f);
        t_opt += now_ms() - t0;
    }
    void reset_timers() { t_opt = t_emb = t_fwd = t_bwd = t_aux = 0; }
    // one timed step: one batch, or (W7) one whole sequence, window by window with the state carried
    double step(const Batch &bt) {
        reset_timers();
        const double t0 = now_ms();
        double loss = 0;
        if (carry) zero(rnn->h0);
        for (int wi = 0; wi < Tfull / win; wi++) {
            loss = fwd_bwd(bt, wi);
            opt_step();
            if (carry)   // the next window starts from this one's last state (no gradient flows back into it)
                memcpy(fp(rnn->h0), fp(rnn->dst) + (size_t)(T - 1) * B * H, sizeof(float) * B * H);
        }
        t_step = now_ms() - t0;
        return loss;
    }

    std::vector<Batch> make_batches(int nb, unsigned seed) const {
        std::mt19937 rng(seed);
        std::vector<Batch> bs(nb);
        for (auto &b : bs) {
            if (V) {
                std::uniform_int_distribution<int> d(0, V - 1);
                b.ids.resize((size_t)Tfull * B);
                for (auto &v : b.ids) v = d(rng);
            } else if (w == "w2") {
                std::uniform_real_distribution<float> d(0.f, 1.f);
                b.x.resize((size_t)T * B * I);
                for (auto &v : b.x) v = d(rng);
            } else {   // w3: one-hot characters
                std::uniform_int_distribution<int> d(0, I - 1);
                b.x.assign((size_t)T * B * I, 0.f);
                for (int r = 0; r < T * B; r++) b.x[(size_t)r * I + d(rng)] = 1.f;
            }
            std::uniform_int_distribution<int> dl(0, O - 1);
            b.y.resize(all_steps ? (size_t)T * B : (size_t)B);
            for (auto &v : b.y) v = dl(rng);
        }
        return bs;
    }

    // all parameters (grad=false) or gradients (grad=true) in PyTorch layout, keyed by PyTorch name (W1-W3 only)
    std::map<std::string, std::vector<float>> torch_view(bool grad) const {
        if (L != 1 || D != 1 || carry) throw std::runtime_error("torch_view: W1-W3 only");
        std::map<std::string, std::vector<float>> m;
        if (V) m["emb.weight"].assign(grad ? gE.p : E.p, (grad ? gE.p : E.p) + E.n);
        auto &wih = m["rnn.weight_ih_l0"], &whh = m["rnn.weight_hh_l0"];
        wih.resize((size_t)rnn->G * H * I); whh.resize((size_t)rnn->G * H * H);
        rnn->get_torch(grad, wih.data(), whh.data());
        const Buf &bi = grad ? rnn->g_b_ih : rnn->b_ih, &bh = grad ? rnn->g_b_hh : rnn->b_hh;
        m["rnn.bias_ih_l0"].assign(bi.p, bi.p + bi.n);
        m["rnn.bias_hh_l0"].assign(bh.p, bh.p + bh.n);
        auto &fw = m["fc.weight"];   // PyTorch [O][H]; ours [H][O]
        fw.resize((size_t)O * H);
        const Buf &W = grad ? fc->gW : fc->W;
        for (int o = 0; o < O; o++)
            for (int k = 0; k < H; k++) fw[(size_t)o * H + k] = W[(size_t)k * O + o];
        const Buf &b = grad ? fc->gb : fc->b;
        m["fc.bias"].assign(b.p, b.p + b.n);
        return m;
    }
    void load_torch(std::map<std::string, std::vector<float>> &m) {
        if (V) memcpy(E.p, m.at("emb.weight").data(), E.n * sizeof(float));
        rnn->set_weights_torch(m.at("rnn.weight_ih_l0").data(), m.at("rnn.weight_hh_l0").data());
        memcpy(rnn->b_ih.p, m.at("rnn.bias_ih_l0").data(), rnn->b_ih.n * sizeof(float));
        memcpy(rnn->b_hh.p, m.at("rnn.bias_hh_l0").data(), rnn->b_hh.n * sizeof(float));
        const auto &fw = m.at("fc.weight");
        for (int o = 0; o < O; o++)
            for (int k = 0; k < H; k++) fc->W[(size_t)k * O + o] = fw[(size_t)o * H + k];
        memcpy(fc->b.p, m.at("fc.bias").data(), fc->b.n * sizeof(float));
    }
};

// ------------------------------------------------------------------------------------------------
// helpers for the checks: raw little-endian .f32 / .i32 files written by make_ref.py
template <typename X>
static std::vector<X> read_raw(const std::string &path, size_t n) {
    FILE *f = fopen(path.c_str(), "rb");
    if (!f) throw std::runtime_error("cannot open " + path);
    std::vector<X> v(n);
    const size_t got = fread(v.data(), sizeof(X), n, f);
    const bool extra = fgetc(f) != EOF;
    fclose(f);
    if (got != n || extra) throw std::runtime_error("size mismatch in " + path);
    return v;
}
struct Diff { double max_abs = 0, ref_max = 0; };
static Diff diff(const float *a, const float *ref, size_t n) {
    Diff d;
    for (size_t i = 0; i < n; i++) {
        d.max_abs = std::max(d.max_abs, (double)std::fabs(a[i] - ref[i]));
        d.ref_max = std::max(d.ref_max, (double)std::fabs(ref[i]));
    }
    return d;
}
static void print_diff(const char *what, const std::string &name, Diff d) {
    printf("  %-6s %-18s max_abs_diff=%.3e  (max|ref|=%.3e, rel=%.2e)\n", what, name.c_str(), d.max_abs,
            d.ref_max, d.ref_max > 0 ? d.max_abs / d.ref_max : 0.0);
}

// RNN layer check: cases.txt lines "name gru|lstm T N I H"; loss = sum(y * dy)
static int layer_check(const std::string &dir) {
    FILE *f = fopen((dir + "/cases.txt").c_str(), "r");
    if (!f) throw std::runtime_error("no " + dir + "/cases.txt (run make_ref.py first)");
    char name[64], cell[16];
    int T, N, I, H;
    double worst = 0;
    while (fscanf(f, "%63s %15s %d %d %d %d", name, cell, &T, &N, &I, &H) == 6) {
        const bool lstm = std::string(cell) == "lstm";
        const int G = lstm ? 4 : 3;
        Rnn r(lstm, T, N, I, H);
        auto rd = [&](const char *t, size_t n) { return read_raw<float>(dir + "/" + name + "." + t + ".f32", n); };
        auto x = rd("x", (size_t)T * N * I), dy = rd("dy", (size_t)T * N * H);
        auto w_ih = rd("w_ih", (size_t)G * H * I), w_hh = rd("w_hh", (size_t)G * H * H);
        auto b_ih = rd("b_ih", (size_t)G * H), b_hh = rd("b_hh", (size_t)G * H);
        r.set_weights_torch(w_ih.data(), w_hh.data());
        memcpy(r.b_ih.p, b_ih.data(), b_ih.size() * 4);
        memcpy(r.b_hh.p, b_hh.data(), b_hh.size() * 4);
        memcpy(fp(r.src), x.data(), x.size() * 4);
        memcpy(fp(r.ddst), dy.data(), dy.size() * 4);
        r.forward();
        r.backward();
        printf("case %s: %s T=%d N=%d I=%d H=%d (reference: PyTorch float64)\n%s", name, cell, T, N, I, H,
                r.describe().c_str());
        std::vector<float> gih(w_ih.size()), ghh(w_hh.size());
        r.get_torch(true, gih.data(), ghh.data());
        std::vector<std::pair<std::string, Diff>> ds = {
                {"y", diff(fp(r.dst), rd("y", dy.size()).data(), dy.size())},
                {"dx", diff(fp(r.dsrc), rd("dx", x.size()).data(), x.size())},
                {"dw_ih", diff(gih.data(), rd("dw_ih", gih.size()).data(), gih.size())},
                {"dw_hh", diff(ghh.data(), rd("dw_hh", ghh.size()).data(), ghh.size())},
                {"db_ih", diff(r.g_b_ih.p, rd("db_ih", b_ih.size()).data(), b_ih.size())},
                {"db_hh", diff(r.g_b_hh.p, rd("db_hh", b_hh.size()).data(), b_hh.size())}};
        for (auto &d : ds) {
            print_diff("", d.first, d.second);
            worst = std::max(worst, d.second.ref_max > 0 ? d.second.max_abs / d.second.ref_max : 0.0);
        }
        // does a second backward without zeroing accumulate into the diff weights?
        std::vector<float> once(fp(r.dwl), fp(r.dwl) + nfl(r.dwl));
        r.exec_bwd();
        double acc = 0, ov = 0;
        for (size_t i = 0; i < once.size(); i++) {
            acc = std::max(acc, (double)std::fabs(fp(r.dwl)[i] - 2 * once[i]));
            ov = std::max(ov, (double)std::fabs(fp(r.dwl)[i] - once[i]));
        }
        printf("  second backward without zeroing: %s (|d-2*d1|=%.1e, |d-d1|=%.1e)\n",
                acc < ov ? "diff weights ACCUMULATE" : "diff weights are overwritten", acc, ov);
    }
    fclose(f);
    printf("worst relative max-abs diff over all layer checks: %.2e %s\n", worst, worst < 1e-4 ? "PASS" : "FAIL");
    return worst < 1e-4 ? 0 : 1;
}

// whole-step check against PyTorch float32 (make_ref.py): loss per step, all grads after step 1,
// all params after K steps. Adam makes tiny-gradient elements sign-sensitive, see README.
static int step_check(Model &m, const std::string &dir) {
    FILE *f = fopen((dir + "/" + m.w + ".steps.txt").c_str(), "r");
    if (!f) throw std::runtime_error("no " + dir + "/" + m.w + ".steps.txt (run make_ref.py first)");
    int K = 0;
    if (fscanf(f, "%d", &K) != 1) K = 0;
    fclose(f);
    auto P = m.torch_view(false);
    for (auto &kv : P) kv.second = read_raw<float>(dir + "/" + m.w + ".param." + kv.first + ".f32", kv.second.size());
    m.load_torch(P);
    const std::string b = dir + "/" + m.w + ".batch";
    auto loss_ref = read_raw<float>(dir + "/" + m.w + ".loss.f32", K);
    printf("step check %s: %d steps vs PyTorch float32 (same init and batches)\n", m.w.c_str(), K);
    double worst_loss = 0;
    for (int k = 0; k < K; k++) {
        Batch bt;
        const std::string s = std::to_string(k);
        if (m.V) bt.ids = read_raw<int>(b + s + ".x.i32", (size_t)m.T * m.B);
        else bt.x = read_raw<float>(b + s + ".x.f32", (size_t)m.T * m.B * m.I);
        bt.y = read_raw<int>(b + s + ".y.i32", m.all_steps ? (size_t)m.T * m.B : (size_t)m.B);
        const double loss = m.fwd_bwd(bt);
        if (k == 0) {
            auto g = m.torch_view(true);
            for (auto &kv : g) {
                auto ref = read_raw<float>(dir + "/" + m.w + ".grad." + kv.first + ".f32", kv.second.size());
                print_diff("grad1", kv.first, diff(kv.second.data(), ref.data(), ref.size()));
            }
        }
        m.opt_step();
        printf("  step %d loss %.7f  pytorch %.7f  diff %.2e\n", k + 1, loss, loss_ref[k], loss - loss_ref[k]);
        worst_loss = std::max(worst_loss, std::fabs(loss - loss_ref[k]));
    }
    auto Pk = m.torch_view(false);
    for (auto &kv : Pk) {
        auto ref = read_raw<float>(dir + "/" + m.w + ".final." + kv.first + ".f32", kv.second.size());
        Diff d = diff(kv.second.data(), ref.data(), ref.size());
        size_t big = 0;
        for (size_t i = 0; i < ref.size(); i++) big += std::fabs(kv.second[i] - ref[i]) > 1e-5;
        print_diff("final", kv.first, d);
        if (big) printf("         (%zu of %zu elements differ by >1e-5)\n", big, ref.size());
    }
    printf("max |loss diff| %.2e %s\n", worst_loss, worst_loss < 1e-4 ? "PASS" : "FAIL");
    return worst_loss < 1e-4 ? 0 : 1;
}

// SGEMM ceiling with oneDNN's own f32 matmul (square N), median GFLOP/s over REPS calls
static int sgemm_bench(int threads, int n, int reps) {
    memory::desc md({n, n}, dt::f32, tag::ab);
    matmul mm(matmul::primitive_desc(matmul::desc(md, md, md), eng));
    memory A(md, eng), B(md, eng), C(md, eng);
    std::mt19937 rng(1234);
    std::uniform_real_distribution<float> d(-0.5f, 0.5f);
    for (size_t i = 0; i < (size_t)n * n; i++) { fp(A)[i] = d(rng); fp(B)[i] = d(rng); fp(C)[i] = 0; }
    auto run = [&] { mm.execute(strm, {{DNNL_ARG_SRC, A}, {DNNL_ARG_WEIGHTS, B}, {DNNL_ARG_DST, C}}); strm.wait(); };
    run();   // warm-up
    std::vector<double> g;
    for (int r = 0; r < reps; r++) {
        const double t0 = now_ms();
        run();
        g.push_back(2.0 * n * n * n / ((now_ms() - t0) * 1e6));
    }
    std::sort(g.begin(), g.end());
    printf("sgemm-%d onednn-matmul %d GFLOP/s %.1f (median of %d; min %.1f max %.1f)\n", n, threads,
            g[g.size() / 2], reps, g.front(), g.back());
    return 0;
}

// ------------------------------------------------------------------------------------------------
static double quantile(std::vector<double> v, double q) {   // Python statistics.quantiles 'exclusive'
    std::sort(v.begin(), v.end());
    const double pos = q * (v.size() + 1) - 1;
    if (pos <= 0) return v.front();
    if (pos >= v.size() - 1) return v.back();
    const size_t i = (size_t)pos;
    return v[i] + (pos - i) * (v[i + 1] - v[i]);
}
static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s {w1|w2|w3} THREADS [--warmup 5] [--steps 30] [--rnn-only] "
                        "[--denormals] [--train-check] [--step-check DIR]\n       %s check THREADS DIR\n"
                        "       %s sgemm THREADS [N] [REPS]\n", argv[0], argv[0], argv[0]);
        return 2;
    }
    const std::string w = argv[1];
    const int threads = atoi(argv[2]);
    int warmup = 5, steps = 30, hidden = 128, seq = 0;
    double seconds = 0;
    bool rnn_only = false, train_check = false, ftz = true;
    std::string step_dir, check_dir;
    for (int i = 3; i < argc && w != "sgemm"; i++) {
        const std::string a = argv[i];
        if (a == "--warmup" && i + 1 < argc) warmup = atoi(argv[++i]);
        else if (a == "--steps" && i + 1 < argc) steps = atoi(argv[++i]);
        else if (a == "--seconds" && i + 1 < argc) seconds = atof(argv[++i]);
        else if (a == "--rnn-only") rnn_only = true;
        else if (a == "--hidden" && i + 1 < argc) hidden = atoi(argv[++i]);
        else if (a == "--seq-length" && i + 1 < argc) seq = atoi(argv[++i]);
        else if (a == "--train-check") train_check = true;
        else if (a == "--denormals") ftz = false;
        else if (a == "--step-check" && i + 1 < argc) step_dir = argv[++i];
        else if (w == "check") check_dir = a;
        else { fprintf(stderr, "unknown argument %s\n", a.c_str()); return 2; }
    }
    // Debian's libdnnl uses the OpenMP (libgomp) runtime: it takes omp_get_max_threads() threads
    const char *env = getenv("OMP_NUM_THREADS");
    if (env && atoi(env) != threads)
        fprintf(stderr, "# note: OMP_NUM_THREADS=%s, using %d via omp_set_num_threads\n", env, threads);
    omp_set_num_threads(threads);
    // W1's gradients through 200 steps decay into the denormal range, which is ~20x slower on Intel
    // cores; like ../torch_train.py (torch.set_flush_denormal) we set FTZ+DAZ unless --denormals.
    if (ftz) {
        _mm_setcsr(_mm_getcsr() | 0x8040);   // this thread (threads created later inherit it) ...
#pragma omp parallel
        _mm_setcsr(_mm_getcsr() | 0x8040);   // ... and the OpenMP pool oneDNN runs on
    }
    try {
        eng = engine(engine::kind::cpu, 0);
        strm = stream(eng);
        if (w == "check") return layer_check(check_dir.empty() ? "/tmp/onednn_ref" : check_dir);
        if (w == "sgemm") return sgemm_bench(threads, argc > 3 ? atoi(argv[3]) : 2048, argc > 4 ? atoi(argv[4]) : 7);

        Model m(w, hidden, seq);
        if (!step_dir.empty()) return step_check(m, step_dir);
        const auto batches = m.make_batches(4, 1);
        if (train_check) {
            printf("train check %s: 50 steps on one fixed batch\n%s", w.c_str(), m.rnn->describe().c_str());
            for (int s = 0; s < 50; s++) {
                const double loss = m.step(batches[0]);
                if (s < 3 || s % 10 == 9) printf("  step %2d loss %.6f\n", s + 1, loss);
            }
            return 0;
        }
        std::vector<double> st, fw, bw, aux, opt, emb;
        double timed_ms = 0;
        for (int i = 0; i < warmup + steps; i++) {
            if (seconds > 0 && st.size() >= 5 && timed_ms >= seconds * 1e3) break;
            const Batch &bt = batches[i % 4];
            double t;
            if (rnn_only) {   // just the RNN primitives' forward_training + backward (every layer and window)
                m.reset_timers();
                for (int wi = 0; wi < m.Tfull / m.win; wi++) {
                    m.load_input(bt, wi);
                    m.rnn_forward();
                    m.rnn_backward();
                }
                t = m.t_fwd + m.t_bwd;
            } else {
                m.step(bt);
                t = m.t_step;
            }
            if (i < warmup) continue;
            timed_ms += t;
            st.push_back(t); fw.push_back(m.t_fwd); bw.push_back(m.t_bwd);
            aux.push_back(m.t_aux); opt.push_back(m.t_opt); emb.push_back(m.t_emb);
        }
        const dnnl_version_t *v = dnnl_version();
        const double med = median(st), mf = median(fw), mb = median(bw);
        printf("%s onednn-%d.%d.%d%s %d %s %.1f  # step_ms med=%.2f q1=%.2f q3=%.2f min=%.2f max=%.2f n=%d "
               "rnn_fwd_ms=%.2f rnn_bwd_ms=%.2f rnn_share=%.0f%%",
                m.name().c_str(), v->major, v->minor, v->patch, rnn_only ? "-rnnonly" : "", threads, m.metric(),
                m.n_per_step() / (med / 1e3), med, quantile(st, 0.25), quantile(st, 0.75),
                *std::min_element(st.begin(), st.end()), *std::max_element(st.begin(), st.end()), (int)st.size(),
                mf, mb, 100.0 * (mf + mb) / med);
        if (!rnn_only) {
            printf(" rnn_aux_ms=%.2f opt_ms=%.2f", median(aux), median(opt));
            if (m.V) printf(" emb_ms=%.2f", median(emb));
        }
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf(" peak_rss_mb=%.0f omp_threads=%d ftz=%d\n", ru.ru_maxrss / 1024.0, omp_get_max_threads(), (int)ftz);
        for (auto *r : m.layers) fprintf(stderr, "# %s\n%s", m.name().c_str(), r->describe().c_str());
    } catch (dnnl::error &e) {
        fprintf(stderr, "oneDNN error: %s (status %d)\n", e.what(), (int)e.status);
        return 1;
    } catch (std::exception &e) {
        fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
