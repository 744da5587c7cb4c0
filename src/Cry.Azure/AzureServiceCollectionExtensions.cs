using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using Cry.Pipeline.Storage;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cry.Azure;

/// <summary>Registers the Azure clients of the pipeline with a host's services.</summary>
public static class AzureServiceCollectionExtensions
{
    /// <summary>The prefix of the categories the Azure SDK logs under when forwarded (<c>Azure.Core</c>, <c>Azure.Storage.Blobs</c>, …).</summary>
    public const string SdkLogCategoryPrefix = "Azure.";

    /// <summary>
    /// The blob service of <see cref="AzureConnections.Storage"/> as the <see cref="IArtifactStore"/>, and the Service Bus
    /// client of <see cref="AzureConnections.ServiceBus"/>, through Microsoft.Extensions.Azure's client registration
    /// (singletons, built on first use: a host that never sends a training job needs no Service Bus setting).
    /// </summary>
    /// <remarks>
    /// That registration forwards the Azure SDK's own event logs to <see cref="ILogger"/>, and those name every request's
    /// path — a clip's label and name, which can be personal. They are filtered out here (categories <c>Azure.*</c>),
    /// as they were never logged before: the pipeline logs only opaque references (docs/pipeline.md).
    /// </remarks>
    public static IServiceCollection AddCryAzureClients(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddAzureClients(clients =>
        {
            // The settings keep the Functions host's identity-based form (CryStorage__blobServiceUri), which the
            // configuration-section overloads do not read: one factory serves the bindings' setting and the code.
            clients.AddClient<BlobServiceClient, BlobClientOptions>(options => AzureConnections.CreateBlobService(configuration, options));
            clients.AddClient<ServiceBusClient, ServiceBusClientOptions>(options => AzureConnections.CreateServiceBus(configuration, options));
        });
        services.AddLogging(logging => logging.AddFilter(SdkLogCategoryPrefix, LogLevel.None));
        services.AddSingleton<IArtifactStore>(provider => new BlobArtifactStore(provider.GetRequiredService<BlobServiceClient>()));
        return services;
    }
}
