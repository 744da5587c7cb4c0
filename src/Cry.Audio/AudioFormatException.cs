namespace Cry.Audio;

/// <summary>Thrown when audio bytes cannot be used; the message says what is wrong and where.</summary>
public sealed class AudioFormatException : Exception
{
    /// <summary>Creates the exception with a message that says what is wrong.</summary>
    public AudioFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public AudioFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public AudioFormatException()
        : base("The audio could not be read.")
    {
    }

    /// <summary>
    /// True when the input is a well-formed file of a format or codec that is not supported (an unknown container, a
    /// codec no decoder here reads, an unusual bit depth); false when it is broken, empty or out of range.
    /// A server answers the first with 415 Unsupported Media Type and the second with 400 Bad Request.
    /// </summary>
    public bool IsUnsupportedFormat { get; init; }

    /// <summary>
    /// The external decoder this host lacks for a format it otherwise knows (<c>"ffmpeg"</c>), or null. Set together
    /// with <see cref="IsUnsupportedFormat"/>: the file may be fine, this host cannot read it; a client can convert
    /// the file (to WAV, say) and send it again.
    /// </summary>
    public string? MissingDecoder { get; init; }
}
