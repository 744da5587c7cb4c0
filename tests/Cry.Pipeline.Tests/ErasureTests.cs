using System.Text;
using Cry.Audio;
using Cry.Pipeline.Retraining;
using Cry.Pipeline.Storage;
using Cry.Audio.Wav;

namespace Cry.Pipeline.Tests;

/// <summary>Every erasure leaves nothing of the clip in features, snapshots or quarantine, however it interleaves.</summary>
public sealed class ErasureTests(Azurite azurite)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static byte[] Clip(ulong seed) => WavEncoder.Encode(SyntheticCry.Generate(8000, 3, seed).Samples, 8000);

    private static async Task IngestAsync(IArtifactStore store, ClipIngestion ingestion, string label, string name, ulong seed)
    {
        await store.WriteAsync(Containers.Clips, $"{label}/{name}", Clip(seed), cancellation: Cancel);
        foreach (var work in (await ingestion.AcceptAsync(label, name, Cancel)).Work)
        {
            await ingestion.ComputeAsync(work, Cancel);
        }
    }

    private static async Task<string> Everything(IArtifactStore store)
    {
        var text = new StringBuilder();
        foreach (string container in new[] { Containers.Clips, Containers.Features, Containers.Quarantine, Containers.Datasets })
        {
            await foreach (var item in store.ListAsync(container, cancellation: Cancel))
            {
                text.Append(container).Append('/').Append(item.Path).Append('\n');
                if (container == Containers.Datasets)
                {
                    text.Append(Encoding.UTF8.GetString((await store.TryReadAsync(container, item.Path, Cancel))!.Data)).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task Erasure_RedactsStoredSnapshots_AndKeepsARecordWithoutTheName(string kind)
    {
        var store = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            var options = new PipelineOptions { Previews = true };
            var ingestion = new ClipIngestion(store, options);
            await IngestAsync(store, ingestion, "hungry", "secret-family-name.wav", 1);
            await IngestAsync(store, ingestion, "hungry", "other.wav", 2);
            var snapshot = await DatasetSnapshot.TakeAsync(store, options.Specs[0], cancellation: Cancel);
            Assert.Equal(2, snapshot.Clips.Count);

            Assert.True(await ingestion.EraseAsync("hungry", "secret-family-name.wav", Cancel) > 0);

            string all = await Everything(store);
            Assert.DoesNotContain("secret-family-name", all, StringComparison.Ordinal);
            var stored = await DatasetSnapshot.ReadAsync(store, snapshot.SnapshotId, Cancel);
            Assert.Equal(["other.wav"], stored.Clips.Select(c => c.Name));
            Assert.Equal(1, stored.Redacted);

            var record = Assert.Single(await ErasureRecord.ListAsync(store, Cancel).ToListAsync(Cancel));
            Assert.Equal(ErasureRecord.IdOf("hungry", "secret-family-name.wav"), record.Id);
            Assert.Equal([snapshot.SnapshotId], record.RedactedSnapshots);
            Assert.True(record.ObjectsDeleted >= 3); // the clip, its tensors and previews

            // Nothing left to erase: no record, nothing deleted.
            Assert.Equal(0, await ingestion.EraseAsync("hungry", "never-here.wav", Cancel));
            Assert.Single(await ErasureRecord.ListAsync(store, Cancel).ToListAsync(Cancel));
        }
        finally
        {
            cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task AnErasureThatLandsWhileAFeatureUnitRuns_LeavesNoTensorBehind(string kind)
    {
        var inner = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            var store = new InterleavingStore(inner);
            var options = new PipelineOptions { Previews = true };
            var ingestion = new ClipIngestion(store, options);
            await store.WriteAsync(Containers.Clips, "hungry/a.wav", Clip(1), cancellation: Cancel);
            var work = (await ingestion.AcceptAsync("hungry", "a.wav", Cancel)).Work[0];

            // The unit has read the clip; the whole erasure runs just before its tensor is written.
            store.BeforeWrite = (container, _) => container == Containers.Features ? ingestion.EraseAsync("hungry", "a.wav", Cancel) : null;
            Assert.Null(await ingestion.ComputeAsync(work, Cancel));
            store.BeforeWrite = null;

            Assert.Empty(await inner.ListAsync(Containers.Features, cancellation: Cancel).ToListAsync(Cancel));
            Assert.Empty(await inner.ListAsync(Containers.Clips, cancellation: Cancel).ToListAsync(Cancel));
        }
        finally
        {
            cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Stores.Kinds), MemberType = typeof(Stores))]
    public async Task AnErasureThatLandsWhileASnapshotIsTaken_IsRedactedFromIt(string kind)
    {
        var inner = Stores.Create(kind, azurite, out var cleanup);
        try
        {
            var store = new InterleavingStore(inner);
            var options = new PipelineOptions { Previews = false };
            var ingestion = new ClipIngestion(store, options);
            await IngestAsync(store, ingestion, "hungry", "a.wav", 1);
            await IngestAsync(store, ingestion, "hungry", "b.wav", 2);

            // The snapshot has listed both clips; the whole erasure of a.wav runs just before the snapshot is stored.
            store.BeforeWrite = (container, path) =>
            {
                if (container != Containers.Datasets || path.Contains('/', StringComparison.Ordinal))
                {
                    return null;
                }

                store.BeforeWrite = null;
                return ingestion.EraseAsync("hungry", "a.wav", Cancel);
            };
            var snapshot = await DatasetSnapshot.TakeAsync(store, options.Specs[0], cancellation: Cancel);

            Assert.Equal(["b.wav"], snapshot.Clips.Select(c => c.Name));
            Assert.Equal(["b.wav"], (await DatasetSnapshot.ReadAsync(inner, snapshot.SnapshotId, Cancel)).Clips.Select(c => c.Name));
            Assert.DoesNotContain("a.wav", await Everything(inner), StringComparison.Ordinal);
        }
        finally
        {
            cleanup();
        }
    }

    /// <summary>Runs a step of another operation just before a write goes through (to interleave two operations).</summary>
    private sealed class InterleavingStore(IArtifactStore inner) : IArtifactStore
    {
        public Func<string, string, Task?>? BeforeWrite { get; set; }

        public Task<StoredArtifact?> TryReadAsync(string container, string path, CancellationToken cancellation = default) => inner.TryReadAsync(container, path, cancellation);

        public async Task<string> WriteAsync(string container, string path, ReadOnlyMemory<byte> data, WriteCondition? condition = null, CancellationToken cancellation = default)
        {
            var hook = BeforeWrite;
            if (hook?.Invoke(container, path) is { } step)
            {
                BeforeWrite = null; // once: the interleaved operation's own writes go straight through
                await step;
            }

            return await inner.WriteAsync(container, path, data, condition, cancellation);
        }

        public Task<bool> DeleteAsync(string container, string path, CancellationToken cancellation = default) => inner.DeleteAsync(container, path, cancellation);

        public IAsyncEnumerable<ArtifactInfo> ListAsync(string container, string prefix = "", CancellationToken cancellation = default) => inner.ListAsync(container, prefix, cancellation);
    }
}
