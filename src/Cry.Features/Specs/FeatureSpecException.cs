namespace Cry.Features.Specs;

/// <summary>Thrown when a feature spec is malformed, incomplete or inconsistent; the message says what is wrong.</summary>
public sealed class FeatureSpecException : Exception
{
    /// <summary>Creates the exception with a message that says what is wrong.</summary>
    public FeatureSpecException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public FeatureSpecException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public FeatureSpecException()
        : base("The feature spec is not valid.")
    {
    }
}
