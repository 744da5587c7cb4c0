using Cry.Audio;
using Cry.Pipeline.Storage;
using Cry.Audio.Wav;

namespace Cry.Pipeline.Tests;

public sealed class RetentionTests(Azurite azurite)
{
    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task OldClips_AreErasedWithTheirFeatures_NewOnesStay(string kind)
    {
        var cancel = TestContext.Current.CancellationToken;
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            var ingestion = new ClipIngestion(store, new PipelineOptions { Previews = false });
            await store.WriteAsync(Containers.Clips, "hungry/a.wav", WavEncoder.Encode(SyntheticCry.Generate(8000, 3, 1).Samples, 8000), cancellation: cancel);
            foreach (var work in (await ingestion.AcceptAsync("hungry", "a.wav", cancel)).Work)
            {
                await ingestion.ComputeAsync(work, cancel);
            }

            await store.WriteAsync(Containers.Quarantine, "clips/tired/bad.wav", new byte[4], cancellation: cancel);
            await store.WriteAsync(Containers.Quarantine, "reasons/tired/bad.wav.json", new byte[4], cancellation: cancel);

            // Nothing is older than a day yet.
            Assert.Equal(0, await Retention.ApplyAsync(store, ingestion, 1, DateTimeOffset.UtcNow, cancellation: cancel));
            Assert.NotEmpty(await store.ListAsync(Containers.Features, cancellation: cancel).ToListAsync(cancel));

            // Two days later, everything of those uploads is gone.
            Assert.Equal(2, await Retention.ApplyAsync(store, ingestion, 1, DateTimeOffset.UtcNow.AddDays(2), cancellation: cancel));
            Assert.Empty(await store.ListAsync(Containers.Clips, cancellation: cancel).ToListAsync(cancel));
            Assert.Empty(await store.ListAsync(Containers.Features, cancellation: cancel).ToListAsync(cancel));
            Assert.Empty(await store.ListAsync(Containers.Quarantine, cancellation: cancel).ToListAsync(cancel));
        }
        finally
        {
            cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task ApplyAsync_QuarantinedUnsafeNameAndLoneNote_AreDeletedToo(string kind)
    {
        var cancel = TestContext.Current.CancellationToken;
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            var ingestion = new ClipIngestion(store, new PipelineOptions { Previews = false });
            await store.WriteAsync(Containers.Clips, "hungry/bad name.wav", new byte[4], cancellation: cancel);
            Assert.False((await ingestion.AcceptAsync("hungry", "bad name.wav", cancel)).Accepted);
            await store.WriteAsync(Containers.Quarantine, "reasons/tired/lone.wav.json", new byte[4], cancellation: cancel);
            Assert.Equal(3, (await store.ListAsync(Containers.Quarantine, cancellation: cancel).ToListAsync(cancel)).Count);

            Assert.Equal(2, await Retention.ApplyAsync(store, ingestion, 1, DateTimeOffset.UtcNow.AddDays(2), cancellation: cancel));

            Assert.Empty(await store.ListAsync(Containers.Quarantine, cancellation: cancel).ToListAsync(cancel));
        }
        finally
        {
            cleanup();
        }
    }

    [Fact]
    public async Task ApplyAsync_AnItemTheStoreRefuses_IsReported_AndTheOthersAreStillErased()
    {
        var cancel = TestContext.Current.CancellationToken;
        var inner = Stores.Create("local", azurite, out var cleanup);
        try
        {
            var store = new RefusingStore(inner, "hungry/b.wav");
            var ingestion = new ClipIngestion(store, new PipelineOptions { Previews = false });
            foreach (string name in new[] { "a.wav", "b.wav", "c.wav" })
            {
                await store.WriteAsync(Containers.Clips, $"hungry/{name}", WavEncoder.Encode(SyntheticCry.Generate(8000, 2, 1).Samples, 8000), cancellation: cancel);
            }

            var logs = new ListLogger();
            Assert.Equal(2, await Retention.ApplyAsync(store, ingestion, 1, DateTimeOffset.UtcNow.AddDays(2), logs, cancel));
            Assert.Equal(["hungry/b.wav"], (await store.ListAsync(Containers.Clips, cancellation: cancel).ToListAsync(cancel)).Select(c => c.Path));
            Assert.Contains(logs.Lines, l => l.Contains("could not be erased now (RequestFailedException)", StringComparison.Ordinal));
            Assert.Contains(logs.Lines, l => l.Contains("2 clips erased, 1 could not be erased now", StringComparison.Ordinal));
        }
        finally
        {
            cleanup();
        }
    }

    /// <summary>A store whose delete of one path fails as a storage outage would.</summary>
    private sealed class RefusingStore(IArtifactStore inner, string refused) : IArtifactStore
    {
        public Task<StoredArtifact?> TryReadAsync(string container, string path, CancellationToken cancellation = default) => inner.TryReadAsync(container, path, cancellation);

        public Task<string> WriteAsync(string container, string path, ReadOnlyMemory<byte> data, WriteCondition? condition = null, CancellationToken cancellation = default) =>
            inner.WriteAsync(container, path, data, condition, cancellation);

        public Task<bool> DeleteAsync(string container, string path, CancellationToken cancellation = default) =>
            container == Containers.Clips && path == refused ? throw new global::Azure.RequestFailedException(503, "The server is busy.") : inner.DeleteAsync(container, path, cancellation);

        public IAsyncEnumerable<ArtifactInfo> ListAsync(string container, string prefix = "", CancellationToken cancellation = default) => inner.ListAsync(container, prefix, cancellation);
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue(formatter(state, exception));
    }
}
