using Microsoft.Extensions.Logging;

namespace CryFunctions;

/// <summary>
/// The app's log lines. Each takes only opaque references (clip references, model, run and snapshot ids), counts and
/// values from closed sets: never a clip's name, a label a client sent, or anything read from a file.
/// </summary>
internal static partial class FunctionsLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Clip {ClipRef} uploaded ({Label}).")]
    public static partial void ClipUploaded(ILogger logger, string clipRef, string label); // label: checked to be one of the configured labels

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Features {SpecId} variant {Variant} of clip {ClipRef}: {Written}.")]
    public static partial void FeaturesComputed(ILogger logger, string specId, int variant, string clipRef, bool written);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "No model is loaded and the model store cannot be read: {Reason}")]
    public static partial void StoreUnavailable(ILogger logger, string reason); // our own message: a timeout or an exception's type

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "The champion cannot be loaded: {Reason}")]
    public static partial void ChampionUnloadable(ILogger logger, string reason); // a bundle's problem, naming model ids and bundle files only

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Snapshot {SnapshotId}: {Clips} clips, unchanged since the champion: {Unchanged} (forced: {Force}).")]
    public static partial void SnapshotTaken(ILogger logger, string snapshotId, int clips, bool unchanged, bool force);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "Training run {RunId} dispatched ({Dispatcher}).")]
    public static partial void RunDispatched(ILogger logger, string runId, string dispatcher);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "The champion {ModelId} cannot be scored ({Reason}); the challenger is compared with none.")]
    public static partial void ChampionNotScored(ILogger logger, string modelId, string reason);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Information, Message = "Run {RunId}: {Decision}.")]
    public static partial void RunDecided(ILogger logger, string runId, string decision); // the promotion rule's own words and scores

    [LoggerMessage(EventId = 2014, Level = LogLevel.Information, Message = "Scheduled retraining: started {Started} (false: a run is in progress).")]
    public static partial void ScheduledRetrain(ILogger logger, bool started);
}
