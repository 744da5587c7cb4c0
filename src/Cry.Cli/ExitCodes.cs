namespace Cry.Cli;

/// <summary>The exit codes of every <c>cry</c> command.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>An unexpected internal failure (a bug): the message is printed, never a stack trace.</summary>
    public const int InternalError = 1;

    /// <summary>Usage error: unknown option, malformed or incomplete spec, missing argument.</summary>
    public const int Usage = 2;

    /// <summary>Bad input data: stderr names the file and says what is wrong.</summary>
    public const int BadInput = 3;

    /// <summary>Something outside the program is unavailable (e.g. the corpus download); stderr says what to do instead.</summary>
    public const int Unavailable = 4;
}

/// <summary>A usage error found after parsing (a combination of options that cannot work).</summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public UsageException()
        : base("Usage error.")
    {
    }
}

/// <summary>Bad input data in a named file.</summary>
public sealed class BadInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BadInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public BadInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public BadInputException()
        : base("Bad input data.")
    {
    }
}

/// <summary>Something outside the program that a command needs is missing (e.g. a font for report figures).</summary>
public sealed class ResourceUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ResourceUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public ResourceUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public ResourceUnavailableException()
        : base("A resource the command needs is unavailable.")
    {
    }
}
