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

    /// <summary>Overrides the bundle's uncertainty threshold when set.</summary>
    [Range(0.0, 1.0)]
    public double? UncertaintyThreshold { get; set; }

    /// <summary>The largest audio body accepted by predict, in megabytes.</summary>
    [Range(0.01, 100)]
    public double MaxPredictBodyMegabytes { get; set; } = 10;
}
