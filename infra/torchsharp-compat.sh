#!/usr/bin/env bash
# Makes a private .NET root whose processes use Debian 13's glibc and libstdc++, for TorchSharp on Debian 12.
#
# TorchSharp 0.107's native library needs GLIBCXX_3.4.32 (GCC 13); Debian 12 ships GCC 12's libstdc++. Nothing on the
# system is changed: the newer libraries are downloaded (not installed) from the trixie suite of the mirror apt already
# uses and unpacked under .tools/; the SDK folder is hard-linked (no copy) and only its `dotnet` host is a real copy,
# patched with patchelf to use the unpacked loader and libraries. Every .NET process started from that root (build,
# test host, cry) then runs on the new libraries, while other programs are untouched.
#
# Prints the path of the private `dotnet` on stdout. Does nothing (prints the system dotnet) where the system
# libstdc++ already has GLIBCXX_3.4.32. Idempotent: a second run reuses what the first made.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools/torchsharp-compat"
system_dotnet="$(readlink -f "$(command -v dotnet)")"
system_root="$(dirname "$system_dotnet")"

needs_compat() {
  local lib
  for lib in /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib64/libstdc++.so.6 /lib/x86_64-linux-gnu/libstdc++.so.6; do
    if [[ -f "$lib" ]]; then
      grep -qa 'GLIBCXX_3\.4\.32' "$lib" && return 1
      return 0
    fi
  done
  return 1  # not a glibc x86-64 system we know: use the plain SDK
}

if [[ "$(uname -s)" != Linux ]] || ! needs_compat; then
  echo "$system_dotnet"
  exit 0
fi

libs="$tools/sysroot/usr/lib/x86_64-linux-gnu"
dotnet_root="$tools/dotnet"
stamp="$tools/.ready-$(basename "$system_root")-$("$system_dotnet" --version 2>/dev/null || echo unknown)"
if [[ -f "$stamp" && -x "$dotnet_root/dotnet" ]]; then
  echo "$dotnet_root/dotnet"
  exit 0
fi

log() { echo "torchsharp-compat: $*" >&2; }
rm -rf "$tools"
mkdir -p "$tools/apt/lists/partial" "$tools/apt/cache" "$tools/debs" "$tools/sysroot"

if ! command -v patchelf >/dev/null 2>&1; then
  log "installing patchelf (Debian package)"
  apt-get update -qq >&2 && apt-get install -y -qq patchelf >&2
fi

# The mirror apt already uses, with the trixie suite, in a private sources list and lists folder.
mirror="$(grep -hoE '^(URIs:|deb) *https?://[^ ]+/debian/?' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
  | grep -oE "https?://[^ ]+" | grep -v security | head -n 1 || true)"
[[ -n "$mirror" ]] || { log "cannot find the Debian mirror in the apt sources"; exit 1; }
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > "$tools/apt/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$tools/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$tools/apt/lists" -o "Dir::Cache::Archives=$tools/apt/cache" -o Debug::NoLocking=1)
log "downloading libc6, libstdc++6, libgcc-s1 from trixie ($mirror)"
apt-get "${apt_opts[@]}" update -qq >&2
(cd "$tools/debs" && apt-get "${apt_opts[@]}" download libc6 libstdc++6 libgcc-s1 >&2)
for deb in "$tools"/debs/*.deb; do
  dpkg -x "$deb" "$tools/sysroot"
done
[[ -f "$libs/ld-linux-x86-64.so.2" ]] || { log "the unpacked loader is missing"; exit 1; }

# Hard links (instant, no space) where the SDK is on the same file system, a copy otherwise. A symlinked root does not
# work: the test runner resolves the real SDK path and would start the test host with the system dotnet.
log "making the private .NET root"
cp -al "$system_root" "$dotnet_root" 2>/dev/null || { rm -rf "$dotnet_root"; cp -a "$system_root" "$dotnet_root"; }
rm -f "$dotnet_root/dotnet"
cp "$system_dotnet" "$dotnet_root/dotnet"
patchelf --set-interpreter "$libs/ld-linux-x86-64.so.2" --force-rpath --set-rpath "$libs" "$dotnet_root/dotnet"
"$dotnet_root/dotnet" --version >/dev/null
touch "$stamp"
echo "$dotnet_root/dotnet"
