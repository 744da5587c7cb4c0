using System.ComponentModel.DataAnnotations;

namespace CryFunctions;

/// <summary>The app's settings (section <c>Cry</c>: <c>Cry__MaxClipMegabytes</c> etc. in app settings), validated at start-up.</summary>
public sealed class CryFunctionsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Cry";

    /// <summary>Uploads larger than this are quarantined (clip trigger) or refused with 413 (HTTP upload).</summary>
    [Range(0.01, 1024)]
    public double MaxClipMegabytes { get; set; } = 20;

    /// <summary>Where champion bundles are cached for serving (default: a folder under the temp path).</summary>
    public string? ModelCacheFolder { get; set; }

    /// <summary>How often <c>models/champion.json</c> is checked for a new champion, in seconds.</summary>
    [Range(1, 3600)]
    public int ChampionCheckSeconds { get; set; } = 30;

    /// <summary>ONNX Runtime threads per prediction.</summary>
    [Range(1, 64)]
    public int InferenceThreads { get; set; } = 1;

    /// <summary>auto, cpu or cuda.</summary>
    [RegularExpression("^(auto|cpu|cuda)$")]
    public string InferenceDevice { get; set; } = "auto";

    /// <summary>The retraining schedule (NCRONTAB with seconds); default weekly, Sunday 03:00 UTC.</summary>
    [Required]
    public string RetrainSchedule { get; set; } = "0 0 3 * * 0";

    /// <summary>Maximum epochs of a retraining job.</summary>
    [Range(1, 1000)]
    public int RetrainEpochs { get; set; } = 40;

    /// <summary>How long the orchestration waits for a training job's result, in minutes.</summary>
    [Range(1, 1440)]
    public double TrainingTimeoutMinutes { get; set; } = 120;

    /// <summary>How much higher a challenger's macro-F1 on the evaluation groups must be to be promoted.</summary>
    [Range(0.0, 1.0)]
    public double PromotionMargin { get; set; } = 0.01;

    /// <summary>The share of groups held out for evaluation, chosen by a stable hash of the group key.</summary>
    [Range(0.05, 0.5)]
    public double HoldoutShare { get; set; } = 0.2;

    /// <summary>local (start <see cref="TrainJobCommand"/> as a process) or servicebus (a message on training-jobs).</summary>
    [RegularExpression("^(local|servicebus)$")]
    public string TrainingDispatch { get; set; } = "local";

    /// <summary>How the local dispatcher starts cry, e.g. <c>dotnet /repo/out/cli/cry.dll</c>.</summary>
    public string TrainJobCommand { get; set; } = "cry";

    /// <summary>Clips (and everything derived from them) older than this many days are erased daily; 0 (default) keeps them.</summary>
    [Range(0.0, 36500)]
    public double RetentionDays { get; set; }

    /// <summary>The largest audio body accepted by predict, in megabytes.</summary>
    [Range(0.01, 100)]
    public double MaxPredictBodyMegabytes { get; set; } = 10;

    /// <summary>Predictions in flight at once on one instance; beyond them 503 with Retry-After (0: twice the processors).</summary>
    [Range(0, 1024)]
    public int MaxConcurrentPredictions { get; set; }

    /// <summary>How long a predict body may make no progress before the request ends with 408, in seconds.</summary>
    [Range(1.0, 300)]
    public double BodyStallSeconds { get; set; } = 10;
}
