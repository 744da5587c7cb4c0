using System.Text.Json;
using Cry.Audio.Augmentation;
using Cry.Audio.Tests.Dsp;

namespace Cry.Audio.Tests.Augmentation;

public class AugmentationPolicyTests
{
    private static readonly AudioSignal s_clip = new(TestSignals.Tone(440, 8000, 8000), 8000);

    [Theory]
    [InlineData("hungry", 0)]
    [InlineData("tired", 3)]
    [InlineData("burping", 3)]
    [InlineData("belly_pain", 3)]
    [InlineData("discomfort", 3)]
    public void Research_Label_VariantCount(string label, int expected)
    {
        Assert.Equal(expected, AugmentationPolicy.Research.VariantsFor(label).Count);
    }

    [Fact]
    public void Research_AugmentedLabel_NoisePitchHighPassInOrder()
    {
        var variants = AugmentationPolicy.Research.VariantsFor("tired");

        Assert.Equal(new GaussianNoisePeak(0.01, 0.015), variants[0]);
        Assert.Equal(new PitchShift(-2, 2), variants[1]);
        Assert.Equal(new HighPass(3000, 4000, 2, 4), variants[2]);
    }

    [Fact]
    public void None_EveryLabel_NoVariants()
    {
        Assert.All(["belly_pain", "burping", "discomfort", "hungry", "tired"], label => Assert.Empty(AugmentationPolicy.None.VariantsFor(label)));
    }

    [Fact]
    public void CreateVariant_SameClipAndIndex_IdenticalBytes()
    {
        var policy = AugmentationPolicy.Research;

        for (int index = 1; index <= 3; index++)
        {
            Assert.Equal(policy.CreateVariant(s_clip, "tired", "clip-7", index), policy.CreateVariant(s_clip, "tired", "clip-7", index));
        }
    }

    [Fact]
    public void CreateVariant_DifferentClipId_DifferentBytes()
    {
        var policy = AugmentationPolicy.Research;

        Assert.NotEqual(policy.CreateVariant(s_clip, "tired", "clip-7", 2), policy.CreateVariant(s_clip, "tired", "clip-8", 2));
    }

    [Fact]
    public void CreateVariant_IndexZero_CopyOfOriginal()
    {
        var variant = AugmentationPolicy.Research.CreateVariant(s_clip, "hungry", "clip-1", 0);

        Assert.Equal(s_clip.Samples, variant);
        Assert.NotSame(s_clip.Samples, variant);
    }

    [Fact]
    public void CreateVariant_MatchesAugmentationWithDerivedSeed()
    {
        var expected = new PitchShift(-2, 2).Apply(s_clip.Samples, 8000, AugmentationSeed.Derive("clip-3", 2));

        Assert.Equal(expected, AugmentationPolicy.Research.CreateVariant(s_clip, "burping", "clip-3", 2));
    }

    [Theory]
    [InlineData("hungry", 1)]
    [InlineData("tired", 4)]
    [InlineData("tired", -1)]
    public void CreateVariant_IndexOutOfRange_Throws(string label, int index)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AugmentationPolicy.Research.CreateVariant(s_clip, label, "c", index));
    }

    [Fact]
    public void ResolveVariant_DrawnParametersWithinRanges()
    {
        var pitch = Assert.IsType<PitchShift>(AugmentationPolicy.Research.ResolveVariant("tired", "clip-9", 2));

        Assert.Equal(pitch.MinSemitones, pitch.MaxSemitones);
        Assert.InRange(pitch.MinSemitones, -2, 2);
    }

    [Fact]
    public void Json_RoundTrip_SamePolicyAndSameVariants()
    {
        var json = AugmentationPolicy.Research.ToJson();

        var restored = AugmentationPolicy.FromJson(json);

        Assert.Equal(json, restored.ToJson());
        Assert.Contains("\"type\": \"pitchShift\"", json, StringComparison.Ordinal);
        Assert.Equal(AugmentationPolicy.Research.VariantsFor("tired"), restored.VariantsFor("tired"));
        Assert.Empty(restored.VariantsFor("hungry"));
        Assert.Equal(
            AugmentationPolicy.Research.CreateVariant(s_clip, "discomfort", "clip-2", 3),
            restored.CreateVariant(s_clip, "discomfort", "clip-2", 3));
    }

    [Fact]
    public void Json_EveryAugmentationType_RoundTrips()
    {
        IAugmentation[] all =
        [
            new GaussianNoiseSnr(5, 20), new GaussianNoisePeak(0.01, 0.015), new PitchShift(-2, 2), new TimeStretch(0.8, 1.25),
            new HighPass(3000, 4000, 2, 4), new Gain(-6, 6), new TimeShift(-0.5, 0.5, circular: true),
        ];
        var policy = new AugmentationPolicy(all);

        var restored = AugmentationPolicy.FromJson(policy.ToJson());

        Assert.Equal(all, restored.DefaultVariants);
    }

    [Fact]
    public void Json_StoredParameterOutOfRange_Throws()
    {
        const string Json = """{"defaultVariants":[{"type":"pitchShift","minSemitones":-40,"maxSemitones":2}]}""";

        Assert.Throws<ArgumentOutOfRangeException>(() => AugmentationPolicy.FromJson(Json));
    }

    [Fact]
    public void Json_UnknownType_Throws()
    {
        const string Json = """{"defaultVariants":[{"type":"reverb"}]}""";

        Assert.Throws<JsonException>(() => AugmentationPolicy.FromJson(Json));
    }

    [Fact]
    public void Json_SingleAugmentationAsInterface_WritesDiscriminatorAndRoundTrips()
    {
        IAugmentation shift = new TimeShift(-0.25, 0.5, circular: false);

        var json = JsonSerializer.Serialize(shift, AugmentationJson.Options);

        Assert.Contains("\"type\": \"timeShift\"", json, StringComparison.Ordinal);
        Assert.Equal(shift, JsonSerializer.Deserialize<IAugmentation>(json, AugmentationJson.Options));
    }
}
