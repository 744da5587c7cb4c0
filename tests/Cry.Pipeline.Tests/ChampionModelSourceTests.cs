using System.Text.Json;
using Cry.Inference;
using Cry.Pipeline.Storage;
using Cry.TestSupport;

namespace Cry.Pipeline.Tests;

/// <summary>Serving never waits on storage once a model is loaded, and without one fails within the storage timeout.</summary>
public sealed class ChampionModelSourceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cry-champion-" + Guid.NewGuid().ToString("N"));
    private readonly ControlledStore _store;

    public ChampionModelSourceTests() => _store = new ControlledStore(new LocalArtifactStore(Path.Combine(_root, "store")));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _store.Release();
        Directory.Delete(_root, recursive: true);
    }

    private ChampionModelSource Source(TimeSpan interval, TimeSpan? storageTimeout = null) =>
        new(_store, Path.Combine(_root, "cache-" + Guid.NewGuid().ToString("N")), new InferenceOptions { Device = "cpu" }, interval, storageTimeout: storageTimeout);

    private async Task Promote(string modelId)
    {
        string folder = Path.Combine(_root, "bundle-" + modelId);
        TinyBundle.Create(["hungry", "tired"], modelId).Write(folder);
        foreach (string file in Directory.GetFiles(folder))
        {
            await _store.WriteAsync(Containers.Models, $"{modelId}/{Path.GetFileName(file)}", await File.ReadAllBytesAsync(file, Cancel), cancellation: Cancel);
        }

        await _store.WriteAsync(Containers.Models, ChampionPointer.Path, JsonSerializer.SerializeToUtf8Bytes(new ChampionPointer(modelId, DateTimeOffset.UtcNow, "test")), cancellation: Cancel);
    }

    private static string Serving(ChampionModelSource source)
    {
        using var lease = source.Acquire();
        return lease.Model.Manifest.ModelId;
    }

    [Fact]
    public async Task AStoreThatHangs_DoesNotHoldRequests_TheCurrentModelKeepsServing_AndTheNewOneFollows()
    {
        await Promote("model-1");
        using var source = Source(TimeSpan.Zero, storageTimeout: TimeSpan.FromMinutes(10));
        Assert.Equal("model-1", Serving(source));

        // Every read now blocks until released: had a request waited on storage, this test would hang here.
        _store.Hang();
        Assert.Equal("model-1", Serving(source)); // a due check: starts a background refresh
        Assert.True(SpinWait.SpinUntil(() => _store.Waiting == 1, TimeSpan.FromSeconds(30)), "the due check started a background read");
        int reads = _store.Reads;
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal("model-1", Serving(source));
        }

        Assert.Equal(reads, _store.Reads); // one refresh in flight, not one per request
        Assert.Equal(1, _store.Waiting);

        // The store comes back with a new champion: it loads in the background and takes over.
        _store.Release();
        await Promote("model-2");
        await source.RefreshAsync(Cancel);
        Assert.Equal("model-2", Serving(source));
    }

    [Fact]
    public async Task AStoreThatFails_IsLogged_AndTheCurrentModelKeepsServing()
    {
        await Promote("model-1");
        using var source = Source(TimeSpan.Zero);
        Assert.Equal("model-1", Serving(source));
        _store.Fail = true;
        await source.RefreshAsync(Cancel); // the failure stays inside: a model is serving
        Assert.Equal("model-1", Serving(source));
    }

    [Fact]
    public void WithNothingLoaded_AHangingStore_FailsWithinTheStorageTimeout_WithTheReason()
    {
        using var source = Source(TimeSpan.FromSeconds(30), storageTimeout: TimeSpan.FromMilliseconds(300));
        _store.Hang();
        var ex = Assert.Throws<ChampionModelSource.StoreUnavailableException>(() => source.Acquire());
        Assert.Contains("did not answer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithNothingLoaded_AFailingStore_IsStoreUnavailable_NoChampionIsNoChampion_AndABrokenBundleSaysWhat()
    {
        using var source = Source(TimeSpan.Zero);
        Assert.Throws<ChampionModelSource.NoChampionException>(() => source.Acquire());

        _store.Fail = true;
        var down = Assert.Throws<ChampionModelSource.StoreUnavailableException>(() => source.Acquire());
        Assert.Contains("cannot be read (IOException)", down.Message, StringComparison.Ordinal);

        _store.Fail = false;
        await _store.WriteAsync(Containers.Models, ChampionPointer.Path, JsonSerializer.SerializeToUtf8Bytes(new ChampionPointer("gone", DateTimeOffset.UtcNow, "test")), cancellation: Cancel);
        var broken = Assert.Throws<ModelBundleException>(() => source.Acquire());
        Assert.Contains("models/gone", broken.Message, StringComparison.Ordinal);

        await Promote("model-1");
        Assert.Equal("model-1", Serving(source));
    }

    /// <summary>A store whose reads can be made to block (until released or cancelled) or to fail.</summary>
    private sealed class ControlledStore(IArtifactStore inner) : IArtifactStore
    {
        private TaskCompletionSource _gate = CompletedGate();
        private int _reads;
        private int _waiting;

        public int Reads => Volatile.Read(ref _reads);

        public int Waiting => Volatile.Read(ref _waiting);

        public bool Fail { get; set; }

        public void Hang() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate.TrySetResult();

        private static TaskCompletionSource CompletedGate()
        {
            var gate = new TaskCompletionSource();
            gate.SetResult();
            return gate;
        }

        public async Task<StoredArtifact?> TryReadAsync(string container, string path, CancellationToken cancellation = default)
        {
            Interlocked.Increment(ref _reads);
            var gate = _gate.Task;
            if (!gate.IsCompleted)
            {
                Interlocked.Increment(ref _waiting);
                try
                {
                    await gate.WaitAsync(cancellation);
                }
                finally
                {
                    Interlocked.Decrement(ref _waiting);
                }
            }

            return Fail ? throw new IOException("the disk is gone") : await inner.TryReadAsync(container, path, cancellation);
        }

        public Task<string> WriteAsync(string container, string path, ReadOnlyMemory<byte> data, WriteCondition? condition = null, CancellationToken cancellation = default) =>
            inner.WriteAsync(container, path, data, condition, cancellation);

        public Task<bool> DeleteAsync(string container, string path, CancellationToken cancellation = default) => inner.DeleteAsync(container, path, cancellation);

        public IAsyncEnumerable<ArtifactInfo> ListAsync(string container, string prefix = "", CancellationToken cancellation = default) =>
            inner.ListAsync(container, prefix, cancellation);
    }
}
