using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;

namespace CryFunctions;

/// <summary>The Service Bus the training dispatcher sends to: the <c>CryServiceBus</c> connection.</summary>
/// <remarks>
/// A connection string in <c>CryServiceBus</c>, or, in Azure, <c>CryServiceBus__fullyQualifiedNamespace</c> (with
/// <c>CryServiceBus__clientId</c> for a user-assigned identity) — the namespace has local auth disabled there.
/// </remarks>
public static class ServiceBusConnection
{
    /// <summary>The connection name.</summary>
    public const string Name = "CryServiceBus";

    /// <summary>A client for the connection.</summary>
    /// <exception cref="InvalidOperationException">Neither form of the setting is present.</exception>
    public static ServiceBusClient CreateClient(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string? connectionString = configuration[Name];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new ServiceBusClient(connectionString);
        }

        string? fullyQualifiedNamespace = configuration[$"{Name}:fullyQualifiedNamespace"];
        if (!string.IsNullOrWhiteSpace(fullyQualifiedNamespace))
        {
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = configuration[$"{Name}:clientId"] });
            return new ServiceBusClient(fullyQualifiedNamespace, credential);
        }

        throw new InvalidOperationException(
            $"Cry__TrainingDispatch is servicebus but '{Name}' is not set: give a connection string, or '{Name}__fullyQualifiedNamespace' for a managed identity.");
    }
}
