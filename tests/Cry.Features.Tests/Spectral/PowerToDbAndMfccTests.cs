using Cry.Features.Spectral;

namespace Cry.Features.Tests.Spectral;

public class PowerToDbAndMfccTests
{
    [Fact]
    public void PowerToDb_KnownValuesAndFloor()
    {
        float[] power = [1f, 10f, 100f, 1e-3f, 0f, 1e-12f, 0.5f, 2f, 4f];
        var db = new float[power.Length];
        PowerToDb.Transform(power, db, DbReference.One, topDb: null);
        float[] expected = [0f, 10f, 20f, -30f, -100f, -100f, -3.0103f, 3.0103f, 6.0206f];
        for (int i = 0; i < power.Length; i++)
        {
            Assert.Equal(expected[i], db[i], 1e-3f);
        }
    }

    [Fact]
    public void PowerToDb_MaxReferenceAndTopDb_ClipRelativeToTheLoudest()
    {
        float[] power = [1000f, 1f, 1e-6f, 1e-9f, 10f, 100f, 0.1f, 1e-2f, 5f, 1e-8f];
        var db = new float[power.Length];
        PowerToDb.Transform(power, db, DbReference.Max, topDb: 80);
        Assert.Equal(0f, db.Max(), 1e-4f);
        Assert.Equal(-80f, db.Min(), 1e-4f);
        Assert.Equal(-30f, db[1], 1e-3f);
    }

    [Fact]
    public void PowerToDb_NegativeTopDb_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PowerToDb.Transform([1f], new float[1], DbReference.One, -1));
    }

    [Fact]
    public void Mfcc_ConstantSpectrum_HasOnlyTheZerothCoefficient()
    {
        const int Mels = 40, Frames = 3;
        var db = Enumerable.Repeat(-20f, Mels * Frames).ToArray();
        var mfcc = new Mfcc(new MfccOptions { NMels = Mels, NMfcc = 30 });
        var result = new float[30 * Frames];
        mfcc.Transform(db, Frames, result);
        for (int t = 0; t < Frames; t++)
        {
            Assert.Equal(-20 * Math.Sqrt(Mels), result[t], 1e-3);
            for (int k = 1; k < 30; k++)
            {
                Assert.Equal(0f, result[(k * Frames) + t], 1e-4f);
            }
        }
    }

    [Fact]
    public void Mfcc_OrthonormalDct_PreservesEnergy()
    {
        const int Mels = 32;
        var rng = new Random(9);
        var db = Enumerable.Range(0, Mels).Select(_ => (float)(rng.NextDouble() * 100 - 50)).ToArray();
        var mfcc = new Mfcc(new MfccOptions { NMels = Mels, NMfcc = Mels });
        var result = new float[Mels];
        mfcc.Transform(db, 1, result);
        double inEnergy = db.Sum(v => (double)v * v);
        double outEnergy = result.Sum(v => (double)v * v);
        Assert.Equal(inEnergy, outEnergy, inEnergy * 1e-5);
    }

    [Fact]
    public void Mfcc_MoreCoefficientsThanBands_IsClamped()
    {
        var mfcc = new Mfcc(new MfccOptions { NMels = 20, NMfcc = 30 });
        Assert.True(mfcc.Clamped);
        Assert.Equal(20, mfcc.CoefficientCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(22)]
    public void Mfcc_MeanSeries_EqualsTheMeanOfTheCoefficients(int lifter)
    {
        const int Mels = 40, Frames = 17, Coefficients = 30;
        var rng = new Random(lifter + 1);
        var db = Enumerable.Range(0, Mels * Frames).Select(_ => (float)(rng.NextDouble() * 80 - 60)).ToArray();
        var mfcc = new Mfcc(new MfccOptions { NMels = Mels, NMfcc = Coefficients, Lifter = lifter });
        var all = new float[Coefficients * Frames];
        mfcc.Transform(db, Frames, all);
        var series = new float[Frames];
        mfcc.MeanSeries(db, Frames, series);
        for (int t = 0; t < Frames; t++)
        {
            double mean = Enumerable.Range(0, Coefficients).Average(k => (double)all[(k * Frames) + t]);
            Assert.Equal(mean, series[t], 1e-3);
        }
    }
}
