using Cry.Audio;
using Cry.Features.Specs;

namespace Cry.Features.Tests;

public class FeatureExtractorTests
{
    private static readonly AudioSignal s_clip = SyntheticCry.Generate(8000, 7.0, seed: 7);

    [Fact]
    public void ComputeImage_TsiRgb64_HasThreeChannelsInTheirRanges()
    {
        var extractor = new FeatureExtractor(FeatureSpecPresets.TsiRgb64);
        var samples = extractor.PrepareAudio(s_clip);
        Assert.Equal(52000, samples.Length);
        var image = extractor.ComputeImage(samples);
        Assert.Equal([3, 64, 64], extractor.ImageShape);
        Assert.Equal(3 * 64 * 64, image.Length);
        var gasf = image.AsSpan(0, 4096);
        var gadf = image.AsSpan(4096, 4096);
        var mtf = image.AsSpan(8192, 4096);
        for (int i = 0; i < 64; i++)
        {
            for (int j = 0; j < 64; j++)
            {
                Assert.Equal(gasf[(i * 64) + j], gasf[(j * 64) + i], 1e-6f);
                Assert.Equal(gadf[(i * 64) + j], -gadf[(j * 64) + i], 1e-6f);
            }
        }

        Assert.All(gasf.ToArray(), v => Assert.InRange(v, -1.0001f, 1.0001f));
        Assert.All(mtf.ToArray(), v => Assert.InRange(v, 0f, 1f));
        Assert.True(gasf.ToArray().Distinct().Count() > 100, "the image must not be binary");
    }

    [Fact]
    public void Compute_ImageStage_EqualsComputeImageBitForBit()
    {
        var extractor = new FeatureExtractor(FeatureSpecPresets.TsiRgb64);
        var samples = extractor.PrepareAudio(s_clip);
        var viaStage = extractor.Compute(samples, FeatureStage.Image, out var shape);
        var direct = new float[viaStage.Length];
        extractor.ComputeImage(samples, direct);
        Assert.Equal([3, 64, 64], shape);
        Assert.Equal(viaStage, direct);
        Assert.Equal(direct, new FeatureExtractor(FeatureSpecPresets.TsiRgb64).ComputeImage(samples));
    }

    [Fact]
    public void Compute_Series_IsTheMeanOverMfccRows()
    {
        var extractor = new FeatureExtractor(FeatureSpecPresets.TsiRgb64);
        var samples = extractor.PrepareAudio(s_clip);
        var mfcc = extractor.Compute(samples, FeatureStage.Mfcc, out var mfccShape);
        var series = extractor.Compute(samples, FeatureStage.Series, out var seriesShape);
        Assert.Equal([30, 407], mfccShape);
        Assert.Equal([407], seriesShape);
        for (int t = 0; t < 407; t++)
        {
            double mean = Enumerable.Range(0, 30).Average(k => (double)mfcc[(k * 407) + t]);
            Assert.Equal(mean, series[t], 1e-3);
        }
    }

    [Fact]
    public void PrepareAudio_OtherRate_IsResampledAndWindowed()
    {
        var extractor = new FeatureExtractor(FeatureSpecPresets.Paper);
        var samples = extractor.PrepareAudio(s_clip);
        Assert.Equal(143325, samples.Length);
        Assert.Equal([1, 280, 280], extractor.ImageShape);
        var image = extractor.ComputeImage(samples);
        Assert.Equal(280 * 280, image.Length);
    }

    [Fact]
    public void PrepareAudio_ShorterThanTheMinimum_IsRefused()
    {
        var extractor = new FeatureExtractor(FeatureSpecPresets.TsiRgb64);
        var shortClip = new AudioSignal(new float[4000], 8000);
        var ex = Assert.Throws<AudioFormatException>(() => extractor.PrepareAudio(shortClip));
        Assert.Contains("0.5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PrepareAudio_ShortButAboveTheMinimum_IsZeroPadded()
    {
        var extractor = new FeatureExtractor(FeatureSpecPresets.TsiRgb64);
        var clip = new AudioSignal(Enumerable.Repeat(0.1f, 12000).ToArray(), 8000);
        var samples = extractor.PrepareAudio(clip);
        Assert.Equal(52000, samples.Length);
        Assert.Equal(0.1f, samples[11999]);
        Assert.Equal(0f, samples[12000]);
    }

    [Fact]
    public void Compute_WholeFileTooShortForTheImage_IsRefusedAsBadAudio()
    {
        var spec = FeatureSpecPresets.TsiRgb64 with { DurationSeconds = null };
        var extractor = new FeatureExtractor(spec);
        var ex = Assert.Throws<AudioFormatException>(() => extractor.ComputeImage(new float[2000]));
        Assert.Contains("frames", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_WindowTooShortForTheImage_IsASpecError()
    {
        var spec = FeatureSpecPresets.TsiRgb64 with { DurationSeconds = 0.5 };
        Assert.Throws<FeatureSpecException>(() => new FeatureExtractor(spec));
    }

    [Theory]
    [InlineData("rp")]
    [InlineData("mel")]
    public void ComputeImage_RpAndMelChannels_AreSizeBySize(string channel)
    {
        var image = FeatureSpecPresets.TsiRgb64.Image! with
        {
            Channels = [channel == "rp" ? ImageChannel.Rp : ImageChannel.Mel],
            Size = 32,
            Dimension = 3,
            TimeDelay = 2,
        };
        var extractor = new FeatureExtractor(FeatureSpecPresets.TsiRgb64 with { Image = image });
        var result = extractor.ComputeImage(extractor.PrepareAudio(s_clip));
        Assert.Equal(32 * 32, result.Length);
        Assert.All(result, v => Assert.True(float.IsFinite(v) && v >= 0));
        if (channel == "mel")
        {
            Assert.Equal(1f, result.Max());
            Assert.Equal(0f, result.Min());
        }
    }
}
