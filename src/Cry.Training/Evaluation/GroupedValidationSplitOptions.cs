namespace Cry.Training.Evaluation;

/// <summary>Settings of <see cref="GroupedValidationSplit"/>: 15 % of clips per class, seed 0 by default.</summary>
public sealed record GroupedValidationSplitOptions
{
    /// <summary>The default: a 15 % share, seed 0.</summary>
    public static GroupedValidationSplitOptions Default { get; } = new();

    /// <summary>Target share of every class's clips held out for validation, in (0, 0.5]; 0.15 by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside (0, 0.5] or not finite.</exception>
    public double Share
    {
        get;
        init
        {
            if (!double.IsFinite(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The share must be finite.");
            }

            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 0.5);
            field = value;
        }
    } = 0.15;

    /// <summary>Seed of the shuffle that orders groups of equal size.</summary>
    public ulong Seed { get; init; }
}
