using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace CryFunctions;

/// <summary>The storage the app's own code uses: the <c>CryStorage</c> connection, the same one its triggers name.</summary>
/// <remarks>
/// Either a connection string in <c>CryStorage</c> (e.g. <c>UseDevelopmentStorage=true</c> for Azurite), or, in Azure,
/// identity-based settings as the Functions host reads them: <c>CryStorage__blobServiceUri</c> (with
/// <c>CryStorage__clientId</c> for a user-assigned identity).
/// </remarks>
public static class StorageConnection
{
    /// <summary>The connection name used by every binding and by the code.</summary>
    public const string Name = "CryStorage";

    /// <summary>A blob service client for the connection.</summary>
    /// <exception cref="InvalidOperationException">Neither form of the setting is present.</exception>
    public static BlobServiceClient CreateBlobService(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string? connectionString = configuration[Name];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new BlobServiceClient(connectionString);
        }

        string? serviceUri = configuration[$"{Name}:blobServiceUri"];
        if (!string.IsNullOrWhiteSpace(serviceUri))
        {
            string? clientId = configuration[$"{Name}:clientId"];
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
            return new BlobServiceClient(new Uri(serviceUri), credential);
        }

        throw new InvalidOperationException(
            $"The '{Name}' setting is missing: set it to a storage connection string (UseDevelopmentStorage=true for Azurite), " +
            $"or set '{Name}__blobServiceUri' for a managed identity.");
    }
}
