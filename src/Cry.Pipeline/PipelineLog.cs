using Microsoft.Extensions.Logging;

namespace Cry.Pipeline;

/// <summary>Why a clip was quarantined, from a closed set: what the logs carry (the note in quarantine/ has the full reason).</summary>
public enum QuarantineKind
{
    /// <summary>The label cannot be stored safely.</summary>
    UnsafeLabel,

    /// <summary>The clip's name cannot be stored safely.</summary>
    UnsafeName,

    /// <summary>The label is not one of the pipeline's.</summary>
    UnknownLabel,

    /// <summary>The clip is over the size limit.</summary>
    TooLarge,

    /// <summary>The clip is in a format this host cannot decode.</summary>
    UnsupportedFormat,

    /// <summary>The clip cannot be decoded or is too short to use.</summary>
    Undecodable,

    /// <summary>Quarantined by an operator or another caller, for a reason of its own.</summary>
    Other,
}

/// <summary>
/// The pipeline's log lines. Each takes only opaque references (<see cref="ClipIngestion.ClipRef"/>, model and
/// snapshot ids), counts and values from closed sets — never a clip's name, an unchecked label or any of a file's
/// content, which can be personal data (a parent's name in a file name, a tag quoted by a decoder).
/// </summary>
internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Clip {ClipRef} is gone (already processed or erased); nothing to do.")]
    public static partial void ClipGone(ILogger logger, string clipRef);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Clip {ClipRef} ({Label}) accepted: {Units} feature units.")]
    public static partial void ClipAccepted(ILogger logger, string clipRef, string label, int units); // label: one of the configured labels

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Clip {ClipRef} has a name the pipeline cannot address; left in place ({Kind}).")]
    public static partial void ClipUnaddressable(ILogger logger, string clipRef, QuarantineKind kind);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Clip {ClipRef} quarantined ({Kind}); the reason is in its quarantine note.")]
    public static partial void ClipQuarantined(ILogger logger, string clipRef, QuarantineKind kind);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Clip {ClipRef} erased: {Objects} objects, redacted from {Snapshots} snapshots.")]
    public static partial void ClipErased(ILogger logger, string clipRef, int objects, int snapshots);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Retention: clip {ClipRef} has a name the pipeline cannot address; left in place.")]
    public static partial void RetentionUnaddressable(ILogger logger, string clipRef);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Retention ({Days} days): {Clips} clips erased, {Failed} could not be erased now (retried in the next run).")]
    public static partial void RetentionDone(ILogger logger, double days, int clips, int failed);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Warning, Message = "Retention: clip {ClipRef} could not be erased now ({Error}); the others go on.")]
    public static partial void RetentionItemFailed(ILogger logger, string clipRef, string error);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Serving champion {ModelId}.")]
    public static partial void ServingChampion(ILogger logger, string modelId);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Error, Message = "The champion could not be refreshed; the current model keeps serving: {Reason}")]
    public static partial void ChampionRefreshFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "{Message}")]
    public static partial void ModelSource(ILogger logger, string message); // the model loader's own lines: model ids, devices
}
