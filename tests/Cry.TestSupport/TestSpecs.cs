using Cry.Features.Specs;

namespace Cry.TestSupport;

/// <summary>Feature specs small enough for training tests that take seconds.</summary>
public static class TestSpecs
{
    /// <summary>8 kHz, 1.5 s, a 3 × 16 × 16 GASF/GADF/MTF stack.</summary>
    public const string SmallJson = """
        { "sampleRate": 8000, "durationSeconds": 1.5, "nFft": 256, "hopLength": 64, "center": true,
          "nMels": 32, "fMin": 0, "fMax": 4000, "htk": false, "melNorm": "slaney", "power": 2.0,
          "topDb": 80, "dbRef": "one", "nMfcc": 20, "lifter": 0, "series": "mean",
          "image": { "channels": ["gasf", "gadf", "mtf"], "size": 16, "bins": 4 } }
        """;

    /// <summary>The parsed <see cref="SmallJson"/>.</summary>
    public static FeatureSpec Small => FeatureSpec.Parse(SmallJson);
}
