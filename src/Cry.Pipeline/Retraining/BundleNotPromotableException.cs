namespace Cry.Pipeline.Retraining;

/// <summary>A stored model that must not become the champion: its run failed or did not finish, or its bundle is incomplete or altered.</summary>
public sealed class BundleNotPromotableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BundleNotPromotableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public BundleNotPromotableException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public BundleNotPromotableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
