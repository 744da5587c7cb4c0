# Sourced by the project's scripts: picks the dotnet to use and keeps its first-run noise quiet.
# (Later: the TorchSharp compatibility root on systems whose libstdc++ is too old, see infra/README.md.)
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK is required (https://dot.net); 'dotnet' is not on PATH." >&2
  exit 1
fi
DOTNET="$(command -v dotnet)"
export DOTNET
