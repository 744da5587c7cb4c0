using System.Text;
using Cry.Audio.Augmentation;

namespace Cry.Audio.Tests.Augmentation;

public class SeededRandomTests
{
    [Fact]
    public void SplitMix64_SeedZero_MatchesReferenceSequence()
    {
        // Reference outputs of Vigna's splitmix64.c started from state 0.
        ulong state = 0;

        Assert.Equal(0xE220A8397B1DCDAFUL, SeededRandom.SplitMix64(ref state));
        Assert.Equal(0x6E789E6AA1B965F4UL, SeededRandom.SplitMix64(ref state));
        Assert.Equal(0x06C45D188009454FUL, SeededRandom.SplitMix64(ref state));
    }

    [Fact]
    public void NextUInt64_SameSeed_SameSequence()
    {
        var a = new SeededRandom(42);
        var b = new SeededRandom(42);

        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(a.NextUInt64(), b.NextUInt64());
        }
    }

    [Fact]
    public void NextUInt64_DifferentSeeds_DifferentSequences()
    {
        var a = new SeededRandom(1);
        var b = new SeededRandom(2);

        Assert.NotEqual(Enumerable.Range(0, 8).Select(_ => a.NextUInt64()), Enumerable.Range(0, 8).Select(_ => b.NextUInt64()));
    }

    [Fact]
    public void NextDouble_ManyDraws_UniformInUnitInterval()
    {
        var random = new SeededRandom(7);
        var values = Enumerable.Range(0, 100_000).Select(_ => random.NextDouble()).ToArray();

        Assert.All(values, v => Assert.InRange(v, 0.0, 0.9999999999999999));
        Assert.Equal(0.5, values.Average(), 0.005);
        Assert.Equal(1.0 / 12, values.Select(v => (v - 0.5) * (v - 0.5)).Average(), 0.002);
    }

    [Fact]
    public void NextDouble_EqualBounds_ExactlyThatValue()
    {
        Assert.Equal(-1.25, new SeededRandom(3).NextDouble(-1.25, -1.25));
    }

    [Fact]
    public void NextGaussian_ManyDraws_StandardNormalMoments()
    {
        var random = new SeededRandom(11);
        var values = Enumerable.Range(0, 200_000).Select(_ => random.NextGaussian()).ToArray();
        double mean = values.Average();
        double variance = values.Select(v => (v - mean) * (v - mean)).Average();

        // Standard errors: 0.0022 for the mean, 0.0032 for the variance.
        Assert.Equal(0, mean, 0.01);
        Assert.Equal(1, variance, 0.015);
        Assert.InRange(values.Count(v => Math.Abs(v) < 1) / (double)values.Length, 0.68, 0.69);
    }

    [Theory]
    [InlineData(2, 4)]
    [InlineData(-3, 3)]
    [InlineData(5, 5)]
    public void NextInt32Inclusive_ManyDraws_EveryValueInRangeAppears(int min, int max)
    {
        var random = new SeededRandom(5);
        var values = Enumerable.Range(0, 5000).Select(_ => random.NextInt32Inclusive(min, max)).ToHashSet();

        Assert.Equal(Enumerable.Range(min, max - min + 1).ToHashSet(), values);
    }

    [Fact]
    public void Derive_SameInputs_SameSeedAsIndependentFnv1aReference()
    {
        // FNV-1a 64 of UTF-8 id, 0xFF, index as 4 little-endian bytes, then the SplitMix64 finaliser.
        var bytes = Encoding.UTF8.GetBytes("bébé-042.wav").Concat(new byte[] { 0xFF }).Concat(BitConverter.GetBytes(3)).ToArray();
        ulong hash = 14695981039346656037UL;
        foreach (byte b in bytes)
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9UL;
        hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EBUL;
        hash ^= hash >> 31;

        Assert.True(BitConverter.IsLittleEndian);
        Assert.Equal(hash, AugmentationSeed.Derive("bébé-042.wav", 3));
    }

    [Fact]
    public void Derive_DifferentClipOrIndex_DifferentSeeds()
    {
        var seeds = new[]
        {
            AugmentationSeed.Derive("a", 1),
            AugmentationSeed.Derive("a", 2),
            AugmentationSeed.Derive("b", 1),
            AugmentationSeed.Derive("", 1),
            AugmentationSeed.Derive("a1", 0),
        };

        Assert.Equal(seeds.Length, seeds.Distinct().Count());
    }
}
