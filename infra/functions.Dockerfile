# The Function app's image for hosting on Container Apps with a GPU workload profile (ONNX Runtime's CUDA provider).
# Build from the repository root:  docker build -f infra/functions.Dockerfile -t cry-functions .
# Not yet built on the project's build machines (no Docker engine there). Flex Consumption deploys the code instead.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props global.json ./
COPY src/ src/
RUN dotnet publish src/CryFunctions/CryFunctions.csproj -c Release -o /home/site/wwwroot -p:OnnxBackend=cuda

FROM mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0 AS runtime
# ffmpeg decodes, in child processes, the phone recordings no managed decoder reads (3GP/AMR, M4A/AAC, FLAC, …).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*
ENV AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true \
    Cry__InferenceDevice=auto
COPY --from=build /home/site/wwwroot /home/site/wwwroot
