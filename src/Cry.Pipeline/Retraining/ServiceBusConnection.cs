using Azure.Identity;
using Azure.Messaging.ServiceBus;

namespace Cry.Pipeline.Retraining;

/// <summary>The Service Bus of training jobs: the <c>CryServiceBus</c> connection, read the same way by the Function app and the job.</summary>
/// <remarks>
/// A connection string in <c>CryServiceBus</c>, or, in Azure, <c>CryServiceBus__fullyQualifiedNamespace</c> (with
/// <c>CryServiceBus__clientId</c> for a user-assigned identity): the namespace has local auth disabled there.
/// </remarks>
public static class ServiceBusConnection
{
    /// <summary>The connection name.</summary>
    public const string Name = "CryServiceBus";

    /// <summary>A client for the connection.</summary>
    /// <param name="setting">Reads a setting by its configuration key (":" separates sections, as in <c>CryServiceBus:clientId</c>).</param>
    /// <exception cref="InvalidOperationException">Neither form of the setting is present.</exception>
    public static ServiceBusClient CreateClient(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        string? connectionString = setting(Name);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new ServiceBusClient(connectionString);
        }

        string? fullyQualifiedNamespace = setting($"{Name}:fullyQualifiedNamespace");
        if (!string.IsNullOrWhiteSpace(fullyQualifiedNamespace))
        {
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = setting($"{Name}:clientId") });
            return new ServiceBusClient(fullyQualifiedNamespace, credential);
        }

        throw new InvalidOperationException(
            $"'{Name}' is not set: give a Service Bus connection string, or '{Name}__fullyQualifiedNamespace' for a managed identity.");
    }

    /// <summary>Reads settings from environment variables (":" becomes "__").</summary>
    public static string? FromEnvironment(string key) => Environment.GetEnvironmentVariable(key.Replace(":", "__", StringComparison.Ordinal));
}
