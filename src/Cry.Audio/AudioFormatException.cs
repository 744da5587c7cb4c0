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
}
