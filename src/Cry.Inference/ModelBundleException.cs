namespace Cry.Inference;

/// <summary>A model bundle that cannot be used; the message says what is wrong with it.</summary>
public sealed class ModelBundleException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelBundleException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public ModelBundleException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public ModelBundleException()
        : base("The model bundle cannot be used.")
    {
    }
}
