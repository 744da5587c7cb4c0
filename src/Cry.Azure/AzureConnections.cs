using Azure.Core;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace Cry.Azure;

/// <summary>
/// The one place the app, the CLI and the training job turn settings into Azure clients. Each connection is either a
/// connection string under its name, or, in Azure, identity-based settings in the form the Functions host reads for
/// its own bindings, so one setting serves the triggers and the code alike.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>CryStorage</c>: a storage connection string (<c>UseDevelopmentStorage=true</c> for Azurite), or
/// <c>CryStorage__blobServiceUri</c> (with <c>CryStorage__clientId</c> for a user-assigned identity).</item>
/// <item><c>CryServiceBus</c>: a Service Bus connection string, or <c>CryServiceBus__fullyQualifiedNamespace</c>
/// (with <c>CryServiceBus__clientId</c>); the namespace has local auth disabled in Azure.</item>
/// </list>
/// Settings are read through <see cref="IConfiguration"/> (":" separates sections; environment variables spell it
/// "__"), so the Functions host and a process reading its environment (<see cref="FromEnvironment"/>) agree.
/// </remarks>
public static class AzureConnections
{
    /// <summary>The storage connection: every binding of the Functions app and every client of the code.</summary>
    public const string Storage = "CryStorage";

    /// <summary>The Service Bus connection of training jobs.</summary>
    public const string ServiceBus = "CryServiceBus";

    /// <summary>Settings from the process's environment variables (<c>CryStorage__blobServiceUri</c> is <c>CryStorage:blobServiceUri</c>).</summary>
    public static IConfiguration FromEnvironment() => new ConfigurationBuilder().AddEnvironmentVariables().Build();

    /// <summary>A blob service client for <see cref="Storage"/>.</summary>
    /// <exception cref="InvalidOperationException">Neither form of the setting is present.</exception>
    /// <exception cref="FormatException">The connection string is not one.</exception>
    public static BlobServiceClient CreateBlobService(IConfiguration configuration, BlobClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (ConnectionString(configuration, Storage) is string connectionString)
        {
            return new BlobServiceClient(connectionString, options);
        }

        if (Setting(configuration, Storage, "blobServiceUri") is string serviceUri)
        {
            return new BlobServiceClient(new Uri(serviceUri), Identity(configuration, Storage), options);
        }

        throw new InvalidOperationException(
            $"The '{Storage}' setting is missing: set it to a storage connection string (UseDevelopmentStorage=true for Azurite), " +
            $"or set '{Storage}__blobServiceUri' for a managed identity.");
    }

    /// <summary>A client for <see cref="ServiceBus"/>.</summary>
    /// <exception cref="InvalidOperationException">Neither form of the setting is present.</exception>
    /// <exception cref="FormatException">The connection string is not one.</exception>
    public static ServiceBusClient CreateServiceBus(IConfiguration configuration, ServiceBusClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        options ??= new ServiceBusClientOptions();
        if (ConnectionString(configuration, ServiceBus) is string connectionString)
        {
            return new ServiceBusClient(connectionString, options);
        }

        if (Setting(configuration, ServiceBus, "fullyQualifiedNamespace") is string fullyQualifiedNamespace)
        {
            return new ServiceBusClient(fullyQualifiedNamespace, Identity(configuration, ServiceBus), options);
        }

        throw new InvalidOperationException(
            $"'{ServiceBus}' is not set: give a Service Bus connection string, or '{ServiceBus}__fullyQualifiedNamespace' for a managed identity.");
    }

    /// <summary>The connection string set under the name (not the identity-based form), or null.</summary>
    public static string? ConnectionString(IConfiguration configuration, string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string? value = configuration[name];
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    // The managed identity in Azure (clientId names a user-assigned one), developer credentials elsewhere.
    private static TokenCredential Identity(IConfiguration configuration, string name) =>
        new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = Setting(configuration, name, "clientId") });

    private static string? Setting(IConfiguration configuration, string name, string key)
    {
        string? value = configuration[$"{name}:{key}"];
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
