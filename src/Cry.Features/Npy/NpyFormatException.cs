namespace Cry.Features.Npy;

/// <summary>Thrown when bytes are not a .npy array this library reads; the message says what is wrong.</summary>
public sealed class NpyFormatException : Exception
{
    /// <summary>Creates the exception with a message that says what is wrong.</summary>
    public NpyFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public NpyFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public NpyFormatException()
        : base("The .npy data could not be read.")
    {
    }
}
