namespace Cry.Training.Evaluation;

/// <summary>Settings of <see cref="BootstrapConfidence"/>: 1000 resamples, 95 % level, seed 0 by default.</summary>
public sealed record BootstrapOptions
{
    /// <summary>The default: 1000 resamples, a 95 % interval, seed 0.</summary>
    public static BootstrapOptions Default { get; } = new();

    /// <summary>Number of bootstrap resamples, at least 10; 1000 by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 10.</exception>
    public int Resamples
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 10);
            field = value;
        }
    } = 1000;

    /// <summary>Coverage of the interval, in (0, 1); 0.95 by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside (0, 1) or not finite.</exception>
    public double Level
    {
        get;
        init
        {
            if (!double.IsFinite(value) || value <= 0 || value >= 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The level must be in (0, 1).");
            }

            field = value;
        }
    } = 0.95;

    /// <summary>Seed of the resampling.</summary>
    public ulong Seed { get; init; }
}
