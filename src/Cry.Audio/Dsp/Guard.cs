namespace Cry.Audio.Dsp;

/// <summary>Argument checks for floating-point parameters that the framework's throw helpers do not cover.</summary>
internal static class Guard
{
    /// <summary>Throws when <paramref name="value"/> is NaN or infinite.</summary>
    public static void ThrowIfNotFinite(double value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? paramName = null)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(paramName, value, "The value must be a finite number.");
        }
    }

    /// <summary>Throws unless <paramref name="min"/> ≤ <paramref name="max"/>, both finite and within [<paramref name="lower"/>, <paramref name="upper"/>].</summary>
    public static void ThrowIfBadRange(double min, double max, double lower, double upper, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(min))] string? minName = null, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(max))] string? maxName = null)
    {
        ThrowIfNotFinite(min, minName);
        ThrowIfNotFinite(max, maxName);
        ArgumentOutOfRangeException.ThrowIfLessThan(min, lower, minName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, upper, maxName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(min, max, minName);
    }
}
