namespace Cry.Training.Data;

/// <summary>Thrown when a dataset cannot be used as asked; the message says what is wrong and where.</summary>
public sealed class DatasetException : Exception
{
    /// <summary>Creates the exception with a message that says what is wrong.</summary>
    public DatasetException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public DatasetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public DatasetException()
        : base("The dataset could not be used.")
    {
    }
}
