#!/usr/bin/env bash
# Fetches the ImageNet ResNet18 that `cry experiment` uses for transfer cells ("embedding": "resnet18") and prints the
# path of its ONNX file. It ships in the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0 (MIT, 119 MB),
# which the product does not reference (most users never need it): this script restores the package alone into the
# NuGet cache (~/.nuget/packages, or NUGET_PACKAGES) and prints tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx.
set -euo pipefail
source "$(dirname "$0")/dotnet-env.sh"
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
onnx="$cache/microsoft.ml.dnnimagefeaturizer.resnet18/0.24.0/tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx"
if [[ ! -f "$onnx" ]]; then
  project="$(mktemp -d)"
  trap 'rm -rf "$project"' EXIT
  cat >"$project/fetch.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Microsoft.ML.DnnImageFeaturizer.ResNet18" Version="[0.24.0]" />
  </ItemGroup>
</Project>
XML
  echo "get-resnet18: restoring Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0 (119 MB) into $cache" >&2
  "$DOTNET" restore "$project/fetch.csproj" -nologo -v quiet >&2
fi
if [[ ! -f "$onnx" ]]; then
  echo "get-resnet18: error: the package was restored but $onnx is missing" >&2
  exit 1
fi
echo "$onnx"
