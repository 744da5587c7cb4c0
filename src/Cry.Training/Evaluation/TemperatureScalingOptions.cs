namespace Cry.Training.Evaluation;

/// <summary>Search range and tolerance of <see cref="TemperatureScaling.Fit(ReadOnlySpan{float}, ReadOnlySpan{int}, int, TemperatureScalingOptions?)"/>.</summary>
/// <remarks>Defaults: T in [0.05, 20], stop when the bracket on ln T is narrower than 1e-6.</remarks>
public sealed record TemperatureScalingOptions
{
    /// <summary>The defaults.</summary>
    public static TemperatureScalingOptions Default { get; } = new();

    /// <summary>Smallest temperature searched, &gt; 0; 0.05 by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public double MinTemperature
    {
        get;
        init
        {
            ThrowIfNotPositiveFinite(value);
            field = value;
        }
    } = 0.05;

    /// <summary>Largest temperature searched; 20 by default. Must exceed <see cref="MinTemperature"/> (checked when fitting).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public double MaxTemperature
    {
        get;
        init
        {
            ThrowIfNotPositiveFinite(value);
            field = value;
        }
    } = 20;

    /// <summary>Width of the final bracket on ln T; 1e-6 by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public double Tolerance
    {
        get;
        init
        {
            ThrowIfNotPositiveFinite(value);
            field = value;
        }
    } = 1e-6;

    private static void ThrowIfNotPositiveFinite(double value)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "The value must be positive and finite.");
        }
    }
}
