using Cry.Features.Rendering;
using SkiaSharp;

namespace Cry.Features.Tests.Rendering;

public class FeatureImageRendererTests
{
    [Fact]
    public void Palette_LightnessRisesMonotonically()
    {
        double previous = -1;
        for (int i = 0; i <= 255; i++)
        {
            var (r, g, b) = FeatureImageRenderer.Color(i / 255.0);
            double luma = (0.2126 * r) + (0.7152 * g) + (0.0722 * b);
            Assert.True(luma >= previous - 1.0, $"lightness falls at {i}: {luma} after {previous}");
            previous = Math.Max(previous, luma);
        }

        Assert.Equal((byte)0, FeatureImageRenderer.Color(0).R);
        Assert.Equal((byte)255, FeatureImageRenderer.Color(1).G);
    }

    [Fact]
    public void WritePng_ChannelStack_IsTiledSideBySideAndScaledUp()
    {
        // Two 4 × 4 channels: a ramp and its reverse.
        var values = new float[2 * 16];
        for (int i = 0; i < 16; i++)
        {
            values[i] = i;
            values[16 + i] = 15 - i;
        }

        using var stream = new MemoryStream();
        FeatureImageRenderer.WritePng(values, [2, 4, 4], stream);
        stream.Position = 0;
        using var bitmap = SKBitmap.Decode(stream);
        Assert.Equal(256, bitmap.Height);
        Assert.Equal((2 * 256) + 2, bitmap.Width);

        // The first channel's smallest value (top-left) is dark, its largest (bottom-right) light; the second is reversed.
        Assert.True(Luma(bitmap.GetPixel(0, 0)) < Luma(bitmap.GetPixel(255, 255)));
        Assert.True(Luma(bitmap.GetPixel(258, 0)) > Luma(bitmap.GetPixel(258 + 255, 255)));
    }

    [Fact]
    public void WritePng_FlipVertical_PutsRowZeroAtTheBottom()
    {
        float[] values = [0, 0, 1, 1];
        using var stream = new MemoryStream();
        FeatureImageRenderer.WritePng(values, [2, 2], stream, flipVertical: true);
        stream.Position = 0;
        using var bitmap = SKBitmap.Decode(stream);
        Assert.True(Luma(bitmap.GetPixel(0, 0)) > Luma(bitmap.GetPixel(0, bitmap.Height - 1)));
    }

    [Theory]
    [InlineData(new[] { 5 })]
    [InlineData(new[] { 2, 3 })]
    [InlineData(new[] { 1, 1, 1, 1 })]
    public void WritePng_ShapeThatDoesNotFit_Throws(int[] shape)
    {
        Assert.Throws<ArgumentException>(() => FeatureImageRenderer.WritePng(new float[5], shape, Stream.Null));
    }

    private static double Luma(SKColor c) => (0.2126 * c.Red) + (0.7152 * c.Green) + (0.0722 * c.Blue);
}
