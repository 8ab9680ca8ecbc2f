#!/usr/bin/env bash
# The consumer check (part of scripts/test.sh): MlNetRnn as a user meets it. Packs the NuGet packages into a local feed
# (a version unique to this run, so no earlier package in the NuGet cache can stand in), checks what they carry
# (metadata, the native kernel and what it links against), creates a new console application OUTSIDE the repository
# from Tests/Consumer that has only PackageReferences, restores it from the local feed and the configured NuGet source,
# runs it (it trains through the core API and ML.NET, exports ONNX, scores with ONNX Runtime's InferenceSession and
# ML.NET's ApplyOnnxModel, and checks every score against the library's within 1e-5), then publishes it and runs
# the published copy from another folder.
#   scripts/consumer-check.sh [--onnxruntime VERSION]   (default 1.32.0; the application's native ONNX Runtime)
set -euo pipefail
cd "$(dirname "$0")/.."
ort_version=1.32.0
while [ $# -gt 0 ]; do
  case "$1" in
    --onnxruntime) ort_version=$2; shift 2 ;;
    *) echo "consumer-check.sh: unknown option '$1' (expected --onnxruntime VERSION)" >&2; exit 2 ;;
  esac
done
repo=$PWD
work=$(mktemp -d /tmp/mlnetrnn-consumer-XXXXXX)
version="0.1.0-check.$(date +%Y%m%d%H%M%S).$$"
cleanup() {
  rm -rf "$work"
  # The run's packages in the global NuGet folder: unique to it, so nothing else uses them.
  for id in mlnetrnn mlnetrnn.mlnet mlnetrnn.plotting; do rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/$id/$version"; done
}
trap cleanup EXIT
fail() { echo "consumer check FAILED: $*" >&2; exit 1; }

echo "consumer check: dotnet pack (version $version) into $work/feed"
dotnet pack MlNetRnn.sln -c Release -o "$work/feed" -p:Version="$version" --nologo --verbosity quiet >"$work/pack.log" 2>&1 \
  || { cat "$work/pack.log" >&2; fail "dotnet pack"; }
for id in MlNetRnn MlNetRnn.MLNet MlNetRnn.Plotting; do
  [ -f "$work/feed/$id.$version.nupkg" ] || fail "no $id.$version.nupkg"
  [ -f "$work/feed/$id.$version.snupkg" ] || fail "no symbols package $id.$version.snupkg"
  nuspec=$(unzip -p "$work/feed/$id.$version.nupkg" "$id.nuspec")
  for field in '<license type="expression">MIT</license>' '<readme>README.md</readme>' '<repository type="git"' "<version>$version</version>" '<description>'; do
    grep -qF "$field" <<<"$nuspec" || fail "$id.nuspec lacks $field"
  done
done
unzip -p "$work/feed/MlNetRnn.MLNet.$version.nupkg" MlNetRnn.MLNet.nuspec | grep -q '<dependency id="Microsoft.ML" version="5.0.1"' \
  || fail "MlNetRnn.MLNet does not depend on Microsoft.ML >= 5.0.1"
mkdir -p "$work/unpacked"
(cd "$work/unpacked" && unzip -q "$work/feed/MlNetRnn.$version.nupkg")
kernel=$work/unpacked/runtimes/linux-x64/native/libmlnetrnn_native.so
[ -f "$kernel" ] || fail "MlNetRnn carries no runtimes/linux-x64/native/libmlnetrnn_native.so"
# The kernel needs only the C/C++ runtime: no BLAS, no compiler, nothing a user installs.
needed=$(readelf -d "$kernel" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
for lib in $needed; do
  case "$lib" in libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux-*|libstdc++.so.*|libgcc_s.so.*) ;;
    *) fail "the packaged kernel needs $lib (NEEDED: $needed); it may need only the C/C++ runtime" ;;
  esac
done
echo "consumer check: packages carry their metadata, symbols and the kernel (NEEDED: $needed)"

# The application: outside the repository, only PackageReferences, sources from the local feed and the configured ones.
app=$work/app
mkdir -p "$app"
cp "$repo/Tests/Consumer/Program.cs" "$app/"
sed -e "s/@VERSION@/$version/g" -e "s/@ORT_VERSION@/$ort_version/g" "$repo/Tests/Consumer/Consumer.csproj.template" >"$app/Consumer.csproj"
cat >"$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="mlnetrnn-local" value="$work/feed" />
  </packageSources>
</configuration>
XML
# No Directory.Build.props of the repository may reach the app (it is outside the tree, but make it explicit).
grep -q ProjectReference "$app/Consumer.csproj" && fail "the consumer project has a ProjectReference"
cd "$app"
env -u MLNETRNN_NATIVE_LIBRARY dotnet restore --nologo --verbosity quiet >"$work/restore.log" 2>&1 || { cat "$work/restore.log" >&2; fail "restore"; }
env -u MLNETRNN_NATIVE_LIBRARY dotnet run -c Release --no-restore --nologo 2>&1 | tee "$work/run.txt" | sed 's/^/  /'
grep -q "every score agrees" "$work/run.txt" || fail "the application's checks (above)"

env -u MLNETRNN_NATIVE_LIBRARY dotnet publish -c Release --no-restore -o "$work/published" --nologo --verbosity quiet >"$work/publish.log" 2>&1 \
  || { cat "$work/publish.log" >&2; fail "dotnet publish"; }
mkdir -p "$work/elsewhere"
cd "$work/elsewhere"
env -u MLNETRNN_NATIVE_LIBRARY "$work/published/Consumer" >"$work/published-run.txt" 2>&1 \
  || { cat "$work/published-run.txt" >&2; fail "the published application, run from another folder"; }
grep -q "every score agrees" "$work/published-run.txt" || fail "the published application's checks"
echo "consumer check: the published application runs from another folder and agrees too"

# The same application built with ONNX Runtime's CUDA package (Microsoft.ML.OnnxRuntime.Gpu.Linux) in place of the CPU
# one. Where there is no CUDA (CI), asking for it must name what is missing; where there is, the session starts.
gpu=$work/gpu-app
mkdir -p "$gpu"
cp "$app/Program.cs" "$app/nuget.config" "$gpu/"
sed -e "s/@VERSION@/$version/g" -e "s/@ORT_VERSION@/$ort_version/g" -e 's/"Microsoft.ML.OnnxRuntime"/"Microsoft.ML.OnnxRuntime.Gpu.Linux"/' \
  "$repo/Tests/Consumer/Consumer.csproj.template" >"$gpu/Consumer.csproj"
cd "$gpu"
env -u MLNETRNN_NATIVE_LIBRARY dotnet build -c Release --nologo --verbosity quiet -o "$work/gpu-bin" >"$work/gpu-build.log" 2>&1 \
  || { cat "$work/gpu-build.log" >&2; fail "building the application with Microsoft.ML.OnnxRuntime.Gpu.Linux"; }
env -u MLNETRNN_NATIVE_LIBRARY "$work/gpu-bin/Consumer" cuda "$work/published/core.onnx" 2>&1 | tee "$work/gpu-run.txt" | sed 's/^/  /'
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "the CUDA check of the application built with Microsoft.ML.OnnxRuntime.Gpu.Linux (above)"
echo "consumer check passed."
