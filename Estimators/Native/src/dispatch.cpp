// How a code path is chosen. The compute code is compiled three times (isa.hpp, CMakeLists.txt), each copy in its own
// namespace with one table of entry points (Kernels): avx512 (AVX-512F with the x86-64-v3 set: AVX2, FMA, BMI1/2,
// F16C, LZCNT, MOVBE), avx2 (the x86-64-v3 set) and scalar (the x86-64 baseline). When the library loads, CPUID says
// which of them this CPU runs: an instruction set counts only when the CPU has every feature the path was compiled
// for and the operating system saves its registers (XCR0). The process's path is the first of avx512, avx2, scalar
// that runs, unless MLNETRNN_KERNEL_ISA (read once, here, at load) names one: then that one, and where it cannot run
// (an unknown name, or instructions the CPU lacks) every call that would run kernel code fails with
// MLNR_ERROR_UNSUPPORTED and says why, rather than die on an illegal instruction. A context takes the process's path
// when created; mlnr_context_set_isa switches it to another the CPU runs (the tests run every path in one process).
#include "dispatch.hpp"

#include <cstdlib>
#include <cstring>
#include <vector>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace mlnr {

namespace {

struct Path {
    const Kernels* kernels;
    std::string missing;  // the CPU features this path needs that the CPU lacks ("" when it runs)
};

#if defined(__x86_64__)
// What the CPU offers, as the three paths need it.
struct Features {
    std::string missing_v3;      // x86-64-v3 features absent (or whose registers the OS does not save)
    std::string missing_avx512;  // the same for AVX-512F
};

void note(std::string& list, bool present, const char* name) {
    if (present) return;
    if (!list.empty()) list += ", ";
    list += name;
}

Features detect() {
    unsigned a = 0, b = 0, c = 0, d = 0;
    __get_cpuid(1, &a, &b, &c, &d);
    const unsigned leaf1_c = c;
    unsigned leaf7_b = 0;
    if (__get_cpuid_max(0, nullptr) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        leaf7_b = b;
    }
    unsigned extended_c = 0;
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) extended_c = c;
    // XCR0: which register states the OS saves on a context switch (bits 1-2: XMM and YMM; 5-7: the AVX-512 state).
    uint64_t xcr0 = 0;
    if (leaf1_c & (1u << 27)) {  // OSXSAVE: XGETBV is available
        unsigned low, high;
        __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
        xcr0 = (static_cast<uint64_t>(high) << 32) | low;
    }
    Features f;
    note(f.missing_v3, leaf1_c & (1u << 28), "avx");
    note(f.missing_v3, leaf7_b & (1u << 5), "avx2");
    note(f.missing_v3, leaf1_c & (1u << 12), "fma");
    note(f.missing_v3, leaf7_b & (1u << 3), "bmi1");
    note(f.missing_v3, leaf7_b & (1u << 8), "bmi2");
    note(f.missing_v3, leaf1_c & (1u << 29), "f16c");
    note(f.missing_v3, extended_c & (1u << 5), "lzcnt");
    note(f.missing_v3, leaf1_c & (1u << 22), "movbe");
    note(f.missing_v3, leaf1_c & (1u << 23), "popcnt");
    note(f.missing_v3, (xcr0 & 0x6) == 0x6, "ymm state saved by the OS");
    f.missing_avx512 = f.missing_v3;
    note(f.missing_avx512, leaf7_b & (1u << 16), "avx512f");
    note(f.missing_avx512, (xcr0 & 0xE6) == 0xE6, "zmm state saved by the OS");
    return f;
}

// Best first.
std::vector<Path> paths() {
    const Features f = detect();
    return {{&avx512::kernels, f.missing_avx512}, {&avx2::kernels, f.missing_v3}, {&scalar::kernels, ""}};
}
#else
std::vector<Path> paths() { return {{&scalar::kernels, ""}}; }
#endif

std::string names(const std::vector<Path>& all, bool runnable_only) {
    std::string list;
    for (const Path& p : all) {
        if (runnable_only && !p.missing.empty()) continue;
        if (!list.empty()) list += ", ";
        list += p.kernels->name;
    }
    return list;
}

const Kernels* find(const std::vector<Path>& all, const char* name, std::string* error) {
    for (const Path& p : all) {
        if (std::strcmp(p.kernels->name, name) != 0) continue;
        if (p.missing.empty()) return p.kernels;
        *error = std::string("the ") + name + " path needs instructions this CPU lacks (" + p.missing +
                 "); it runs: " + names(all, true);
        return nullptr;
    }
    *error = std::string("unknown instruction set '") + name + "'; expected one of " + names(all, false);
    return nullptr;
}

struct Selection {
    std::vector<Path> all;
    const Kernels* process = nullptr;
    std::string error;  // why `process` is NULL
};

Selection select() {
    Selection s;
    s.all = paths();
    const char* forced = std::getenv("MLNETRNN_KERNEL_ISA");
    if (forced && *forced) {
        s.process = find(s.all, forced, &s.error);
        if (!s.process) s.error = std::string("MLNETRNN_KERNEL_ISA=") + forced + ": " + s.error;
        return s;
    }
    for (const Path& p : s.all)
        if (p.missing.empty()) {
            s.process = p.kernels;
            break;
        }
    return s;
}

// At load: CPUID once, MLNETRNN_KERNEL_ISA once.
const Selection g_selection = select();

}  // namespace

const Kernels* process_kernels(std::string* error) {
    if (!g_selection.process) *error = g_selection.error;
    return g_selection.process;
}

const Kernels* kernels_named(const char* name, std::string* error) {
    if (!name || !*name) return process_kernels(error);
    return find(g_selection.all, name, error);
}

}  // namespace mlnr
