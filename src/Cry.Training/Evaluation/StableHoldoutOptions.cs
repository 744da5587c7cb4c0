namespace Cry.Training.Evaluation;

/// <summary>Settings of <see cref="StableHoldout"/>: 20 % of groups, no salt by default.</summary>
public sealed record StableHoldoutOptions
{
    /// <summary>The default: a 20 % share, no salt.</summary>
    public static StableHoldoutOptions Default { get; } = new();

    /// <summary>Share of groups held out, in (0, 1); 0.2 by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside (0, 1) or not finite.</exception>
    public double Share
    {
        get;
        init
        {
            if (!double.IsFinite(value) || value <= 0 || value >= 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The share must be in (0, 1).");
            }

            field = value;
        }
    } = 0.2;

    /// <summary>Text put before every group key before hashing, to draw a different but equally stable holdout; empty by default.</summary>
    public string Salt
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value;
        }
    } = string.Empty;
}
