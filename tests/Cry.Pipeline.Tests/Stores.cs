using Cry.Azure;
using Cry.Pipeline.Storage;

namespace Cry.Pipeline.Tests;

/// <summary>Both artifact stores, each in a fresh namespace, so every test runs against Azurite and a local folder alike.</summary>
public static class Stores
{
    public static TheoryData<string> Kinds() => ["local", "blob"];

    public static IArtifactStore Create(string kind, Azurite azurite, out Action cleanup)
    {
        if (kind == "local")
        {
            string root = Path.Combine(Path.GetTempPath(), "cry-store-" + Guid.NewGuid().ToString("N"));
            cleanup = () => Directory.Delete(root, recursive: true);
            return new LocalArtifactStore(root);
        }

        // Azurite has one account; isolate tests by fresh container names through a prefixing store.
        string prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        var service = azurite.Service();
        cleanup = () =>
        {
            foreach (var container in service.GetBlobContainers(prefix: prefix))
            {
                service.DeleteBlobContainer(container.Name);
            }
        };
        return new PrefixedStore(new BlobArtifactStore(service), prefix);
    }

    /// <summary>Prefixes container names (test isolation on the one emulator account).</summary>
    internal sealed class PrefixedStore(IArtifactStore inner, string prefix) : IArtifactStore
    {
        public Task<StoredArtifact?> TryReadAsync(string container, string path, CancellationToken cancellation = default) =>
            inner.TryReadAsync($"{prefix}-{container}", path, cancellation);

        public Task<string> WriteAsync(string container, string path, ReadOnlyMemory<byte> data, WriteCondition? condition = null, CancellationToken cancellation = default) =>
            inner.WriteAsync($"{prefix}-{container}", path, data, condition, cancellation);

        public Task<bool> DeleteAsync(string container, string path, CancellationToken cancellation = default) =>
            inner.DeleteAsync($"{prefix}-{container}", path, cancellation);

        public IAsyncEnumerable<ArtifactInfo> ListAsync(string container, string prefix2 = "", CancellationToken cancellation = default) =>
            inner.ListAsync($"{prefix}-{container}", prefix2, cancellation);
    }
}
