namespace Cry.Training.Torch.Experiments;

/// <summary>How clips are split for evaluation.</summary>
public enum EvaluationProtocol
{
    /// <summary>Stratified group k-fold by app instance; augmented variants only in training folds (the product's protocol).</summary>
    Grouped,

    /// <summary>The research's protocol: augment first, then split all variants at random, ignoring groups (leaks).</summary>
    Leaky,
}

/// <summary>Options of a cross-validation or final-training run.</summary>
public sealed record ExperimentOptions
{
    /// <summary>Number of folds.</summary>
    public int Folds { get; init; } = 5;

    /// <summary>Grouped (honest) or leaky (the research's) protocol.</summary>
    public EvaluationProtocol Protocol { get; init; } = EvaluationProtocol.Grouped;

    /// <summary>Network and optimiser settings.</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>Share of the training groups held out for early stopping and calibration.</summary>
    public double ValidationShare { get; init; } = 0.15;

    /// <summary>Seed of the splits (the network's seed is in <see cref="Training"/>).</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// Share of each fold's training groups (app instances) the network trains on, for learning curves: the outer folds
    /// and the validation share stay as they are, every need keeps at least one group (default 1: all of them).
    /// </summary>
    public double TrainingGroupShare { get; init; } = 1.0;

    /// <summary>Seed of the subsample of <see cref="TrainingGroupShare"/> (one learning-curve repetition per seed).</summary>
    public ulong SubsampleSeed { get; init; }
}
