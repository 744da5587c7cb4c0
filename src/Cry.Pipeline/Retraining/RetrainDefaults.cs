namespace Cry.Pipeline.Retraining;

/// <summary>The retraining defaults, in one place: the app's settings, the orchestration's request and the job document start from these.</summary>
public static class RetrainDefaults
{
    /// <summary>Maximum epochs of a training job.</summary>
    public const int Epochs = 40;

    /// <summary>Early-stopping patience of a training job, in epochs.</summary>
    public const int Patience = 10;

    /// <summary>How long the orchestration waits for a job's result, in minutes.</summary>
    public const double TimeoutMinutes = 120;

    /// <summary>How much higher a challenger's macro-F1 on the evaluation groups must be to be promoted.</summary>
    public const double PromotionMargin = 0.01;

    /// <summary>The share of groups held out for evaluation.</summary>
    public const double HoldoutShare = 0.2;
}
