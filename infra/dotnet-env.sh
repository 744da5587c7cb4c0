# Sourced by the project's scripts: picks the dotnet to use and keeps its first-run noise quiet.
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK is required (https://dot.net); 'dotnet' is not on PATH." >&2
  exit 1
fi

# TorchSharp needs a newer libstdc++ than some systems (Debian 12) have: there, use a private .NET root running on
# newer libraries (infra/torchsharp-compat.sh explains). Everywhere else this is the plain SDK.
_cry_infra="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DOTNET="$("$_cry_infra/torchsharp-compat.sh")"
if [[ "$DOTNET" != "$(readlink -f "$(command -v dotnet)")" ]]; then
  DOTNET_ROOT="$(dirname "$DOTNET")"
  CRY_COMPAT_LIBS="$(cd "$_cry_infra/.." && pwd)/.tools/torchsharp-compat/sysroot/usr/lib/x86_64-linux-gnu"
  export DOTNET_ROOT CRY_COMPAT_LIBS
fi
export DOTNET
unset _cry_infra
