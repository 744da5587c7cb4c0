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

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (MaxBodyBytes < 1024)
        {
            throw new ArgumentException($"The body limit must be at least 1 KB, not {MaxBodyBytes} bytes.");
        }

        if (ApiKey is { } key && (key.Length < 16 || key.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException("An API key must have at least 16 characters and no white space.");
        }
    }
}
