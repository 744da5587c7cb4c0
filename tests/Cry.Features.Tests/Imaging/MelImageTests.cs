using Cry.Features.Imaging;

namespace Cry.Features.Tests.Imaging;

public sealed class MelImageTests
{
    [Fact]
    public void Transform_BandRamp_PutsTheHighestBandInRowZeroScaledToOne()
    {
        const int Bands = 8, Frames = 12;
        var db = new float[Bands * Frames];
        for (int b = 0; b < Bands; b++)
        {
            db.AsSpan(b * Frames, Frames).Fill(b * 10f);
        }

        double[] image = new MelImage(new() { Size = 4 }).Transform(db, Frames);

        for (int r = 0; r < 4; r++)
        {
            Assert.All(image[(r * 4)..((r + 1) * 4)], value => Assert.Equal((3 - r) / 3.0, value, 1e-12));
        }
    }

    [Fact]
    public void Transform_Flat_IsAllZeros()
    {
        double[] image = new MelImage(new() { Size = 3 }).Transform(Enumerable.Repeat(-40f, 5 * 6).ToArray(), 6);
        Assert.All(image, value => Assert.Equal(0, value));
    }

    [Fact]
    public void Transform_SpectrogramSmallerThanTheImage_Throws()
    {
        var mel = new MelImage(new() { Size = 4 });
        Assert.Throws<ArgumentException>(() => mel.Transform(new float[3 * 10], 10));
        Assert.Throws<ArgumentException>(() => mel.Transform(new float[10 * 3], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MelImage(new() { Size = 0 }));
    }
}
