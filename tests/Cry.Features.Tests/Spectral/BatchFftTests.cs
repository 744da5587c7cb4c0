using System.Numerics;
using Cry.Features.Spectral;

namespace Cry.Features.Tests.Spectral;

public class BatchFftTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(15)]
    [InlineData(49)]
    [InlineData(100)]
    [InlineData(200)]
    [InlineData(256)]
    [InlineData(257)]
    public void Forward_AnyLength_MatchesNaiveDft(int n)
    {
        int lanes = Vector<float>.Count;
        var rng = new Random(n);
        var re = new float[n * lanes];
        var im = new float[n * lanes];
        for (int i = 0; i < re.Length; i++)
        {
            re[i] = (float)((rng.NextDouble() * 2) - 1);
            im[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        var inRe = (float[])re.Clone();
        var inIm = (float[])im.Clone();
        var fft = new BatchFft(n);
        var workRe = new Vector<float>[n];
        var workIm = new Vector<float>[n];
        fft.Forward(AsVectors(re), AsVectors(im), workRe, workIm);

        for (int lane = 0; lane < lanes; lane++)
        {
            for (int k = 0; k < n; k++)
            {
                double sr = 0, si = 0;
                for (int j = 0; j < n; j++)
                {
                    double angle = -2 * Math.PI * j * k / n;
                    double xr = inRe[(j * lanes) + lane], xi = inIm[(j * lanes) + lane];
                    sr += (xr * Math.Cos(angle)) - (xi * Math.Sin(angle));
                    si += (xr * Math.Sin(angle)) + (xi * Math.Cos(angle));
                }

                double tolerance = 1e-5 * Math.Sqrt(n) * 2;
                Assert.True(Math.Abs(sr - re[(k * lanes) + lane]) < tolerance, $"n={n} lane={lane} k={k} re {re[(k * lanes) + lane]} vs {sr}");
                Assert.True(Math.Abs(si - im[(k * lanes) + lane]) < tolerance, $"n={n} lane={lane} k={k} im {im[(k * lanes) + lane]} vs {si}");
            }
        }
    }

    [Fact]
    public void Constructor_ZeroLength_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchFft(0));
    }

    private static Span<Vector<float>> AsVectors(float[] values) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(values.AsSpan());
}
