using System.Text.Json;
using System.Text.Json.Serialization;
using Cry.Inference;
using Cry.Pipeline.Retraining;
using Cry.Pipeline.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cry.Pipeline;

/// <summary>The serving model's pointer, <c>models/champion.json</c>.</summary>
/// <param name="ModelId">The bundle under <c>models/{modelId}/</c>.</param>
/// <param name="PromotedUtc">When it was promoted.</param>
/// <param name="Reason">Why (evaluation result, or a manual promotion).</param>
public sealed record ChampionPointer(
    [property: JsonPropertyName("modelId")] string ModelId,
    [property: JsonPropertyName("promotedUtc")] DateTimeOffset PromotedUtc,
    [property: JsonPropertyName("reason")] string Reason)
{
    /// <summary>The pointer's path in the models container.</summary>
    public const string Path = "champion.json";
}

/// <summary>
/// The champion model read from storage for serving: <c>models/champion.json</c> names a bundle, which is downloaded
/// to a local cache folder and loaded; when the pointer changes (checked at most once per interval), the new bundle
/// replaces the old one and requests in flight finish on the old one (<see cref="HotSwapModelSource"/> semantics).
/// </summary>
/// <remarks>
/// Once a model is serving, requests never wait on storage: a due check starts one background refresh, bounded by
/// the storage timeout, and the request goes on with the current model; a refresh that fails (storage down, a bundle
/// that does not load) is logged and the current model keeps serving until the next check. Only while nothing is
/// loaded does a request wait — on the one refresh in flight, for at most the storage timeout — and then it fails
/// with <see cref="NoChampionException"/>, <see cref="ModelBundleException"/> or <see cref="StoreUnavailableException"/>
/// (each a 503 with its reason at the HTTP edge).
/// </remarks>
public sealed class ChampionModelSource : IModelSource
{
    private readonly IArtifactStore _store;
    private readonly string _cache;
    private readonly InferenceOptions _options;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _storageTimeout;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private readonly CancellationTokenSource _disposed = new();
    private HotSwapModelSource? _current;
    private string? _etag;
    private DateTimeOffset _nextCheck = DateTimeOffset.MinValue;
    private Task? _refreshing;

    /// <summary>Creates the source; nothing is read until the first request.</summary>
    /// <param name="store">Where <c>models/</c> is.</param>
    /// <param name="cacheFolder">Where bundles are downloaded.</param>
    /// <param name="options">Device and threads of the loaded models.</param>
    /// <param name="checkInterval">How often the pointer is checked (default 30 s).</param>
    /// <param name="logger">Receives swaps and failed refreshes.</param>
    /// <param name="storageTimeout">How long one refresh (the pointer and a bundle's download) may take (default 30 s).</param>
    public ChampionModelSource(IArtifactStore store, string cacheFolder, InferenceOptions options, TimeSpan? checkInterval = null, ILogger? logger = null, TimeSpan? storageTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(cacheFolder);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _cache = cacheFolder;
        _options = options;
        _interval = checkInterval ?? TimeSpan.FromSeconds(30);
        _storageTimeout = storageTimeout ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_storageTimeout, TimeSpan.Zero, nameof(storageTimeout));
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Thrown by <see cref="Acquire"/> when no champion has been promoted yet.</summary>
    public sealed class NoChampionException(string message) : Exception(message);

    /// <summary>Thrown by <see cref="Acquire"/> when nothing is loaded yet and the store did not answer in time or failed.</summary>
    public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

