using Cry.Audio;
using Cry.Features.Functionals;
using Cry.Features.Specs;

namespace Cry.Features.Tests.Functionals;

public class NeedFunctionalsTests
{
    private static readonly NeedFunctionals s_functionals = new(FeatureSpecPresets.Default);

    private static float[] Tone(Func<double, double> frequency, double seconds, double amplitude = 0.5)
    {
        var samples = new float[(int)(seconds * 8000)];
        double phase = 0;
        for (int i = 0; i < samples.Length; i++)
        {
            phase += 2 * Math.PI * frequency(i / 8000.0) / 8000;
            samples[i] = (float)(amplitude * (Math.Sin(phase) + (0.3 * Math.Sin(2 * phase))));
        }

        return samples;
    }

    private static float Get(float[] features, string name) => features[s_functionals.Names.ToList().IndexOf(name)];

    [Fact]
    public void NamesMatchTheCount_AndTheExtractorsStageGivesTheSameVector()
    {
        Assert.Equal((3 * 30) + 20, s_functionals.Count);
        Assert.Equal(s_functionals.Count, s_functionals.Names.Count);
        Assert.Equal(s_functionals.Count, s_functionals.Names.Distinct().Count());
        var extractor = new FeatureExtractor(FeatureSpecPresets.Default);
        var samples = extractor.PrepareAudio(SyntheticCry.Generate(8000, 7.0, seed: 3));
        var viaStage = extractor.Compute(samples, FeatureStage.Functionals, out var shape);
        Assert.Equal([s_functionals.Count], shape);
        Assert.Equal(s_functionals.Compute(samples), viaStage);
        Assert.All(viaStage, v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData(250)]
    [InlineData(400)]
    [InlineData(700)]
    public void ASteadyHarmonicTone_IsVoiced_AtItsPitch_WithHighHnrAndNoJitter(double hz)
    {
        var features = s_functionals.Compute(Tone(_ => hz, 3));
        Assert.InRange(Get(features, "voicedShare"), 0.95f, 1f);
        Assert.InRange(Math.Exp(Get(features, "logF0Mean")), hz * 0.98, hz * 1.02);
        Assert.InRange(Get(features, "logF0Sd"), 0f, 0.01f);
        Assert.True(Get(features, "hnrMean") > 20, $"HNR {Get(features, "hnrMean")}");
        Assert.InRange(Get(features, "jitter"), 0f, 0.01f);
        Assert.InRange(Get(features, "shimmer"), 0f, 0.02f);
    }

    [Fact]
    public void AWobblingPitch_HasMoreJitterAndPitchChange_ThanASteadyOne()
    {
        var steady = s_functionals.Compute(Tone(_ => 400, 3));
        var wobbling = s_functionals.Compute(Tone(t => 400 * (1 + (0.06 * Math.Sign(Math.Sin(2 * Math.PI * 10 * t)))), 3));
        Assert.True(Get(wobbling, "jitter") > Get(steady, "jitter") + 0.01, $"{Get(wobbling, "jitter")} vs {Get(steady, "jitter")}");
        Assert.True(Get(wobbling, "logF0Change") > Get(steady, "logF0Change") + 0.01);
        Assert.True(Get(wobbling, "logF0Sd") > 0.03);
    }

    [Fact]
    public void AnAmplitudeWobble_RaisesShimmer()
    {
        var steady = s_functionals.Compute(Tone(_ => 400, 3));
        var tone = Tone(_ => 400, 3);
        for (int i = 0; i < tone.Length; i++)
        {
            tone[i] *= (i / 400) % 2 == 0 ? 1f : 0.6f;
        }

        Assert.True(Get(s_functionals.Compute(tone), "shimmer") > Get(steady, "shimmer") + 0.1);
    }

    [Fact]
    public void WhiteNoise_IsUnvoiced_AndFlatterAndBrighterThanATone()
    {
        var random = new Random(5);
        var noise = new float[24000];
        for (int i = 0; i < noise.Length; i++)
        {
            noise[i] = (float)((random.NextDouble() * 2) - 1) * 0.3f;
        }

        var features = s_functionals.Compute(noise);
        var tone = s_functionals.Compute(Tone(_ => 400, 3));
        Assert.InRange(Get(features, "voicedShare"), 0f, 0.1f);
        Assert.True(Get(features, "flatnessMean") > Get(tone, "flatnessMean") + 0.3);
        Assert.True(Get(features, "centroidMean") > Get(tone, "centroidMean") + 0.5); // kHz, over the mel bands' centres
        Assert.True(Get(features, "rolloffMean") > Get(tone, "rolloffMean"));
    }

    [Fact]
    public void Silence_IsAllZeros_AndTrailingPaddingIsIgnored()
    {
        Assert.All(s_functionals.Compute(new float[52000]), v => Assert.Equal(0f, v));
        var tone = Tone(_ => 400, 2);
        var padded = new float[52000];
        tone.CopyTo(padded, 0);
        var a = s_functionals.Compute(tone);
        var b = s_functionals.Compute(padded);
        Assert.Equal(a, b);
    }

    [Fact]
    public void TheDestinationMustHaveRoom()
    {
        Assert.Throws<ArgumentException>(() => s_functionals.Compute(Tone(_ => 400, 1), new float[10]));
    }
}
