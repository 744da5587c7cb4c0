namespace Cry.Inference;

/// <summary>The inference device asked for cannot be used here; the message says why.</summary>
public sealed class InferenceDeviceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InferenceDeviceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public InferenceDeviceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public InferenceDeviceException()
        : base("The inference device cannot be used.")
    {
    }
}
