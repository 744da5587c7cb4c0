using System.Security.Cryptography;

namespace Cry.Inference;

/// <summary>
/// A model bundle folder that may be replaced while serving: when its files change, the next request loads and uses
/// the new bundle; requests in flight finish on the old one, which is released when the last of them ends.
/// </summary>
/// <remarks>
/// The folder is checked at most once per <see cref="CheckInterval"/> (file sizes and write times of manifest.json and
/// model.onnx). One request loads the new bundle while the others go on with the current one, so no request waits on
/// or fails because of a swap. A bundle that does not load (for example one still being copied) is logged and the
/// current model keeps serving; the load is tried again at the next check. The manifest records the SHA-256 of
/// model.onnx, so a new model next to an old manifest (or the reverse) is refused until both files are in place.
/// </remarks>
public sealed class HotSwapModelSource : IModelSource
{
    private readonly string _folder;
    private readonly InferenceOptions _options;
    private readonly Action<string>? _log;
    private readonly Lock _loadLock = new();
    private readonly TimeProvider _time;
    private LoadedModel? _current;
    private string _fingerprint;
    private long _nextCheck;
    private string? _lastFailure;

    /// <summary>Loads the bundle in <paramref name="folder"/>.</summary>
    /// <param name="folder">The bundle folder.</param>
    /// <param name="options">Device, threads and batch size for every model loaded from it.</param>
    /// <param name="checkInterval">How often the folder is checked for a new bundle; <see cref="Timeout.InfiniteTimeSpan"/> never.</param>
    /// <param name="log">Receives load messages (device fallback, swaps, bundles that did not load).</param>
    /// <param name="time">The clock (tests pass a fake one).</param>
    /// <exception cref="ModelBundleException">The bundle there cannot be used.</exception>
    /// <exception cref="InferenceDeviceException">The device asked for cannot be used.</exception>
    public HotSwapModelSource(string folder, InferenceOptions options, TimeSpan? checkInterval = null, Action<string>? log = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(options);
        _folder = folder;
        _options = options;
        _log = log;
        _time = time ?? TimeProvider.System;
        CheckInterval = checkInterval ?? TimeSpan.FromSeconds(2);
        _fingerprint = Fingerprint();
        _current = new LoadedModel(OnnxCryModel.Load(folder, options, log));
        _nextCheck = NextCheck();
    }

    /// <summary>How often the folder is checked for a new bundle.</summary>
    public TimeSpan CheckInterval { get; }

    /// <summary>The id of the model now serving.</summary>
    public string CurrentModelId => (Volatile.Read(ref _current) ?? throw new ObjectDisposedException(nameof(HotSwapModelSource))).Model.Manifest.ModelId;

    /// <inheritdoc/>
    public ModelLease Acquire()
    {
        if (_time.GetTimestamp() >= Volatile.Read(ref _nextCheck))
        {
            TrySwap();
        }

        while (true)
        {
            var current = Volatile.Read(ref _current) ?? throw new ObjectDisposedException(nameof(HotSwapModelSource));
            if (current.TryAddReference())
            {
                return new ModelLease(current);
            }

            // Swapped out and released between the read and the reference: read the new one.
        }
    }

    /// <summary>Checks the folder now and loads a changed bundle.</summary>
    /// <returns>True when a new bundle was loaded.</returns>
    public bool TrySwap()
    {
        if (!_loadLock.TryEnter())
        {
            return false; // Another request is loading; this one goes on with the current model.
        }

        try
        {
            Volatile.Write(ref _nextCheck, NextCheck());
            if (Volatile.Read(ref _current) is null)
            {
                return false;
            }

            string fingerprint = Fingerprint();
            if (fingerprint == _fingerprint)
            {
                return false;
            }

            OnnxCryModel model;
            try
            {
                model = OnnxCryModel.Load(_folder, _options, _log);
            }
            catch (Exception ex) when (ex is ModelBundleException or InferenceDeviceException)
            {
                if (ex.Message != _lastFailure)
                {
                    _log?.Invoke($"the changed bundle in {_folder} does not load; still serving {CurrentModelId}: {ex.Message}");
                    _lastFailure = ex.Message;
                }

                return false;
            }

            _lastFailure = null;
            _fingerprint = fingerprint;
            var previous = Interlocked.Exchange(ref _current, new LoadedModel(model));
            _log?.Invoke($"now serving {model.Manifest.ModelId} (was {previous?.Model.Manifest.ModelId})");
            previous?.Release();
            return true;
        }
        finally
        {
            _loadLock.Exit();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_loadLock)
        {
            Interlocked.Exchange(ref _current, null)?.Release();
        }
    }

    private long NextCheck() =>
        CheckInterval == Timeout.InfiniteTimeSpan
            ? long.MaxValue
            : _time.GetTimestamp() + (long)(CheckInterval.TotalSeconds * _time.TimestampFrequency);

    // The manifest's content (small, and it carries the model's SHA-256) plus the model file's size and write time:
    // write times alone can repeat within the file system's clock granularity.
    private string Fingerprint()
    {
        string manifest;
        try
        {
            manifest = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(_folder, "manifest.json"))));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            manifest = "-";
        }

        var model = new FileInfo(Path.Combine(_folder, "model.onnx"));
        return model.Exists ? $"{manifest}|{model.Length}:{model.LastWriteTimeUtc.Ticks}" : $"{manifest}|-";
    }
}
