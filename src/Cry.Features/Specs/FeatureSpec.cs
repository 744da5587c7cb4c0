using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cry.Features.Imaging;
using Cry.Features.Spectral;

namespace Cry.Features.Specs;

/// <summary>How the MFCC matrix becomes a 1-D series.</summary>
public enum SeriesReduction
{
    /// <summary>The mean over the MFCC coefficients of each frame.</summary>
    Mean,
}

/// <summary>Everything that turns a recording into a model input: one JSON object, stored in every model manifest.</summary>
/// <remarks>
/// Names follow librosa in camelCase. Every audio parameter must be present (topDb may be null); durationSeconds,
/// series and image may be omitted, and a stage that needs a missing part is refused. Unknown properties are refused.
/// <see cref="Id"/> is a short hash of the canonical JSON, so features of different specs never mix.
/// </remarks>
public sealed record FeatureSpec
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Skip,
        NumberHandling = JsonNumberHandling.Strict,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    private static readonly JsonSerializerOptions s_indented = new(s_json) { WriteIndented = true };

    /// <summary>The serializer options of specs (strict, camelCase enums), for documents that embed a spec.</summary>
    public static JsonSerializerOptions SerializerOptions => s_json;

    /// <summary>Sample rate the audio is resampled to, in hertz.</summary>
    [JsonRequired]
    [JsonPropertyName("sampleRate")]
    public int SampleRate { get; init; }

    /// <summary>Window length in seconds (the first seconds, zero-padded when shorter); null means the whole recording.</summary>
    [JsonPropertyName("durationSeconds")]
    public double? DurationSeconds { get; init; }

    /// <summary>FFT and window length.</summary>
    [JsonRequired]
    [JsonPropertyName("nFft")]
    public int NFft { get; init; }

    /// <summary>Hop between frames in samples.</summary>
    [JsonRequired]
    [JsonPropertyName("hopLength")]
    public int HopLength { get; init; }

    /// <summary>Centre frames by zero-padding nFft / 2 on both sides.</summary>
    [JsonRequired]
    [JsonPropertyName("center")]
    public bool Center { get; init; }

    /// <summary>Number of mel bands.</summary>
    [JsonRequired]
    [JsonPropertyName("nMels")]
    public int NMels { get; init; }

    /// <summary>Lowest mel filter edge in hertz.</summary>
    [JsonRequired]
    [JsonPropertyName("fMin")]
    public double FMin { get; init; }

    /// <summary>Highest mel filter edge in hertz.</summary>
    [JsonRequired]
    [JsonPropertyName("fMax")]
    public double FMax { get; init; }

    /// <summary>HTK mel formula instead of Slaney's.</summary>
    [JsonRequired]
    [JsonPropertyName("htk")]
    public bool Htk { get; init; }

    /// <summary>"slaney" or "none".</summary>
    [JsonRequired]
    [JsonPropertyName("melNorm")]
    public MelNormalization MelNorm { get; init; }

    /// <summary>Exponent of the STFT magnitude (2 = power).</summary>
    [JsonRequired]
    [JsonPropertyName("power")]
    public double Power { get; init; }

    /// <summary>Dynamic range kept below the maximum in dB; null for no clipping.</summary>
    [JsonRequired]
    [JsonPropertyName("topDb")]
    public double? TopDb { get; init; }

    /// <summary>"one" or "max": the reference of the db stage.</summary>
    [JsonRequired]
    [JsonPropertyName("dbRef")]
    public DbReference DbRef { get; init; }

    /// <summary>Number of MFCCs requested (clamped to nMels, with a warning).</summary>
    [JsonRequired]
    [JsonPropertyName("nMfcc")]
    public int NMfcc { get; init; }

    /// <summary>MFCC liftering coefficient; 0 for none.</summary>
    [JsonRequired]
    [JsonPropertyName("lifter")]
    public int Lifter { get; init; }

    /// <summary>How MFCCs become the 1-D series; null when the spec stops before the series.</summary>
    [JsonPropertyName("series")]
    public SeriesReduction? Series { get; init; }

    /// <summary>The image; null when the spec stops before the image.</summary>
    [JsonPropertyName("image")]
    public ImageSpec? Image { get; init; }

    /// <summary>A short, stable identifier: the first 12 hex digits of the SHA-256 of <see cref="ToCanonicalJson"/>.</summary>
    [JsonIgnore]
    public string Id => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToCanonicalJson())))[..12];

    /// <summary>Parses and validates a spec.</summary>
    /// <exception cref="FeatureSpecException">The JSON is malformed, incomplete, has unknown properties or invalid values.</exception>
    public static FeatureSpec Parse(string json)
    {
        FeatureSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<FeatureSpec>(json, s_json);
        }
        catch (JsonException ex)
        {
            throw new FeatureSpecException($"The feature spec is not valid JSON for a spec: {ex.Message}", ex);
        }

        if (spec is null)
        {
            throw new FeatureSpecException("The feature spec is null; expected a JSON object.");
        }

        spec.Validate();
        return spec;
    }

    /// <summary>The spec as compact JSON with a fixed property order: equal specs give equal text.</summary>
    public string ToCanonicalJson() => JsonSerializer.Serialize(this, s_json);

    /// <summary>The spec as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, s_indented);

    /// <summary>The mel spectrogram options of this spec.</summary>
    public MelSpectrogramOptions ToMelOptions() => new()
    {
        SampleRate = SampleRate,
        NFft = NFft,
        HopLength = HopLength,
        Center = Center,
        NMels = NMels,
        FMin = FMin,
        FMax = FMax,
        Htk = Htk,
        Norm = MelNorm,
        Power = Power,
    };

    /// <summary>The MFCC options of this spec.</summary>
    public MfccOptions ToMfccOptions() => new() { NMels = NMels, NMfcc = NMfcc, Lifter = Lifter };

    /// <summary>Things that are allowed but probably not meant, such as more MFCCs than mel bands.</summary>
    public IReadOnlyList<string> Warnings()
    {
        var warnings = new List<string>();
        if (NMfcc > NMels)
        {
            warnings.Add($"nMfcc {NMfcc} is more than nMels {NMels}: {NMels} coefficients are computed, as librosa does.");
        }

        return warnings;
    }

    /// <summary>Throws <see cref="FeatureSpecException"/> naming the first invalid value.</summary>
    public void Validate()
    {
        Require(SampleRate is >= 1000 and <= 384_000, $"sampleRate must be between 1000 and 384000 Hz, not {SampleRate}.");
        Require(DurationSeconds is null || (DurationSeconds > 0 && DurationSeconds <= 600), $"durationSeconds must be in (0, 600] or null, not {DurationSeconds}.");
        Require(NFft is >= 2 and <= 65536, $"nFft must be between 2 and 65536, not {NFft}.");
        Require(HopLength >= 1, $"hopLength must be at least 1, not {HopLength}.");
        Require(NMels is >= 1 and <= 1024, $"nMels must be between 1 and 1024, not {NMels}.");
        Require(double.IsFinite(FMin) && FMin >= 0, $"fMin must be a finite number ≥ 0, not {FMin}.");
        Require(double.IsFinite(FMax) && FMax > FMin, $"fMax must be greater than fMin ({FMin}), not {FMax}.");
        Require(FMax <= SampleRate / 2.0, $"fMax {FMax} is above the Nyquist frequency {SampleRate / 2.0} of sampleRate {SampleRate}.");
        Require(double.IsFinite(Power) && Power > 0, $"power must be a positive number, not {Power}.");
        Require(TopDb is null || (double.IsFinite(TopDb.Value) && TopDb >= 0), $"topDb must be null or a number ≥ 0, not {TopDb}.");
        Require(NMfcc >= 1, $"nMfcc must be at least 1, not {NMfcc}.");
        Require(Lifter >= 0, $"lifter must be 0 or more, not {Lifter}.");
        Require(Enum.IsDefined(MelNorm) && Enum.IsDefined(DbRef), "melNorm must be \"slaney\" or \"none\" and dbRef \"one\" or \"max\".");
        if (Image is { } image)
        {
            Require(Series is not null || image.Channels.All(c => c == ImageChannel.Mel), "image channels made from the series need \"series\": \"mean\".");
            Require(image.Channels.Count is >= 1 and <= 16, "image.channels must list 1 to 16 channels.");
            Require(image.Size is >= 1 and <= 4096, $"image.size must be between 1 and 4096, not {image.Size}.");
            Require(
                image.SampleRange.Count == 2 && image.SampleRange[0] < image.SampleRange[1] && image.SampleRange[0] >= -1 && image.SampleRange[1] <= 1,
                "image.sampleRange must be [min, max] with -1 ≤ min < max ≤ 1.");
            Require(image.Bins is >= 2 and <= 256, $"image.bins must be between 2 and 256, not {image.Bins}.");
            Require(Enum.IsDefined(image.Strategy), "image.strategy must be \"quantile\", \"uniform\" or \"normal\".");
            Require(image.Dimension >= 1 && image.TimeDelay >= 1, "image.dimension and image.timeDelay must be at least 1.");
            Require(image.Percentage is >= 0 and <= 100, $"image.percentage must be between 0 and 100, not {image.Percentage}.");
            Require(image.Threshold is null || image.Threshold.Value.Kind != RecurrenceThreshold.Value || double.IsFinite(image.Threshold.Value.Value), "image.threshold must be finite.");
            Require(!image.Channels.Contains(ImageChannel.Mel) || NMels >= image.Size, $"the mel channel needs nMels ({NMels}) ≥ image.size ({image.Size}).");
        }
    }

    /// <summary>Throws when a stage needs a part the spec leaves out.</summary>
    /// <exception cref="FeatureSpecException">The spec has no series or image part and the stage needs it.</exception>
    public void RequireStage(FeatureStage stage)
    {
        if (stage is FeatureStage.Series or FeatureStage.Image && Series is null && !(stage == FeatureStage.Image && Image is { } img && img.Channels.All(c => c == ImageChannel.Mel)))
        {
            throw new FeatureSpecException($"Stage '{stage.ToString().ToLowerInvariant()}' needs \"series\" in the spec, which has none.");
        }

        if (stage == FeatureStage.Image && Image is null)
        {
            throw new FeatureSpecException("Stage 'image' needs \"image\" in the spec, which has none.");
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new FeatureSpecException(message);
        }
    }
}
