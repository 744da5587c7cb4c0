namespace Cry.Training.Torch;

/// <summary>One epoch of one training run inside a longer job (a cross-validation fold or the final model).</summary>
/// <param name="Stage">What is being trained, e.g. "fold 2/5" or "final model".</param>
/// <param name="StageIndex">0-based index of the run inside the job.</param>
/// <param name="StageCount">Training runs in the job.</param>
/// <param name="MaxEpochs">The run's epoch limit (early stopping may end it sooner).</param>
/// <param name="Epoch">The epoch just finished.</param>
public sealed record TrainingProgress(string Stage, int StageIndex, int StageCount, int MaxEpochs, EpochReport Epoch)
{
    /// <summary>A progress sink that tags each epoch of one run with its stage.</summary>
    /// <param name="sink">Where tagged reports go (may be null: nothing is reported).</param>
    /// <param name="stage">The run's name.</param>
    /// <param name="stageIndex">The run's index.</param>
    /// <param name="stageCount">Runs in the job.</param>
    /// <param name="maxEpochs">The run's epoch limit.</param>
    /// <returns>A sink for <see cref="Trainer.Fit"/>, or null when <paramref name="sink"/> is null.</returns>
    public static IProgress<EpochReport>? For(IProgress<TrainingProgress>? sink, string stage, int stageIndex, int stageCount, int maxEpochs) =>
        sink is null ? null : new Tagged(sink, stage, stageIndex, stageCount, maxEpochs);

    private sealed class Tagged(IProgress<TrainingProgress> sink, string stage, int index, int count, int maxEpochs) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => sink.Report(new TrainingProgress(stage, index, count, maxEpochs, value));
    }
}
