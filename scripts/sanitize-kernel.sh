#!/usr/bin/env bash
# The native kernel under AddressSanitizer and UndefinedBehaviorSanitizer (not part of scripts/test.sh: about ten times
# slower). Builds the kernel with -DMLNR_SANITIZE=address,undefined,float-cast-overflow in its own folder
# (Estimators/obj/native-sanitize, with g++: GCC's libasan is what gets preloaded; clang's runtime,
# libclang_rt.asan, is another package and needs -shared-libsan), then runs the kernel tests against it: the
# managed side loads the library MLNETRNN_NATIVE_LIBRARY names, and the ASan runtime is preloaded into the dotnet host
# (a sanitized library cannot be the first to load it), with the C++ runtime (the tests' Python children do not link it,
# and ASan must find its __cxa_throw when it starts). The first error ends the run (halt_on_error, and
# -fno-sanitize-recover for UBSan) with a non-zero exit. Settings the .NET host needs: detect_leaks=0 (the runtime's
# own allocations are never freed), handle_segv=0 and allow_user_segv_handler=1 (the runtime turns SIGSEGV into
# NullReferenceException itself). NativeLibraryTests are left out: they describe the shipped library (static C++
# runtime, old glibc versions), which the sanitized build is not.
#   scripts/sanitize-kernel.sh                 build, then the kernel tests
#   scripts/sanitize-kernel.sh FILTER          build, then the tests that FILTER (dotnet test --filter) selects
set -euo pipefail
cd "$(dirname "$0")/.."
build=$PWD/Estimators/obj/native-sanitize
library=$build/libmlnetrnn_native.so
filter=${1:-"FullyQualifiedName~MlNetRnn.Tests.Kernels&FullyQualifiedName!~NativeLibraryTests"}

export CXX=g++
cmake -S Estimators/Native -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMLNR_SANITIZE=address,undefined,float-cast-overflow >/dev/null
cmake --build "$build" --parallel 2 >/dev/null
# The test assemblies (the managed side is the same as in any build).
dotnet build Tests/MlNetRnn.Tests.csproj -c Release --nologo --verbosity quiet

compiler=$CXX
asan_runtime=$("$compiler" -print-file-name=libasan.so)
if [ ! -f "$asan_runtime" ]; then
  echo "sanitize-kernel: the ASan runtime of $compiler was not found ($asan_runtime)" >&2
  exit 1
fi
cxx_runtime=$("$compiler" -print-file-name=libstdc++.so)
echo "sanitize-kernel: $library (preloading $asan_runtime $cxx_runtime)"
export MLNETRNN_NATIVE_LIBRARY=$library
export LD_PRELOAD="$asan_runtime $cxx_runtime"
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=1:handle_segv=0:allow_user_segv_handler=1:detect_stack_use_after_return=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
dotnet test Tests/MlNetRnn.Tests.csproj -c Release --no-build --nologo --filter "$filter"
