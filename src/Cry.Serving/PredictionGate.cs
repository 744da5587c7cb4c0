namespace Cry.Serving;

/// <summary>
/// Bounds the work in flight, in two parts. Memory: the bodies being read or worked on may hold at most
/// <see cref="ServingOptions.MaxBufferedBodyBytes"/> together, counted as declared (each reserves its declared length,
/// at least 4 KB, or the limit when it declares none; the pooled buffer that holds a body is rounded up to a power of
/// two, so the arrays behind the count can be up to twice as large); a request that does not fit is refused at once
/// (503 with Retry-After) before its body is read.
/// Work: at most <see cref="ServingOptions.MaxConcurrentPredictions"/> requests decode and score at a time; a request
/// whose body has arrived waits up to <see cref="ServingOptions.PredictionQueueWait"/> for a slot, then is refused
/// the same way. A body that arrives slowly (or stalls) holds bytes, never a slot, so slow clients cannot starve the
/// scoring. One gate per host, shared by prediction and upload.
/// </summary>
public sealed class PredictionGate
{
    private readonly Lock _lock = new();
    private readonly int _maxRequests;
    private readonly long _maxBytes;
    private readonly TimeSpan _queueWait;
    private readonly SemaphoreSlim _slots;
    private int _requests;
    private long _bytes;

    /// <summary>Creates the gate of the given settings.</summary>
    public PredictionGate(ServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _maxRequests = options.MaxConcurrentPredictions;
        _maxBytes = options.MaxBufferedBodyBytes;
        _queueWait = options.PredictionQueueWait;
        _slots = new SemaphoreSlim(_maxRequests, _maxRequests);
    }

    /// <summary>Requests admitted (reading their body or being worked on) and not yet finished.</summary>
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

    /// <summary>Requests holding a prediction slot now.</summary>
    public int Working => _maxRequests - _slots.CurrentCount;

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

    private void Release(long bytes, bool slot)
    {
        lock (_lock)
        {
            _requests--;
            _bytes -= bytes;
        }

        if (slot)
        {
            _slots.Release();
        }
    }

    /// <summary>An admitted request's share of the gate.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly PredictionGate _gate;
        private readonly long _bytes;
        private int _slot;
        private int _disposed;

        internal Lease(PredictionGate gate, long bytes) => (_gate, _bytes) = (gate, bytes);

        /// <summary>
        /// Takes a prediction slot for this request (once its body has arrived), waiting at most the queue wait.
        /// </summary>
        /// <param name="cancellation">The request's abort.</param>
        /// <returns>Null with the slot held until disposed, or why none was free.</returns>
        public async Task<string?> TakeSlotAsync(CancellationToken cancellation)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (Volatile.Read(ref _slot) != 0)
            {
                return null;
            }

            if (!await _gate._slots.WaitAsync(_gate._queueWait, cancellation).ConfigureAwait(false))
            {
                return $"All {_gate._maxRequests} prediction slots stayed in use for {_gate._queueWait.TotalSeconds:0.#} s.";
            }

            Volatile.Write(ref _slot, 1);
            return null;
        }

        /// <summary>Gives the share back (once).</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _gate.Release(_bytes, Volatile.Read(ref _slot) != 0);
            }
        }
    }
}
