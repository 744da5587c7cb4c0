using Cry.Azure;
using Cry.Inference;
using Cry.Pipeline;
using Cry.Pipeline.Retraining;
using Cry.Serving;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;

namespace CryFunctions.Hosting;

/// <summary>The app's services, registered in one call from <c>Program.cs</c>.</summary>
public static class CryFunctionsServiceCollectionExtensions
{
    /// <summary>
    /// The settings (section <see cref="CryFunctionsOptions.Section"/>, validated when the host starts: a bad value stops
    /// it with a message naming the setting), the Azure clients, and the pipeline, serving and retraining services
    /// the functions take in their constructors.
    /// </summary>
    public static IServiceCollection AddCryFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CryFunctionsOptions>()
            .Bind(configuration.GetSection(CryFunctionsOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddCryAzureClients(configuration);

        services.AddSingleton(provider => Settings(provider).Pipeline());
        services.AddSingleton(provider => Settings(provider).Inference());
        services.AddSingleton(provider => Settings(provider).Serving());
        services.AddSingleton(provider => new ClipIngestion(
            provider.GetRequiredService<Cry.Pipeline.Storage.IArtifactStore>(),
            provider.GetRequiredService<PipelineOptions>(),
            provider.GetRequiredService<ILogger<ClipIngestion>>()));
        services.AddSingleton(provider =>
        {
            var settings = Settings(provider);
            var inference = provider.GetRequiredService<InferenceOptions>();
            var source = new ChampionModelSource(
                provider.GetRequiredService<Cry.Pipeline.Storage.IArtifactStore>(),
                settings.ModelCache,
                inference,
                TimeSpan.FromSeconds(settings.ChampionCheckSeconds),
                provider.GetRequiredService<ILogger<ChampionModelSource>>());
            return new Predictor(source, inference); // Loaded lazily on the first request: Flex Consumption gives 30 s to start.
        });
        services.AddSingleton(provider => new PredictionGate(provider.GetRequiredService<ServingOptions>()));
        services.AddSingleton(provider => Dispatcher(provider, configuration));
        return services;
    }

    /// <summary>Metrics and traces with OpenTelemetry, exported to Application Insights when its connection string is set (Azure).</summary>
    public static IServiceCollection AddCryTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var telemetry = services.AddOpenTelemetry().UseFunctionsWorkerDefaults().WithMetrics(metrics => metrics.AddMeter(PipelineMetrics.MeterName));
        if (!string.IsNullOrWhiteSpace(configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
        {
            telemetry.UseAzureMonitorExporter();
        }

        return services;
    }

    private static CryFunctionsOptions Settings(IServiceProvider provider) => provider.GetRequiredService<IOptions<CryFunctionsOptions>>().Value;

    private static ITrainingDispatcher Dispatcher(IServiceProvider provider, IConfiguration configuration)
    {
        var settings = Settings(provider);
        if (settings.Dispatch == TrainingDispatchKind.ServiceBus)
        {
            return new ServiceBusDispatcher(provider.GetRequiredService<Azure.Messaging.ServiceBus.ServiceBusClient>().CreateSender(ServiceBusDispatcher.Queue));
        }

        // The job process gets the app's own storage connection string, in its environment.
        string connection = AzureConnections.ConnectionString(configuration, AzureConnections.Storage)
            ?? throw new InvalidOperationException($"The local training dispatcher passes the '{AzureConnections.Storage}' connection string to the job; set it.");
        return new LocalProcessDispatcher(
            settings.TrainJobCommand,
            new Dictionary<string, string>(StringComparer.Ordinal) { [AzureConnections.Storage] = connection },
            Path.Combine(Path.GetTempPath(), "cryfunctions-jobs"));
    }
}
