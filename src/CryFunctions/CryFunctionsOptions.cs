using System.ComponentModel.DataAnnotations;
using Cry.Inference;
using Cry.Pipeline;
using Cry.Pipeline.Retraining;
using Cry.Serving;

namespace CryFunctions;

/// <summary>How training jobs leave the app.</summary>
public enum TrainingDispatchKind
{
    /// <summary>Start <see cref="CryFunctionsOptions.TrainJobCommand"/> <c>train-job</c> as a process (development).</summary>
    Local,

    /// <summary>A message on the <c>training-jobs</c> queue, received by the Container Apps GPU job (Azure).</summary>
    ServiceBus,
}

/// <summary>
/// The app's settings (section <c>Cry</c>: <c>Cry__MaxClipMegabytes</c> etc. in app settings), bound and validated at
/// start-up. The library options the app's services use are made from them here, and only here.
/// </summary>
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

    /// <summary>auto, cpu or cuda (<see cref="Cry.Inference.InferenceDevice"/>, spelt as the setting has always been).</summary>
    [RegularExpression("^(auto|cpu|cuda)$")]
    public string InferenceDevice { get; set; } = InferenceOptions.NameOf(Cry.Inference.InferenceDevice.Auto);

    /// <summary>The retraining schedule (NCRONTAB with seconds); default weekly, Sunday 03:00 UTC.</summary>
    [Required]
    public string RetrainSchedule { get; set; } = "0 0 3 * * 0";

    /// <summary>Maximum epochs of a retraining job.</summary>
    [Range(1, 1000)]
    public int RetrainEpochs { get; set; } = RetrainDefaults.Epochs;

    /// <summary>How long the orchestration waits for a training job's result, in minutes.</summary>
    [Range(1, 1440)]
    public double TrainingTimeoutMinutes { get; set; } = RetrainDefaults.TimeoutMinutes;

    /// <summary>How much higher a challenger's macro-F1 on the evaluation groups must be to be promoted.</summary>
    [Range(0.0, 1.0)]
    public double PromotionMargin { get; set; } = RetrainDefaults.PromotionMargin;

    /// <summary>The share of groups held out for evaluation, chosen by a stable hash of the group key.</summary>
    [Range(0.05, 0.5)]
    public double HoldoutShare { get; set; } = RetrainDefaults.HoldoutShare;

    /// <summary>local (start <see cref="TrainJobCommand"/> as a process) or servicebus (a message on training-jobs): <see cref="Dispatch"/>.</summary>
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

    /// <summary>
    /// <see cref="TrainingDispatch"/> as its closed set. The settings stay the lower-case strings the deployments write
    /// (checked by the expression above, so a bad value stops the host with the accepted ones); the code switches on this.
    /// </summary>
    internal TrainingDispatchKind Dispatch => TrainingDispatch == "servicebus" ? TrainingDispatchKind.ServiceBus : TrainingDispatchKind.Local;

    /// <summary>The champion cache folder (<see cref="ModelCacheFolder"/>, else a folder under the temp path).</summary>
    internal string ModelCache => ModelCacheFolder ?? Path.Combine(Path.GetTempPath(), "cryfunctions-models");

    /// <summary>The upload limit in bytes.</summary>
    internal long MaxClipBytes => Bytes(MaxClipMegabytes);

    /// <summary>The predict body limit in bytes.</summary>
    internal long MaxPredictBodyBytes => Bytes(MaxPredictBodyMegabytes);

    /// <summary>The pipeline's options: its defaults with this app's upload limit.</summary>
    public PipelineOptions Pipeline() => new() { MaxClipBytes = MaxClipBytes };

    /// <summary>How the serving model runs.</summary>
    public InferenceOptions Inference() => new() { Device = InferenceDevice, Threads = InferenceThreads };

    /// <summary>The HTTP API's limits (the Functions host checks the keys).</summary>
    public ServingOptions Serving()
    {
        var defaults = new ServingOptions();
        return new ServingOptions
        {
            MaxBodyBytes = MaxPredictBodyBytes,
            // Uploads go through the same gate: the budget holds at least one body of either limit.
            MaxBufferedBodyBytes = Math.Max(defaults.MaxBufferedBodyBytes, Math.Max(MaxPredictBodyBytes, MaxClipBytes)),
            MaxConcurrentPredictions = MaxConcurrentPredictions > 0 ? MaxConcurrentPredictions : defaults.MaxConcurrentPredictions,
            BodyStallTimeout = TimeSpan.FromSeconds(BodyStallSeconds),
        };
    }

    /// <summary>What the retraining functions start a run with.</summary>
    public Retraining.RetrainRequest RetrainRequest(bool force = false) => new(force, RetrainEpochs, TrainingTimeoutMinutes, PromotionMargin);

    private static long Bytes(double megabytes) => (long)(megabytes * 1024 * 1024);
}
