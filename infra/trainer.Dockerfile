# The training job's image: `cry train-job --from-service-bus` with TorchSharp's CUDA backend, on a CUDA runtime base.
# Build from the repository root:  docker build -f infra/trainer.Dockerfile -t cry-trainer .
# Not yet built on the project's build machines (no Docker engine and no CUDA package there).
# ffmpeg: the out-of-process decoder for phone recordings (3GP/AMR, M4A/AAC, FLAC) in training folders.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props global.json ./
COPY src/ src/
RUN dotnet publish src/Cry.Cli/Cry.Cli.csproj -c Release -o /app -p:TorchBackend=cuda -p:OnnxBackend=cpu

FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libicu74 wget ffmpeg \
    && wget -q https://dot.net/v1/dotnet-install.sh -O /tmp/dotnet-install.sh \
    && bash /tmp/dotnet-install.sh --channel 10.0 --runtime dotnet --install-dir /usr/share/dotnet \
    && ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
    && rm -rf /var/lib/apt/lists/* /tmp/dotnet-install.sh
WORKDIR /app
COPY --from=build /app ./
USER 1000
ENTRYPOINT ["dotnet", "/app/cry.dll"]
CMD ["train-job", "--from-service-bus"]
