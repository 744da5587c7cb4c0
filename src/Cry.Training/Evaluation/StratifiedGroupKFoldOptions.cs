namespace Cry.Training.Evaluation;

/// <summary>Settings of <see cref="StratifiedGroupKFold"/>: 5 folds, groups shuffled with seed 0 by default.</summary>
public sealed record StratifiedGroupKFoldOptions
{
    /// <summary>The default: 5 folds, shuffled, seed 0.</summary>
    public static StratifiedGroupKFoldOptions Default { get; } = new();

    /// <summary>Number of folds, at least 2; 5 by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 2.</exception>
    public int Folds
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 2);
            field = value;
        }
    } = 5;

    /// <summary>Seed of the shuffle that orders groups of equal spread before the greedy assignment.</summary>
    public ulong Seed { get; init; }

    /// <summary>Whether to shuffle groups before sorting them (true by default); without it, ties keep first-appearance order.</summary>
    public bool Shuffle { get; init; } = true;
}
