#!/bin/bash
# Runs the TorchSharp peer where its native library can load.
# TorchSharp 0.107's libLibTorchSharp.so needs GLIBCXX_3.4.32 (GCC 13); Debian 12's libstdc++ stops at 3.4.30, so the
# peer fails there with "doesn't contain a reference to libtorch-cpu-linux-x64". Where the host's libstdc++ has
# GLIBCXX_3.4.32, the peer runs on the host. Otherwise this script makes a minimal Debian 13 root once (debootstrap,
# about a minute; needs root), bind-mounts this machine's .NET into it and runs the peer there: same CPU, same .NET,
# newer libc/libstdc++ only. It says so, and exits 3, when it can do neither.
#   usage: run-debian13.sh w1 1 [--steps N]      (arguments as for the peer)
#          run-debian13.sh --build               build (or rebuild after an edit) and prepare, run nothing
# (From shared/bench/peers/torchsharp/run-debian13.sh; here the peer is built straight into the root, not copied
# into it on every run, rebuilt when Program.cs is newer than the build, and run on the host where it can load.)
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
root=${TRIXIE_ROOT:-/var/tmp/trixie-root}
dotnet_dir=$(dirname "$(readlink -f "$(command -v dotnet)")")
host_ok=0
for lib in /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /lib/x86_64-linux-gnu/libstdc++.so.6; do
  [ -f "$lib" ] && grep -aq 'GLIBCXX_3\.4\.32' "$lib" && host_ok=1 && break
done
if [ "$host_ok" -eq 1 ]; then
  out=${PEER_OUT:-$here/bin/peer}
else
  if [[ ! -x $root/bin/sh ]]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "run-debian13.sh: this host's libstdc++ lacks GLIBCXX_3.4.32 and making a Debian 13 root needs root: no TorchSharp peer" >&2
      exit 3
    fi
    command -v debootstrap >/dev/null || apt-get install -y -q debootstrap >&2 || true
    if ! command -v debootstrap >/dev/null || ! debootstrap --variant=minbase trixie "$root" >&2; then
      echo "run-debian13.sh: could not make the Debian 13 root at $root (debootstrap): no TorchSharp peer" >&2
      exit 3
    fi
  fi
  out=$root/peer
  mkdir -p "$root/opt/dotnet" "$out"
  mountpoint -q "$root/opt/dotnet" || mount --bind "$dotnet_dir" "$root/opt/dotnet"
  mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
fi
if [[ ! -f $out/TorchSharpPeer.dll || $here/Program.cs -nt $out/TorchSharpPeer.dll || $here/TorchSharpPeer.csproj -nt $out/TorchSharpPeer.dll ]]; then
  dotnet build -c Release "$here/TorchSharpPeer.csproj" -o "$out" --nologo --verbosity quiet >&2
  touch "$out/TorchSharpPeer.dll"
fi
[ "${1:-}" = "--build" ] && exit 0
if [ "$host_ok" -eq 1 ]; then
  exec dotnet "$out/TorchSharpPeer.dll" "$@"
fi
args=$(printf ' %q' "$@")
# The environment that matters to the peer (ONEDNN_VERBOSE, OMP_*, ...) crosses into the root.
envs=$(env | grep -E '^(ONEDNN|DNNL|OMP|MKL|KMP|PEERS)_' | sed 's/^/export /;s/=/="/;s/$/"/' | tr '\n' ';' || true)
exec chroot "$root" /bin/sh -c "$envs cd /peer && DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_ROOT=/opt/dotnet DOTNET_CLI_TELEMETRY_OPTOUT=1 /opt/dotnet/dotnet TorchSharpPeer.dll$args"
