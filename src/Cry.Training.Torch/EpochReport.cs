namespace Cry.Training.Torch;

/// <summary>What one training epoch achieved.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean (class-weighted when so configured) cross-entropy over the epoch's training batches.</param>
/// <param name="ValidationLoss">The same loss, with the training class weights, on the validation set after the epoch.</param>
/// <param name="ValidationScore">The caller's validation score after the epoch; higher is better.</param>
/// <param name="IsBest">Whether this epoch has the best score so far (the state kept for the result).</param>
/// <param name="Elapsed">Wall-clock time of the epoch, validation included.</param>
public sealed record EpochReport(
    int Epoch, double TrainLoss, double ValidationLoss, double ValidationScore, bool IsBest, TimeSpan Elapsed);