    /// <inheritdoc/>
    /// <exception cref="NoChampionException">There is no champion yet.</exception>
    /// <exception cref="ModelBundleException">Nothing is serving and the champion's bundle cannot be used.</exception>
    /// <exception cref="StoreUnavailableException">Nothing is serving and the store cannot be read now.</exception>
    public ModelLease Acquire()
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        for (int attempt = 0; ; attempt++)
        {
            var current = Volatile.Read(ref _current);
            if (current is null)
            {
                WaitForFirstModel();
                current = Volatile.Read(ref _current) ?? throw new NoChampionException("No model has been promoted yet: train one and promote it (POST /api/retrain).");
            }
            else if (DateTimeOffset.UtcNow >= _nextCheck)
            {
                StartRefresh(); // in the background: this request goes on with the current model
            }

            try
            {
                return current.Acquire();
            }
            catch (ObjectDisposedException) when (attempt < 3 && !_disposed.IsCancellationRequested)
            {
                // Swapped out between the read and the lease: the next read finds its successor.
            }
        }
    }

    private void WaitForFirstModel()
    {
        var refresh = StartRefresh(always: true);
        try
        {
            if (!refresh.Wait(_storageTimeout + TimeSpan.FromSeconds(1)))
            {
                throw new StoreUnavailableException($"The model store did not answer within {_storageTimeout.TotalSeconds:0} s; no model is loaded yet.");
            }
        }
        catch (AggregateException ex) when (ex.InnerException is { } inner)
        {
            throw inner switch
            {
                NoChampionException or ModelBundleException or StoreUnavailableException => inner,
                _ => Unavailable(inner),
            };
        }
    }

    private static StoreUnavailableException Unavailable(Exception ex) => ex is OperationCanceledException
        ? new StoreUnavailableException("The model store did not answer in time; no model is loaded yet.", ex)
        : new StoreUnavailableException($"The model store cannot be read ({ex.GetType().Name}); no model is loaded yet.", ex);

    /// <summary>Starts one refresh unless one is in flight (or, without <paramref name="always"/>, none is due) and returns it.</summary>
    private Task StartRefresh(bool always = false)
    {
        lock (_sync)
        {
            if (_refreshing is { IsCompleted: false } running)
            {
                return running;
            }

            if (!always && DateTimeOffset.UtcNow < _nextCheck)
            {
                return Task.CompletedTask;
            }

            _nextCheck = DateTimeOffset.UtcNow + _interval;
            _refreshing = Task.Run(RefreshBoundedAsync);
            return _refreshing;
        }
    }

    private async Task RefreshBoundedAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        timeout.CancelAfter(_storageTimeout);
        try
        {
            await LoadChangedAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (Volatile.Read(ref _current) is not null)
        {
            // A new champion that cannot be loaded, or a store that is down, does not take the serving model down;
            // retried at the next check. The reason is the exception's kind or the bundle's own message (model ids only).
            PipelineLog.ChampionRefreshFailed(
                _logger,
                ex is ModelBundleException ? ex.Message : ex is OperationCanceledException ? "the store did not answer in time" : ex.GetType().Name);
        }
    }

    /// <summary>
    /// Checks the pointer now and loads a changed champion, joining a refresh already in flight. While a model is
    /// serving, a failure is logged and the current model stays; with none, the failure is thrown.
    /// </summary>
    public Task RefreshAsync(CancellationToken cancellation) => StartRefresh(always: true).WaitAsync(cancellation);

    private async Task LoadChangedAsync(CancellationToken cancellation)
    {
        try
        {
            var pointer = await _store.TryReadAsync(Containers.Models, ChampionPointer.Path, cancellation).ConfigureAwait(false);
            if (pointer is null || pointer.ETag == _etag)
            {
                return;
            }

            var champion = JsonSerializer.Deserialize<ChampionPointer>(pointer.Data)
                ?? throw new ModelBundleException("models/champion.json is empty.");
            string folder = Path.Combine(_cache, champion.ModelId);
            await StoredBundle.DownloadAsync(_store, champion.ModelId, folder, cancellation).ConfigureAwait(false);
            cancellation.ThrowIfCancellationRequested();

            var next = new HotSwapModelSource(folder, _options, Timeout.InfiniteTimeSpan, message => PipelineLog.ModelSource(_logger, message));
            var previous = Interlocked.Exchange(ref _current, next);
            _etag = pointer.ETag;
            previous?.Dispose(); // Leases in flight keep the old model alive until they end.
            PipelineLog.ServingChampion(_logger, champion.ModelId);
        }
        catch (JsonException ex)
        {
            throw new ModelBundleException($"models/champion.json is not valid: {ex.Message}", ex);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _disposed.Cancel();
        try
        {
            _refreshing?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // A refresh that failed while the source was closing has nothing left to report.
        }

        Interlocked.Exchange(ref _current, null)?.Dispose();
        _disposed.Dispose();
    }
}
