using SkiaSharp;

namespace Cry.Features.Rendering;

/// <summary>Renders 2-D features (spectrograms, imaging fields, channel stacks) as PNG previews with a perceptual colour map.</summary>
/// <remarks>
/// Values are min–max scaled per channel and coloured with cubehelix (Green 2011), whose lightness rises monotonically,
/// so brighter always means larger, also in greyscale print. Channels of a C × H × W tensor are drawn side by side with a
/// 2-pixel gap; small images are enlarged by an integer factor (nearest neighbour) to at least 256 pixels high.
/// Encoding uses SkiaSharp.
/// </remarks>
public static class FeatureImageRenderer
{
    private const int Gap = 2;
    private static readonly byte[] s_palette = BuildCubehelix();

    /// <summary>Writes a PNG of a tensor of shape (H, W) or (C, H, W) to <paramref name="destination"/>.</summary>
    /// <param name="values">The values, row-major.</param>
    /// <param name="shape">Two or three dimensions.</param>
    /// <param name="destination">The stream the PNG is written to.</param>
    /// <param name="flipVertical">Draw row 0 at the bottom (spectrograms: low frequencies at the bottom).</param>
    /// <exception cref="ArgumentException">The shape is not 2-D or 3-D or does not match the values.</exception>
    public static void WritePng(ReadOnlySpan<float> values, ReadOnlySpan<int> shape, Stream destination, bool flipVertical = false)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (shape.Length is not (2 or 3))
        {
            throw new ArgumentException($"A preview needs a 2-D or 3-D tensor, not {shape.Length}-D.", nameof(shape));
        }

        int channels = shape.Length == 3 ? shape[0] : 1;
        int height = shape[^2], width = shape[^1];
        if (channels <= 0 || height <= 0 || width <= 0 || (long)channels * height * width != values.Length)
        {
            throw new ArgumentException($"Shape ({string.Join(", ", shape.ToArray())}) does not match {values.Length} values.", nameof(shape));
        }

        int scale = Math.Max(1, (int)Math.Ceiling(256.0 / Math.Max(height, 1)));
        scale = Math.Min(scale, Math.Max(1, 4096 / Math.Max(width * channels, 1)));
        int tileWidth = width * scale;
        int imageWidth = (channels * tileWidth) + ((channels - 1) * Gap);
        int imageHeight = height * scale;

        using var bitmap = new SKBitmap(imageWidth, imageHeight, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = bitmap.GetPixelSpan();
        pixels.Fill(255);
        int plane = height * width;
        for (int c = 0; c < channels; c++)
        {
            var channel = values.Slice(c * plane, plane);
            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            foreach (float v in channel)
            {
                if (float.IsFinite(v))
                {
                    min = MathF.Min(min, v);
                    max = MathF.Max(max, v);
                }
            }

            float range = max > min ? max - min : 1f;
            int x0 = c * (tileWidth + Gap);
            for (int y = 0; y < imageHeight; y++)
            {
                int row = y / scale;
                if (flipVertical)
                {
                    row = height - 1 - row;
                }

                for (int x = 0; x < tileWidth; x++)
                {
                    float v = channel[(row * width) + (x / scale)];
                    int index = float.IsFinite(v) ? Math.Clamp((int)((v - min) / range * 255f), 0, 255) : 0;
                    int p = ((y * imageWidth) + x0 + x) * 4;
                    pixels[p] = s_palette[index * 3];
                    pixels[p + 1] = s_palette[(index * 3) + 1];
                    pixels[p + 2] = s_palette[(index * 3) + 2];
                    pixels[p + 3] = 255;
                }
            }
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        data.SaveTo(destination);
    }

    /// <summary>Writes a PNG file.</summary>
    public static void WritePng(ReadOnlySpan<float> values, ReadOnlySpan<int> shape, string path, bool flipVertical = false)
    {
        using var stream = File.Create(path);
        WritePng(values, shape, stream, flipVertical);
    }

    /// <summary>The colour of a value in [0, 1] as (r, g, b).</summary>
    public static (byte R, byte G, byte B) Color(double value)
    {
        int i = Math.Clamp((int)(value * 255), 0, 255) * 3;
        return (s_palette[i], s_palette[i + 1], s_palette[i + 2]);
    }

    private static byte[] BuildCubehelix()
    {
        // Green's default scheme: start 0.5, −1.5 rotations, hue 1, gamma 1.
        const double Start = 0.5, Rotations = -1.5, Hue = 1.0;
        var palette = new byte[256 * 3];
        for (int i = 0; i < 256; i++)
        {
            double l = i / 255.0;
            double amplitude = Hue * l * (1 - l) / 2;
            double phi = 2 * Math.PI * ((Start / 3) + (Rotations * l));
            double cos = Math.Cos(phi), sin = Math.Sin(phi);
            palette[i * 3] = ToByte(l + (amplitude * ((-0.14861 * cos) + (1.78277 * sin))));
            palette[(i * 3) + 1] = ToByte(l + (amplitude * ((-0.29227 * cos) - (0.90649 * sin))));
            palette[(i * 3) + 2] = ToByte(l + (amplitude * 1.97294 * cos));
        }

        return palette;
    }

    private static byte ToByte(double v) => (byte)Math.Round(Math.Clamp(v, 0, 1) * 255);
}
