using Cry.Audio;
using Cry.Features.Npy;
using Cry.Features.Specs;
using Cry.Features.Tests.Golden;
using Cry.Audio.Wav;

namespace Cry.Features.Tests.Spectral;

/// <summary>Every "audio" case of the shared golden data (librosa 0.11), run through the product's FeatureExtractor.</summary>
/// <remarks>The case's params object is used as the feature spec (no window: the whole file), as `cry features --spec` does.</remarks>
public sealed class GoldenAudioTests
{
    public static TheoryData<string> AudioCaseIds()
    {
        var ids = new TheoryData<string>();
        foreach (var golden in GoldenData.OfKind("audio"))
        {
            ids.Add(golden.Id);
        }

        if (ids.Count == 0)
        {
            ids.Add("(golden data absent)");
        }

        return ids;
    }

    [Theory]
    [MemberData(nameof(AudioCaseIds))]
    public void Compute_GoldenCase_MatchesLibrosa(string id)
    {
        GoldenData.RequireDirectory();
        var golden = GoldenData.Get(id);
        var spec = FeatureSpec.Parse(golden.Params.GetRawText());
        var extractor = new FeatureExtractor(spec);
        AudioSignal signal;
        using (var stream = File.OpenRead(GoldenCase.PathOf(golden.Input.GetString()!)))
        {
            signal = WavDecoder.Default.Decode(stream);
        }

        var samples = extractor.PrepareAudio(signal);
        Assert.Equal(signal.Samples, samples);

        Check(id, "mel", extractor.Compute(samples, FeatureStage.Mel, out var melShape), melShape, golden, relativeToMax: 1e-3, absolute: 0);
        Check(id, "db", extractor.Compute(samples, FeatureStage.Db, out var dbShape), dbShape, golden, relativeToMax: 0, absolute: 0.01);
        Check(id, "mfcc", extractor.Compute(samples, FeatureStage.Mfcc, out var mfccShape), mfccShape, golden, relativeToMax: 0, absolute: 0.01);
    }

    private static void Check(string id, string stage, float[] actual, int[] shape, GoldenCase golden, double relativeToMax, double absolute)
    {
        var expected = NpyFile.Read(GoldenCase.PathOf(golden.Expected.GetProperty(stage).GetString()!));
        Assert.True(expected.Shape.SequenceEqual(shape), $"{id} {stage}: shape ({string.Join(", ", shape)}) vs expected ({string.Join(", ", expected.Shape)})");
        var reference = expected.ToDoubleArray();
        double tolerance = absolute + (relativeToMax * reference.Max(Math.Abs));
        double worst = 0;
        int worstIndex = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double difference = Math.Abs(reference[i] - actual[i]);
            if (difference > worst)
            {
                worst = difference;
                worstIndex = i;
            }
        }

        Assert.True(worst <= tolerance, $"{id} {stage}: largest difference {worst:G4} at {worstIndex} exceeds {tolerance:G4}");
    }
}
