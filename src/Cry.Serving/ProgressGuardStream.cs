namespace Cry.Serving;

/// <summary>
/// A read-only view of a request body that fails a read when the body makes no progress for a while or passes its
/// whole deadline. Kestrel's minimum data rate averages over the whole body, so a client that sends most of a large
/// body quickly and then stops is never cut off by it; this guard is per read and per body.
/// </summary>
/// <remarks>Written by hand: neither Kestrel nor the Functions host has a per-read inactivity timeout for request bodies.</remarks>
internal sealed class ProgressGuardStream : Stream
{
    private readonly Stream _inner;
    private readonly TimeSpan _stall;
    private readonly long _deadline;
    private readonly CancellationToken _aborted;

    /// <param name="inner">The request body.</param>
    /// <param name="stall">The longest a single read may wait for data.</param>
    /// <param name="total">The longest the whole body may take.</param>
    /// <param name="aborted">The request's own cancellation (the client went away).</param>
    public ProgressGuardStream(Stream inner, TimeSpan stall, TimeSpan total, CancellationToken aborted)
    {
        _inner = inner;
        _stall = stall;
        _deadline = Environment.TickCount64 + (long)total.TotalMilliseconds;
        _aborted = aborted;
    }

    /// <summary>Bytes read so far.</summary>
    public long Position64 { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => Position64; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        long left = _deadline - Environment.TickCount64;
        if (left <= 0)
        {
            throw new BodyTimeoutException(stalled: false);
        }

        bool stallFirst = _stall.TotalMilliseconds <= left;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(_aborted, cancellationToken);
        timer.CancelAfter(stallFirst ? _stall : TimeSpan.FromMilliseconds(left));
        try
        {
            int read = await _inner.ReadAsync(buffer, timer.Token).ConfigureAwait(false);
            Position64 += read;
            return read;
        }
        catch (OperationCanceledException) when (!_aborted.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new BodyTimeoutException(stalled: stallFirst);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous reads are not allowed on request bodies (Kestrel's AllowSynchronousIO is off).
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Request bodies are read asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>The body stopped arriving (<see cref="Stalled"/>) or took longer than its deadline allows.</summary>
internal sealed class BodyTimeoutException(bool stalled) : Exception(stalled ? "The body stopped arriving." : "The body took longer than its deadline.")
{
    public bool Stalled { get; } = stalled;
}
