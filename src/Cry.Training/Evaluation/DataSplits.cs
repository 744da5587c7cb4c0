namespace Cry.Training.Evaluation;

/// <summary>One cross-validation fold: clip indices to train on and to test on, each sorted ascending.</summary>
/// <param name="Fold">Zero-based fold number.</param>
/// <param name="TrainIndices">Clips outside this fold's groups.</param>
/// <param name="TestIndices">Clips of this fold's groups.</param>
public sealed record FoldSplit(int Fold, int[] TrainIndices, int[] TestIndices);

/// <summary>A two-way split of clip indices, each side sorted ascending.</summary>
/// <param name="TrainIndices">Clips kept for training.</param>
/// <param name="HeldOutIndices">Clips held out (for validation or a final test).</param>
public sealed record HoldoutSplit(int[] TrainIndices, int[] HeldOutIndices);
