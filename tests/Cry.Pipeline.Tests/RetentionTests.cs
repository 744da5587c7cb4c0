using Cry.Audio;
using Cry.Pipeline.Storage;

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
}
