// The kernel never computes with denormals: on x86 a denormal operand or result can take a microcode assist of about
// a hundred cycles (on some CPUs per element), and training gradients do reach that range (W1's do). So kernel code
// runs with FTZ (results below 2^-126 become zero) and DAZ (such operands read as zero) set in MXCSR: the workers
// from their start (they run nothing else), the calling thread for the duration of each ABI call (FlushDenormals in
// api.cpp), which then restores the caller's MXCSR as it was, so the caller's own floating point is untouched.
// What that changes: a value that would be a denormal, |x| < 2^-126 = 1.2e-38, is zero instead, which moves any
// result by less than that per flushed term (docs/kernel.md).
#pragma once

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

namespace mlnr {

#if defined(__x86_64__)
constexpr unsigned kFlushToZero = 0x8000;     // MXCSR.FTZ
constexpr unsigned kDenormalsAreZero = 0x40;  // MXCSR.DAZ

// Sets FTZ and DAZ on this thread until the end of the scope, then restores MXCSR (flags and modes) as it was.
class FlushDenormals {
public:
    FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero); }
    ~FlushDenormals() { _mm_setcsr(saved_); }
    FlushDenormals(const FlushDenormals&) = delete;
    FlushDenormals& operator=(const FlushDenormals&) = delete;

private:
    const unsigned saved_;
};

// For the workers, whose threads run kernel code only.
inline void flush_denormals_on_this_thread() { _mm_setcsr(_mm_getcsr() | kFlushToZero | kDenormalsAreZero); }
#else
class FlushDenormals {};
inline void flush_denormals_on_this_thread() {}
#endif

}  // namespace mlnr
