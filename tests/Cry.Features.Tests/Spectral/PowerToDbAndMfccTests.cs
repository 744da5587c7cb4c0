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
        const int mels = 40, frames = 3;
        var db = Enumerable.Repeat(-20f, mels * frames).ToArray();
        var mfcc = new Mfcc(new MfccOptions { NMels = mels, NMfcc = 30 });
        var result = new float[30 * frames];
        mfcc.Transform(db, frames, result);
        for (int t = 0; t < frames; t++)
        {
            Assert.Equal(-20 * Math.Sqrt(mels), result[t], 1e-3);
            for (int k = 1; k < 30; k++)
            {
                Assert.Equal(0f, result[(k * frames) + t], 1e-4f);
            }
        }
    }

    [Fact]
    public void Mfcc_OrthonormalDct_PreservesEnergy()
    {
        const int mels = 32;
        var rng = new Random(9);
        var db = Enumerable.Range(0, mels).Select(_ => (float)(rng.NextDouble() * 100 - 50)).ToArray();
        var mfcc = new Mfcc(new MfccOptions { NMels = mels, NMfcc = mels });
        var result = new float[mels];
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
        const int mels = 40, frames = 17, coefficients = 30;
        var rng = new Random(lifter + 1);
        var db = Enumerable.Range(0, mels * frames).Select(_ => (float)(rng.NextDouble() * 80 - 60)).ToArray();
        var mfcc = new Mfcc(new MfccOptions { NMels = mels, NMfcc = coefficients, Lifter = lifter });
        var all = new float[coefficients * frames];
        mfcc.Transform(db, frames, all);
        var series = new float[frames];
        mfcc.MeanSeries(db, frames, series);
        for (int t = 0; t < frames; t++)
        {
            double mean = Enumerable.Range(0, coefficients).Average(k => (double)all[(k * frames) + t]);
            Assert.Equal(mean, series[t], 1e-3);
        }
    }
}
