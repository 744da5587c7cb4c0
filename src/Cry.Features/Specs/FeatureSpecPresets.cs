using Cry.Features.Imaging;
using Cry.Features.Spectral;

namespace Cry.Features.Specs;

/// <summary>Named feature specs.</summary>
public static class FeatureSpecPresets
{
    /// <summary>8 kHz, 6.5 s, 40 mels, 30 MFCCs, mean series, a 64 × 64 GASF/GADF/MTF stack.</summary>
    public static FeatureSpec TsiRgb64 { get; } = new()
    {
        SampleRate = 8000,
        DurationSeconds = 6.5,
        NFft = 512,
        HopLength = 128,
        Center = true,
        NMels = 40,
        FMin = 0,
        FMax = 4000,
        Htk = false,
        MelNorm = MelNormalization.Slaney,
        Power = 2.0,
        TopDb = 80,
        DbRef = DbReference.One,
        NMfcc = 30,
        Lifter = 0,
        Series = SeriesReduction.Mean,
        Image = new ImageSpec
        {
            Channels = [ImageChannel.Gasf, ImageChannel.Gadf, ImageChannel.Mtf],
            Size = 64,
            SampleRange = [-1, 1],
            Overlapping = false,
            Bins = 8,
            Strategy = BinStrategy.Quantile,
        },
    };

    /// <summary>
    /// The research's parameters: 22.05 kHz, nFft 1024, hop 512, 20 mels from 300 to 600 Hz, 30 MFCCs requested
    /// (20 computed), the first 6.5 s, mean series, one GADF image at the full series length (280 frames).
    /// </summary>
    public static FeatureSpec Paper { get; } = TsiRgb64 with
    {
        SampleRate = 22050,
        NFft = 1024,
        HopLength = 512,
        NMels = 20,
        FMin = 300,
        FMax = 600,
        Image = new ImageSpec
        {
            Channels = [ImageChannel.Gadf],
            Size = 280,
            SampleRange = [-1, 1],
            Overlapping = false,
        },
    };

    /// <summary>The product's default; the same as <see cref="TsiRgb64"/> until measurement on grouped CV picks another.</summary>
    public static FeatureSpec Default => TsiRgb64;

    /// <summary>The preset names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["tsi-rgb64", "paper", "default"];

    /// <summary>Looks up a preset by name.</summary>
    /// <exception cref="FeatureSpecException">No preset has that name.</exception>
    public static FeatureSpec Get(string name) => name switch
    {
        "tsi-rgb64" => TsiRgb64,
        "paper" => Paper,
        "default" => Default,
        _ => throw new FeatureSpecException($"Unknown preset '{name}'; known presets: {string.Join(", ", Names)}."),
    };
}
