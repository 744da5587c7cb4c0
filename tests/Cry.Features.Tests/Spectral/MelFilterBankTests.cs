using Cry.Features.Spectral;

namespace Cry.Features.Tests.Spectral;

public class MelFilterBankTests
{
    [Fact]
    public void Slaney_EveryFilterHasUnitAreaInHertz()
    {
        // Fine bins (nFft 8192 at 8 kHz, ~1 Hz) so the Riemann sum approximates the triangle's area 1 closely.
        var bank = new MelFilterBank(8000, 8192, 40, 0, 4000, htk: false, MelNormalization.Slaney);
        double binHz = 8000.0 / 8192;
        for (int m = 0; m < bank.MelCount; m++)
        {
            double area = 0;
            for (int k = 0; k < bank.BinCount; k++)
            {
                area += bank.Weights[(m * bank.BinCount) + k] * binHz;
            }

            Assert.Equal(1.0, area, 0.02);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NoNorm_FiltersPeakAtOneAndCoverTheBandAsAPartitionOfUnity(bool htk)
    {
        var bank = new MelFilterBank(16000, 4096, 30, 100, 7000, htk, MelNormalization.None);
        var centres = MelScale.Frequencies(32, 100, 7000, htk);
        double binHz = 16000.0 / 4096;
        for (int k = 0; k < bank.BinCount; k++)
        {
            double f = k * binHz;
            double sum = 0;
            for (int m = 0; m < bank.MelCount; m++)
            {
                float w = bank.Weights[(m * bank.BinCount) + k];
                Assert.InRange(w, 0f, 1f);
                sum += w;
            }

            // Between the first and last filter centres neighbouring triangles add up to 1.
            if (f >= centres[1] && f <= centres[30])
            {
                Assert.Equal(1.0, sum, 1e-5);
            }
        }
    }

    [Fact]
    public void Support_CoversExactlyTheNonZeroWeights()
    {
        var bank = new MelFilterBank(22050, 1024, 20, 300, 600, htk: false, MelNormalization.Slaney);
        for (int m = 0; m < bank.MelCount; m++)
        {
            var (first, end) = bank.Support(m);
            for (int k = 0; k < bank.BinCount; k++)
            {
                bool inside = k >= first && k < end;
                if (!inside)
                {
                    Assert.Equal(0f, bank.Weights[(m * bank.BinCount) + k]);
                }
            }
        }
    }

    [Theory]
    [InlineData(0.0, false, 0.0)]
    [InlineData(1000.0, false, 15.0)]
    [InlineData(700.0, true, 781.17)]
    public void MelScale_KnownValues(double hz, bool htk, double mel)
    {
        Assert.Equal(mel, MelScale.HzToMel(hz, htk), 0.01);
        Assert.Equal(hz, MelScale.MelToHz(MelScale.HzToMel(hz, htk), htk), 1e-9);
    }

    [Fact]
    public void Constructor_FMaxNotAboveFMin_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MelFilterBank(8000, 512, 40, 300, 300, false, MelNormalization.Slaney));
    }
}
