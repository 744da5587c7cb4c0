using Cry.Inference;
using Cry.Pipeline;
using Cry.Pipeline.Retraining;
using Cry.Pipeline.Storage;
using Cry.Serving;
using CryFunctions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddOptions<CryFunctionsOptions>()
    .Bind(builder.Configuration.GetSection(CryFunctionsOptions.Section))
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton<IArtifactStore>(services =>
    new BlobArtifactStore(StorageConnection.CreateBlobService(services.GetRequiredService<IConfiguration>())));
builder.Services.AddSingleton(services =>
{
    var options = services.GetRequiredService<IOptions<CryFunctionsOptions>>().Value;
    return new PipelineOptions { MaxClipBytes = (long)(options.MaxClipMegabytes * 1024 * 1024) };
});
builder.Services.AddSingleton(services => new ClipIngestion(
    services.GetRequiredService<IArtifactStore>(),
    services.GetRequiredService<PipelineOptions>(),
    services.GetRequiredService<ILoggerFactory>().CreateLogger<ClipIngestion>()));
builder.Services.AddSingleton(services =>
{
    var options = services.GetRequiredService<IOptions<CryFunctionsOptions>>().Value;
    var inference = new InferenceOptions { Device = options.InferenceDevice, Threads = options.InferenceThreads };
    string cache = options.ModelCacheFolder ?? Path.Combine(Path.GetTempPath(), "cryfunctions-models");
    var source = new ChampionModelSource(
        services.GetRequiredService<IArtifactStore>(), cache, inference, TimeSpan.FromSeconds(options.ChampionCheckSeconds),
        services.GetRequiredService<ILoggerFactory>().CreateLogger<ChampionModelSource>());
    return new Predictor(source, inference); // Loaded lazily on the first request: Flex Consumption gives 30 s to start.
});
builder.Services.AddSingleton(services =>
{
    var options = services.GetRequiredService<IOptions<CryFunctionsOptions>>().Value;
    long body = (long)(options.MaxPredictBodyMegabytes * 1024 * 1024);
    var defaults = new ServingOptions();
    return new ServingOptions // Keys: the Functions host checks them.
    {
        MaxBodyBytes = body,
        // Uploads go through the same gate: the budget holds at least one body of either limit.
        MaxBufferedBodyBytes = Math.Max(defaults.MaxBufferedBodyBytes, Math.Max(body, (long)(options.MaxClipMegabytes * 1024 * 1024))),
        MaxConcurrentPredictions = options.MaxConcurrentPredictions > 0 ? options.MaxConcurrentPredictions : defaults.MaxConcurrentPredictions,
        BodyStallTimeout = TimeSpan.FromSeconds(options.BodyStallSeconds),
    };
});
builder.Services.AddSingleton(services => new PredictionGate(services.GetRequiredService<ServingOptions>()));

builder.Services.AddSingleton<ITrainingDispatcher>(services =>
{
    var options = services.GetRequiredService<IOptions<CryFunctionsOptions>>().Value;
    var configuration = services.GetRequiredService<IConfiguration>();
    if (options.TrainingDispatch == "servicebus")
    {
        return new ServiceBusDispatcher(ServiceBusConnection.CreateClient(key => configuration[key]).CreateSender(ServiceBusDispatcher.Queue));
    }

    string connection = configuration[StorageConnection.Name]
        ?? throw new InvalidOperationException($"The local training dispatcher passes the '{StorageConnection.Name}' connection string to the job; set it.");
    return new LocalProcessDispatcher(options.TrainJobCommand, connection, Path.Combine(Path.GetTempPath(), "cryfunctions-jobs"));
});

// Metrics and traces with OpenTelemetry; exported to Application Insights when its connection string is set (Azure).
var telemetry = builder.Services.AddOpenTelemetry().UseFunctionsWorkerDefaults().WithMetrics(metrics => metrics.AddMeter(PipelineMetrics.MeterName));
if (!string.IsNullOrWhiteSpace(builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
{
    telemetry.UseAzureMonitorExporter();
}

builder.Build().Run();
