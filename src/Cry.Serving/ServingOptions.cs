namespace Cry.Serving;

/// <summary>Settings of the HTTP API.</summary>
public sealed record ServingOptions
{
    /// <summary>The header that carries the API key, as with Azure Functions, so one client works against both hosts.</summary>
    public const string KeyHeader = "x-functions-key";

    /// <summary>The default body limit: 10 MB.</summary>
    public const long DefaultMaxBodyBytes = 10L * 1024 * 1024;

    /// <summary>When set, <c>/api/predict</c> and <c>/api/models/champion</c> require it in <see cref="KeyHeader"/>.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The largest audio body accepted, in bytes (a multipart body may add a little framing on top).</summary>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>Room for multipart framing (boundaries, part headers) on top of <see cref="MaxBodyBytes"/>.</summary>
    public long MultipartOverheadBytes { get; init; } = 64 * 1024;

    /// <summary>Predictions in flight at once; a request beyond them gets 503 with Retry-After (default: twice the processors, at least 2).</summary>
    public int MaxConcurrentPredictions { get; init; } = Math.Max(2, 2 * Environment.ProcessorCount);

    /// <summary>How long a request whose body has arrived may wait for a prediction slot before 503 with Retry-After (default 2 s).</summary>
    public TimeSpan PredictionQueueWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Bytes of request bodies the predictions in flight may buffer together (default 48 MB); beyond it 503 with Retry-After.</summary>
    public long MaxBufferedBodyBytes { get; init; } = 48L * 1024 * 1024;

    /// <summary>How long a body may make no progress before the request is ended with 408 (default 10 s).</summary>
    public TimeSpan BodyStallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The slowest whole-body rate allowed, in bytes per second (default 16 KB/s, an eighth of a 1 Mbit/s phone
    /// upload): a body's deadline is <see cref="BodyDeadlineGrace"/> plus its length at this rate.
    /// </summary>
    public long MinimumBodyBytesPerSecond { get; init; } = 16 * 1024;

    /// <summary>Time every body gets on top of its length at <see cref="MinimumBodyBytesPerSecond"/> (default 10 s).</summary>
    public TimeSpan BodyDeadlineGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The deadline of a body of <paramref name="length"/> bytes.</summary>
    public TimeSpan BodyDeadline(long length) => BodyDeadlineGrace + TimeSpan.FromSeconds(Math.Max(0, length) / (double)MinimumBodyBytesPerSecond);

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (MaxBodyBytes < 1024)
        {
            throw new ArgumentException($"The body limit must be at least 1 KB, not {MaxBodyBytes} bytes.");
        }

        if (MaxConcurrentPredictions < 1 || MaxBufferedBodyBytes < MaxBodyBytes)
        {
            throw new ArgumentException(
                $"At least one prediction must be allowed in flight (not {MaxConcurrentPredictions}), and the buffered bytes ({MaxBufferedBodyBytes}) must hold at least one body of the limit ({MaxBodyBytes}).");
        }

        if (PredictionQueueWait < TimeSpan.Zero || PredictionQueueWait > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"The wait for a prediction slot ({PredictionQueueWait}) must be between 0 and 1 minute.");
        }

        if (BodyStallTimeout <= TimeSpan.Zero || MinimumBodyBytesPerSecond < 1 || BodyDeadlineGrace < TimeSpan.Zero)
        {
            throw new ArgumentException(
                $"The stall timeout ({BodyStallTimeout}) must be positive, the minimum body rate ({MinimumBodyBytesPerSecond} B/s) at least 1 and the deadline grace ({BodyDeadlineGrace}) not negative.");
        }

        if (ApiKey is { } key && (key.Length < 16 || key.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException("An API key must have at least 16 characters and no white space.");
        }
    }
}
