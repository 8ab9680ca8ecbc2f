// The compute code is compiled once per instruction set (CMakeLists.txt: one object library each, with MLNR_ISA set to
// avx512, avx2 or scalar) into its own namespace, mlnr::avx512, mlnr::avx2 or mlnr::scalar; dispatch.cpp picks one
// at run time. Every file is compiled for the x86-64 baseline; only code between MLNR_ISA_BEGIN and MLNR_ISA_END gets
// the path's instructions:
//   avx512: x86-64-v3 (AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE), as the whole library was compiled before; the GEMM
//           micro-kernel and the vector exp add AVX-512F through their own target attributes.
//   avx2:   x86-64-v3.
//   scalar: the baseline (SSE2).
// Why a region and not -march on the whole file: functions defined in headers (the standard library's templates, our
// shared types' inline members) are emitted in every object that uses them and the linker keeps one copy; compiled
// with -mavx2 in one object, that copy could be the one the scalar path calls, and die with SIGILL on an old CPU. So
// every header with shared code is included before MLNR_ISA_BEGIN (keeping it baseline), and everything inside the
// region is in the path's own namespace. Tests/Kernels/InstructionSetTests checks the linked library for it: no
// instruction beyond the baseline outside the avx512 and avx2 namespaces.
#pragma once

#if defined(MLNR_ISA)

#if defined(__x86_64__) && (defined(MLNR_ISA_AVX512) || defined(MLNR_ISA_AVX2))
#if defined(__clang__)
#define MLNR_ISA_TARGET_PUSH \
    _Pragma("clang attribute push(__attribute__((target(\"avx2,fma,bmi,bmi2,f16c,lzcnt,movbe,popcnt\"))), apply_to = function)")
#define MLNR_ISA_TARGET_POP _Pragma("clang attribute pop")
#else
#define MLNR_ISA_TARGET_PUSH \
    _Pragma("GCC push_options") _Pragma("GCC target(\"avx2,fma,bmi,bmi2,f16c,lzcnt,movbe,popcnt\")")
#define MLNR_ISA_TARGET_POP _Pragma("GCC pop_options")
#endif
#else
#define MLNR_ISA_TARGET_PUSH
#define MLNR_ISA_TARGET_POP
#endif

// The path's name as a string: "avx512", "avx2" or "scalar".
#define MLNR_ISA_STRING(name) MLNR_ISA_STRING_OF(name)
#define MLNR_ISA_STRING_OF(name) #name
#define MLNR_ISA_NAME MLNR_ISA_STRING(MLNR_ISA)

#define MLNR_ISA_BEGIN MLNR_ISA_TARGET_PUSH namespace mlnr { namespace MLNR_ISA {
#define MLNR_ISA_END } } MLNR_ISA_TARGET_POP

#endif  // MLNR_ISA
