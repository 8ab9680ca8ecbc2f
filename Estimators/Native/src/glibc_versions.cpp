// Which glibc the library needs. It links the C++ runtime in (libstdc++, libgcc), compiled against the build machine's
// glibc, and a reference takes the newest version of a symbol there: built on glibc 2.36, the C++ runtime's threads,
// thread-local keys and std::random_device, and the unwinder's object lookup, ask for GLIBC_2.32 to 2.36, so the
// library would refuse to load on Ubuntu 22.04 (glibc 2.35) or RHEL 9 (2.34). The linker sends every reference to
// those symbols here instead (-Wl,--wrap=symbol, CMakeLists.txt), where each binds to a version every x86-64 glibc has
// (2.2.5), or is implemented here on older interfaces. What is left is at most GLIBC_2.18 (__cxa_thread_atexit_impl,
// for the thread-local error message); Tests/Kernels/NativeLibraryTests checks the highest version on every build.
// The library also names libpthread.so.0, where glibc before 2.34 keeps the pthread functions.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

// __wrap_NAME calls NAME@GLIBC_2.2.5 (reached through the alias mlnr_glibc_NAME, which .symver binds to that version).
#define MLNR_OLD_VERSION(result, name, parameters, arguments)                     \
    extern "C" result mlnr_glibc_##name parameters;                               \
    __asm__(".symver mlnr_glibc_" #name ", " #name "@GLIBC_2.2.5");               \
    extern "C" __attribute__((visibility("hidden"))) result __wrap_##name parameters { \
        return mlnr_glibc_##name arguments;                                       \
    }

// glibc 2.34 moved these from libpthread into libc under a new default version.
MLNR_OLD_VERSION(int, pthread_create, (pthread_t * thread, const pthread_attr_t* attributes, void* (*start)(void*),
                                       void* argument), (thread, attributes, start, argument))
MLNR_OLD_VERSION(int, pthread_join, (pthread_t thread, void** result), (thread, result))
MLNR_OLD_VERSION(int, pthread_detach, (pthread_t thread), (thread))
MLNR_OLD_VERSION(int, pthread_once, (pthread_once_t * once, void (*routine)(void)), (once, routine))
MLNR_OLD_VERSION(int, pthread_key_create, (pthread_key_t * key, void (*destructor)(void*)), (key, destructor))
MLNR_OLD_VERSION(int, __pthread_key_create, (pthread_key_t * key, void (*destructor)(void*)), (key, destructor))
MLNR_OLD_VERSION(int, pthread_key_delete, (pthread_key_t key), (key))
MLNR_OLD_VERSION(void*, pthread_getspecific, (pthread_key_t key), (key))
MLNR_OLD_VERSION(int, pthread_setspecific, (pthread_key_t key, const void* value), (key, value))
// glibc 2.27 gave expf a new version (the same function without the SVID error handling, which -fno-math-errno does
// not want either).
MLNR_OLD_VERSION(float, expf, (float x), (x))

// libstdc++ reads __libc_single_threaded (glibc 2.32) to skip atomic reference counts in a process with one thread;
// here it always counts atomically, which is right in any process.
extern "C" __attribute__((visibility("hidden"))) char __wrap___libc_single_threaded = 0;

// std::random_device's sources (getentropy 2.25, arc4random 2.36), linked in with the C++ runtime's exceptions though
// the kernel draws no random numbers: the getrandom system call (Linux 3.17) behind both.
extern "C" __attribute__((visibility("hidden"))) int __wrap_getentropy(void* buffer, size_t length) {
    if (length > 256) {
        errno = EIO;
        return -1;
    }
    for (size_t done = 0; done < length;) {
        const long got = syscall(SYS_getrandom, static_cast<char*>(buffer) + done, length - done, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return -1;
        done += static_cast<size_t>(got);
    }
    return 0;
}

extern "C" __attribute__((visibility("hidden"))) uint32_t __wrap_arc4random(void) {
    uint32_t value;
    if (__wrap_getentropy(&value, sizeof(value)) != 0) abort();  // arc4random cannot fail: glibc's aborts too
    return value;
}

// The unwinder (libgcc_eh, built for glibc 2.35) finds the object that holds a code address with _dl_find_object
// and, where that fails, gives up (the exception then ends the process). The same answer from dl_iterate_phdr (glibc
// 2.2.5), which the unwinder itself used before: the loaded object whose segments hold the address, and its
// PT_GNU_EH_FRAME (.eh_frame_hdr).
namespace {
struct ObjectSearch {
    uintptr_t address;
    struct dl_find_object* result;
    bool found;
};

int find_object(struct dl_phdr_info* info, size_t, void* data) {
    auto* search = static_cast<ObjectSearch*>(data);
    uintptr_t low = UINTPTR_MAX, high = 0;
    void* eh_frame = nullptr;
    bool holds = false;
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& segment = info->dlpi_phdr[i];
        const uintptr_t start = info->dlpi_addr + segment.p_vaddr;
        if (segment.p_type == PT_LOAD) {
            const uintptr_t end = start + segment.p_memsz;
            low = start < low ? start : low;
            high = end > high ? end : high;
            holds = holds || (search->address >= start && search->address < end);
        } else if (segment.p_type == PT_GNU_EH_FRAME) {
            eh_frame = reinterpret_cast<void*>(start);
        }
    }
    if (!holds) return 0;
    *search->result = {};
    search->result->dlfo_map_start = reinterpret_cast<void*>(low);
    search->result->dlfo_map_end = reinterpret_cast<void*>(high);
    search->result->dlfo_eh_frame = eh_frame;
    search->found = true;
    return 1;
}
}  // namespace

extern "C" __attribute__((visibility("hidden"))) int __wrap__dl_find_object(void* address,
                                                                            struct dl_find_object* result) {
    ObjectSearch search{reinterpret_cast<uintptr_t>(address), result, false};
    dl_iterate_phdr(find_object, &search);
    return search.found ? 0 : -1;
}
