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
/// to a local cache folder and loaded; when the pointer changes (checked at most once per interval), the next request
/// loads the new bundle and requests in flight finish on the old one (<see cref="HotSwapModelSource"/> semantics).
/// </summary>
public sealed class ChampionModelSource : IModelSource
{
    private readonly IArtifactStore _store;
    private readonly string _cache;
    private readonly InferenceOptions _options;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private HotSwapModelSource? _current;
    private string? _etag;
    private DateTimeOffset _nextCheck = DateTimeOffset.MinValue;

    /// <summary>Creates the source; nothing is read until the first request.</summary>
    public ChampionModelSource(IArtifactStore store, string cacheFolder, InferenceOptions options, TimeSpan? checkInterval = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(cacheFolder);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _cache = cacheFolder;
        _options = options;
        _interval = checkInterval ?? TimeSpan.FromSeconds(30);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Thrown by <see cref="Acquire"/> when no champion has been promoted yet.</summary>
    public sealed class NoChampionException(string message) : Exception(message);

    /// <inheritdoc/>
    /// <exception cref="NoChampionException">There is no champion yet.</exception>
    /// <exception cref="ModelBundleException">The champion's bundle cannot be used.</exception>
    public ModelLease Acquire()
    {
        if (DateTimeOffset.UtcNow >= _nextCheck || _current is null)
        {
            try
            {
                RefreshAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (ModelBundleException ex) when (_current is not null)
            {
                // A new champion that cannot be loaded does not take the serving one down; retried at the next check.
                _logger.LogError("The new champion cannot be loaded; the current model keeps serving: {Reason}", ex.Message);
            }
        }

        return (_current ?? throw new NoChampionException("No model has been promoted yet: train one and promote it (POST /api/retrain).")).Acquire();
    }

    /// <summary>Reads the pointer and loads a changed champion.</summary>
    public async Task RefreshAsync(CancellationToken cancellation)
    {
        await _gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            _nextCheck = DateTimeOffset.UtcNow + _interval;
            var pointer = await _store.TryReadAsync(Containers.Models, ChampionPointer.Path, cancellation).ConfigureAwait(false);
            if (pointer is null || pointer.ETag == _etag)
            {
                return;
            }

            var champion = JsonSerializer.Deserialize<ChampionPointer>(pointer.Data)
                ?? throw new ModelBundleException("models/champion.json is empty.");
            string folder = Path.Combine(_cache, champion.ModelId);
            await StoredBundle.DownloadAsync(_store, champion.ModelId, folder, cancellation).ConfigureAwait(false);

            var next = new HotSwapModelSource(folder, _options, Timeout.InfiniteTimeSpan, message => _logger.LogInformation("{Message}", message));
            var previous = Interlocked.Exchange(ref _current, next);
            _etag = pointer.ETag;
            previous?.Dispose(); // Leases in flight keep the old model alive until they end.
            _logger.LogInformation("Serving champion {ModelId}.", champion.ModelId);
        }
        catch (JsonException ex)
        {
            throw new ModelBundleException($"models/champion.json is not valid: {ex.Message}", ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _current?.Dispose();
        _gate.Dispose();
    }
}
