namespace Cry.Serving;

/// <summary>
/// Bounds the prediction work in flight: at most <see cref="ServingOptions.MaxConcurrentPredictions"/> requests at a
/// time and at most <see cref="ServingOptions.MaxBufferedBodyBytes"/> of bodies buffered among them. A request that
/// does not fit is refused at once (503 with Retry-After) rather than queued, so an overloaded server answers quickly
/// and its memory stays bounded. One gate per host, shared by every request.
/// </summary>
public sealed class PredictionGate
{
    private readonly object _lock = new();
    private readonly int _maxRequests;
    private readonly long _maxBytes;
    private int _requests;
    private long _bytes;

    /// <summary>Creates the gate of the given settings.</summary>
    public PredictionGate(ServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _maxRequests = options.MaxConcurrentPredictions;
        _maxBytes = options.MaxBufferedBodyBytes;
    }

    /// <summary>Requests admitted and not yet finished.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _requests;
            }
        }
    }

    /// <summary>Bytes reserved by the requests in flight.</summary>
    public long ReservedBytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Admits a request that may buffer up to <paramref name="bytes"/>, or says why not.</summary>
    /// <param name="bytes">The most the request can buffer: its declared length, or the body limit when it declares none.</param>
    /// <param name="lease">Released when disposed; null when refused.</param>
    /// <param name="reason">Why it was refused; null when admitted.</param>
    public bool TryEnter(long bytes, out Lease? lease, out string? reason)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_lock)
        {
            if (_requests >= _maxRequests)
            {
                (lease, reason) = (null, $"All {_maxRequests} prediction slots are in use.");
                return false;
            }

            // One request is always admitted when nothing else is in flight, whatever its size (the body limit bounds it).
            if (_requests > 0 && _bytes + bytes > _maxBytes)
            {
                (lease, reason) = (null, $"The bodies in flight already hold {_bytes / (1024.0 * 1024.0):0.#} MB of the {_maxBytes / (1024.0 * 1024.0):0.#} MB allowed.");
                return false;
            }

            _requests++;
            _bytes += bytes;
            (lease, reason) = (new Lease(this, bytes), null);
            return true;
        }
    }

    private void Release(long bytes)
    {
        lock (_lock)
        {
            _requests--;
            _bytes -= bytes;
        }
    }

    /// <summary>An admitted request's share of the gate.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly PredictionGate _gate;
        private readonly long _bytes;
        private int _disposed;

        internal Lease(PredictionGate gate, long bytes) => (_gate, _bytes) = (gate, bytes);

        /// <summary>Gives the share back (once).</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _gate.Release(_bytes);
            }
        }
    }
}
